"""The invalid example feed of the GTFS-JP profile, written from its file table: in every
file a good row, then one row per rule that breaks only that rule (so each row's expected
results follow from the rule), as for the tabular profiles."""

from __future__ import annotations

import csv
import io
import json

from cityref.profiles.authoring import ColumnSpec
from cityref.profiles.checks import Rule
from cityref.profiles.gtfs_spec import FILES, ROW_RULES, column_rules


def _txt(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _good_row(
    parsed: list[tuple[ColumnSpec, list[Rule], str | None, str | None]],
    id_kind: str | None,
    row_number: int,
) -> list[str]:
    """A passing row: ids unique per row (``<kind>-ok`` on row 2), references to row 2."""
    row: list[str] = []
    for col, _, ref, defines in parsed:
        if id_kind and col.title == f"{id_kind}_id":
            row.append(f"{id_kind}-ok" if row_number == 2 else f"{id_kind}-{row_number}")
        elif ref or defines:
            row.append(f"{ref or defines}-ok")
        else:
            row.append(col.kind.good)
    return row


def rules_feed() -> dict[str, str]:
    """An invalid example feed: in every file a good row, then one row per rule that breaks
    only that rule; ids of good rows are ``<kind>-ok`` and every reference points at them."""
    files: dict[str, str] = {}
    expected: list[dict[str, object]] = []
    for file, _req, id_kind, _cls, columns in FILES:
        parsed = [column_rules(text) for text in columns]
        header = [col.title for col, _, _, _ in parsed]
        rows = [header, _good_row(parsed, id_kind, 2)]
        for i, (col, rules, _, _) in enumerate(parsed):
            for rule in rules:
                row = _good_row(parsed, id_kind, len(rows) + 1)
                row[i] = rule.bad.value
                rows.append(row)
                for comp in rule.bad.components:
                    expected.append(
                        {"component": comp, "file": file, "column": col.title, "row": len(rows)}
                    )
        for row_rule in (r for r in ROW_RULES if r.file == file):
            row = _good_row(parsed, id_kind, len(rows) + 1)
            for field, value in row_rule.bad.items():
                row[header.index(field)] = value
            rows.append(row)
            expected.append(
                {
                    "component": row_rule.component,
                    "file": file,
                    "column": row_rule.column,
                    "row": len(rows),
                }
            )
        files[f"examples/invalid/rules-feed/{file}"] = _txt(rows)
    expected.sort(
        key=lambda r: (str(r["file"]), int(str(r["row"])), str(r["column"]), str(r["component"]))
    )
    files["examples/invalid/rules-feed.expected.json"] = (
        json.dumps({"results": expected}, ensure_ascii=False, indent=1) + "\n"
    )
    return files
