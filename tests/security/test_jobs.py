"""Validation jobs are bounded and end (issue 11, findings 9 and 14): they run in job
processes, not the web worker; a few at once, the rest in a bounded queue; each with a time
and a memory limit; a job whose process dies is failed with the reason, never left running;
jobs stop with the server; stored jobs are pruned by age and total size."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from cityref.services.job_queue import JobLimits, start_job_process, stop_jobs, wait_for_job
from cityref.services.jobs import (
    Job,
    JobStorage,
    JobStorageFull,
    create_job,
    jobs_root,
    process_alive,
    process_start_time,
    read_job,
    update_job,
)
from cityref.services.slots import ClientSlots, Slot
from cityref.validation.errors import ValidationError, ValidationTimeout
from cityref.validation.worker import ValidationMemoryLimit, run_limited
from tests.conftest import BASE_IRI, REAL_DATA, REPO
from tests.security.hostile_inputs import copy_of_model, peak_memory_mb, tight_app

AED = REAL_DATA / "yaizu-222127" / "222127_aed.csv"
LIMITS = JobLimits(
    time_limit=30,
    memory_mb=1024,
    slots=1,
    max_decompressed_bytes=8 << 20,
    sources=str(REPO),
    base_iri=BASE_IRI,
    queue_per_slot=3,
)


def big_aed_csv(rows: int) -> bytes:
    """The real AED file with its rows repeated: ``rows`` rows, each with a violation."""
    lines = AED.read_bytes().splitlines(keepends=True)
    body = lines[1:] * (rows // (len(lines) - 1) + 1)
    return lines[0] + b"".join(body[:rows])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, tight_model: Path) -> Flask:
    return tight_app(copy_of_model(tight_model, tmp_path_factory.mktemp("jobs")))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Job processes a test started: reaped (or killed) when it ends."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def _start(
    store: Path,
    processes: list[subprocess.Popen[bytes]],
    data: bytes,
    limits: JobLimits = LIMITS,
    profile: str | None = "ods-aed",
) -> Job:
    job = create_job(store, data, "aed.csv", profile)
    processes.append(start_job_process(store, job.id, limits))
    return job


def _hold_the_run_place(store: Path, limits: JobLimits = LIMITS) -> Slot:
    """Take the server's only run place, as a long job would."""
    places = ClientSlots(jobs_root(store) / ".slots", limits.slots, limits.queue)
    return places.acquire("validation", 0)


