"""The outcome as data: the one JSON document (docs/report-format.md) that the command line
prints, the API answers, a job stores and the readable views (text, CSV, HTML, the report
page) are made from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pyoxigraph import BlankNode

from cityref.inputs import LocatedResult, Location
from cityref.outcome.model import Outcome, severity_name
from cityref.outcome.visible import shown, value_marks
from cityref.text import LANGUAGES
from cityref.validation import Language
from cityref.validation.messages import message
from cityref.validation.render_json import BlankLabels

KIND = "validation-outcome"
VERSION = 1

#: The fields of one result entry, in the order of the JSON and of the CSV columns.
ENTRY_FIELDS = (
    "file",
    "row",
    "column",
    "pointer",
    "severity",
    "component",
    "message",
    "focus",
    "shape",
    "path",
    "value",
    "value_shown",
    "value_marks",
    "suggestion",
)


def _text(term: object, blanks: BlankLabels) -> str | None:
    """An IRI or a literal's lexical form; a blank node as ``_:`` and its report label."""
    if term is None:
        return None
    if isinstance(term, BlankNode):
        return f"_:{blanks(term)}"
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def _path_text(path: object, blanks: BlankLabels) -> str | None:
    """A predicate path as its IRI; other path forms as their SPARQL-like text."""
    if path is None:
        return None
    iri = getattr(path, "iri", None)
    return _text(iri, blanks) if iri is not None else str(path)


def _cell_text(outcome: Outcome, where: Location | None) -> str | None:
    """The text of the data cell a result is about, as written; None when it is no cell."""
    if outcome.converted is None or where is None or where.row is None or where.row < 2:
        return None
    cells = outcome.converted.cells.get(where.file)
    return cells.cell(where.row, where.column) if cells and where.column else None


def _value_fields(outcome: Outcome, where: Location | None, value: str | None) -> dict[str, Any]:
    """``value`` as the input has it (a table's cell as written), the same with invisible
    characters as symbols (``value_shown``), what those characters are (``value_marks``) and
    the correction the rule accepts (``suggestion``), when there is one."""
    suggestion = None
    if value is not None:
        value = _cell_text(outcome, where) or value
        if where is not None and where.row is not None and where.column is not None:
            suggestion = outcome.suggestions.get((where.file, where.row, where.column))
    return {
        "value": value,
        "value_shown": shown(value) if value is not None else None,
        "value_marks": [m.json(value) for m in value_marks(value)] if value else [],
        "suggestion": suggestion,
    }


def located_in_order(outcome: Outcome) -> list[LocatedResult]:
    """The located results in the order of the input (file, row, column), results at the same
    place in the engine's order."""

    def place(item: LocatedResult) -> tuple[str, int, str]:
        where = item.location
        if where is None:
            return (outcome.file, 0, "")
        return (where.file, where.row or 0, where.pointer or where.column or "")

    return sorted(outcome.located, key=place)


def result_entry(
    outcome: Outcome, item: LocatedResult, language: Language, blanks: BlankLabels
) -> dict[str, Any]:
    """One result with where it is (file, row and column, or JSON pointer) and what it is
    about (focus node, shape, path, value), its message in ``language``."""
    r, where = item.result, item.location
    return {
        "file": where.file if where else outcome.file,
        "row": where.row if where else None,
        "column": where.column if where else None,
        "pointer": where.pointer if where else None,
        "severity": severity_name(r),
        "component": r.component_name,
        "message": message(r, outcome.report.labels, language),
        "focus": _text(r.focus, blanks),
        "shape": _text(r.source_shape, blanks),
        "path": _path_text(r.path, blanks),
        **_value_fields(outcome, where, _text(r.value, blanks)),
    }


def result_entries(
    outcome: Outcome, language: Language, blanks: BlankLabels | None = None
) -> list[dict[str, Any]]:
    """Every result as :func:`result_entry`, in :func:`located_in_order`."""
    blanks = blanks or BlankLabels()
    return [result_entry(outcome, item, language, blanks) for item in located_in_order(outcome)]


def detection_data(outcome: Outcome) -> dict[str, Any] | None:
    """How the profile was picked, when it was detected: its match (0..1), the runner-up and
    its match, and whether the pick is unsure (the why is in ``profile_note``)."""
    match = outcome.match
    if match is None:
        return None
    return {
        "profile": match.profile.id,
        "score": round(match.score, 3),
        "runner_up": match.runner_up,
        "runner_up_score": None
        if match.runner_up_score is None
        else round(match.runner_up_score, 3),
        "unsure": match.unsure is not None,
    }


def outcome_data(outcome: Outcome, language: Language) -> dict[str, Any]:
    """The outcome document in ``language`` (messages, labels and notes), all in memory; the
    report writers stream it instead (:func:`cityref.outcome.streaming.outcome_document`)."""
    from cityref.outcome.streaming import outcome_document, whole

    document: dict[str, Any] = whole(outcome_document(outcome, [language.value], keyed=False))
    return document


def bilingual_document(documents: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """One document from the same outcome's documents by language (``ja`` and ``en``, or only
    the one asked for): every text a person reads becomes an object keyed by language, as in
    every API answer (docs/api.md, "Languages"); the rest is the same in each language."""
    languages = [language for language in LANGUAGES if language in documents]
    first = documents[languages[0]]

    def texts(get: Callable[[Mapping[str, Any]], Any]) -> dict[str, Any]:
        return {language: get(documents[language]) for language in languages}

    return {
        **first,
        "language": languages[0] if len(languages) == 1 else None,
        "profile_note": texts(lambda d: d["profile_note"]),
        "summary": _texts_of_entries(documents, languages, "summary", "example"),
        "results": _texts_of_entries(documents, languages, "results", "message"),
        "report": texts(lambda d: d["report"]),
    }


def _texts_of_entries(
    documents: Mapping[str, Mapping[str, Any]], languages: list[str], key: str, field: str
) -> list[dict[str, Any]]:
    """The entries under ``key`` (the same in each language's document, in the same order)
    with their ``field`` as an object keyed by language."""
    lists = [documents[language][key] for language in languages]
    return [
        {**entries[0], field: dict(zip(languages, (e[field] for e in entries), strict=True))}
        for entries in zip(*lists, strict=True)
    ]
