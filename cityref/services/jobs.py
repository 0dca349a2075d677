"""Validation jobs: an upload checked against a profile, kept on disk with its reports.

Every validation the server runs is a job folder under ``<store>/jobs/<id>/``: the input,
``job.json`` (state, profile, counts, times, the pid of its process), ``progress.json``
while it runs (:mod:`cityref.services.job_progress`) and, when done, the
reports (the outcome document in ja and en, the W3C report graph:
:mod:`cityref.services.job_reports`).
The work always happens in a job process (:mod:`cityref.services.job_queue`), never in the web
worker; the request may wait for a small job. Folders are written to a temporary name and
renamed, so a reader never sees half a job. A job whose process is gone is never left
"running": reading it says it failed. Stored jobs are bounded in total size and age, the
oldest removed first.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cityref.errors import CityrefError
from cityref.text import Bilingual

if TYPE_CHECKING:
    from cityref.inputs import InputLimits
    from cityref.outcome import Outcome
    from cityref.registry.versioned import ReleaseContext
    from cityref.store.sources import ModelFiles
    from cityref.validation import ValidationOptions
    from cityref.validation.endpoint import Endpoint

#: Jobs kept; older ones are removed when a new one starts.
MAX_JOBS = 500
JOB_ID_LENGTH = 32
#: Seconds a job may stay queued without a process before it is taken as never started.
START_GRACE_SECONDS = 60.0
#: Why a job failed (``Job.error["kind"]``); the web answer's status follows from it.
FAILURE_KINDS = (
    "input",
    "no-profile",  # the data says not which profile it follows: the client must name one
    "too-large",
    "time-limit",
    "memory-limit",
    "crashed",
    "lost",
    "busy",
    "stopped",
)


@dataclass
class Job:
    """The record of one validation job (``job.json``)."""

    id: str
    state: str  # queued, running, done, failed
    filename: str
    profile: str | None
    created: float
    finished: float | None = None
    conforms: bool | None = None
    counts: dict[str, int] = field(default_factory=dict)
    profile_used: str | None = None
    error: dict[str, str] | None = None
    engine: str = ""
    pid: int | None = None  # the job process (leader of its process group)
    pid_start: str | None = None  # its start time in /proc, so a reused pid is not taken for it
    started: float | None = None
    peak_memory_mb: float | None = None
    media_type: str | None = None  # what the upload was sent as (picks its input format)
    attempt: int = 1  # the run: 2 once a shared job's worker died and it was queued again
    #: Validation in place: the configured endpoint's name and the data's named graphs.
    endpoint: str | None = None
    graphs: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")


class JobNotFound(CityrefError):
    pass


class JobStorageFull(CityrefError):
    """The upload does not fit in the job storage cap even after pruning."""

    def __init__(self, needed: int, free: int) -> None:
        super().__init__(
            Bilingual(
                f"アップロードにはジョブの保存領域が {needed} バイト必要ですが、空きは"
                f" {max(0, free)} バイトです（残りは実行中のジョブが使っています）",
                f"the upload needs {needed} bytes of job storage and {max(0, free)} bytes are free"
                " (jobs still running hold the rest)",
            )
        )
        self.needed = needed
        self.free = free


@dataclass(frozen=True)
class JobStorage:
    """How much the stored jobs may hold: total bytes and age (days) of finished jobs."""

    max_bytes: int | None = None
    max_age_days: float | None = None


def jobs_root(store_path: Path) -> Path:
    return store_path / "jobs"


def no_job(job_id: str) -> Bilingual:
    return Bilingual(f"ジョブ {job_id!r} はありません", f"no job {job_id!r}")


def check_job_id(job_id: str) -> str:
    """``job_id`` when it has the form of one (so it is safe in a path or a key), else
    :class:`JobNotFound`."""
    if len(job_id) != JOB_ID_LENGTH or not all(c in "0123456789abcdef" for c in job_id):
        raise JobNotFound(no_job(job_id))
    return job_id


def _job_dir(store_path: Path, job_id: str) -> Path:
    return jobs_root(store_path) / check_job_id(job_id)


@contextmanager
def written_whole(path: Path) -> Iterator[TextIO]:
    """A text file (UTF-8) written under a temporary name and renamed when the block ends
    without error: a reader sees all of it or none."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            yield out
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_json(path: Path, data: Any) -> None:
    """JSON written to a temporary name and renamed: a reader sees all of it or none."""
    # Compact, so the C encoder writes it: 10,000 located results took 1 s indented.
    with written_whole(path) as out:
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def load_job(store_path: Path, job_id: str) -> Job:
    """The job's record as stored, without looking at its process (for the job's own
    processes: a confined worker cannot see its parent in /proc)."""
    return _load(_job_dir(store_path, job_id) / "job.json", job_id)


