"""The cityref JSON report: a stable, versioned schema (docs/report-format.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pyoxigraph import BlankNode, Literal, NamedNode

from cityref.validation.messages import label, message, pick
from cityref.validation.options import Language
from cityref.validation.paths import PredicatePath, path_sparql
from cityref.validation.terms import Term

if TYPE_CHECKING:
    from cityref.validation.model import Result
    from cityref.validation.report import Report

VERSION = 1


def schema_iri(base_iri: str | None) -> str | None:
    """The report's JSON schema, under the base IRI of the model validated against."""
    return None if base_iri is None else f"{base_iri}schemas/validation-report/{VERSION}"


class BlankLabels:
    """Blank node labels numbered in the order they are first met (``b1``, ``b2`` …): the
    parser names blank nodes at random, and the same input must give the same report."""

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}

    def __call__(self, node: BlankNode) -> str:
        return self._labels.setdefault(node.value, f"b{len(self._labels) + 1}")


def term_json(term: Term | None, blanks: BlankLabels | None = None) -> dict[str, str] | None:
    """A term as {"type": "iri"|"bnode"|"literal", "value", ["datatype" | "language"]}."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return {"type": "iri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": blanks(term) if blanks else term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["language"] = term.language
    else:
        out["datatype"] = term.datatype.value
    return out


def _local(term: Term) -> str:
    return term.value.rsplit("#", 1)[-1] if isinstance(term, NamedNode) else str(term)


def report_result(
    r: Result, labels: Mapping[Term, tuple[Literal, ...]], language: Language, blanks: BlankLabels
) -> dict[str, Any]:
    """One result of the JSON report."""
    path_label = None
    if isinstance(r.path, PredicatePath):
        path_label = label(r.path.iri, labels, language)
    focus_label = pick(labels.get(r.focus, ()), language)
    return {
        "focusNode": term_json(r.focus, blanks),
        "focusLabel": focus_label.value if focus_label else None,
        "path": path_sparql(r.path) if r.path is not None else None,
        "pathLabel": path_label,
        "value": term_json(r.value, blanks),
        "severity": _local(r.severity),
        "sourceShape": term_json(r.source_shape, blanks),
        "component": r.component_name,
        "componentIri": r.component.value,
        "sourceConstraint": term_json(r.source_constraint, blanks),
        "message": message(r, labels, language),
        "shapeMessages": [{"value": m.value, "language": m.language} for m in r.messages],
        "details": dict(r.detail),
    }


def label_blank_nodes(report: Report, blanks: BlankLabels) -> None:
    """Name the report's blank nodes in the order :func:`report_dict` meets them."""
    for r in report.results:
        for term in (r.focus, r.value, r.source_shape, r.source_constraint):
            if isinstance(term, BlankNode):
                blanks(term)


def report_head(report: Report, language: Language = Language.EN) -> dict[str, Any]:
    """The JSON report without its ``results`` (the last field): a writer streams them."""
    severities = {"Violation": 0, "Warning": 0, "Info": 0}
    for r in report.results:
        sev = _local(r.severity)
        severities[sev] = severities.get(sev, 0) + 1
    return {
        "schema": schema_iri(report.base_iri),
        "version": VERSION,
        "conforms": report.conforms,
        "engine": report.engine,
        "language": language.value,
        "truncated": report.truncated,
        "summary": {
            "results": len(report.results),
            "violations": severities.get("Violation", 0),
            "warnings": severities.get("Warning", 0),
            "infos": severities.get("Info", 0),
        },
        "stats": dict(report.stats),
    }


def report_dict(
    report: Report, language: Language = Language.EN, blanks: BlankLabels | None = None
) -> dict[str, Any]:
    """The JSON report as Python data; ``blanks`` names its blank nodes (shared with the
    outcome document that embeds it)."""
    blanks = blanks or BlankLabels()
    results = [report_result(r, report.labels, language, blanks) for r in report.results]
    return {**report_head(report, language), "results": results}


def report_json(report: Report, language: Language = Language.EN) -> str:
    """The JSON report text (UTF-8, Japanese not escaped)."""
    return json.dumps(report_dict(report, language), ensure_ascii=False, indent=2) + "\n"


__all__ = [
    "VERSION",
    "BlankLabels",
    "label_blank_nodes",
    "report_dict",
    "report_head",
    "report_json",
    "report_result",
    "schema_iri",
    "term_json",
]
