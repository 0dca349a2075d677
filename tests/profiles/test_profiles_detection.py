"""Detection from a CSV header: every example of every tabular profile and every real CSV file
is detected as its own profile (an older layout as the older profile, the current layout as
the current one), the runner-up is named with its match, and a close call says it is unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityref.inputs.csv_header import Column
from cityref.profiles.detection import detect_profile
from cityref.profiles.registry import load_profile
from tests.conftest import REAL_DATA, REPO
from tests.conftest import REPO_MODEL as MODEL
from tests.profiles.test_profiles_real_data import EXPECTED_PROFILE

EXAMPLES = sorted((REPO / "shapes").glob("*/examples/*/*.csv"))
REAL_CSV = sorted(REAL_DATA.rglob("*.csv"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: "/".join(p.parts[-4:]))
def test_each_example_is_detected_as_its_profile(path: Path) -> None:
    match = detect_profile(path.read_bytes(), path.name, MODEL)
    assert match.profile.id == path.parts[-4]
    assert match.runner_up is not None and match.runner_up != match.profile.id
    assert match.runner_up_score is not None and match.runner_up_score < match.score


@pytest.mark.parametrize("path", REAL_CSV, ids=lambda p: p.name)
def test_real_files_are_detected_surely_with_their_runner_up(path: Path) -> None:
    match = detect_profile(path.read_bytes(), path.name, MODEL)
    assert match.profile.id == EXPECTED_PROFILE[path.name]
    assert match.unsure is None, match.reason
    assert f"runner-up {match.runner_up} at" in match.reason.en
    assert f"次点は {match.runner_up}（" in match.reason.ja


def test_the_older_evacuation_layout_is_not_taken_for_the_current_one() -> None:
    """The older 指定緊急避難場所 layout starts NO,名称 (no 都道府県コード又は市区町村コード) and
    shares many names with the current layout; each is detected as itself."""
    yaizu = REAL_DATA / "yaizu-222127" / "222127_evacuation_space.csv"
    older = detect_profile(yaizu.read_bytes(), yaizu.name, MODEL)
    assert (older.profile.id, older.runner_up) == ("legacy-evacuation-site", "ods-evacuation-site")
    assert older.score == 1.0 and older.runner_up_score is not None
    assert older.runner_up_score < 0.5
    current = ",".join(t.title for t in _columns("ods-evacuation-site"))
    match = detect_profile(f"{current}\r\n".encode(), "current.csv", MODEL)
    assert match.profile.id == "ods-evacuation-site" and match.unsure is None


def test_a_close_call_says_it_is_unsure_in_both_languages() -> None:
    """The columns the older AED and public facility layouts share fit both nearly as well."""
    facility = {c.title for c in _columns("legacy-public-facility")}
    shared = [c.title for c in _columns("legacy-aed") if c.title in facility]
    match = detect_profile((",".join(shared) + "\r\n").encode(), "shared.csv", MODEL)
    assert {match.profile.id, match.runner_up} == {"legacy-aed", "legacy-public-facility"}
    assert match.unsure is not None
    assert "unsure" in match.reason.en and "name the profile" in match.reason.en
    assert "不確か" in match.reason.ja and "プロファイルを指定" in match.reason.ja


def test_a_header_lacking_many_columns_says_it_is_unsure() -> None:
    """A header with some of a profile's columns and others of its own is still detected
    (a municipality publishing a subset), but not surely."""
    columns = [c.title for c in _columns("legacy-childcare-facility")][:20]
    header = ",".join([*columns, "独自列1", "独自列2", "独自列3"])
    match = detect_profile(f"{header}\r\n".encode(), "subset.csv", MODEL)
    assert match.profile.id == "legacy-childcare-facility" and match.unsure is not None
    assert "the header has only 71% of the columns of legacy-childcare-facility" in match.reason.en
    assert "legacy-childcare-facility の列の 71% だけです" in match.reason.ja


def test_columns_a_municipality_adds_do_not_make_the_pick_unsure() -> None:
    """Every column of the layout plus the city's own: the match is low, the pick is sure."""
    columns = [c.title for c in _columns("legacy-tourist-facility")]
    header = ",".join([*columns, *(f"独自列{n}" for n in range(20))])
    match = detect_profile(f"{header}\r\n".encode(), "extended.csv", MODEL)
    assert match.profile.id == "legacy-tourist-facility"
    assert match.score < 0.7 and match.unsure is None, match.reason


def test_a_missing_required_column_makes_the_pick_unsure() -> None:
    """A list of flood-defence stores shares most names of the older 消防水利 layout but not
    its required 種別."""
    header = (
        "NO,都道府県コード又は市区町村コード,都道府県名,市区町村名,"
        + "水防倉庫名,住所,方書,緯度,経度,備考"
    )
    match = detect_profile(f"{header}\r\n".encode(), "stores.csv", MODEL)
    assert match.profile.id == "legacy-fire-water-supply" and match.unsure is not None
    assert "lacks the required column(s) 種別 of legacy-fire-water-supply" in match.reason.en
    assert "必須の列（種別）がありません" in match.reason.ja


def _columns(profile_id: str) -> tuple[Column, ...]:
    schema = load_profile(profile_id, MODEL).table_schema()
    assert schema is not None
    return schema.columns


def test_a_gtfs_feed_names_the_other_edition_as_runner_up() -> None:
    """The 道南バス feed (第2版): its translations.txt and routes_jp.txt tell the editions
    apart, so the pick is sure and the 第3版 profile is the runner-up with its fit."""
    feed = REAL_DATA / "gtfs-jp-donanbus" / "donanbus-gtfs-jp.zip"
    match = detect_profile(feed.read_bytes(), feed.name, MODEL)
    assert (match.profile.id, match.runner_up, match.unsure) == ("gtfs-jp-v2", "gtfs-jp", None)
    assert match.runner_up_score is not None and match.runner_up_score < match.score
