"""The column engine on GTFS feeds (cityref.tabular.gtfs) against the compiled SPARQL path:
the same located results, summary and counts on every GTFS profile's example feeds, every
real feed in tests/data/real, and generated feeds with injected defects (references to rows
that do not exist, bad times, missing cells and files, duplicate ids, blank rows, quoted
cells, misspelt headers, cells beyond the header)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityref.profiles import check_input
from cityref.profiles.registry import list_profiles, load_profile
from cityref.tabular.gtfs import check_gtfs_columns
from cityref.validation import Document, Engine, ValidationOptions
from cityref.validation.progress import Progress, listening
from tests.conftest import REPO, REPO_MODEL, RunCli
from tests.validation.test_columns_engine import _outcome

REAL = REPO / "tests" / "data" / "real"
BASE = REPO / "shapes" / "gtfs-jp" / "examples" / "valid" / "minimal-feed"


def _feeds() -> list[tuple[str, Path]]:
    """Every example feed (a folder of .txt files) of every GTFS profile."""
    return [
        (p.id, folder)
        for p in list_profiles(REPO_MODEL)
        if p.input_kind == "gtfs"
        for folder in sorted((p.directory / "examples").glob("*/*"))
        if folder.is_dir()
    ]


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _compared(data: bytes, profile: str | None, engine: Engine) -> dict[str, object]:
    """The outcome as test_columns_engine compares it, blank node shapes unnamed: their
    labels (``_:b2``) follow the order of the results, which is the engine's."""
    outcome = _outcome(data, "feed.zip", profile, engine)
    summary = outcome["summary"]
    assert isinstance(summary, list)
    outcome["summary"] = sorted(re.sub(r'"_:b[0-9]+"', '"_:b"', s) for s in summary)
    return outcome


def _same(data: bytes, profile: str | None) -> dict[str, object]:
    columns = _compared(data, profile, Engine.COLUMNS)
    compiled = _compared(data, profile, Engine.COMPILED)
    assert columns == compiled
    return columns


@pytest.mark.parametrize(("profile", "folder"), _feeds(), ids=lambda v: getattr(v, "name", v))
def test_profile_example_feeds_give_the_same_results(profile: str, folder: Path) -> None:
    _same(_zip({p.name: p.read_bytes() for p in sorted(folder.iterdir())}), profile)


@pytest.mark.parametrize("path", sorted(REAL.rglob("*.zip")), ids=lambda p: p.name)
def test_real_feeds_give_the_same_results(path: Path) -> None:
    _same(path.read_bytes(), None)


# -- generated feeds: the valid minimal feed with rows and changes drawn from defects -------

STOPS = ["S1", "S1_1", "S2", "S9", "", " ", "x/y", "駅"]
TRIPS = ["T1", "T2", "T9", "", "T 1"]
TIMES = ["08:00:00", "24:30:00", "8時", "", "08:00"]
ROWS = {
    "stop_times.txt": [TRIPS, TIMES, TIMES, STOPS, ["1", "x", ""], ["0", "5", ""], ["0"]],
    "trips.txt": [
        ["R1", "R9", ""],
        ["weekday", "holiday", "sunday", ""],
        TRIPS,
        ["市役所", ""],
        ["0", "2"],
        ["P1", "P9"],
    ],
    "stops.txt": [
        STOPS,
        ["駅前", "", "新駅"],
        ["35.6", "abc", "", "99"],
        ["139.7", "", "200"],
        ["0", "1", "7"],
        STOPS,
        ["", "1"],
    ],
    "routes.txt": [["R1", "R2", ""], ["1234567890123", "9"], ["", "1"], ["", "線"], ["3", "99"]],
    "calendar_dates.txt": [["weekday", "sunday", ""], ["20240429", "2024-04-29"], ["1", "3"]],
    "fare_rules.txt": [["F1", "F9", ""], ["R1", "R9", ""], [""], [""]],
    "translations.txt": [
        ["stops", "nowhere"],
        ["stop_name"],
        ["ja-Hrkt", "en"],
        ["えきまえ", "駅前"],
        ["S1", "S9", ""],
        [""],
        ["", "新駅"],
    ],
}
CHANGES = ["drop", "misspell", "extra cell", "blank row", "quote", "bom", "duplicate"]


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(BASE.iterdir())}
    for file, pools in ROWS.items():
        for _ in range(draw(st.integers(0, 3))):
            row = ",".join(draw(st.sampled_from(pool)) for pool in pools)
            files[file] = files[file].rstrip("\n") + "\n" + row + "\n"
    for change in draw(st.lists(st.sampled_from(CHANGES), max_size=3)):
        file = draw(st.sampled_from(sorted(files)))
        lines = files[file].rstrip("\n").split("\n")
        if change == "drop":
            del files[file]
            continue
        at = draw(st.integers(1, max(1, len(lines) - 1))) if len(lines) > 1 else 0
        if change == "misspell":
            head = lines[0].split(",")
            i = draw(st.integers(0, len(head) - 1))
            head[i] = draw(st.sampled_from([head[i] + "x", head[i].upper(), "unknown"]))
            lines[0] = ",".join(head)
        elif change == "extra cell":
            lines[at] += draw(st.sampled_from([",surplus", ",", ", "]))
        elif change == "blank row":
            lines.insert(at, draw(st.sampled_from(["", ",,", " "])))
        elif change == "quote" and at:
            cells = lines[at].split(",")
            cells[0] = '"' + cells[0].replace('"', '""') + '"'
            lines[at] = ",".join(cells)
        elif change == "duplicate" and at:
            lines.append(lines[at])
        files[file] = "\n".join(lines) + "\n"
        if change == "bom":
            files[file] = "\ufeff" + files[file]
    return _zip({name: text.encode("utf-8") for name, text in files.items()})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feeds())
