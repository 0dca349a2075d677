"""Where the web app's validation jobs go: job processes of this server (nothing configured,
:class:`LocalJobs`), or the shared queue and the workers' pool (the ``state`` setting,
:class:`SharedJobs`). Both answer the same questions: submit, read, wait, progress, files.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cityref.errors import CityrefError
from cityref.services.job_progress import read_progress
from cityref.services.job_queue import QUEUE_PER_SLOT, JobLimits, start_job_process, stop_jobs
from cityref.services.job_queue import wait_for_job as wait_for_local_job
from cityref.services.jobs import Job, JobStorage, create_job, fail_job, job_folder, read_job
from cityref.services.shared_state import StateUnavailable, connect, unavailable
from cityref.settings import Settings
from cityref.text import Bilingual
from cityref.validation.progress import Progress


class JobCannotStart(CityrefError):
    """No job can be started now (no process to be had, the queue unreachable): try later."""


@dataclass(frozen=True)
class Submitted:
    """A job just submitted, and how to wait for it (up to some seconds)."""

    job: Job
    wait: Callable[[float], Job]


class JobService(Protocol):
    def submit(
        self,
        data: bytes,
        filename: str,
        profile: str | None,
        media_type: str | None,
        endpoint: str | None = None,
        graphs: tuple[str, ...] = (),
    ) -> Submitted:
        """Store and start a job (raises JobStorageFull, JobCannotStart). A job of validation
        in place has no data: it names a configured ``endpoint`` and the ``graphs`` there."""

    def read(self, job_id: str) -> Job:
        """The job's record (raises JobNotFound)."""

    def progress(self, job: Job) -> Progress | None:
        """Where a running job stands, None when not known."""

    def files(self, job_id: str) -> Path:
        """The folder of the job's upload and reports (raises JobNotFound)."""

    def stop(self) -> None:
        """The server stops: end what belongs to it."""


def job_service(settings: Settings) -> JobService:
    """The jobs of a server with these settings."""
    if settings.state is None:
        return LocalJobs(settings)
    return SharedJobs(settings)


class LocalJobs:
    """Job folders in the store and job processes of this server (as on one machine)."""

    def __init__(self, settings: Settings) -> None:
        self.store = settings.store
        self.storage = JobStorage(settings.jobs_max_bytes, settings.jobs_max_age_days)
        self.limits = JobLimits.from_settings(settings)

    def submit(
        self,
        data: bytes,
        filename: str,
        profile: str | None,
        media_type: str | None,
        endpoint: str | None = None,
        graphs: tuple[str, ...] = (),
    ) -> Submitted:
        job = create_job(
            self.store, data, filename, profile, self.storage, media_type, endpoint, graphs
        )
        try:
            process = start_job_process(self.store, job.id, self.limits)
        except OSError as exc:  # no process to be had (limits of the machine): try later
            fail_job(
                self.store,
                job.id,
                "busy",
                Bilingual(
                    f"ジョブのプロセスを起動できません: {exc}",
                    f"cannot start a job process: {exc}",
                ),
            )
            raise JobCannotStart(
                Bilingual(
                    "検証プロセスを起動できません。しばらくしてから送ってください",
                    f"cannot start a validation process now ({exc.strerror or exc});"
                    " try again later",
                )
            ) from None
        return Submitted(
            job, lambda seconds: wait_for_local_job(self.store, job.id, process, seconds)
        )

    def read(self, job_id: str) -> Job:
        return read_job(self.store, job_id)

    def progress(self, job: Job) -> Progress | None:
        if job.state != "running":
            return None
        with contextlib.suppress(CityrefError):
            return read_progress(job_folder(self.store, job.id))
        return None

    def files(self, job_id: str) -> Path:
        return job_folder(self.store, job_id)

    def stop(self) -> None:
        stop_jobs(self.store)


class SharedJobs:
    """Jobs in the state service, run by the pool of ``cityref worker`` processes
    (:mod:`cityref.services.shared_jobs`)."""

    def __init__(self, settings: Settings) -> None:
        from cityref.services.job_worker import job_store

        assert settings.state is not None
        self.client = connect(settings.state)
        self.jobs = job_store(settings, self.client)
        self.cache = settings.store / "runtime" / "shared-jobs"
        self.queue_limit = settings.validation_jobs * QUEUE_PER_SLOT

    def submit(
        self,
        data: bytes,
        filename: str,
        profile: str | None,
        media_type: str | None,
        endpoint: str | None = None,
        graphs: tuple[str, ...] = (),
    ) -> Submitted:
        import redis

        from cityref.services.job_worker import workers_listening

        try:
            if not workers_listening(self.client):
                raise JobCannotStart(_no_worker())
            waiting = self.jobs.queued_count()
            job = self.jobs.create(data, filename, profile, media_type, endpoint, graphs)
            if waiting >= self.queue_limit:
                job = self.jobs.fail(job.id, "busy", _queue_full(waiting))
        except StateUnavailable as exc:
            raise JobCannotStart(exc.text) from None
        except redis.RedisError as exc:
            raise JobCannotStart(unavailable(exc).text) from None
        return Submitted(job, lambda seconds: self._wait(job.id, seconds))

    def _wait(self, job_id: str, seconds: float) -> Job:
        deadline = time.monotonic() + seconds
        pause = 0.02
        while True:
            job = self.read(job_id)
            if not job.active or time.monotonic() >= deadline:
                return job
            time.sleep(pause)
            pause = min(0.2, pause * 1.5)

    def read(self, job_id: str) -> Job:
        return self.jobs.read(job_id)

    def progress(self, job: Job) -> Progress | None:
        return self.jobs.progress(job.id) if job.state == "running" else None

    def files(self, job_id: str) -> Path:
        return self.jobs.files(job_id, self.cache)

    def stop(self) -> None:
        """Nothing: the jobs belong to the workers, not to this web instance."""


def _queue_full(waiting: int) -> Bilingual:
    return Bilingual(
        f"検証ジョブがすでに {waiting} 件実行中または待機中です。しばらくしてから送ってください",
        f"{waiting} validation jobs already run or wait; try again later",
    )


def _no_worker() -> Bilingual:
    return Bilingual(
        "検証ワーカー（cityref worker）が動いていません。しばらくしてから送ってください",
        "no validation worker (cityref worker) is running; try again later",
    )
