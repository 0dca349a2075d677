"""docs/profiles.md, written from every profile's profile.ttl (and CSVW columns), ja and en.

``python -m cityref.profiles.docs docs/profiles.md`` rewrites it; a test checks it is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cityref.profiles.registry import Profile, list_profiles

HEADER = """# Application profiles / アプリケーションプロファイル

Generated from `shapes/*/profile.ttl` by `python -m cityref.profiles.docs docs/profiles.md`;
do not edit by hand. `cityref profiles` lists the same, `cityref profiles show ID` shows one.

`shapes/*/profile.ttl` から生成（手で編集しない）。一覧は `cityref profiles`、詳細は
`cityref profiles show ID`。

Shared checks (`shapes/common/shapes.ttl` and `cityref/profiles/checks.py`):
全国地方公共団体コード (6 digits, prefecture 01–47, check digit), latitude 20–46 / longitude
122–154 with a hint when swapped, GIF phone numbers, ISO 8601 dates and times, URL syntax,
有/無 and 1/0 flags, half-width kana (warning), CSV header findings (missing, unknown,
misspelt columns).

Inputs (`cityref/inputs/`): CSV in UTF-8 (with or without BOM) or Shift_JIS/CP932, read
through the profile's CSVW metadata (`csv-metadata.json`), each row a node named
`…#row=N` (the header is row 1, as a spreadsheet counts); a header that differs from the
profile is reported column by column (missing, unknown, misspelt with the closest name, which
is still read). GTFS as a zip, one CSVW table per file, references between files checked as
`sh:class`. NGSI-LD JSON (normalized or key-values) read with the shipped core @context; a
remote @context is never fetched (a warning says so); nodes are named by JSON pointer. RDF in
any syntax goes to the engine as it is. Every result of CSV, GTFS and NGSI-LD input names its
file and row and column, or its JSON pointer.

入力: CSV（UTF-8、BOM付きUTF-8、Shift_JIS/CP932を判別）はプロファイルの
CSVWメタデータで読み、各行を `…#row=N`（見出しが1行目）として扱う。
見出しの不一致は列ごとに報告する（不足・不明・綴り違いは最も近い列名として読む）。
GTFSはzip、ファイル間の参照を検査。NGSI-LD JSON は同梱のコア @context で読み、
リモートの @context は取得しない。RDFはそのまま検証する。CSV・GTFS・NGSI-LD の
結果には必ずファイル・行・列、または JSON ポインターが付く。

| id | version | status | input | domains | title (ja) | title (en) |
|---|---|---|---|---|---|---|
"""


def _row(p: Profile) -> str:
    return (
        f"| [{p.id}](#{p.id}) | {p.version} | {p.status} | {p.input_kind} | "
        f"{', '.join(p.domains)} | {p.title.get('ja', '')} | {p.title.get('en', '')} |\n"
    )


def _section(p: Profile) -> str:
    out = [
        f"\n## {p.id}\n\n",
        f"**{p.title.get('ja', '')}** / **{p.title.get('en', '')}**\n\n",
        f"- IRI: `{p.iri}`\n",
        f"- version: {p.version}; status: {p.status}; input: {p.input_kind}\n",
        f"- domains / 分野: {', '.join(p.domains)}\n",
        f"- implements / 準拠: {', '.join(f'`{s}`' for s in p.standards)}\n\n",
        f"{p.description.get('ja', '')}\n\n",
        f"{p.description.get('en', '')}\n",
    ]
    schema = p.table_schema() if p.input_kind == "csv" else None
    if schema is not None:
        required = [c.title for c in schema.columns if c.required]
        out.append(
            f"\nColumns / 列 ({len(schema.columns)}); required / 必須: {', '.join(required)}.\n"
        )
    return "".join(out)


def profiles_markdown(profiles: list[Profile] | None = None) -> str:
    """The whole of docs/profiles.md."""
    found = [p for p in (profiles or list_profiles()) if p.is_data_profile]
    return HEADER + "".join(_row(p) for p in found) + "".join(_section(p) for p in found)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/profiles.md")
    target.write_text(profiles_markdown(), encoding="utf-8")