def test_generated_feeds_give_the_same_results(feed: bytes) -> None:
    _same(feed, "gtfs-jp")


def test_a_feed_with_each_kind_of_defect_is_reported_alike() -> None:
    """One feed with every defect the generator draws from, so that none goes untested."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(BASE.iterdir())}
    files["stop_times.txt"] += "T9,8時,08:00:00,S9,,5,0\nT1,08:00:00,08:00:00,x/y,x,0,0\n"
    files["trips.txt"] += "R9,sunday,T1,市役所,2,P9\n"  # a duplicate trip_id, dangling route
    files["stops.txt"] = "\ufeff" + files["stops.txt"] + '"S3",新駅,99,200,7,S9,1\n\n'
    files["calendar_dates.txt"] += "sunday,2024-04-29,3,surplus\n"
    del files["fare_attributes.txt"]  # a required file
    feed = _same(_zip({n: t.encode("utf-8") for n, t in files.items()}), "gtfs-jp")
    components = {line.split('"component": ')[1].split('"')[1] for line in feed["results"]}
    assert {"Class", "Pattern", "MinCount", "In", "MaxLength", "MaxInclusive"} <= components


def test_the_command_line_says_the_same_with_either_engine(
    run_cli: RunCli, tmp_path: Path, toy_sources: Path
) -> None:
    """``cityref validate FEED.zip --engine columns`` prints what ``--engine compiled`` does
    (the column engine in the order of the files and rows, the other in its own)."""
    for folder in ("common", "gtfs-jp", "gtfs-jp-v2"):  # the command reads its sources' profiles
        shutil.copytree(REPO / "shapes" / folder, toy_sources / "shapes" / folder)
    broken = REPO / "shapes" / "gtfs-jp" / "examples" / "invalid" / "broken-feed"
    feed = tmp_path / "feed.zip"
    feed.write_bytes(_zip({p.name: p.read_bytes() for p in sorted(broken.iterdir())}))
    columns = run_cli("validate", str(feed), "--engine", "columns")
    compiled = run_cli("validate", str(feed), "--engine", "compiled")
    assert columns.exit_code == compiled.exit_code == 1, columns.output
    assert sorted(columns.stdout.splitlines()) == sorted(compiled.stdout.splitlines())
    assert "stop_times.txt:3:stop_id: Violation" in columns.stdout


def test_a_reference_the_joins_cannot_take_leaves_the_feed_to_the_compiled_path() -> None:
    """A valueUrl of two cells names nodes no key column holds: no answer from the joins."""
    profile = load_profile("gtfs-jp", REPO_MODEL)
    tables = [
        replace(
            t,
            columns=tuple(
                replace(c, value_url="#stop={stop_id}-{trip_id}") if c.name == "stop_id" else c
                for c in t.columns
            ),
        )
        if t.url == "stop_times.txt"
        else t
        for t in profile.table_schemas()
    ]
    feed = _zip({p.name: p.read_bytes() for p in sorted(BASE.iterdir())})
    shapes = Document(profile.shapes(), "turtle", profile.id)
    options = ValidationOptions(engine=Engine.COLUMNS)
    assert check_gtfs_columns(feed, "feed.zip", tables, shapes, options, model=REPO_MODEL) is None
    tables = profile.table_schemas()
    checked = check_gtfs_columns(feed, "feed.zip", tables, shapes, options, model=REPO_MODEL)
    assert checked is not None and checked[0].conforms


def test_progress_counts_the_rows_of_every_file_and_estimates_the_feed() -> None:
    feed = _zip({p.name: p.read_bytes() for p in sorted(BASE.iterdir())})
    seen: list[Progress] = []
    options = ValidationOptions(engine=Engine.COLUMNS)
    with listening(seen.append):
        outcome = check_input(feed, "feed.zip", "gtfs-jp", options, model=REPO_MODEL)
    assert outcome.converted is not None
    records = sum(outcome.converted.checked.values())  # no blank rows in this feed
    assert [p.stage for p in seen] == ["check"] * len(seen)
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert (seen[-1].done, seen[-1].total) == (records, records)


def test_an_untitled_column_of_a_feed_file_is_reported_alike() -> None:
    """stops.txt with a header cell left empty over a value: column 8 of the file."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(BASE.iterdir())}
    head, first, *rest = files["stops.txt"].rstrip("\n").split("\n")
    files["stops.txt"] = "\n".join([head + ",", first + ",extra", *(r + "," for r in rest)]) + "\n"
    feed = _same(_zip({n: t.encode("utf-8") for n, t in files.items()}), "gtfs-jp")
    untitled = [line for line in feed["results"] if '"component": "SPARQL"' in line]
    assert len(untitled) == 1 and '"column": "8"' in untitled[0] and '"row": 1' in untitled[0]
    assert "Column 8 has no header" in untitled[0] and "stops.txt" in untitled[0]
