"""docs/profiles.md: a hand-written part (how profiles work and how to add one), then the
list of profiles written from every profile's profile.ttl (and CSVW columns), ja and en.

``python -m cityref.profiles.docs docs/profiles.md`` rewrites the part below the marker and
keeps the hand-written part above it; a test checks the generated part is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cityref.errors import CityrefError
from cityref.profiles.registry import Profile, list_profiles
from cityref.settings import load_settings
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

MARKER = (
    "<!-- Below: generated from shapes/*/profile.ttl by "
    "`python -m cityref.profiles.docs docs/profiles.md`; edit above this line only. -->\n"
)
TABLE_HEAD = """
## The profiles / プロファイル一覧

| id | version | status | input | domains | title (ja) | title (en) |
|---|---|---|---|---|---|---|
"""


class NoMarker(CityrefError):
    """docs/profiles.md lacks the line that separates its hand-written part."""


def hand_written_part(document: str, where: str) -> str:
    """The part of ``document`` above the marker, marker excluded."""
    if MARKER not in document:
        raise NoMarker(
            Bilingual(
                f"{where} に手書き部分と生成部分を分ける行 {MARKER.strip()!r} がありません",
                f"{where}: no line {MARKER.strip()!r}; put it under the hand-written part",
            )
        )
    return document.split(MARKER, 1)[0]


def _row(p: Profile) -> str:
    return (
        f"| [{p.id}](#{p.id}) | {p.version} | {p.status} | {p.input_kind} | "
        f"{', '.join(p.domains)} | {p.title.get('ja', '')} | {p.title.get('en', '')} |\n"
    )


def _section(p: Profile) -> str:
    edition = " / ".join(p.edition[lang] for lang in ("ja", "en") if lang in p.edition)
    out = [
        f"\n### {p.id}\n\n",
        f"**{p.title.get('ja', '')}** / **{p.title.get('en', '')}**\n\n",
        f"- IRI: `{p.iri}`\n",
        f"- version: {p.version}; status: {p.status}; input: {p.input_kind}\n",
        f"- domains / 分野: {', '.join(p.domains)}\n",
        f"- implements / 準拠: {', '.join(f'`{s}`' for s in p.standards)}; "
        f"edition / 版: {edition or 'not stated / 記載なし'}\n",
        *(f"- source / 出典: `{source}`\n" for source in p.sources),
        "\n",
        f"{p.description.get('ja', '')}\n\n",
        f"{p.description.get('en', '')}\n",
    ]
    schema = p.table_schema()  # one-table (CSV) profiles only
    if schema is not None:
        required = [c.title for c in schema.columns if c.required]
        out.append(
            f"\nColumns / 列 ({len(schema.columns)}); required / 必須: {', '.join(required)}.\n"
        )
    return "".join(out)


def profiles_markdown(hand_written: str, profiles: list[Profile]) -> str:
    """The whole of docs/profiles.md: the hand-written part, the marker, the list."""
    found = [p for p in profiles if p.is_data_profile]
    return (
        hand_written
        + MARKER
        + TABLE_HEAD
        + "".join(_row(p) for p in found)
        + "".join(_section(p) for p in found)
    )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/profiles.md")
    model = ModelFiles.from_settings(load_settings())  # an entry point: it reads the settings
    hand = hand_written_part(target.read_text(encoding="utf-8"), str(target))
    target.write_text(profiles_markdown(hand, list_profiles(model)), encoding="utf-8")
