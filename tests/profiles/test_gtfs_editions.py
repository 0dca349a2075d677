"""GTFS-JP 第3版 (profile gtfs-jp) and 第2版 (gtfs-jp-v2): a feed of each edition is detected
as its edition and conforms to it, checked the way a user types it (``cityref validate
FEED.zip``); a feed checked against the other edition fails where the editions differ."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from cityref.profiles.detection import detect_profile
from cityref.profiles.examples import Example, run_example
from cityref.profiles.registry import load_profile
from tests.conftest import REPO_MODEL, RunCli

SHAPES = Path(__file__).resolve().parents[2] / "shapes"
EDITIONS = {"gtfs-jp": "第3版", "gtfs-jp-v2": "第2版"}


def edition_feed(profile_id: str) -> bytes:
    """The profile's valid example feed as a zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted((SHAPES / profile_id / "examples/valid/minimal-feed").iterdir()):
            z.write(path, path.name)
    return buf.getvalue()


@pytest.mark.parametrize("profile_id", sorted(EDITIONS))
def test_each_edition_is_detected_as_itself(profile_id: str) -> None:
    match = detect_profile(edition_feed(profile_id), "feed.zip", REPO_MODEL)
    assert match.profile.id == profile_id
    other = next(p for p in EDITIONS if p != profile_id)
    assert f"runner-up {other}" in match.reason.en and "translations.txt" in match.reason.en
    assert EDITIONS[profile_id] in match.profile.title["ja"]


@pytest.mark.parametrize("profile_id", sorted(EDITIONS))
def test_each_edition_validates_from_the_command_line(
    profile_id: str, run_cli: RunCli, tmp_path: Path, toy_sources: Path
) -> None:
    for folder in ("common", *EDITIONS):  # the command reads the profiles of its sources
        shutil.copytree(SHAPES / folder, toy_sources / "shapes" / folder)
    feed = tmp_path / "feed.zip"
    feed.write_bytes(edition_feed(profile_id))
    result = run_cli("validate", str(feed))
    assert result.exit_code == 0, result.output
    assert f"detected profile: {profile_id}@" in result.stdout
    title = load_profile(profile_id, REPO_MODEL).title["en"]
    assert title in result.stdout and "The data conforms." in result.stdout


def test_a_feed_fails_against_the_other_edition() -> None:
    """The 第2版 translations.txt read as 第3版 misses table_name, field_name and language on
    every row, and the other way round; the stop names lose their readings either way."""
    for feed_of, checked_by in (("gtfs-jp-v2", "gtfs-jp"), ("gtfs-jp", "gtfs-jp-v2")):
        profile = load_profile(checked_by, REPO_MODEL)
        folder = SHAPES / feed_of / "examples/valid/minimal-feed"
        report, found = run_example(Example(profile, folder, valid=True))
        assert not report.conforms
        missing = {(r["file"], r["column"]) for r in found if r["component"] == "MinCount"}
        wanted = {"gtfs-jp": "language", "gtfs-jp-v2": "lang"}[checked_by]
        assert ("translations.txt", wanted) in missing, found
        unread = {r["row"] for r in found if r["column"] == "stop_name"}
        assert unread, found


def test_third_edition_conditional_files(tmp_path: Path) -> None:
    """第3版: calendar_dates.txt alone defines the services, and a flat-fare feed needs no
    fare_rules.txt; a feed with neither calendar file still fails on every trip's service."""
    folder = tmp_path / "feed"
    shutil.copytree(SHAPES / "gtfs-jp/examples/valid/minimal-feed", folder)
    (folder / "calendar.txt").unlink()
    (folder / "fare_rules.txt").unlink()
    profile = load_profile("gtfs-jp", REPO_MODEL)
    report, found = run_example(Example(profile, folder, valid=True))
    assert report.conforms, found
    (folder / "calendar_dates.txt").unlink()
    report, found = run_example(Example(profile, folder, valid=True))
    assert {(r["file"], r["column"], r["component"]) for r in found} == {
        ("trips.txt", "service_id", "Class")
    }


def test_a_feed_both_editions_fit_is_detected_as_unsure() -> None:
    """Only the files both editions share, with the same header: the current edition is
    picked, and the detection says it cannot tell."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted((SHAPES / "gtfs-jp/examples/valid/minimal-feed").iterdir()):
            if path.name not in ("translations.txt", "pattern_jp.txt", "trips.txt"):
                z.write(path, path.name)
    match = detect_profile(buf.getvalue(), "feed.zip", REPO_MODEL)
    assert match.profile.id == "gtfs-jp" and match.runner_up == "gtfs-jp-v2"
    assert match.unsure is not None and match.score == match.runner_up_score
