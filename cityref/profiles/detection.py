"""Picking a profile for data that came without one: from the CSV header, the set of files
in a GTFS zip, or the NGSI-LD entity type."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cityref.errors import CityrefError
from cityref.inputs import InputFormat, input_format_for_name
from cityref.inputs.csv_header import header_known_share, header_score
from cityref.inputs.csv_input import read_header
from cityref.inputs.limits import InputLimits, member_names
from cityref.profiles.registry import Profile, list_profiles
from cityref.sources import ModelFiles
from cityref.text import Bilingual
from cityref.validation.nesting import check_json_depth

# Below this share of matching column names a header is not taken to be of a profile.
MIN_HEADER_SCORE = 0.5
MIN_KNOWN_SHARE, MIN_KNOWN_COLUMNS = 0.6, 3
GTFS_CORE_FILES = {"agency.txt", "routes.txt", "trips.txt", "stop_times.txt", "stops.txt"}


class NoProfileDetected(CityrefError):
    """Nothing in the data says which profile it follows; the caller should ask for one."""


@dataclass(frozen=True)
class ProfileMatch:
    """The profile picked for some data, how sure the pick is (0..1) and why (ja / en)."""

    profile: Profile
    score: float
    reason_en: str
    reason_ja: str
    input_format: InputFormat


def detect_profile(
    data: bytes, filename: str, model: ModelFiles, limits: InputLimits | None = None
) -> ProfileMatch:
    """The profile of ``model`` that ``data`` most likely follows; raises
    :class:`NoProfileDetected`, or an input error when the data is too deep or too wide to
    read (never decompresses a zip)."""
    limits = limits or InputLimits()
    kind = input_format_for_name(filename)
    if kind == InputFormat.RDF and data.lstrip()[:1] in (b"{", b"["):
        kind = InputFormat.NGSI_LD
    if data[:4] == b"PK\x03\x04":
        kind = InputFormat.GTFS
    profiles = [p for p in list_profiles(model) if p.is_data_profile]
    if kind == InputFormat.CSV:
        return _from_header(data, filename, profiles, limits)
    if kind == InputFormat.GTFS:
        return _from_zip(data, filename, profiles, limits)
    if kind == InputFormat.NGSI_LD:
        return _from_json(data, filename, profiles)
    raise NoProfileDetected(
        Bilingual(
            "RDFデータからはプロファイルを決められません。--profile で指定してください",
            "RDF data does not name its profile; give --profile",
        ).prefixed(f"{filename}: ")
    )


def _from_header(
    data: bytes, filename: str, profiles: list[Profile], limits: InputLimits
) -> ProfileMatch:
    header = read_header(data, filename, limits.max_csv_columns)
    scored: list[tuple[float, Profile]] = []
    for p in profiles:
        schema = p.table_schema() if p.input_kind == InputFormat.CSV else None
        if schema is not None:
            scored.append((header_score(header, schema), p))
    scored.sort(key=lambda sp: (-sp[0], sp[1].id))
    # A header with only some of the columns still names its profile when most of its cells
    # are that profile's columns (a municipality publishing a subset).
    accepted = bool(scored) and scored[0][0] >= MIN_HEADER_SCORE
    if scored and not accepted:
        schema = scored[0][1].table_schema()
        share, known = header_known_share(header, schema) if schema else (0.0, 0)
        accepted = share >= MIN_KNOWN_SHARE and known >= MIN_KNOWN_COLUMNS
    if not accepted:
        best = f" (closest: {scored[0][1].id}, {scored[0][0]:.0%})" if scored else ""
        best_ja = f"（最も近いもの: {scored[0][1].id}、{scored[0][0]:.0%}）" if scored else ""
        raise NoProfileDetected(
            Bilingual(
                f"見出し行に合うプロファイルがありません{best_ja}。--profile で指定してください",
                f"the header matches no profile{best}; give --profile",
            ).prefixed(f"{filename}: ")
        )
    score, profile = scored[0]
    return ProfileMatch(
        profile,
        score,
        f"{score:.0%} of the column names match profile {profile.id}",
        f"列名の {score:.0%} がプロファイル {profile.id} と一致",
        InputFormat.CSV,
    )


def _from_zip(
    data: bytes, filename: str, profiles: list[Profile], limits: InputLimits
) -> ProfileMatch:
    names = member_names(data, filename, limits)
    gtfs = [p for p in profiles if p.input_kind == InputFormat.GTFS]
    found = GTFS_CORE_FILES & names
    if not gtfs or len(found) < 3:
        listed = ", ".join(sorted(found)) or "none"
        raise NoProfileDetected(
            Bilingual(
                f"zipにGTFSのファイルがほとんどありません（{listed}）",
                f"the zip has too few GTFS files ({listed})",
            ).prefixed(f"{filename}: ")
        )
    jp = any(n.endswith("_jp.txt") for n in names)
    score = len(found) / len(GTFS_CORE_FILES)
    jp_en = ", JP extension files" if jp else ""
    jp_ja = "、JP拡張ファイルあり" if jp else ""
    return ProfileMatch(
        gtfs[0],
        score,
        f"the zip holds GTFS files ({len(found)} of the 5 core files{jp_en})",
        f"zipにGTFSのファイルがあります（主要5ファイル中 {len(found)}{jp_ja}）",
        InputFormat.GTFS,
    )


def _from_json(data: bytes, filename: str, profiles: list[Profile]) -> ProfileMatch:
    check_json_depth(data, filename)  # json.loads recurses: 1,000 levels were a RecursionError
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoProfileDetected(
            Bilingual(f"JSONではありません（{exc}）", f"not JSON ({exc})").prefixed(f"{filename}: ")
        ) from None
    entities = doc if isinstance(doc, list) else [doc]
    typed = [e for e in entities if isinstance(e, dict) and "type" in e and "id" in e]
    ngsi = [p for p in profiles if p.input_kind == InputFormat.NGSI_LD]
    if not typed or not ngsi:
        raise NoProfileDetected(
            Bilingual(
                "NGSI-LDのエンティティ（id と type）がありません",
                "JSON without NGSI-LD entities (id and type)",
            ).prefixed(f"{filename}: ")
        )
    types = sorted({str(e["type"]) for e in typed})
    return ProfileMatch(
        ngsi[0],
        1.0,
        f"NGSI-LD entities of type {', '.join(types)}",
        f"NGSI-LDエンティティ（type: {', '.join(types)}）",
        InputFormat.NGSI_LD,
    )
