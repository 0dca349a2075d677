"""gunicorn's threaded worker with a deadline for each request's head, that leaves new
connections to the other worker processes while all its threads are busy.

gthread waits for a connection's first bytes without holding a thread, but then reads the
request line and headers in a thread with no time limit: a client sending a header byte
every few seconds held that thread for ever (64 such sockets stalled a default server).
Here the head must arrive within ``request_body_timeout``; at the deadline the socket's
reading side is shut, the parse ends and the connection is closed. The app's front
(:class:`app.body.ReadBodyFirst`) ends the head's deadline and applies its own to the body.

gthread also accepts connections while every thread is busy and queues them behind the
busy ones; a process whose threads all hold slow clients then kept a cheap request waiting
although another process had threads free. Here a process stops accepting while all its
threads are busy, so the connection waits in the listen queue for a process that has one.
"""

from __future__ import annotations

import threading
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from app.body import end_request_head, watch_request_head
from cityref.settings import Settings, load_settings


class DeadlineThreadWorker(ThreadWorker):  # type: ignore[misc]
    """``gthread`` whose request heads have a deadline and that accepts only with a free
    thread."""

    _busy_threads = 0
    _connections_limit = 1000

    def init_process(self) -> None:
        # self.app is cityref's gunicorn application (app.command), which holds the settings.
        settings = getattr(self.app, "settings", None)
        if not isinstance(settings, Settings):
            settings = load_settings()
        self.head_timeout = settings.request_body_timeout
        self._busy_lock = threading.Lock()
        super().init_process()

    @property
    def worker_connections(self) -> int:
        """What gthread's loop compares its open connections with before it accepts: none
        more while every thread is busy."""
        if self._busy_threads >= self.cfg.threads:
            return 0
        return self._connections_limit

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._connections_limit = value

    def handle(self, conn: Any) -> Any:
        with self._busy_lock:
            self._busy_threads += 1
        ticket = watch_request_head(conn.sock, self.head_timeout)
        try:
            return super().handle(conn)
        finally:
            end_request_head(conn.sock, ticket)
            with self._busy_lock:
                self._busy_threads -= 1
