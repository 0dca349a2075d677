"""Validation jobs kept in the shared state service, for several web instances and a pool of
workers on any machine (the ``state`` setting; without it jobs stay in the store folder,
:mod:`cityref.services.jobs`).

**Where a job lives.** Everything about a job is in Redis, in one hash ``cityref:job:<id>``:
its record (the same JSON as ``job.json``), the upload, the progress while it runs and the
report files once done. So an instance that did not take the upload answers the poll and
serves the downloads, and a worker needs nothing but Redis and the model's sources: no
shared file system between the web instances and the workers. Redis holds it in memory,
so it is bounded like the job folders are: each hash expires after ``jobs_max_age_days``,
and before an upload is stored the oldest finished jobs are removed until the total
(``cityref:jobs:bytes``) leaves room within ``jobs_max_bytes``. A web instance copies a
finished job's files into ``<store>/runtime/shared-jobs/<id>/`` when it first serves them
(the renderers and the converter read files), at most :data:`CACHED_JOBS` of them.

**Who runs a job.** The queue is RQ's (``cityref-validation``, JSON-serialised arguments:
the job id and the attempt); ``cityref worker`` processes take jobs from it
(:mod:`cityref.services.job_worker`). A worker *claims* a job atomically (queued → running,
with a lease ``cityref:job:<id>:lease`` that it renews every few seconds) and *publishes*
its outcome only while the lease is still its own.

**A worker that dies.** When a running job's lease has run out (the worker was killed, its
machine lost), whoever looks next (a poll on any instance, or any worker's sweep every few
seconds) puts it back in the queue once, as attempt 2; a second loss fails it ("lost"),
saying so. A job that no worker takes within the queue's wait fails as "busy". So no job is
left running or queued for ever.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from cityref.services.job_progress import progress_from_json
from cityref.services.job_queue import QUEUE_PER_SLOT
from cityref.services.job_reports import stored_files
from cityref.services.jobs import (
    MAX_JOBS,
    Job,
    JobNotFound,
    JobStorage,
    JobStorageFull,
    check_job_id,
    job_from_json,
    job_json,
    new_job,
    no_job,
)
from cityref.services.shared_state import PREFIX, names, reply, unavailable
from cityref.text import Bilingual
from cityref.validation.progress import Progress

if TYPE_CHECKING:
    from redis import Redis
    from redis.client import Pipeline
    from redis.typing import EncodableT, FieldT

#: The RQ queue the web instances fill and the workers empty.
QUEUE_NAME = "cityref-validation"
#: Seconds a worker's lease on a running job lasts without renewal (renewed every third).
LEASE_SECONDS = 6.0
#: How many times a job is run in all when its worker dies (the first run and one retry).
MAX_ATTEMPTS = 2
#: Finished jobs whose files a web instance keeps copied in its store folder.
CACHED_JOBS = 100
_INDEX = f"{PREFIX}jobs"  # sorted set: job id by creation time
_SIZES = f"{PREFIX}jobs:bytes"  # hash: job id -> bytes stored
_ACTIVE = f"{PREFIX}jobs:active"  # set: jobs queued or running
_FILE = "file:"  # hash fields of report files


def job_key(job_id: str) -> str:
    return f"{PREFIX}job:{check_job_id(job_id)}"


def lease_key(job_id: str) -> str:
    return job_key(job_id) + ":lease"


class SharedJobStore:
    """The jobs in the state service: made by web instances, claimed and published by
    workers, recovered by whoever finds a worker gone."""

    def __init__(
        self,
        client: Redis,
        storage: JobStorage,
        queue_wait: float,
        enqueue: Callable[[str, int], None],
    ) -> None:
        self.client = client
        self.storage = storage
        self.queue_wait = queue_wait  # longest a job waits for a worker, in seconds
        self._enqueue = enqueue
        self.ttl = int((storage.max_age_days or 7.0) * 86400)

    # -- web instances -----------------------------------------------------------------
    def create(
        self,
        data: bytes,
        filename: str,
        profile: str | None,
        media_type: str | None,
        endpoint: str | None = None,
        graphs: tuple[str, ...] = (),
    ) -> Job:
        """Store the upload and a queued record, then queue it (raises
        :class:`JobStorageFull` when it cannot fit)."""
        import redis

        job = new_job(filename, profile, media_type)
        job.endpoint, job.graphs = endpoint, list(graphs)
        try:
            self._prune(len(data))
            with self.client.pipeline() as pipe:
                key = job_key(job.id)
                fields: dict[FieldT, EncodableT] = {
                    "record": job_json(job),
                    "input": data,
                    "queued": time.time(),
                }
                pipe.hset(key, mapping=fields)
                pipe.expire(key, self.ttl)
                pipe.zadd(_INDEX, {job.id: job.created})
                pipe.hset(_SIZES, job.id, len(data))
                pipe.sadd(_ACTIVE, job.id)
                pipe.execute()
            self._enqueue(job.id, 1)
        except redis.RedisError as exc:
            raise unavailable(exc) from None
        return job

    def queued_count(self) -> int:
        """Jobs queued or running (the bound of the queue is checked against it)."""
        import redis

        try:
            return int(self.client.scard(_ACTIVE))
        except redis.RedisError as exc:
            raise unavailable(exc) from None

    def read(self, job_id: str) -> Job:
        """The job's record; a job whose worker is gone is recovered first."""
        import redis

        try:
            job = self._record(job_id)
            if job.active:
                job = self.recover(job_id) or job
        except redis.RedisError as exc:
            raise unavailable(exc) from None
        return job

    def progress(self, job_id: str) -> Progress | None:
        """Where the running job's work stands, as its worker last said."""
        import redis

        try:
            data = reply(self.client.hget(job_key(job_id), "progress"))
        except redis.RedisError:
            return None  # progress is only ever shown
        return None if data is None else progress_from_json(data)

    def files(self, job_id: str, cache: Path) -> Path:
        """A folder holding the job's upload and report files, copied from the state
        service into ``cache/<id>`` once (raises :class:`JobNotFound` when it is gone)."""
        import redis

        folder = cache / check_job_id(job_id)
        if folder.is_dir():
            return folder
        if self.read(job_id).active:  # nothing to serve yet, and nothing to keep a copy of
            raise JobNotFound(no_job(job_id))
        try:
            stored: dict[bytes, bytes] = self.client.hgetall(job_key(job_id))  # type: ignore[assignment]
        except redis.RedisError as exc:
            raise unavailable(exc) from None
        if b"record" not in stored:
            raise JobNotFound(no_job(job_id))
        cache.mkdir(parents=True, exist_ok=True)
        _forget_oldest(cache, CACHED_JOBS)
        staging = cache / f".new-{job_id}-{time.monotonic_ns()}"
        staging.mkdir()
        try:
            (staging / "input").write_bytes(stored.get(b"input", b""))
            (staging / "job.json").write_bytes(stored[b"record"])
            for name in stored_files():  # only the names a report has, never a path
                data = stored.get((_FILE + name).encode())
                if data is not None:
                    (staging / name).write_bytes(data)
            with contextlib.suppress(OSError):  # another process put it there first
                staging.rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return folder

    def fail(self, job_id: str, kind: str, message: Bilingual) -> Job:
        """Mark a queued job failed (when it cannot be queued)."""
        import redis

        try:
            with self.client.pipeline() as pipe:
                job = self._record(job_id)
                _failed(job, kind, message)
                self._finish(pipe, job_id, job)
                pipe.execute()
        except redis.RedisError as exc:
            raise unavailable(exc) from None
        return job

    # -- workers -------------------------------------------------------------------------
    def claim(self, job_id: str, attempt: int, token: str) -> Job | None:
        """Take the queued job's ``attempt`` for this worker (``token`` holds its lease);
        None when it is not to be run (ended, recovered into another attempt, removed)."""
        key, lease = job_key(job_id), lease_key(job_id)

        def take(pipe: Pipeline) -> Job | None:
            record = reply(pipe.hget(key, "record"))
            if record is None:
                return None
            job = job_from_json(record, job_id)
            if job.state != "queued" or job.attempt != attempt:
                return None
            job.state, job.started = "running", time.time()
            pipe.multi()
            pipe.hset(key, "record", job_json(job))
            pipe.set(lease, token, px=int(LEASE_SECONDS * 1000))
            return job

        claimed = self.client.transaction(take, key, value_from_callable=True)  # type: ignore[arg-type]
        return cast(Job | None, claimed)

    def renew(self, job_id: str, token: str, progress: bytes | None) -> bool:
        """Extend the worker's lease and store its progress; False when the lease is lost."""
        renewed = self.client.eval(
            _RENEW,
            2,
            lease_key(job_id),
            job_key(job_id),
            token,
            int(LEASE_SECONDS * 1000),
            progress if progress is not None else b"",
        )
        return bool(renewed)

    def publish(
        self, job_id: str, token: str, job: Job, folder: Path, file_names: list[str]
    ) -> bool:
        """Store the ended job's record and report files while the lease is still the
        worker's; False (nothing stored) when it was lost meanwhile."""
        key, lease = job_key(job_id), lease_key(job_id)
        files: dict[FieldT, EncodableT] = {
            _FILE + name: (folder / name).read_bytes() for name in file_names
        }

        def store(pipe: Pipeline) -> bool:
            if pipe.get(lease) != token.encode():
                return False
            size = int(pipe.hget(_SIZES, job_id) or 0) + sum(
                len(cast(bytes, v)) for v in files.values()
            )
            pipe.multi()
            if files:
                pipe.hset(key, mapping=files)
            pipe.hset(_SIZES, job_id, size)
            self._finish(pipe, job_id, job)
            return True

        published = self.client.transaction(store, lease, value_from_callable=True)  # type: ignore[arg-type]
        return bool(published)

    def active_jobs(self) -> list[str]:
        return names(self.client.smembers(_ACTIVE))

    def recover(self, job_id: str) -> Job | None:
        """When the job's worker is gone (lease run out) or no worker took it in time:
        queue it again (once) or fail it, saying why. The new record, or None when nothing
        was to be done."""
        key, lease = job_key(job_id), lease_key(job_id)
        retry: list[int] = []

        def decide(pipe: Pipeline) -> Job | None:
            record, queued = pipe.hmget(key, ["record", "queued"])
            if record is None:
                pipe.multi()
                pipe.srem(_ACTIVE, job_id)  # expired or removed
                return None
            job = job_from_json(_bytes(record), job_id)
            if job.state == "queued" and time.time() - float(queued or 0) > self.queue_wait:
                _failed(job, "busy", _not_taken(self.queue_wait))
            elif job.state != "running" or pipe.exists(lease):
                return None
            elif job.attempt < MAX_ATTEMPTS:
                job.state, job.started, job.attempt = "queued", None, job.attempt + 1
                retry.append(job.attempt)
            else:
                _failed(job, "lost", _worker_lost(job.attempt))
            pipe.multi()
            if retry:
                pipe.hset(key, mapping={"record": job_json(job), "queued": time.time()})
                pipe.hdel(key, "progress")
            else:
                self._finish(pipe, job_id, job)
            return job

        recovered = cast(
            Job | None,
            self.client.transaction(decide, key, lease, value_from_callable=True),  # type: ignore[arg-type]
        )
        if retry and recovered is not None:
            self._enqueue(job_id, retry[-1])
        return recovered

    # -- inside -------------------------------------------------------------------------
    def _record(self, job_id: str) -> Job:
        data = reply(self.client.hget(job_key(job_id), "record"))
        if data is None:
            raise JobNotFound(no_job(job_id))
        return job_from_json(data, job_id)

    def _finish(self, pipe: Pipeline, job_id: str, job: Job) -> None:
        """Queue in ``pipe`` what ends a job: its final record, no progress, no lease."""
        key = job_key(job_id)
        pipe.hset(key, "record", job_json(job))
        pipe.hdel(key, "progress")
        pipe.delete(lease_key(job_id))
        pipe.srem(_ACTIVE, job_id)
        pipe.expire(key, self.ttl)

    def _prune(self, incoming: int) -> None:
        """Remove the oldest finished jobs until ``incoming`` more bytes fit (and fewer than
        :data:`MAX_JOBS` are kept); forget index entries whose job has expired."""
        cap = self.storage.max_bytes
        if cap is not None and incoming > cap:
            raise JobStorageFull(incoming, cap)
        stored_sizes: dict[bytes, bytes] = self.client.hgetall(_SIZES)  # type: ignore[assignment]
        sizes = {k.decode(): int(v) for k, v in stored_sizes.items()}
        oldest_first = names(self.client.zrange(_INDEX, 0, -1))
        active = set(names(self.client.smembers(_ACTIVE)))
        total, count = sum(sizes.values()), len(oldest_first)
        for job_id in oldest_first:
            gone = not self.client.exists(job_key(job_id))
            over = (cap is not None and total + incoming > cap) or count >= MAX_JOBS
            if not gone and (not over or job_id in active):
                continue
            with self.client.pipeline() as pipe:
                pipe.delete(job_key(job_id))
                pipe.zrem(_INDEX, job_id)
                pipe.hdel(_SIZES, job_id)
                pipe.execute()
            total -= sizes.get(job_id, 0)
            count -= 1
        if cap is not None and total + incoming > cap:
            raise JobStorageFull(incoming, cap - total)


