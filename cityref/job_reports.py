"""The reports of a finished validation job: cityref JSON (en, ja), W3C Turtle and JSON-LD,
located results (JSON for the pages and API, CSV for spreadsheets)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cityref.jobs import write_json

if TYPE_CHECKING:
    from cityref.profiles import InputCheck


def write_reports(folder: Path, check: InputCheck) -> dict[str, int]:
    """Write every report file of ``check`` into the job folder; the count per severity."""
    from cityref.validation import Language

    report = check.report
    (folder / "report.en.json").write_text(report.to_json(Language.EN), encoding="utf-8")
    (folder / "report.ja.json").write_text(report.to_json(Language.JA), encoding="utf-8")
    (folder / "report.ttl").write_text(report.to_turtle(), encoding="utf-8")
    (folder / "report.jsonld").write_text(report.to_jsonld(), encoding="utf-8")
    located = {lang: result_entries(check, lang) for lang in ("ja", "en")}
    write_json(folder / "locations.json", located)
    (folder / "results.csv").write_text(_results_csv(located["en"]), encoding="utf-8")
    counts: dict[str, int] = {}
    for entry in located["en"]:
        counts[str(entry["severity"])] = counts.get(str(entry["severity"]), 0) + 1
    return counts


def _term_text(term: object) -> str | None:
    if term is None:
        return None
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def result_entries(check: InputCheck, lang: str) -> list[dict[str, Any]]:
    """Every result with where it is (file, row, column or pointer) and what it is about
    (focus node, shape, path, value), messages in ``lang``."""
    from cityref.validation import Language, messages

    pairs = [(item.result, item.location) for item in check.located] or [
        (result, None) for result in check.report.results
    ]
    entries = []
    for result, location in pairs:
        message = messages.message(result, check.report.labels, Language(lang))
        entries.append(
            {
                "file": location.file if location else check_name(check),
                "row": location.row if location else None,
                "column": location.column if location else None,
                "pointer": location.pointer if location else None,
                "severity": _term_text(result.severity).rsplit("#", 1)[-1],  # type: ignore[union-attr]
                "component": result.component_name,
                "message": message,
                "focus": _term_text(result.focus),
                "shape": _term_text(result.source_shape),
                "path": _path_text(result.path),
                "value": _term_text(result.value),
            }
        )
    entries.sort(key=lambda e: (str(e["file"]), e["row"] or 0, str(e["column"] or "")))
    return entries


def _path_text(path: object) -> str | None:
    """A predicate path as its IRI; other path forms as their SPARQL-like text."""
    if path is None:
        return None
    iri = getattr(path, "iri", None)
    return _term_text(iri) if iri is not None else str(path)


def check_name(check: InputCheck) -> str | None:
    return check.converted.name if check.converted else None


def _results_csv(entries: list[dict[str, Any]]) -> str:
    """The located results as CSV; cells a spreadsheet would run as formulas are defused."""
    out = io.StringIO()
    columns = ["file", "row", "column", "pointer", "severity", "component", "message"]
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: _defuse(entry.get(k)) for k in columns})
    return out.getvalue()


def _defuse(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