def _until(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


# -- the work happens in the job process ------------------------------------------------------
def test_validation_runs_in_a_job_process(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The web worker never reads or validates the upload: breaking check_input here changes
    nothing, and the job records another process's pid."""
    import cityref.profiles
    import cityref.profiles.conformance

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("validated inside the web worker")

    monkeypatch.setattr(cityref.profiles, "check_input", refuse)
    monkeypatch.setattr(cityref.profiles.conformance, "check_input", refuse)
    response = app.test_client().post(
        "/api/validate", data=AED.read_bytes(), content_type="text/csv"
    )
    assert response.status_code == 200, response.data[:300]
    assert response.json is not None and response.json["job"]
    job = read_job(app.config["CITYREF_SETTINGS"].store, response.json["job"])
    assert job.pid is not None and job.pid != os.getpid()
    peak = peak_memory_mb(app.config["CITYREF_SETTINGS"].store, job.id)
    assert peak is not None and peak < 1024


# -- finding 9: no job left running ------------------------------------------------------------
def test_a_job_whose_process_is_gone_is_failed_not_running(
    app: Flask, processes: list[subprocess.Popen[bytes]]
) -> None:
    store = app.config["CITYREF_SETTINGS"].store
    place = _hold_the_run_place(store, JobLimits.from_settings(app.config["CITYREF_SETTINGS"]))
    try:
        job = _start(store, processes, AED.read_bytes())
        _until(lambda: read_job(store, job.id).pid is not None)
        processes[-1].kill()
        processes[-1].wait(10)
    finally:
        place.release()
    answer = app.test_client().get(f"/api/jobs/{job.id}")
    assert answer.status_code == 422, answer.data[:300]
    assert answer.json is not None and "ended without a result" in answer.json["error"]["en"]
    assert "Retry-After" not in answer.headers


def test_a_stale_running_record_with_a_dead_pid_is_failed_on_read(store: Path) -> None:
    """Jobs stuck in "running" by the old server (17 were seen) end when read."""
    job = create_job(store, b"x", "x.csv", None)
    finished = subprocess.Popen(["true"])
    finished.wait()
    job.state, job.pid = "running", finished.pid
    update_job(store, job)
    again = read_job(store, job.id)
    assert again.state == "failed" and again.error is not None
    assert again.error["kind"] == "lost"
    # A record of the old server, queued with no process at all, an hour ago.
    never = create_job(store, b"x", "x.csv", None)
    never.created -= 3600
    update_job(store, never)
    assert read_job(store, never.id).state == "failed"
    # A live process with another start time (a reused pid) is not taken for the job.
    assert process_alive(os.getpid(), process_start_time(os.getpid()))
    assert not process_alive(os.getpid(), "0")


def test_a_worker_killed_mid_way_is_failed_with_the_signal(
    store: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    job = _start(store, processes, big_aed_csv(20_000))
    runner = processes[-1].pid
    children = Path(f"/proc/{runner}/task/{runner}/children")

    def worker_started() -> bool:
        return read_job(store, job.id).state == "running" and bool(children.read_text().split())

    _until(worker_started)
    worker = int(children.read_text().split()[0])
    status = Path(f"/proc/{worker}/status")
    if (
        importlib.util.find_spec("cityref.services.sandbox") is not None
    ):  # the second wall, in force
        _until(lambda: "Seccomp:\t2" in status.read_text(), 10)  # once it has imported
        assert "NoNewPrivs:\t1" in status.read_text()
    os.kill(worker, signal.SIGSEGV)
    ended = wait_for_job(store, job.id, processes[-1], 20)
    assert ended.state == "failed" and ended.error is not None
    assert ended.error["kind"] == "crashed" and "SIGSEGV" in ended.error["en"]


def test_a_worker_does_not_outlive_its_job_process(
    store: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    job = _start(store, processes, big_aed_csv(20_000))
    runner = processes[-1].pid
    children = Path(f"/proc/{runner}/task/{runner}/children")
    _until(lambda: read_job(store, job.id).state == "running" and children.read_text().strip())
    worker = int(children.read_text().split()[0])
    worker_start = process_start_time(worker)
    os.kill(runner, signal.SIGKILL)
    _until(lambda: not process_alive(worker, worker_start), 10)
    assert read_job(store, job.id).state == "failed"


def test_the_time_limit_fails_the_job(app: Flask) -> None:
    store_folder = Path(app.config["CITYREF_SETTINGS"].store).parent
    quick = tight_app(store_folder, validation_timeout=0.05)
    response = quick.test_client().post(
        "/api/validate", data=AED.read_bytes(), content_type="text/csv"
    )
    assert response.status_code == 422, response.data[:300]
    assert response.json is not None and "time limit of 0.05 s" in response.json["error"]["en"]
    assert "制限時間" in response.json["error"]["ja"]


def test_the_memory_limit_fails_the_job(
    store: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    """A 4.7 MB CSV with 10,000 violations needs more than 20 MB beyond the libraries the
    worker loads before its limit (Polars' reserved address space is not counted)."""
    limits = replace(LIMITS, time_limit=60, memory_mb=20, max_decompressed_bytes=1 << 20)
    job = _start(store, processes, big_aed_csv(10_000), limits)
    ended = wait_for_job(store, job.id, processes[-1], 60)
    assert ended.state == "failed" and ended.error is not None
    assert ended.error["kind"] == "memory-limit", ended.error
    assert "20 MiB" in ended.error["en"]


def _allocate_without_end() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_validation_worker_says_why_it_ended() -> None:
    """The API said "the validation worker stopped unexpectedly"; now it says how."""
    with pytest.raises(ValidationMemoryLimit, match="memory limit of 200 MiB"):
        run_limited(_allocate_without_end, (), time_limit=30, memory_mb=200)
    with pytest.raises(ValidationError, match="signal SIGSEGV"):
        run_limited(_crash, (), time_limit=30)
    with pytest.raises(ValidationTimeout):
        run_limited(time.sleep, (5,), time_limit=0.2)


# -- finding 14: bounded, queued, stopped ------------------------------------------------------
def test_one_runs_at_a_time_and_the_queue_is_bounded(
    store: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    """With the one run place taken, three jobs wait and two more are refused as busy; then
    the three run one at a time (eight uploads at once ran sixteen processes)."""
    place = _hold_the_run_place(store)
    try:
        jobs = [_start(store, processes, AED.read_bytes()) for _ in range(LIMITS.queue + 2)]

        def busy() -> list[Job]:
            return [j for j in (read_job(store, job.id) for job in jobs) if j.state == "failed"]

        _until(lambda: len(busy()) == 2)
        assert all(j.error is not None and j.error["kind"] == "busy" for j in busy())
        time.sleep(0.3)
        refused = {j.id for j in busy()}
        waiting = [read_job(store, job.id).state for job in jobs if job.id not in refused]
        assert waiting == ["queued"] * LIMITS.queue
    finally:
        place.release()
    most_running = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = [read_job(store, job.id).state for job in jobs]
        most_running = max(most_running, states.count("running"))
        if states.count("done") == LIMITS.queue:  # the two refused stay failed
            break
        time.sleep(0.02)
    assert states.count("done") == LIMITS.queue, states
    assert most_running == 1


def test_busy_is_a_503_with_retry_after(app: Flask) -> None:
    store = app.config["CITYREF_SETTINGS"].store
    job = create_job(store, b"x", "x.csv", None)
    job.state, job.error = "failed", {"en": "busy", "ja": "混雑", "kind": "busy"}
    update_job(store, job)
    answer = app.test_client().get(f"/api/jobs/{job.id}")
    assert answer.status_code == 503 and answer.headers["Retry-After"]


def test_jobs_stop_with_the_server(store: Path, processes: list[subprocess.Popen[bytes]]) -> None:
    place = _hold_the_run_place(store)
    try:
        jobs = [_start(store, processes, AED.read_bytes()) for _ in range(2)]
        _until(lambda: all(read_job(store, j.id).pid is not None for j in jobs))
        stop_jobs(store)
        for process in processes:
            assert process.wait(10) == -signal.SIGKILL
    finally:
        place.release()
    for job in jobs:
        stopped = read_job(store, job.id)
        assert stopped.state == "failed" and stopped.error is not None
        assert stopped.error["kind"] == "stopped"


# -- finding 14: storage bounded by size and age -----------------------------------------------
def _finished(store: Path, job: Job, seconds_ago: float) -> None:
    """Make the job a finished one, last changed ``seconds_ago``."""
    job.state = "done"
    update_job(store, job)
    _age(store, job, seconds_ago)


def _age(store: Path, job: Job, seconds_ago: float) -> None:
    stamp = time.time() - seconds_ago
    os.utime(jobs_root(store) / job.id, (stamp, stamp))


def test_jobs_are_pruned_by_age(store: Path) -> None:
    storage = JobStorage(max_bytes=None, max_age_days=1)
    old = create_job(store, b"old", "old.csv", None, storage)
    _finished(store, old, 2 * 86400)
    recent = create_job(store, b"recent", "recent.csv", None, storage)
    _finished(store, recent, 86400 / 2)
    create_job(store, b"new", "new.csv", None, storage)
    assert not (jobs_root(store) / old.id).exists()
    assert (jobs_root(store) / recent.id).exists()


def test_jobs_are_pruned_by_size_oldest_first_never_a_running_one(store: Path) -> None:
    storage = JobStorage(max_bytes=35_000, max_age_days=None)
    jobs = [create_job(store, b"x" * 10_000, f"{i}.csv", None, storage) for i in range(3)]
    for age, job in zip((300, 200, 100), jobs, strict=True):
        _finished(store, job, age)
    running = jobs[0]  # the oldest, but its process (this one) is alive
    running.state, running.pid = "running", os.getpid()
    running.pid_start = process_start_time(os.getpid())
    update_job(store, running)
    _age(store, running, 300)
    newest = create_job(store, b"x" * 10_000, "3.csv", None, storage)
    kept = {p.name for p in jobs_root(store).iterdir() if not p.name.startswith(".")}
    assert kept == {running.id, jobs[2].id, newest.id}
    with pytest.raises(JobStorageFull):
        create_job(store, b"x" * 36_000, "huge.csv", None, storage)


def test_a_job_whose_reports_were_pruned_is_a_404(app: Flask) -> None:
    store = app.config["CITYREF_SETTINGS"].store
    job = create_job(store, b"x", "x.csv", None)
    job.state = "done"
    update_job(store, job)  # done, but its reports are gone (pruned while a client polled)
    answer = app.test_client().get(f"/api/jobs/{job.id}")
    assert answer.status_code == 404 and answer.json is not None
    assert "removed" in answer.json["error"]["en"]
    assert app.test_client().get(f"/validate/{job.id}").status_code == 404


def test_an_upload_larger_than_the_job_storage_is_a_413(app: Flask) -> None:
    small = tight_app(Path(app.config["CITYREF_SETTINGS"].store).parent, jobs_max_bytes=1000)
    answer = small.test_client().post(
        "/api/validate", data=AED.read_bytes(), content_type="text/csv"
    )
    assert answer.status_code == 413 and answer.json is not None
    assert "job storage" in answer.json["error"]["en"]


def test_a_job_of_validation_in_place_is_confined_but_reaches_its_endpoint(
    store: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Its worker confines itself as an upload's does, with TCP to the endpoint's port only
    (tests/security/test_remote_worker_wall.py shows that wall): it connects to an endpoint
    that never answers, and is seen confined while it waits."""
    with socket.socket() as endpoint:
        endpoint.bind(("127.0.0.1", 0))
        endpoint.listen(4)
        endpoint.settimeout(20)
        url = f"http://127.0.0.1:{endpoint.getsockname()[1]}/sparql"
        limits = replace(LIMITS, validation_endpoints=f"silent={url}")
        job = create_job(store, b"", "", "gif-facility", endpoint="silent", graphs=("urn:x:data",))
        processes.append(start_job_process(store, job.id, limits))
        connection, _ = endpoint.accept()  # the worker reached its endpoint
        with connection:
            runner = processes[-1].pid
            children = Path(f"/proc/{runner}/task/{runner}/children")
            worker = int(children.read_text().split()[0])
            status = Path(f"/proc/{worker}/status").read_text()
            assert "Seccomp:\t2" in status and "NoNewPrivs:\t1" in status
