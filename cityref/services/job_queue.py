"""Validation jobs run in job processes: a bounded number at once server-wide, each with a
memory and a time limit; the others wait in a bounded queue.

:func:`start_job_process` starts ``python -m cityref.services.job_queue STORE JOB LIMITS`` in a new
session (its own process group), so it outlives the request that made it but not the server
(:func:`stop_jobs`). The job process:

1. records its pid (and start time, so a reused pid is never taken for it) in ``job.json``;
2. takes a run place among ``slots`` (lock files shared by every process of the server,
   :mod:`cityref.services.slots`), waiting in one of ``queue`` places; with none free the job fails
   as "busy";
3. forks the worker, which closes any socket it inherited, sets its memory limit (RLIMIT_AS),
   confines itself (:func:`cityref.services.sandbox.confine`: no network, files of the sources
   and its job only) and runs :func:`cityref.services.jobs.run_job`;
4. waits for it up to the time limit and kills it there. A worker that ends without writing
   its outcome (killed, out of memory, crashed) has its job marked failed with the reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from cityref.errors import Busy
from cityref.services.jobs import (
    Job,
    JobNotFound,
    fail_job,
    jobs_root,
    load_job,
    memory_message,
    process_alive,
    process_start_time,
    read_job,
    update_job,
)
from cityref.services.slots import ClientSlots
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

if TYPE_CHECKING:
    from cityref.settings import Settings

#: Jobs that may wait for each run place; more are refused as busy.
QUEUE_PER_SLOT = 8
_POLL_SECONDS = 0.05
_CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}
# Exit statuses of a worker that could not write its own outcome.
_EXIT_OUT_OF_MEMORY, _EXIT_FAILED = 71, 70
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class JobLimits:
    """What one job may use, and how many run at once on the server."""

    time_limit: float
    memory_mb: int | None
    slots: int
    max_decompressed_bytes: int
    sources: str  # the model's files (ModelFiles), the only tree the confined worker reads
    base_iri: str
    queue_per_slot: int = QUEUE_PER_SLOT
    #: The settings of validation in place, given to the job process in its environment.
    validation_endpoints: str = field(default="", repr=False)
    validation_endpoint_credentials: str = field(default="", repr=False)
    validation_focus_batch: int = 0

    @property
    def queue(self) -> int:
        """Jobs that may wait for a run place (more are refused as busy)."""
        return self.slots * self.queue_per_slot

    @classmethod
    def from_settings(cls, settings: Settings) -> JobLimits:
        return cls(
            time_limit=settings.validation_timeout,
            memory_mb=settings.validation_memory_mb,
            slots=settings.validation_jobs,
            max_decompressed_bytes=settings.max_decompressed_bytes,
            sources=str(settings.sources),
            base_iri=settings.base_iri,
            validation_endpoints=settings.validation_endpoints,
            validation_endpoint_credentials=settings.validation_endpoint_credentials,
            validation_focus_batch=settings.validation_focus_batch,
        )

    @property
    def model(self) -> ModelFiles:
        return ModelFiles(Path(self.sources), self.base_iri)


#: JobLimits given in the job process's environment, not on its command line.
_IN_ENVIRONMENT = (
    "validation_endpoints",
    "validation_endpoint_credentials",
    "validation_focus_batch",
)


def start_job_process(store: Path, job_id: str, limits: JobLimits) -> subprocess.Popen[bytes]:
    """Start the job's process, detached from the request (its own session). ``-P``: the
    working folder is not put on ``sys.path``, so the confined worker is not given it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-P",
            "-m",
            "cityref.services.job_queue",
            str(store),
            job_id,
            json.dumps({k: v for k, v in asdict(limits).items() if k not in _IN_ENVIRONMENT}),
        ],
        env={
            **os.environ,
            "CITYREF_VALIDATION_ENDPOINTS": limits.validation_endpoints,
            "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS": limits.validation_endpoint_credentials,
            "CITYREF_VALIDATION_FOCUS_BATCH": str(limits.validation_focus_batch),
        },
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for_job(
    store: Path, job_id: str, process: subprocess.Popen[bytes] | None, seconds: float
) -> Job:
    """The job once it has ended, or as it is after ``seconds`` (still queued or running)."""
    if process is not None:
        # The job ends with its process: wait for that, not in growing naps, which made a
        # job of 0.27 s answer at 0.42 s.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=seconds)
        return read_job(store, job_id)  # done, failed, lost, or still running at the deadline
    deadline = time.monotonic() + seconds
    pause = 0.01
    while True:
        job = read_job(store, job_id)
        if not job.active or time.monotonic() >= deadline:
            return job
        time.sleep(pause)
        pause = min(0.05, pause * 1.5)