def _load(path: Path, job_id: str) -> Job:
    try:
        return job_from_json(path.read_bytes(), job_id)
    except OSError:
        raise JobNotFound(no_job(job_id)) from None


def job_from_json(data: bytes, job_id: str) -> Job:
    """A job's record from its JSON (as :func:`job_json` writes it)."""
    try:
        raw = json.loads(data)
        known = {f.name for f in fields(Job)}
        return Job(**{k: v for k, v in raw.items() if k in known})
    except (ValueError, TypeError, AttributeError):
        raise JobNotFound(no_job(job_id)) from None


def job_json(job: Job) -> bytes:
    """A job's record as JSON (``job.json``)."""
    return json.dumps(asdict(job), ensure_ascii=False, separators=(",", ":")).encode()


def read_job(store_path: Path, job_id: str) -> Job:
    """The job's record; one whose process has gone is marked failed first."""
    folder = _job_dir(store_path, job_id)
    job = _load(folder / "job.json", job_id)
    if job.active and _abandoned(job):
        reason = (
            "the validation process did not start"
            if job.pid is None
            else "the validation process ended without a result"
        )
        reason_ja = (
            "検証プロセスが起動しませんでした"
            if job.pid is None
            else "検証プロセスが結果を残さずに終了しました"
        )
        job = fail_job(
            store_path, job_id, "lost", Bilingual(reason_ja, reason), only_if_active=True
        )
    return job


def _abandoned(job: Job) -> bool:
    if job.pid is None:
        return time.time() - job.created > START_GRACE_SECONDS
    return not process_alive(job.pid, job.pid_start)


def process_start_time(pid: int) -> str | None:
    """The start time of a process (clock ticks after boot, from /proc), None if it is gone
    or cannot be seen."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields_after_name = stat.rsplit(")", 1)[-1].split()
    if fields_after_name[0] in ("Z", "X"):  # a zombie has finished
        return None
    return fields_after_name[19]


def process_alive(pid: int, start: str | None) -> bool:
    """Whether ``pid`` still runs and is the same process (not a later one given its pid).
    When /proc cannot tell (not Linux, or not allowed to look), a signal 0 probe decides."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return False
        stat = ""  # no /proc here
    except OSError:
        stat = ""
    if stat:
        fields_after_name = stat.rsplit(")", 1)[-1].split()
        if fields_after_name[0] in ("Z", "X"):
            return False
        return start is None or fields_after_name[19] == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def update_job(store_path: Path, job: Job) -> None:
    """Write the job's record (atomically)."""
    write_json(_job_dir(store_path, job.id) / "job.json", asdict(job))


def fail_job(
    store_path: Path,
    job_id: str,
    kind: str,
    message: Bilingual,
    *,
    only_if_active: bool = False,
) -> Job:
    """Mark a job failed with why (``kind`` is one of :data:`FAILURE_KINDS`)."""
    assert kind in FAILURE_KINDS, kind
    job = _load(_job_dir(store_path, job_id) / "job.json", job_id)
    if only_if_active and not job.active:
        return job
    job.state, job.finished = "failed", time.time()
    job.error = {**message.by_language(), "kind": kind}
    update_job(store_path, job)
    return job


