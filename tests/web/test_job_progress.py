"""A large upload's job says how far it has got: ``progress`` in the job's JSON while it runs,
a progress bar and words on its page in the page's language, from the file its worker
writes in the job's folder (removed when the job ends)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask

from app import create_app
from cityref.services.job_progress import PROGRESS_FILE, ProgressFile, read_progress
from cityref.validation.progress import Progress
from tests.long_inputs import aed_rows

#: Rows enough for a job of several seconds with the column engine (the worker writes at most
#: every 0.5 s; the engine reports per chunk of cityref.tabular.reading.CHUNK_ROWS rows).
ROWS = 200_000
STAGE_WORDS = {
    "ja": ("読み込み中", "グラフに格納中", "検査中"),
    "en": ("reading", "loading", "checking"),
}


def test_a_running_job_shows_its_progress_in_the_api_and_on_its_page(model_app: Flask) -> None:
    settings = model_app.config["CITYREF_SETTINGS"]
    client = create_app(settings.with_(async_validation_bytes=100), {"TESTING": True}).test_client()
    response = client.post(
        "/api/validate?profile=legacy-aed", data=aed_rows(ROWS), content_type="text/csv"
    )
    assert response.status_code == 202, response.data[:300]
    poll, job = response.headers["Location"], response.json["job"]  # type: ignore[index]
    spec = client.get("/api/openapi.json").json
    assert spec is not None
    pending_job = {"$ref": "#/components/schemas/PendingJob", "components": spec["components"]}
    seen: list[dict[str, Any]] = []
    pages: dict[str, str] = {}
    deadline = time.monotonic() + 240
    while response.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.2)
        response = client.get(poll, query_string={"lang": "en"})
        if response.status_code != 202:
            break
        jsonschema.validate(response.json, pending_job)  # as the API description says
        progress = response.json["progress"]  # type: ignore[index]
        if progress is None:
            continue
        seen.append(progress)
        for lang in ("ja", "en"):
            page = client.get(f"/validate/{job}", query_string={"lang": lang})
            if lang not in pages and "<progress" in page.get_data(as_text=True):
                pages[lang] = page.get_data(as_text=True)
    assert response.status_code == 200, response.data[:300]
    assert response.json is not None and response.json["conforms"] is True

    # The API said where the work stood, and ever further.
    assert seen, "no progress seen while the job ran"
    by_stage: dict[str, list[int]] = {}
    for progress in seen:
        assert set(progress["text"]) == {"en"}  # ?lang=en
        assert progress["text"]["en"].startswith(STAGE_WORDS["en"]), progress
        by_stage.setdefault(progress["stage"], []).append(progress["done"])
    # The column engine checks 200,000 rows in a few seconds: the API may catch one report of
    # a stage or several (unit tests of ProgressFile check the throttled updates), never less.
    assert all(done == sorted(done) for done in by_stage.values()), seen
    assert any(p["total"] and p["per_second"] for p in seen), seen

    # The page showed it as a bar and in words of its language, reloading itself.
    assert set(pages) == {"ja", "en"}, "the page never showed the progress"
    for lang, page in pages.items():
        assert '<meta http-equiv="refresh"' in page
        assert re.search(r'<progress aria-label="[^"]+"( value="\d+" max="\d+")?>', page), page
        text = re.search(r'<p class="progress-text">([^<]*)</p>', page)
        assert text and text.group(1).startswith(STAGE_WORDS[lang]), page
    assert "進み具合" in pages["ja"] and "Progress" in pages["en"]

    # The job ended: its progress file went with it.
    assert not (settings.store / "jobs" / job / PROGRESS_FILE).exists()
    assert "<progress" not in client.get(f"/validate/{job}").get_data(as_text=True)


def test_the_progress_file_is_written_whole_and_not_too_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [10.0]
    monkeypatch.setattr("cityref.services.job_progress.time.monotonic", lambda: now[0])
    listener = ProgressFile(tmp_path)
    listener(Progress("read", 5_000, 20_001, "rows", 0.5))
    now[0] += 0.2
    listener(Progress("read", 10_000, 20_001, "rows", 0.7))  # too soon: not written
    assert read_progress(tmp_path) == Progress("read", 5_000, 20_001, "rows", 0.5)
    listener(Progress("load", 0, 900, "bytes", 0.0))  # a new stage is written at once
    assert read_progress(tmp_path) == Progress("load", 0, 900, "bytes", 0.0)
    assert [p.name for p in tmp_path.iterdir()] == [PROGRESS_FILE]  # no temporary left
    listener.remove()
    assert read_progress(tmp_path) is None


@pytest.mark.parametrize("text", ["", "{", "[]", '{"stage": "read"}', '{"done": "x"}'])
def test_an_unreadable_progress_file_is_no_progress(tmp_path: Path, text: str) -> None:
    (tmp_path / PROGRESS_FILE).write_text(text, encoding="utf-8")
    assert read_progress(tmp_path) is None
