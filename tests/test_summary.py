"""The report summary: one line per constraint and column, rows as ranges."""

from __future__ import annotations

from cityref.outcome.summary import row_ranges, summarise


def test_rows_become_ranges() -> None:
    assert row_ranges([5, 2, 3, 4, 9, 11, 12]) == "2–5, 9, 11–12"
    assert row_ranges([]) == ""
    assert row_ranges(range(2, 40, 2), limit=3) == "2, 4, 6, …"


def test_results_are_counted_per_shape_severity_and_column() -> None:
    def entry(shape: str, severity: str, column: str, row: int) -> dict[str, object]:
        return {
            "shape": shape,
            "severity": severity,
            "file": "a.csv",
            "column": column,
            "row": row,
            "message": f"{column} row {row}",
        }

    entries = [entry("s/phone", "Violation", "電話番号", r) for r in (7, 8, 9)]
    entries += [entry("s/name", "Warning", "名称", r) for r in range(2, 12)]
    entries += [entry("s/lat", "Violation", "緯度", 4)]
    findings = summarise(entries)
    assert [(f.shape, f.count, f.rows) for f in findings] == [
        ("s/phone", 3, "7–9"),
        ("s/lat", 1, "4"),
        ("s/name", 10, "2–11"),
    ]
    assert findings[0].example == "電話番号 row 7"
