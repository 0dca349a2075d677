"""The rate limit is one count per client address for all the server's worker processes."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from app.limits import RateLimiter

MINUTE = 60.0 * 1_000_000  # the start of some minute, as time.time() counts


def test_workers_share_one_count(tmp_path: Path) -> None:
    path = tmp_path / "limits.sqlite"
    one, two = RateLimiter(path, 4), RateLimiter(path, 4)
    assert [one.retry_after("a", MINUTE + 1), two.retry_after("a", MINUTE + 2)] == [None, None]
    assert [one.retry_after("a", MINUTE + 3), two.retry_after("a", MINUTE + 4)] == [None, None]
    assert one.retry_after("a", MINUTE + 5) is not None
    assert two.retry_after("a", MINUTE + 5) is not None
    assert two.retry_after("b", MINUTE + 5) is None  # another client has its own count


def _hit(path: Path, times: int) -> list[bool]:
    limiter = RateLimiter(path, 10)
    return [limiter.retry_after("client", MINUTE + 1) is None for _ in range(times)]


def test_processes_share_one_count(tmp_path: Path) -> None:
    path = tmp_path / "limits.sqlite"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        allowed = pool.starmap(_hit, [(path, 8), (path, 8)])
    assert sum(sum(a) for a in allowed) == 10


def test_the_window_slides_and_retry_after_says_when(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "limits.sqlite", 10)
    for second in range(10):
        assert limiter.retry_after("a", MINUTE + second) is None
    wait = limiter.retry_after("a", MINUTE + 30)
    assert wait == pytest.approx(30.0)  # the whole next minute's share decays over 60 s
    # Half-way through the next minute half of the last minute's 10 still count: 5 more fit.
    allowed = [limiter.retry_after("a", MINUTE + 90) is None for _ in range(6)]
    assert allowed == [True] * 5 + [False]


def test_a_broken_counter_lets_requests_through(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    limiter = RateLimiter(blocker / "limits.sqlite", 1)
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("a") is None