def job_folder(store_path: Path, job_id: str) -> Path:
    """The folder of a job, where its reports are (:mod:`cityref.services.job_reports`)."""
    folder = _job_dir(store_path, job_id)
    if not folder.is_dir():
        raise JobNotFound(Bilingual(f"ジョブ {job_id!r} はありません", f"no job {job_id!r}"))
    return folder


def create_job(
    store_path: Path,
    data: bytes,
    filename: str,
    profile: str | None,
    storage: JobStorage | None = None,
    media_type: str | None = None,
    endpoint: str | None = None,
    graphs: tuple[str, ...] = (),
) -> Job:
    """Store the input and a queued record; the folder appears whole or not at all. A job
    of validation in place has no input: it names a configured ``endpoint`` and ``graphs``.

    Old jobs are pruned first (by age, then oldest first until the upload fits within
    ``storage.max_bytes``); raises :class:`JobStorageFull` when it cannot fit."""
    root = jobs_root(store_path)
    root.mkdir(parents=True, exist_ok=True)
    prune_jobs(root, storage or JobStorage(), incoming=len(data))
    job = new_job(filename, profile, media_type)
    job.endpoint, job.graphs = endpoint, list(graphs)
    staging = root / f".new-{job.id}"
    staging.mkdir()
    (staging / "input").write_bytes(data)
    write_json(staging / "job.json", asdict(job))
    os.replace(staging, root / job.id)
    return job


def new_job(filename: str, profile: str | None, media_type: str | None) -> Job:
    """The record of a job just made: queued, with a new id and a safe file name."""
    job = Job(uuid.uuid4().hex, "queued", _safe_name(filename), profile, time.time())
    job.media_type = media_type
    return job


def _safe_name(filename: str) -> str:
    """The upload's base name only: never a path (``../../etc/passwd`` → ``passwd``)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    return "".join(c for c in base if c.isprintable())[:200] or "upload"


def _folder_bytes(folder: Path) -> int:
    """The bytes of a job's files (0 once another process has removed it)."""
    total = 0
    try:
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    except FileNotFoundError:
        pass
    return total


def _modified(folder: Path) -> float | None:
    try:
        return folder.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile by another server process
        return None


def _is_active(folder: Path) -> bool:
    """A job still queued or running with its process alive (never pruned)."""
    try:
        job = _load(folder / "job.json", folder.name)
    except JobNotFound:
        return False
    return job.active and not _abandoned(job)


def prune_jobs(root: Path, storage: JobStorage, incoming: int = 0) -> None:
    """Remove what storage allows no more: half-made folders, jobs past the age limit, then
    the oldest finished jobs until ``incoming`` more bytes fit in ``storage.max_bytes`` and
    fewer than :data:`MAX_JOBS` are kept."""
    now = time.time()
    if storage.max_bytes is not None and incoming > storage.max_bytes:
        raise JobStorageFull(incoming, storage.max_bytes)
    jobs: list[tuple[float, Path]] = []
    for folder in root.iterdir():
        modified = _modified(folder)
        if modified is None or not folder.is_dir():
            continue
        if folder.name.startswith("."):
            if folder.name.startswith(".new-") and now - modified > 3600:  # a crash mid-way
                shutil.rmtree(folder, ignore_errors=True)
            continue
        jobs.append((modified, folder))
    jobs.sort()
    max_age = None if storage.max_age_days is None else storage.max_age_days * 86400
    kept: list[tuple[Path, int]] = []
    for mtime, folder in jobs:
        if max_age is not None and now - mtime > max_age and not _is_active(folder):
            shutil.rmtree(folder, ignore_errors=True)
        else:
            kept.append((folder, _folder_bytes(folder)))
    total = sum(size for _, size in kept)
    count = len(kept)
    cap = storage.max_bytes
    for folder, size in kept:  # oldest first
        over_size = cap is not None and total + incoming > cap
        if not over_size and count < MAX_JOBS:
            break
        if _is_active(folder):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        total -= size
        count -= 1
    if cap is not None and total + incoming > cap:
        raise JobStorageFull(incoming, cap - total)