def stop_jobs(store: Path) -> None:
    """Stop every running or queued job of this store (when the server stops): their process
    groups are killed and the jobs marked failed, saying so."""
    root = jobs_root(store)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            job = read_job(store, folder.name)
        except JobNotFound:
            continue
        if not job.active:
            continue
        if job.pid is not None and process_alive(job.pid, job.pid_start):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(job.pid, signal.SIGKILL)
        fail_job(
            store,
            job.id,
            "stopped",
            Bilingual(
                "検証が終わる前にサーバが停止しました。もう一度送ってください",
                "the server stopped before the validation finished; send the data again",
            ),
            only_if_active=True,
        )


def _run(store: Path, job_id: str, limits: JobLimits) -> None:
    """The job process: record the pid, wait for a run place, run the worker."""
    job = load_job(store, job_id)
    job.pid = os.getpid()
    job.pid_start = process_start_time(job.pid)
    update_job(store, job)
    places = ClientSlots(jobs_root(store) / ".slots", limits.slots, limits.queue)
    # A queued job waits for the jobs ahead of it, each bounded by the time limit.
    wait = (limits.queue_per_slot + 1) * limits.time_limit
    try:
        place = places.acquire("validation", wait)
    except Busy:
        fail_job(
            store,
            job_id,
            "busy",
            Bilingual(
                f"サーバは検証を {limits.slots} 件実行中で、"
                f"さらに {limits.queue} 件が待っています。"
                "しばらくしてから送ってください",
                f"the server already runs {limits.slots} validations and {limits.queue} more wait;"
                " try again later",
            ),
        )
        return
    try:
        job = load_job(store, job_id)
        job.state, job.started = "running", time.time()
        update_job(store, job)
        supervise(store, job_id, limits)
    finally:
        place.release()


def supervise(store: Path, job_id: str, limits: JobLimits) -> None:
    """Fork the worker, wait for it up to the time limit, and say why it ended without an
    outcome when it did."""
    supervisor = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker
        code = _EXIT_FAILED
        try:
            _end_with_parent(supervisor)
            _close_sockets()
            code = _work(store, job_id, limits)
        finally:
            os._exit(code)
    deadline = time.monotonic() + limits.time_limit
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            done, status, usage = os.wait4(pid, 0)
            timed_out = True
            break
        time.sleep(_POLL_SECONDS)
    job = load_job(store, job_id)
    # The larger of the worker and this process (KiB on Linux): the job's whole tree.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job.peak_memory_mb = round(max(usage.ru_maxrss, own) / 1024, 1)
    update_job(store, job)
    if job.state == "running":
        _record_end(store, job_id, status, timed_out, limits)


def _record_end(store: Path, job_id: str, status: int, timed_out: bool, limits: JobLimits) -> None:
    """Mark a job failed whose worker ended without writing its outcome."""
    if timed_out:
        fail_job(
            store,
            job_id,
            "time-limit",
            Bilingual(
                f"検証が制限時間（{limits.time_limit:g} 秒）を超えたため停止しました",
                f"validation stopped after the time limit of {limits.time_limit:g} s",
            ),
        )
        return
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        if number == signal.SIGABRT and limits.memory_mb:
            # Rust code aborts when an allocation fails under the address-space limit.
            memory = memory_message(limits.memory_mb)
            signalled = Bilingual(f"{memory.ja}（{name}）", f"{memory.en} ({name})")
            fail_job(store, job_id, "memory-limit", signalled)
            return
        how = "crashed" if number in _CRASH_SIGNALS else "was stopped"
        fail_job(
            store,
            job_id,
            "crashed",
            Bilingual(
                f"検証プロセスが結果を残さずに終了しました（シグナル {name}）",
                f"the validation worker {how} (signal {name}) without a result",
            ),
        )
        return
    code = os.WEXITSTATUS(status)
    if code == _EXIT_OUT_OF_MEMORY:
        fail_job(store, job_id, "memory-limit", memory_message(limits.memory_mb))
        return
    fail_job(
        store,
        job_id,
        "crashed",
        Bilingual(
            f"検証プロセスが結果を残さずに終了しました（終了コード {code}）",
            f"the validation worker exited with status {code} without a result",
        ),
    )