# Renew the lease only while it is the worker's own, and keep its progress with the job.
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], 'progress', ARGV[3])
end
return 1
"""


def _bytes(value: object) -> bytes:
    data = reply(value)
    assert data is not None
    return data


def _failed(job: Job, kind: str, message: Bilingual) -> None:
    job.state, job.finished = "failed", time.time()
    job.error = {**message.by_language(), "kind": kind}


def _worker_lost(attempts: int) -> Bilingual:
    return Bilingual(
        f"検証ワーカーが応答しなくなりました（{attempts} 回実行し、いずれも結果がありません）。"
        "もう一度送ってください",
        f"the validation worker stopped answering ({attempts} attempts, none with a result);"
        " send the data again",
    )


def _not_taken(seconds: float) -> Bilingual:
    return Bilingual(
        f"{seconds:g} 秒以内に検証ワーカーがジョブを受け取りませんでした。"
        "しばらくしてから送ってください",
        f"no validation worker took the job within {seconds:g} s; try again later",
    )


def queue_wait(time_limit: float) -> float:
    """Longest a job waits for a worker: the jobs that may be ahead of it, each bounded by
    the time limit (as a local job waits for a run place)."""
    return (QUEUE_PER_SLOT + 1) * time_limit


def _forget_oldest(cache: Path, keep: int) -> None:
    """Remove the oldest copied jobs beyond ``keep`` (the state service still has them)."""
    folders: list[tuple[float, Path]] = []
    for folder in cache.iterdir():
        with contextlib.suppress(OSError):
            folders.append((folder.stat().st_mtime, folder))
    folders.sort()
    for _modified, folder in folders[: max(0, len(folders) - keep + 1)]:
        shutil.rmtree(folder, ignore_errors=True)
