"""gunicorn's threaded worker with a deadline for each request's head.

gthread waits for a connection's first bytes without holding a thread, but then reads the
request line and headers in a thread with no time limit: a client sending a header byte
every few seconds held that thread for ever (64 such sockets stalled a default server).
Here the head must arrive within ``request_body_timeout``; at the deadline the socket's
reading side is shut, the parse ends and the connection is closed. The app's front
(:class:`app.body.ReadBodyFirst`) ends the head's deadline and applies its own to the body.
"""

from __future__ import annotations

from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from app.body import end_request_head, watch_request_head
from cityref.settings import Settings, load_settings


class DeadlineThreadWorker(ThreadWorker):  # type: ignore[misc]
    """``gthread`` whose request heads have a deadline."""

    def init_process(self) -> None:
        # self.app is cityref's gunicorn application (app.command), which holds the settings.
        settings = getattr(self.app, "settings", None)
        if not isinstance(settings, Settings):
            settings = load_settings()
        self.head_timeout = settings.request_body_timeout
        super().init_process()

    def handle(self, conn: Any) -> Any:
        ticket = watch_request_head(conn.sock, self.head_timeout)
        try:
            return super().handle(conn)
        finally:
            end_request_head(conn.sock, ticket)
