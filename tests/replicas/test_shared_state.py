"""The pieces of shared state on a real Redis: the lock's lease and fencing, the rate limiter's
semantics (the same answers as the one-server SQLite counter), and failing open."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.limits import RateLimiter, SharedRateLimiter
from cityref.registry.durable import RegistryBusy, registry_lock, write_atomic
from cityref.services import tokens as token_store
from cityref.services.jobs import JobNotFound, JobStorage, JobStorageFull
from cityref.services.shared_jobs import SharedJobStore, lease_key
from cityref.services.shared_state import (
    LockLost,
    connect,
    held_lock,
    share_writes,
)
from cityref.services.tokens import TokenRecord, create_token, load_tokens
from cityref.text import Bilingual
from tests.security.conftest import free_port


@pytest.fixture
def shared_writes(redis_url: str) -> Iterator[None]:
    share_writes(redis_url)
    try:
        yield
    finally:
        share_writes(None)


def test_a_second_holder_waits_and_fencing_numbers_grow(redis_url: str) -> None:
    client = connect(redis_url)
    order: list[str] = []
    with held_lock(client, "test-order") as first:
        waiting = threading.Thread(target=lambda: _take(redis_url, order))
        waiting.start()
        time.sleep(0.5)
        order.append("first done")
        fence = first.fence
    waiting.join(10)
    assert order == ["first done", "second"]
    with held_lock(client, "test-order") as later:
        assert later.fence > fence


def _take(url: str, order: list[str]) -> None:
    with held_lock(connect(url), "test-order"):
        order.append("second")


def test_a_lease_is_renewed_while_the_work_lasts(redis_url: str) -> None:
    client = connect(redis_url)
    with held_lock(client, "test-renew", lease_seconds=0.6) as lease:
        time.sleep(1.5)  # longer than the lease: renewed meanwhile
        lease.check()


def test_a_holder_that_lost_its_lease_writes_nothing(
    redis_url: str, shared_writes: None, tmp_path: Path
) -> None:
    target = tmp_path / "registry" / "systems" / "x.ttl"
    write_atomic(target, b"old")
    client = connect(redis_url)
    with pytest.raises(RegistryBusy, match="lease"), registry_lock(tmp_path):
        # As if this holder had been paused past its lease and another had taken the lock.
        client.set("cityref:lock:registry", "someone else")
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["x.ttl"]  # no temporary left
    client.delete("cityref:lock:registry")


def test_a_token_write_after_the_lease_is_lost_is_refused(
    redis_url: str, shared_writes: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = tmp_path / "tokens.json"
    create_token(tokens, "kept", "write")
    client = connect(redis_url)

    def read_then_lose_the_lease(path: Path) -> list[TokenRecord]:
        client.set("cityref:lock:tokens", "someone else")  # taken over while we read
        return load_tokens(path)

    monkeypatch.setattr(token_store, "load_tokens", read_then_lose_the_lease)
    with pytest.raises(LockLost):
        create_token(tokens, "lost", "write")
    monkeypatch.undo()
    client.delete("cityref:lock:tokens")
    assert [t.name for t in load_tokens(tokens)] == ["kept"]


def test_the_shared_counter_answers_as_the_local_one(redis_url: str, tmp_path: Path) -> None:
    shared = SharedRateLimiter(connect(redis_url), per_minute=5)
    local = RateLimiter(tmp_path / "rate.sqlite", per_minute=5)
    start = 600.0 * 1_000_000  # the start of a minute
    moments = [start + offset for offset in (0, 1, 2, 3, 4, 5, 30, 59, 61, 65, 90, 125, 200)]
    for now in moments:
        assert shared.retry_after("192.0.2.1", now) == local.retry_after("192.0.2.1", now), now


def test_an_unreachable_counter_lets_the_request_through_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    limiter = SharedRateLimiter(connect(closed, timeout=0.5), per_minute=1)
    with caplog.at_level(logging.WARNING):
        assert limiter.retry_after("192.0.2.2") is None
        assert limiter.retry_after("192.0.2.2") is None
    assert "shared rate limit counter unavailable" in caplog.text


def _store(url: str, queued: list[tuple[str, int]], wait: float = 60.0) -> SharedJobStore:
    storage = JobStorage(max_bytes=10_000, max_age_days=1.0)
    return SharedJobStore(connect(url), storage, wait, lambda job, n: queued.append((job, n)))


def test_a_job_is_run_again_once_when_its_lease_runs_out_then_failed(
    redis_url: str, tmp_path: Path
) -> None:
    queued: list[tuple[str, int]] = []
    jobs = _store(redis_url, queued)
    job = jobs.create(b"id,name\n", "a.csv", "ods-aed", "text/csv")
    assert queued == [(job.id, 1)]
    assert jobs.claim(job.id, 1, "first") is not None
    assert jobs.claim(job.id, 1, "again") is None  # taken already
    client = connect(redis_url)
    client.delete(lease_key(job.id))  # the first worker's lease ran out
    retried = jobs.read(job.id)
    assert (retried.state, retried.attempt) == ("queued", 2)
    assert queued[-1] == (job.id, 2)
    assert jobs.claim(job.id, 1, "late") is None  # the first attempt's message comes late
    assert jobs.claim(job.id, 2, "second") is not None
    assert not jobs.publish(job.id, "first", retried, tmp_path, [])  # not the lease's holder
    client.delete(lease_key(job.id))
    lost = jobs.read(job.id)
    assert lost.state == "failed" and lost.error is not None
    assert lost.error["kind"] == "lost" and "2 attempts" in lost.error["en"]
    assert len(queued) == 2  # not queued a third time
    assert job.id not in jobs.active_jobs()


def test_a_job_no_worker_takes_in_time_fails_as_busy(redis_url: str) -> None:
    jobs = _store(redis_url, [], wait=0.2)
    job = jobs.create(b"id,name\n", "a.csv", None, None)
    assert jobs.read(job.id).state == "queued"
    time.sleep(0.3)
    failed = jobs.read(job.id)
    assert failed.state == "failed" and failed.error is not None
    assert failed.error["kind"] == "busy" and "no validation worker took" in failed.error["en"]


def test_stored_jobs_are_bounded_oldest_finished_first(redis_url: str) -> None:
    connect(redis_url).flushdb()
    jobs = _store(redis_url, [])
    first = jobs.create(b"x" * 4_000, "a.csv", None, None)
    jobs.fail(first.id, "input", Bilingual("古い", "old"))
    running = jobs.create(b"y" * 4_000, "b.csv", None, None)
    jobs.create(b"z" * 4_000, "c.csv", None, None)  # room made by removing the first
    with pytest.raises(JobNotFound):
        jobs.read(first.id)
    assert jobs.read(running.id).state == "queued"
    with pytest.raises(JobStorageFull):  # the rest are active: never removed
        jobs.create(b"w" * 4_000, "d.csv", None, None)


def test_a_worker_removes_job_folders_left_by_a_killed_one(tmp_path: Path) -> None:
    from cityref.services.job_worker import _remove_leftovers

    old, current = tmp_path / "a", tmp_path / "b"
    for folder in (old, current):
        folder.mkdir()
        (folder / "input").write_bytes(b"data")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    _remove_leftovers(tmp_path, older_than=600)
    assert not old.exists() and current.exists()
