"""The progress of a running validation job: its worker writes where the work stands
(:mod:`cityref.validation.progress`) to ``progress.json`` in the job's folder, atomically and
at most every :data:`WRITE_EVERY_SECONDS`; the job API and the job's page read it.

The file is a few hundred bytes inside the job's folder (the only place the confined worker
may write) and is removed when the job ends. Progress is only ever shown: a file that cannot
be written or read is as if no progress were known.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from cityref.services.jobs import write_json
from cityref.validation.progress import Progress
from cityref.validation.progress_text import progress_words

PROGRESS_FILE = "progress.json"
#: Least seconds between two writes of the file (a chunk may be reported every few ms).
WRITE_EVERY_SECONDS = 0.5


class ProgressFile:
    """A progress listener writing the job's ``progress.json``: every new stage at once,
    within a stage at most every :data:`WRITE_EVERY_SECONDS`."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / PROGRESS_FILE
        self.written_at = 0.0
        self.stage = ""

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.stage == self.stage and now - self.written_at < WRITE_EVERY_SECONDS:
            return
        write_json(self.path, progress_data(progress))
        self.written_at, self.stage = now, progress.stage

    def remove(self) -> None:
        """The job has ended: its progress is no longer news."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


def progress_data(progress: Progress) -> dict[str, Any]:
    """A progress report as stored (what :func:`read_progress` reads back): the stage, the
    units done of how many (None: not known), the seconds the stage has taken, the pace
    (units per second) and the seconds left at that pace (None: not known yet)."""
    per_second, left = progress.per_second, progress.remaining_seconds
    return {
        "stage": progress.stage,
        "done": progress.done,
        "total": progress.total,
        "unit": progress.unit,
        "seconds": round(progress.seconds, 3),
        "per_second": None if per_second is None else round(per_second, 3),
        "remaining_seconds": None if left is None else round(left, 1),
    }


def read_progress(folder: Path) -> Progress | None:
    """The job's progress as last written, None when none is known (not started, ended,
    or the file unreadable)."""
    try:
        return progress_from_json((folder / PROGRESS_FILE).read_bytes())
    except OSError:
        return None


def progress_from_json(data: bytes) -> Progress | None:
    """A progress report from the JSON :func:`progress_data` made, None when unreadable."""
    try:
        raw = json.loads(data)
        total = raw["total"]
        return Progress(
            stage=str(raw["stage"]),
            done=int(raw["done"]),
            total=None if total is None else int(total),
            unit=str(raw["unit"]),
            seconds=float(raw["seconds"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def progress_answer(progress: Progress, lang: str | None) -> dict[str, Any]:
    """A job's progress as the API answers it: :func:`progress_data` and the same in words
    (both languages unless ``lang`` is asked)."""
    return {**progress_data(progress), "text": progress_words(progress).by_language(lang)}
