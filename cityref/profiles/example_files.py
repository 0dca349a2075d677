"""The generated examples of a profile that reads tables, written from its rules: valid rows,
then one row per rule that breaks only that rule (so each invalid row's expected results
follow from the rule), and for one table a header with missing, misspelt and unknown columns.
A table group (GTFS) gets one invalid feed with a good row and the breaking rows per file."""

from __future__ import annotations

import csv
import io
import json

from cityref.profiles.checks import CheckBook, Rule
from cityref.profiles.column_tables import ColumnSpec, TableSpec

Expected = dict[str, object]
RulesOf = dict[tuple[str | None, str], list[Rule]]


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _expected(results: list[Expected], key: tuple[str, ...]) -> str:
    def order(r: Expected) -> tuple[object, ...]:
        return tuple(int(str(r[k])) if k == "row" else str(r[k]) for k in key)

    return json.dumps({"results": sorted(results, key=order)}, ensure_ascii=False, indent=1) + "\n"


def example_files(tables: list[TableSpec], rules: RulesOf, book: CheckBook) -> dict[str, str]:
    """Example files by path relative to the profile folder."""
    if len(tables) == 1 and tables[0].url is None:
        return _table_examples(tables[0], rules, book)
    return _feed_examples(tables, rules)


def _table_examples(table: TableSpec, rules: RulesOf, book: CheckBook) -> dict[str, str]:
    cols = list(table.columns)
    header = [c.title for c in cols]
    good = [c.kind.good for c in cols]
    minimal = [c.kind.good if c.required or c.recommended else "" for c in cols]
    pairs = [(c.title, c.not_after) for c in cols if c.not_after]
    files = {
        "examples/valid/full.csv": _csv([header, good, good]),
        "examples/valid/required-only.csv": _csv([header, minimal]),
    }
    rows: list[list[str]] = [header]
    expected: list[Expected] = []
    for i, col in enumerate(cols):
        for rule in rules[(None, col.title)]:
            row = list(good)
            row[i] = rule.bad.value
            rows.append(row)
            for comp in rule.bad.components:
                expected.append({"component": comp, "column": col.title, "row": len(rows)})
            # A value of the wrong datatype cannot be compared with its pair (SHACL 4.5.4).
            for first, second in pairs:
                if rule.key == "datatype" and col.title in (first, second):
                    expected.append(
                        {"component": "LessThanOrEquals", "column": first, "row": len(rows)}
                    )
    if table.swapped:
        lat_title, lon_title = table.swapped
        row = list(good)
        lat, lon = header.index(lat_title), header.index(lon_title)
        row[lat], row[lon] = good[lon], good[lat]
        rows.append(row)
        n = len(rows)
        expected += [
            {"component": "MaxInclusive", "column": lat_title, "row": n},
            {"component": "MinInclusive", "column": lon_title, "row": n},
            {"component": "Not", "column": lat_title, "row": n},
        ]
    for first, _second in pairs:
        row = list(good)
        row[header.index(first)] = book.not_after.bad.value
        rows.append(row)
        for comp in book.not_after.bad.components:
            expected.append({"component": comp, "column": first, "row": len(rows)})
    key = ("row", "column", "component")
    files["examples/invalid/rules.csv"] = _csv(rows)
    files["examples/invalid/rules.expected.json"] = _expected(expected, key)
    files.update(_header_example(cols))
    return files


def _header_example(cols: list[ColumnSpec]) -> dict[str, str]:
    """A header with a missing required column, a misspelt one and an unknown one (none
    when the table has no required column to leave out)."""
    dropped = next((c for c in cols if c.required), None)
    if dropped is None:
        return {}
    kana = next((c for c in cols if c.check == "kana"), None)
    header, row = [], []
    for c in cols:
        if c is dropped:
            continue
        header.append(c.title.replace("カナ", "ｶﾅ") if c is kana else c.title)
        row.append(c.kind.good)
    header.append("独自列")
    row.append("x")
    extra = [*row, "余分なセル"]
    exp: list[Expected] = [
        {"component": "MaxLength", "column": dropped.title, "row": 1},
        {"component": "MaxLength", "column": "独自列", "row": 1},
        {"component": "MinCount", "column": dropped.title, "row": 2},
        {"component": "MinCount", "column": dropped.title, "row": 3},
        {"component": "MaxLength", "column": "（見出しのないセル）", "row": 3},
    ]
    if kana is not None:
        exp.append({"component": "MaxLength", "column": kana.title.replace("カナ", "ｶﾅ"), "row": 1})
    return {
        "examples/invalid/header.csv": _csv([header, row, extra]),
        "examples/invalid/header.expected.json": _expected(exp, ("row", "column", "component")),
    }


def _good_row(table: TableSpec, row_number: int) -> list[str]:
    """A passing row: ids unique per row (``<kind>-ok`` on row 2), references to row 2."""
    row: list[str] = []
    for col in table.columns:
        if table.about_kind and col.title == table.about_column:
            kind = table.about_kind
            row.append(f"{kind}-ok" if row_number == 2 else f"{kind}-{row_number}")
        elif col.refers_to or col.defines:
            row.append(f"{col.refers_to or col.defines}-ok")
        else:
            row.append(col.kind.good)
    return row


def _feed_examples(tables: list[TableSpec], rules: RulesOf) -> dict[str, str]:
    """An invalid feed: in every file a good row, then one row per rule that breaks only
    that rule; ids of good rows are ``<kind>-ok`` and every reference points at them."""
    files: dict[str, str] = {}
    expected: list[Expected] = []
    for table in tables:
        header = [c.title for c in table.columns]
        rows = [header, _good_row(table, 2)]
        for i, col in enumerate(table.columns):
            for rule in rules[(table.url, col.title)]:
                row = _good_row(table, len(rows) + 1)
                row[i] = rule.bad.value
                rows.append(row)
                for comp in rule.bad.components:
                    expected.append(
                        {
                            "component": comp,
                            "file": table.url,
                            "column": col.title,
                            "row": len(rows),
                        }
                    )
        for check in table.row_checks:
            row = _good_row(table, len(rows) + 1)
            for name, value in check.bad.items():
                row[header.index(name)] = value
            rows.append(row)
            for comp in check.components:
                expected.append(
                    {"component": comp, "file": table.url, "column": check.column, "row": len(rows)}
                )
        files[f"examples/invalid/rules-feed/{table.url}"] = _csv(rows)
    key = ("file", "row", "column", "component")
    files["examples/invalid/rules-feed.expected.json"] = _expected(expected, key)
    return files
