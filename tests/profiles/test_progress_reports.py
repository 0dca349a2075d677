"""Validation reports its progress as it goes (cityref.validation.progress): the CSV and GTFS
adapters the rows read, the store the bytes loaded, the compiled engine the checks done;
the words for it in both languages; a listener that fails never fails the validation."""

from __future__ import annotations

import io
import zipfile

import pytest

from cityref.inputs.gtfs_input import convert_gtfs
from cityref.profiles import check_input, load_profile
from cityref.validation import Engine, ValidationOptions
from cityref.validation.progress import Progress, listening, report
from cityref.validation.progress_text import progress_words
from tests.conftest import REPO_MODEL
from tests.long_inputs import aed_rows

FEED = REPO_MODEL.root / "shapes" / "gtfs-jp" / "examples" / "valid" / "minimal-feed"
COMPILED = ValidationOptions(engine=Engine.COMPILED)


def _stage(seen: list[Progress], stage: str) -> list[Progress]:
    return [p for p in seen if p.stage == stage]


def test_a_csv_reports_rows_read_bytes_loaded_and_checks_done() -> None:
    data = aed_rows(11_000)
    seen: list[Progress] = []
    with listening(seen.append):
        outcome = check_input(data, "aed.csv", "legacy-aed", COMPILED, model=REPO_MODEL)
    stages = list(dict.fromkeys(p.stage for p in seen))
    assert stages[:3] == ["read", "load", "check"], stages
    read = _stage(seen, "read")
    # Every 5,000 rows, of the file's lines (header included), and all of them at the end.
    assert [p.done for p in read] == [0, 5_000, 10_000, 11_001, 11_001]
    assert {p.total for p in read} == {11_001} and read[-1].unit == "rows"
    load = _stage(seen, "load")
    assert load[0].done == 0 and load[1].done == load[1].total > len(data)
    check = _stage(seen, "check")
    assert [p.done for p in check[: check[0].total + 1]] == list(range(check[0].total + 1))
    assert check[0].unit == "checks" and outcome.report.stats["focus_nodes"] >= 11_000


def test_a_gtfs_feed_reports_its_rows_over_all_its_files() -> None:
    """The example feed with 12,000 more stop times: the rows of every file count as one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as feed:
        for path in sorted(FEED.iterdir()):
            header, *rows = path.read_text(encoding="utf-8").splitlines()
            if path.name == "stop_times.txt":
                rows = (rows * (12_000 // len(rows) + 1))[:12_000]
            feed.writestr(path.name, "\n".join([header, *rows]) + "\n")
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in FEED.iterdir())
    lines += 12_000 - (len((FEED / "stop_times.txt").read_text().splitlines()) - 1)
    tables = list(load_profile("gtfs-jp", REPO_MODEL).table_schemas())
    seen: list[Progress] = []
    with listening(seen.append):
        convert_gtfs(buffer.getvalue(), "feed.zip", tables)
    done = [p.done for p in seen]
    assert {p.stage for p in seen} == {"read"} and done == sorted(done) and done[0] == 0
    assert {p.total for p in seen[:-1]} == {lines} and seen[-1].done == seen[-1].total == lines
    files = sum(1 for t in tables if (FEED / (t.url or "")).is_file())
    assert len(seen) == 1 + files + 2 + 1  # the start, each file, two inside stop_times, the end


def test_a_failing_listener_is_dropped_and_the_validation_goes_on() -> None:
    data = aed_rows(200)
    calls: list[Progress] = []

    def broken(progress: Progress) -> None:
        calls.append(progress)
        raise OSError("the terminal went away")

    quiet = check_input(data, "aed.csv", "legacy-aed", COMPILED, model=REPO_MODEL)
    with listening(broken):
        listened = check_input(data, "aed.csv", "legacy-aed", COMPILED, model=REPO_MODEL)
    assert len(calls) == 1  # never called again after it failed
    assert listened.report.results == quiet.report.results


def test_each_stage_is_timed_from_its_own_start(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 101.0, 103.0, 104.0, 108.0])
    monkeypatch.setattr("cityref.validation.progress.time.monotonic", lambda: next(clock))
    seen: list[Progress] = []
    with listening(seen.append):  # at 100
        report("read", 0, 10)  # 101
        report("read", 10, 10)  # 103
        report("check", 5, 20, "checks")  # 104: the stage began at the last report, 103
        report("check", 20, 20, "checks")  # 108
    assert [p.seconds for p in seen] == [1.0, 3.0, 1.0, 5.0]
    assert seen[1].per_second == pytest.approx(10 / 3) and seen[2].remaining_seconds == 3.0


@pytest.mark.parametrize(
    ("progress", "ja", "en"),
    [
        (
            Progress("read", 12_000, 100_000, "rows", 1.5),
            "読み込み中: 12,000 / 100,000 行（12%） · 8,000 行/秒 · 残り約 11 秒",
            "reading: 12,000 of 100,000 rows (12%) · 8,000 rows/s · about 11 s left",
        ),
        (
            Progress("check", 3, 30, "checks", 600.0),
            "検査中: 3 / 30 検査項目（10%） · 0.005 検査項目/秒 · 残り約 1 時間 30 分",
            "checking: 3 of 30 checks (10%) · 0.005 checks/s · about 1 h 30 min left",
        ),
        (
            Progress("load", 15_597_601, 31_000_000, "bytes", 2.0),
            "グラフに格納中: 15.6 / 31.0 MB（50%） · 7.8 MB/秒 · 残り約 2 秒",
            "loading: 15.6 of 31.0 MB (50%) · 7.8 MB/s · about 2 s left",
        ),
        (
            Progress("read", 5_000, None, "rows", 0.0),
            "読み込み中: 5,000 行",
            "reading: 5,000 rows",
        ),
    ],
)
def test_progress_in_words(progress: Progress, ja: str, en: str) -> None:
    words = progress_words(progress)
    assert (words.ja, words.en) == (ja, en)


def test_the_words_of_a_stage_they_do_not_know_are_its_name() -> None:
    words = progress_words(Progress("join", 2, 4, "files", 1.0))
    assert words.en.startswith("join: 2 of 4 files (50%)") and "ファイル" in words.ja
