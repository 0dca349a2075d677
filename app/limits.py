"""Per-client limits (requests a minute, expensive work at once, request bodies), CORS and
the security headers every answer carries."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from flask import Flask, Response, current_app, request

from app import fairness
from app.body import ReadBodyFirst
from app.errors import ApiError
from cityref.services.shared_state import PREFIX, connect
from cityref.settings import Settings
from cityref.text import Bilingual

if TYPE_CHECKING:
    from redis import Redis

WINDOW_SECONDS = 60.0
#: The WSGI environ key under which a front that already counted the request leaves its wait.
RATE_LIMIT_WAIT = "cityref.rate_limit_wait"
#: A lease counts ahead this share of what a client has left this minute (see RateLimiter).
LEASE_SHARE = 64
MAX_LEASES = 10_000
log = logging.getLogger(__name__)


class RateLimiter:
    """Requests per client address and minute, shared by every worker of a server.

    A sliding-window counter: the count of the current minute plus the previous minute's
    count weighted by the share of it still inside the last 60 s. The counts live in SQLite
    next to the store, so the server's worker processes see one another's requests; a
    transaction keeps check and increment atomic. When the counter file cannot be written
    the request is let through and the failure logged: a broken limiter must not take the
    service down.

    Far from its limit a client's requests are counted ahead, a few at a time (a lease of
    1/64 of what it has left this minute, kept by the process): the counter's transaction,
    one process at a time, then comes once in so many requests, not on each. The limit is
    never exceeded (what is leased is counted); near it the leases are of one request.
    """

    def __init__(self, path: Path, per_minute: int) -> None:
        self.path = path
        self.per_minute = per_minute
        self._local = threading.local()
        self._cleaned_window = -1
        self._leases: dict[str, tuple[int, int]] = {}  # client -> (window, requests left)
        self._leases_pid = os.getpid()
        self._leases_lock = threading.Lock()

    def _from_lease(self, client: str, window: int) -> bool:
        """Take one request from this process's lease for ``client``, if it has one left."""
        with self._leases_lock:
            if self._leases_pid != os.getpid():  # a lease is the process's own
                self._leases, self._leases_pid = {}, os.getpid()
            lease = self._leases.get(client)
            if lease is None or lease[0] != window or lease[1] <= 0:
                return False
            self._leases[client] = (window, lease[1] - 1)
            return True

    def _lease(self, client: str, window: int, left: int) -> None:
        with self._leases_lock:
            if len(self._leases) > MAX_LEASES:
                self._leases.clear()
            self._leases[client] = (window, left)

    def _connection(self) -> sqlite3.Connection:
        # One connection per process and thread: a connection must not cross a fork.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Switching a new file to WAL does not wait for the busy timeout: two workers
            # starting at once got "database is locked" and let a request through uncounted.
            # The setup is therefore one process at a time, under a lock file beside it.
            # The lock stays open: every count takes it too (see retry_after).
            lock = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
            with _locked(lock):
                conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=OFF")  # counts need no durability
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS hits (client TEXT NOT NULL,"
                        " window INTEGER NOT NULL, count INTEGER NOT NULL,"
                        " PRIMARY KEY (client, window))"
                    )
                except sqlite3.Error:
                    conn.close()
                    lock.close()
                    raise
            self._local.conn, self._local.pid, self._local.lock = conn, os.getpid(), lock
        return conn

    def retry_after(self, client: str, now: float | None = None) -> float | None:
        """Record a request; ``None`` when allowed, else the seconds to wait."""
        now = time.time() if now is None else now
        window = int(now // WINDOW_SECONDS)
        elapsed = now - window * WINDOW_SECONDS
        if self._from_lease(client, window):
            return None
        try:
            conn = self._connection()
            # One writer at a time by the lock file, which wakes the next at once: SQLite's
            # own wait for a busy database sleeps 1 ms and more between tries, which at a few
            # thousand requests a second made every request wait for the counter.
            with _locked(self._local.lock):
                return self._count(conn, client, window, elapsed)
        except (sqlite3.Error, OSError) as exc:
            log.warning("rate limit counter %s unavailable: %s", self.path, exc)
            return None

    def _count(
        self, conn: sqlite3.Connection, client: str, window: int, elapsed: float
    ) -> float | None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            counts = dict(
                conn.execute(
                    "SELECT window, count FROM hits WHERE client = ? AND window IN (?, ?)",
                    (client, window - 1, window),
                ).fetchall()
            )
            previous, current = counts.get(window - 1, 0), counts.get(window, 0)
            weight = 1.0 - elapsed / WINDOW_SECONDS
            left = self.per_minute - (previous * weight + current)
            if left <= 0:
                return _wait(previous, current, elapsed, self.per_minute)
            taken = max(1, int(left) // LEASE_SHARE)
            conn.execute(
                "INSERT INTO hits VALUES (?, ?, ?) ON CONFLICT (client, window)"
                " DO UPDATE SET count = count + excluded.count",
                (client, window, taken),
            )
            if taken > 1:
                self._lease(client, window, taken - 1)
            if window != self._cleaned_window:  # forget finished minutes once a minute
                conn.execute("DELETE FROM hits WHERE window < ?", (window - 1,))
                self._cleaned_window = window
            return None
        finally:
            conn.execute("COMMIT")


@contextmanager
def _locked(lock: IO[str]) -> Iterator[None]:
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)


# Check and count in one step on the state service: the same sliding window as above.
_COUNT = """
local previous = tonumber(redis.call('GET', KEYS[1]) or '0')
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[2]) + current >= tonumber(ARGV[1]) then
  return {0, previous, current}
end
current = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {1, previous, current}
"""


class SharedRateLimiter:
    """The same limit as :class:`RateLimiter`, counted in the state service (the ``state``
    setting) so that every instance of the service sees every request of a client: one
    count per client address and minute, checked and incremented atomically by a Lua script.
    The windows follow each instance's clock (keep them in step with NTP). When the service
    cannot be reached the request is let through and the failure logged, as above."""

    def __init__(self, client: Redis, per_minute: int) -> None:
        self.per_minute = per_minute
        self._count = client.register_script(_COUNT)  # sent once, then called by its SHA1

    def retry_after(self, client: str, now: float | None = None) -> float | None:
        """Record a request; ``None`` when allowed, else the seconds to wait."""
        import redis

        now = time.time() if now is None else now
        window = int(now // WINDOW_SECONDS)
        elapsed = now - window * WINDOW_SECONDS
        weight = 1.0 - elapsed / WINDOW_SECONDS
        keys = [f"{PREFIX}rate:{client}:{window - 1}", f"{PREFIX}rate:{client}:{window}"]
        try:
            allowed, previous, current = self._count(
                keys, [self.per_minute, repr(weight), int(2 * WINDOW_SECONDS)]
            )
        except redis.RedisError as exc:
            log.warning("shared rate limit counter unavailable: %s", exc)
            return None
        if allowed:
            return None
        return _wait(int(previous), int(current), elapsed, self.per_minute)


def _wait(previous: int, current: int, elapsed: float, limit: int) -> float:
    """Seconds until the sliding count falls below ``limit`` if no request comes meanwhile."""
    if current < limit and previous > 0:
        # Within this minute: previous * (1 - (elapsed + t) / 60) + current < limit.
        return max(0.0, WINDOW_SECONDS * (previous + current - limit) / previous - elapsed)
    if current <= 0:  # a limit of 0 refuses everything
        return WINDOW_SECONDS - elapsed
    # Next minute: current * (1 - t / 60) < limit, after the rest of this one.
    return WINDOW_SECONDS - elapsed + WINDOW_SECONDS * (1.0 - limit / current)


def init_app(app: Flask) -> None:
    settings: Settings = app.config["CITYREF_SETTINGS"]
    limiter: RateLimiter | SharedRateLimiter
    if settings.state is None:
        limiter = RateLimiter(settings.store / "runtime" / "rate-limit.sqlite", settings.rate_limit)
    else:  # one count across instances; a short timeout, as every request waits for it
        limiter = SharedRateLimiter(connect(settings.state, timeout=1.0), settings.rate_limit)
    app.extensions["cityref.rate_limiter"] = limiter
    fairness.init_app(app)
    # Bodies are read in front of Flask, with a deadline and a size cap (408 / 413).
    app.wsgi_app = ReadBodyFirst(  # type: ignore[method-assign]
        app.wsgi_app, settings.max_upload_bytes, settings.request_body_timeout
    )

    @app.before_request
    def _rate_limit() -> Response | None:
        if request.method == "OPTIONS":
            return _preflight()
        if RATE_LIMIT_WAIT in request.environ:  # counted by app.http_cache's front already
            wait = request.environ[RATE_LIMIT_WAIT]
        else:
            wait = limiter.retry_after(request.remote_addr or "unknown")
        if wait is not None:
            seconds = max(1, int(wait + 0.999))
            raise ApiError(
                429,
                Bilingual(
                    f"リクエストが多すぎます。{seconds} 秒後に再試行してください",
                    f"too many requests: at most {limiter.per_minute}"
                    f" a minute; retry in {seconds} s",
                ),
                headers={"Retry-After": str(seconds)},
            )
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            # YASGUI and cytoscape set styles from script; no inline script is allowed.
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'",
        )
        # Read-only data for anyone: CORS without credentials.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault(
            "Access-Control-Expose-Headers",
            "ETag, X-Cityref-Truncated, X-Cityref-Row-Limit, Retry-After",
        )
        return response


def _preflight() -> Response:
    response = current_app.make_default_options_response()
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, If-None-Match"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response
