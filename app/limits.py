"""Per-client rate limit, CORS and the security headers every answer carries."""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import Flask, Response, current_app, request

from app.errors import ApiError
from cityref.settings import Settings

WINDOW_SECONDS = 60.0


class RateLimiter:
    """A sliding one-minute window of request times per client address.

    Kept in each server process: with N workers a client may make up to N times the limit,
    which still bounds it; docs/security.md says so.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> float | None:
        """Record a request; ``None`` when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= WINDOW_SECONDS:
                times.popleft()
            if len(times) >= self.per_minute:
                return WINDOW_SECONDS - (now - times[0])
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle clients so memory stays bounded
                for key in [k for k, v in self._seen.items() if not v]:
                    del self._seen[key]
            return None


def init_app(app: Flask) -> None:
    settings: Settings = app.config["CITYREF_SETTINGS"]
    limiter = RateLimiter(settings.rate_limit)
    app.extensions["cityref.rate_limiter"] = limiter

    @app.before_request
    def _rate_limit() -> Response | None:
        if request.method == "OPTIONS":
            return _preflight()
        wait = limiter.retry_after(request.remote_addr or "unknown")
        if wait is not None:
            seconds = max(1, int(wait + 0.999))
            raise ApiError(
                429,
                f"too many requests: at most {limiter.per_minute} a minute; retry in {seconds} s",
                f"リクエストが多すぎます。{seconds} 秒後に再試行してください",
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
