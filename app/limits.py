"""Per-client limits (requests a minute, expensive work at once, request bodies), CORS and
the security headers every answer carries."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, Response, current_app, request

from app import fairness
from app.body import ReadBodyFirst
from app.errors import ApiError
from cityref.settings import Settings
from cityref.text import Bilingual

WINDOW_SECONDS = 60.0
log = logging.getLogger(__name__)


class RateLimiter:
    """Requests per client address and minute, shared by every worker of a server.

    A sliding-window counter: the count of the current minute plus the previous minute's
    count weighted by the share of it still inside the last 60 s. The counts live in SQLite
    next to the store, so the server's worker processes see one another's requests; a
    transaction per request keeps check and increment atomic. When the counter file cannot
    be written the request is let through and the failure logged: a broken limiter must
    not take the service down.
    """

    def __init__(self, path: Path, per_minute: int) -> None:
        self.path = path
        self.per_minute = per_minute
        self._local = threading.local()
        self._cleaned_window = -1

    def _connection(self) -> sqlite3.Connection:
        # One connection per process and thread: a connection must not cross a fork.
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")  # counts need no durability
            conn.execute(
                "CREATE TABLE IF NOT EXISTS hits (client TEXT NOT NULL, window INTEGER NOT NULL,"
                " count INTEGER NOT NULL, PRIMARY KEY (client, window))"
            )
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def retry_after(self, client: str, now: float | None = None) -> float | None:
        """Record a request; ``None`` when allowed, else the seconds to wait."""
        now = time.time() if now is None else now
        window = int(now // WINDOW_SECONDS)
        elapsed = now - window * WINDOW_SECONDS
        try:
            conn = self._connection()
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
                if previous * weight + current >= self.per_minute:
                    return _wait(previous, current, elapsed, self.per_minute)
                conn.execute(
                    "INSERT INTO hits VALUES (?, ?, 1) ON CONFLICT (client, window)"
                    " DO UPDATE SET count = count + 1",
                    (client, window),
                )
                if window != self._cleaned_window:  # forget finished minutes once a minute
                    conn.execute("DELETE FROM hits WHERE window < ?", (window - 1,))
                    self._cleaned_window = window
                return None
            finally:
                conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            log.warning("rate limit counter %s unavailable: %s", self.path, exc)
            return None


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
    limiter = RateLimiter(settings.store / "runtime" / "rate-limit.sqlite", settings.rate_limit)
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
