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

| id | version | status | input | domains | title (ja) | title (en) |
|---|---|---|---|---|---|---|
"""


def _row(p: Profile) -> str:
    return (
        f"| [{p.id}](#{p.id}) | {p.version} | {p.status} | {p.input_kind.value} | "
        f"{', '.join(p.domains)} | {p.title.get('ja', '')} | {p.title.get('en', '')} |\n"
    )


def _section(p: Profile) -> str:
    out = [
        f"\n## {p.id}\n\n",
        f"**{p.title.get('ja', '')}** / **{p.title.get('en', '')}**\n\n",
        f"- IRI: `{p.iri}`\n",
        f"- version: {p.version}; status: {p.status}; input: {p.input_kind.value}\n",
        f"- domains / 分野: {', '.join(p.domains)}\n",
        f"- implements / 準拠: {', '.join(f'`{s}`' for s in p.standards)}\n\n",
        f"{p.description.get('ja', '')}\n\n",
        f"{p.description.get('en', '')}\n",
    ]
    schema = p.table_schema() if p.input_kind.value == "csv" else None
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
