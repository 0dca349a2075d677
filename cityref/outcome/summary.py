"""What to fix: a report's results counted constraint by constraint, with their rows as ranges.

A city's file often breaks one rule on hundreds of rows (a required column left empty). Read
result by result that is a long page; counted per shape and column, with the rows written as
ranges ("2–50, 53"), it is one line a person can act on. Works on the result entries of an
outcome (cityref.outcome.data.result_entries).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """All results of one shape, of one severity, on one column (or path) of one file."""

    shape: str
    severity: str
    file: str | None
    column: str | None  # the column name for tabular input, else the path
    count: int
    rows: str  # spreadsheet rows as ranges, "" when the input is not tabular
    example: str  # the message of the first of these results
    # That first result's value as written, shown, its marks and suggestion (docs/report-format.md)
    value: str | None = None
    value_shown: str | None = None
    value_marks: tuple[Mapping[str, Any], ...] = ()
    suggestion: str | None = None


def row_ranges(rows: Iterable[int], limit: int = 6) -> str:
    """Rows as ranges ("2–50, 53, 60–61"); past ``limit`` ranges the rest is "…"."""
    ordered = sorted(set(rows))
    runs: list[tuple[int, int]] = []
    for row in ordered:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    shown = [f"{a}–{b}" if b > a else str(a) for a, b in runs[:limit]]
    return ", ".join(shown) + (", …" if len(runs) > limit else "")


FindingKey = tuple[str, str, str | None, str | None]


def finding_key(entry: Mapping[str, Any]) -> FindingKey:
    """What a finding groups results by: shape, severity, file, column (else path)."""
    return (
        str(entry.get("shape") or ""),
        str(entry.get("severity") or ""),
        entry.get("file"),
        entry.get("column") or entry.get("path"),
    )


def summarise(entries: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """One finding per (shape, severity, file, column), the most severe and frequent first.
    Keeps each finding's first entry and rows only: ``entries`` may be made one at a time."""
    firsts: dict[FindingKey, Mapping[str, Any]] = {}
    counts: dict[FindingKey, int] = {}
    rows: dict[FindingKey, list[int]] = {}
    for entry in entries:
        key = finding_key(entry)
        firsts.setdefault(key, entry)
        counts[key] = counts.get(key, 0) + 1
        if entry.get("row"):
            rows.setdefault(key, []).append(int(entry["row"]))
    findings = [
        Finding(
            shape=shape,
            severity=severity,
            file=file,
            column=column,
            count=counts[key],
            rows=row_ranges(rows.get(key, ())),
            example=str(first.get("message") or ""),
            value=first.get("value"),
            value_shown=first.get("value_shown"),
            value_marks=tuple(first.get("value_marks") or ()),
            suggestion=first.get("suggestion"),
        )
        for key, first in firsts.items()
        for shape, severity, file, column in (key,)
    ]
    findings.sort(key=lambda f: (SEVERITY_RANK.get(f.severity, 3), -f.count, f.shape))
    return findings


def summary_json(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """:func:`summarise` as JSON-ready objects (the ``summary`` of API and CLI answers)."""
    return [asdict(f) for f in summarise(entries)]
