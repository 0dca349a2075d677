"""``cityref worker``: a validation worker of the shared queue (the ``state`` setting), on the
web instances' machine or any other that reaches Redis and has the model's sources.

It is an RQ worker on the queue :data:`cityref.services.shared_jobs.QUEUE_NAME`. RQ forks a
work horse for each job, which :func:`run_queued_job` turns into the job's supervisor, the
same as a local job process (:mod:`cityref.services.job_queue`):

1. claims the job's attempt in Redis, with a lease it renews every third of
   :data:`~cityref.services.shared_jobs.LEASE_SECONDS` (sending the job's progress along);
2. copies the upload into a job folder of its own store folder (``<store>/runtime/worker/``);
3. forks the confined worker with the time and memory limits of *this* machine's settings
   (:func:`cityref.services.job_queue.supervise`: RLIMIT_AS, seccomp and Landlock, killed at
   the time limit) and waits for it;
4. publishes the record and the report files to Redis, only while its lease holds, and
   removes the folder.

A thread of the worker also sweeps the active jobs every half lease, so a job whose worker
died is queued again (once) or failed even when nobody polls it. One ``cityref worker``
runs one job at a time: run as many as the machine has room for. Arguments travel as JSON,
never pickled, so what is in Redis cannot run code in a worker.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cityref.services.job_progress import PROGRESS_FILE
from cityref.services.job_queue import JobLimits, supervise
from cityref.services.job_reports import stored_files
from cityref.services.jobs import JobStorage, fail_job, jobs_root, load_job, update_job
from cityref.services.shared_jobs import (
    LEASE_SECONDS,
    QUEUE_NAME,
    SharedJobStore,
    job_key,
    queue_wait,
)
from cityref.services.shared_state import connect, reply
from cityref.text import Bilingual

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

    from cityref.settings import Settings

log = logging.getLogger(__name__)
#: The settings of the worker process, for the work horses RQ forks from it.
_worker_settings: list[Settings] = []


def rq_queue(client: Redis) -> Queue:
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(QUEUE_NAME, connection=client, serializer=JSONSerializer)


def workers_listening(client: Redis) -> int:
    """The workers registered on the queue (one killed a moment ago may still count)."""
    from rq import Worker

    return Worker.count(connection=client, queue=rq_queue(client))


def job_store(settings: Settings, client: Redis) -> SharedJobStore:
    """The shared jobs as ``settings`` bound them (storage, queue wait), queued with RQ."""
    queue = rq_queue(client)
    # A backstop only: the job's supervisor stops the work at the worker's time limit.
    backstop = int(4 * settings.validation_timeout + 300)

    def enqueue(job_id: str, attempt: int) -> None:
        queue.enqueue(
            f"{__name__}.run_queued_job",
            job_id,
            attempt,
            job_id=f"{job_id}-{attempt}",
            job_timeout=backstop,
            result_ttl=3600,
            failure_ttl=86400,
            description=f"validation {job_id} (attempt {attempt})",
        )

    storage = JobStorage(settings.jobs_max_bytes, settings.jobs_max_age_days)
    return SharedJobStore(client, storage, queue_wait(settings.validation_timeout), enqueue)


def serve(settings: Settings, *, burst: bool = False) -> None:
    """Take and run validation jobs until stopped (SIGINT / SIGTERM: after the current job);
    with ``burst``, until the queue is empty."""
    from rq import Worker
    from rq.serializers import JSONSerializer

    assert settings.state is not None, "a worker needs the state setting"
    client = connect(settings.state)
    _worker_settings[:] = [settings]
    _remove_leftovers(jobs_root(_local_store(settings)), settings.validation_timeout + 300)
    store = job_store(settings, client)
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweep, args=(store, stop), name="sweep", daemon=True)
    sweeper.start()
    worker = Worker([rq_queue(client)], connection=client, serializer=JSONSerializer)
    try:
        worker.work(burst=burst, logging_level="INFO")
    finally:
        stop.set()


def _local_store(settings: Settings) -> Path:
    """Where this machine's worker keeps the jobs it runs (``jobs/<id>/`` below it)."""
    return settings.store / "runtime" / "worker"


def _remove_leftovers(root: Path, older_than: float) -> None:
    """Job folders of workers killed mid-job (a running job's folder is never older than
    its time limit: its files change as it runs, and it is stopped at the limit)."""
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > older_than:
                shutil.rmtree(folder, ignore_errors=True)


def _sweep(store: SharedJobStore, stop: threading.Event) -> None:
    """Recover the jobs whose worker is gone, every half lease."""
    while not stop.wait(LEASE_SECONDS / 2):
        try:
            for job_id in store.active_jobs():
                recovered = store.recover(job_id)
                if recovered is not None:
                    log.warning("job %s recovered: %s", job_id, recovered.state)
        except Exception as exc:  # the service may be down for a while: try again later
            log.warning("could not sweep the validation jobs: %s", exc)


def run_queued_job(job_id: str, attempt: int) -> str:
    """The work horse: run one attempt of a shared job here, as described above; what
    became of it (RQ keeps it as the result)."""
    settings = _worker_settings[0]
    client = connect(settings.state or "")
    store = job_store(settings, client)
    token = uuid.uuid4().hex
    job = store.claim(job_id, attempt, token)
    if job is None:
        return "not run: ended, removed or taken up again meanwhile"
    local = _local_store(settings)
    folder = jobs_root(local) / job_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        (folder / "input").write_bytes(reply(client.hget(job_key(job_id), "input")) or b"")
        update_job(local, job)
        with _kept(store, job_id, token, folder):
            _supervised(local, job_id, JobLimits.from_settings(settings))
        ended = load_job(local, job_id)
        names = [name for name in stored_files() if (folder / name).is_file()]
        published = store.publish(job_id, token, ended, folder, names)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ended.state if published else "not published: the lease was lost"


def _supervised(local: Path, job_id: str, limits: JobLimits) -> None:
    """The confined worker under its limits; a failure of the supervision itself still
    ends the job, saying what happened."""
    try:
        supervise(local, job_id, limits)
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        failed = Bilingual(
            f"ジョブのプロセスが失敗しました: {text}", f"the job process failed: {text}"
        )
        fail_job(local, job_id, "crashed", failed, only_if_active=True)


@contextlib.contextmanager
def _kept(store: SharedJobStore, job_id: str, token: str, folder: Path) -> Iterator[None]:
    """Renew the job's lease (with its progress) in a thread while the block runs."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_keep_lease, args=(store.renew, job_id, token, folder, stop), daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _keep_lease(
    renew: Callable[[str, str, bytes | None], bool],
    job_id: str,
    token: str,
    folder: Path,
    stop: threading.Event,
) -> None:
    while not stop.wait(LEASE_SECONDS / 3):
        try:
            progress = (folder / PROGRESS_FILE).read_bytes()
        except OSError:
            progress = None
        try:
            if not renew(job_id, token, progress):
                log.warning("job %s: lease lost; its outcome will not be published", job_id)
                return
        except Exception as exc:  # the service is away: the lease may still hold
            log.warning("job %s: could not renew the lease: %s", job_id, exc)