def run_job(
    store_path: Path,
    job_id: str,
    options: ValidationOptions,
    model: ModelFiles,
    limits: InputLimits | None = None,
    endpoints: Callable[[str, tuple[str, ...]], Endpoint] | None = None,
) -> Job:
    """Validate the job's input (or, for a job of validation in place, the data of the
    endpoint ``endpoints`` gives for its name and graphs) here and now and store the outcome
    (the job process calls it, see :mod:`cityref.services.job_queue`), as ``cityref
    validate`` does: against the profile and vocabulary of ``model`` (a release when the
    profile names one). Every failure ends as a failed job saying why, but MemoryError,
    which the job process reports with its limit."""
    from cityref.profiles import check_at_release
    from cityref.registry.versioned import release_context
    from cityref.services.job_progress import ProgressFile
    from cityref.validation.progress import listening

    folder = _job_dir(store_path, job_id)
    job = load_job(store_path, job_id)
    if job.state != "running":
        job.state, job.started = "running", time.time()
        update_job(store_path, job)
    progress = ProgressFile(folder)
    try:
        release = release_context(job.profile, model)
        with listening(progress):
            if job.endpoint is not None:
                outcome = _check_endpoint(job, release, options, model, endpoints)
            else:
                data = (folder / "input").read_bytes()
                outcome = check_at_release(
                    data, job.filename, release, options, job.media_type, model=model,
                    limits=limits,
                )  # fmt: skip
    except CityrefError as exc:
        return fail_job(store_path, job_id, failure_kind(exc), exc.text)
    except RecursionError:
        return fail_job(
            store_path,
            job_id,
            "crashed",
            Bilingual("入力の入れ子が深すぎて読めません", "the input is nested too deeply to read"),
        )
    except MemoryError:
        raise
    except Exception as exc:  # a bug: the job still ends, saying what happened
        text = f"{type(exc).__name__}: {exc}"
        return fail_job(
            store_path,
            job_id,
            "crashed",
            Bilingual(f"内部エラー: {text}", f"internal error: {text}"),
        )
    finally:
        progress.remove()
    from cityref.services.job_reports import write_reports

    write_reports(folder, outcome)
    job.state, job.finished = "done", time.time()
    job.conforms = outcome.report.conforms
    job.counts = outcome.counts
    job.engine = outcome.report.engine
    job.profile_used = outcome.profile_id
    update_job(store_path, job)
    return job


def _check_endpoint(
    job: Job,
    release: ReleaseContext,
    options: ValidationOptions,
    model: ModelFiles,
    endpoints: Callable[[str, tuple[str, ...]], Endpoint] | None,
) -> Outcome:
    from cityref.profiles.conformance import check_endpoint_at_release

    assert job.endpoint is not None and endpoints is not None
    endpoint = endpoints(job.endpoint, tuple(job.graphs))
    # The report names the endpoint as the client did (its URL is the server's business).
    name = job.endpoint + "".join(f" <{g}>" for g in job.graphs)
    return check_endpoint_at_release(endpoint, release, options, model=model, name=name)


def failure_kind(exc: CityrefError) -> str:
    """The failure kind of an error raised while checking an input."""
    from cityref.profiles.detection import NoProfileDetected
    from cityref.validation.errors import InputTooLarge, ValidationTimeout

    if isinstance(exc, NoProfileDetected):
        return "no-profile"
    if isinstance(exc, InputTooLarge):
        return "too-large"
    if isinstance(exc, ValidationTimeout):
        return "time-limit"
    return "input"


def memory_message(megabytes: int | None) -> Bilingual:
    limit = f" of {megabytes} MiB" if megabytes else ""
    limit_ja = f"（{megabytes} MiB）" if megabytes else ""
    return Bilingual(
        f"検証がメモリの上限{limit_ja}を超えたため停止しました",
        f"the validation needed more than its memory limit{limit} and was stopped",
    )