def _end_with_parent(supervisor: int) -> None:
    """The worker is killed when its supervisor dies (which would otherwise leave it running
    past the time limit, holding the run place)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != supervisor:  # it died before the line above
        os._exit(_EXIT_FAILED)


def _close_sockets() -> None:
    """Close every socket the worker inherited from its supervisor (a shared-queue worker's
    Redis connections): confinement forbids opening a socket, but one already connected
    would still carry what the worker wrote to it."""
    folder = Path("/proc/self/fd")
    if not folder.is_dir():
        return
    for entry in list(folder.iterdir()):
        with contextlib.suppress(OSError, ValueError):
            if stat.S_ISSOCK(os.fstat(int(entry.name)).st_mode):
                os.close(int(entry.name))


def _work(store: Path, job_id: str, limits: JobLimits) -> int:
    """The worker: memory limit, confinement, then the validation itself; its exit status."""
    from cityref.inputs import InputLimits
    from cityref.profiles import check_input  # noqa: F401  (imported before confinement)
    from cityref.registry.versioned import release_context  # noqa: F401  (likewise)
    from cityref.services.job_reports import write_reports  # noqa: F401  (imported before confinement)
    from cityref.services.jobs import load_job, run_job
    from cityref.services.validation_endpoints import endpoint_ports, named_endpoint
    from cityref.settings import load_settings
    from cityref.validation import Engine, ValidationOptions
    from cityref.validation.worker import limit_memory

    _load_column_engine()
    # Beyond what the process maps once its libraries are loaded: Polars alone reserves some
    # 0.8 GB of address space it does not use, which is not the validation's to pay for.
    limit_memory(limits.memory_mb, beyond_current=True)
    endpoint = load_job(store, job_id).endpoint
    in_place = endpoint is not None
    # The endpoints and their credentials come from this process's environment
    # (start_job_process), never from its command line, which any user may read.
    settings = load_settings() if in_place else None
    # A job of validation in place may connect to its endpoint's port and nowhere else (a
    # configured endpoint: the request only names it and its graphs).
    ports = endpoint_ports(settings, endpoint) if settings and endpoint else ()
    _confine(store, job_id, limits, ports)
    input_limits = InputLimits(max_decompressed_bytes=limits.max_decompressed_bytes)
    try:
        # Tabular CSV profiles by the column engine (chunked, bounded memory); other input
        # goes to the compiled engine all the same.
        options = ValidationOptions(engine=Engine.COLUMNS, time_limit=None)
        endpoints = None
        if settings is not None:
            options = ValidationOptions(engine=Engine.COMPILED, time_limit=limits.time_limit)
            endpoints = partial(named_endpoint, settings, timeout=limits.time_limit)
        run_job(store, job_id, options, limits.model, input_limits, endpoints)
    except MemoryError:
        try:
            fail_job(store, job_id, "memory-limit", memory_message(limits.memory_mb))
        except MemoryError:
            return _EXIT_OUT_OF_MEMORY
    return 0


def _load_column_engine() -> None:
    """Import the column engine and start Polars' thread pool before the memory limit and the
    confinement: the import maps some 0.4 GB of address space and the first use as much again
    (RLIMIT_AS counts both, used or not), and a confined process may no longer read the
    library's files. Two threads: one job is one client's work."""
    os.environ.setdefault("POLARS_MAX_THREADS", "2")
    import polars

    import cityref.tabular  # noqa: F401  (check_input imports it when a table is checked)

    cells = polars.DataFrame({"cell": ["a", "b"]})
    cells.select(polars.col("cell").str.contains("a"))


def _confine(store: Path, job_id: str, limits: JobLimits, ports: tuple[int, ...] = ()) -> None:
    """Only the sources and this job's folder, and no network but TCP to ``ports``, when the
    kernel allows."""
    try:
        from cityref.services.sandbox import confine
    except ImportError:  # not there yet: the limits above still hold
        return
    job_folder = jobs_root(store) / job_id
    confine([job_folder, Path(limits.sources)], [job_folder], ports)


def main(argv: list[str]) -> None:
    """``python -m cityref.services.job_queue STORE JOB LIMITS_JSON`` (started by the server)."""
    store, job_id = Path(argv[0]), argv[1]
    try:
        _run(store, job_id, JobLimits(**json.loads(argv[2])))
    except JobNotFound:  # removed meanwhile: nothing to report to
        return
    except Exception as exc:  # the job must end in a state the client can read
        text = f"{type(exc).__name__}: {exc}"
        failed = Bilingual(
            f"ジョブのプロセスが失敗しました: {text}", f"the job process failed: {text}"
        )
        fail_job(store, job_id, "crashed", failed)


if __name__ == "__main__":
    main(sys.argv[1:])
