"""The outcome document made one result at a time: a million-row file's 50,000 results are
written to the output as they are made, never held as one dict or one string (issue 15:
the JSON report of 1M rows took 1.4 GB when built whole). The bytes are those of
``json.dumps`` of the whole document."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TextIO, overload

from cityref.outcome.data import (
    KIND,
    VERSION,
    detection_data,
    located_in_order,
    result_entry,
)
from cityref.outcome.model import Outcome
from cityref.outcome.summary import summary_json
from cityref.text import LANGUAGES
from cityref.validation import Language
from cityref.validation.messages import message
from cityref.validation.render_json import (
    BlankLabels,
    label_blank_nodes,
    report_head,
    report_result,
)


class Streamed(Sequence[dict[str, Any]]):
    """A list whose items are made when read (each time): its length is known, its items
    are not kept."""

    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._make(i) for i in range(self._count)[index]]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._make(index % self._count)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._make(i) for i in range(self._count))


def outcome_document(outcome: Outcome, languages: Sequence[str], keyed: bool) -> dict[str, Any]:
    """The outcome document with its results (and the report's) :class:`Streamed`: in the
    one language of ``languages`` (``keyed`` false: :func:`cityref.outcome.data.outcome_data`)
    or with every text a person reads keyed by language (``keyed``: as
    :func:`cityref.outcome.data.bilingual_document` makes it from the documents by language)."""
    langs = [Language(lang) for lang in LANGUAGES if lang in languages]
    report, labels = outcome.report, outcome.report.labels
    blanks = BlankLabels()
    label_blank_nodes(report, blanks)  # numbered as the report meets them, as when built whole
    ordered = located_in_order(outcome)

    def texts(get: Callable[[Language], Any]) -> Any:
        return {lang.value: get(lang) for lang in langs} if keyed else get(langs[0])

    def entries(language: Language) -> Streamed:
        return Streamed(len(ordered), lambda i: result_entry(outcome, ordered[i], language, blanks))

    def keyed_entry(i: int) -> dict[str, Any]:
        entry = result_entry(outcome, ordered[i], langs[0], blanks)
        if keyed:
            entry["message"] = texts(lambda lang: message(ordered[i].result, labels, lang))
        return entry

    def report_document(language: Language) -> dict[str, Any]:
        results = Streamed(
            len(report.results),
            lambda i: report_result(report.results[i], labels, language, blanks),
        )
        return {**report_head(report, language), "results": results}

    summaries = {lang: summary_json(entries(lang)) for lang in (langs if keyed else langs[:1])}

    def example(n: int) -> Any:
        return texts(lambda lang: summaries[lang][n]["example"])

    summary = [{**f, "example": example(n)} for n, f in enumerate(summaries[langs[0]])]
    return {
        "kind": KIND,
        "version": VERSION,
        "file": outcome.file,
        "profile": outcome.profile_id,
        "profile_note": texts(lambda lang: outcome.profile_note(lang.value)),
        "detection": detection_data(outcome),
        "model_release": outcome.model_release,
        "language": langs[0].value if not keyed or len(langs) == 1 else None,
        "verdict": outcome.verdict.value,
        "conforms": report.conforms,
        "truncated": report.truncated,
        "counts": outcome.counts,
        "checked": outcome.checked,
        "summary": summary,
        "results": Streamed(len(ordered), keyed_entry),
        "report": texts(report_document),
    }


def whole(value: Any) -> Any:
    """``value`` with every :class:`Streamed` list in it made: the document in memory."""
    if isinstance(value, Streamed):
        return list(value)
    if isinstance(value, Mapping):
        return {key: whole(item) for key, item in value.items()}
    return value


def _streams(value: Any) -> bool:
    if isinstance(value, Streamed):
        return True
    return isinstance(value, Mapping) and any(_streams(v) for v in value.values())


def write_json(value: Any, out: TextIO, separators: tuple[str, str] = (", ", ": ")) -> None:
    """``value`` as ``json.dumps(value, ensure_ascii=False, separators=separators)`` writes
    it, each item of a :class:`Streamed` list written as soon as it is made."""
    item_separator, key_separator = separators
    if isinstance(value, Streamed):
        out.write("[")
        for n, item in enumerate(value):
            out.write(item_separator if n else "")
            out.write(json.dumps(item, ensure_ascii=False, separators=separators))
        out.write("]")
    elif isinstance(value, Mapping) and _streams(value):
        out.write("{")
        for n, (key, item) in enumerate(value.items()):
            out.write(item_separator if n else "")
            out.write(json.dumps(key, ensure_ascii=False) + key_separator)
            write_json(item, out, separators)
        out.write("}")
    else:
        out.write(json.dumps(value, ensure_ascii=False, separators=separators))
