"""The app's front reads every request body before a view sees it, with a deadline and a cap.

A slow client (one byte every few seconds) may hold a request thread for at most
``request_body_timeout`` seconds: a watchdog shuts the socket's reading side at the deadline,
which wakes a read blocked in the socket, and the answer is 408. The head of a request (line
and headers) has the same deadline (see :mod:`app.gunicorn_worker`). A body larger than
``max_upload_bytes`` is a 413 whether its length was declared or it came in chunks: it is
never cut and handed on. A body within the limits is handed to the app as a file (in memory
when small, on disk when large) with its length set, so views read it at memory speed.
A refusal is answered here as JSON or plain text, or, for a browser, as the app's error page:
the app is then called with no body and told of the refusal (:data:`app.errors.REFUSED_BODY`).
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import parse_qs

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from app.errors import ANSWER_TYPES, REFUSED_BODY, error_body, error_text
from app.i18n import language_asked
from cityref.text import Bilingual

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

READ_STEP = 64 * 1024
#: Bodies up to this size stay in memory; larger ones are spooled to a temporary file.
IN_MEMORY_BYTES = 1024 * 1024
#: After a body is found too large, this much more is read and dropped, so that a client
#: still sending sees the 413 instead of a connection reset.
DRAIN_BYTES = 8 * 1024 * 1024


class BodyTooSlow(Exception):
    pass


class BodyTooLarge(Exception):
    pass


class _Watchdog:
    """One thread per process that shuts the reading side of sockets whose deadline passed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._pending: dict[int, socket.socket] = {}
        self._fired: set[int] = set()
        self._ids = itertools.count()
        self._pid = -1

    def watch(self, sock: socket.socket, deadline: float) -> int:
        """Shut ``sock`` for reading at ``deadline`` unless :meth:`done` comes first."""
        with self._condition:
            if self._pid != os.getpid():  # first use in this process (or after a fork)
                self._pid = os.getpid()
                self._heap, self._pending, self._fired = [], {}, set()
                threading.Thread(target=self._run, name="body-watchdog", daemon=True).start()
            ticket = next(self._ids)
            self._pending[ticket] = sock
            heapq.heappush(self._heap, (deadline, ticket))
            self._condition.notify()
            return ticket

    def done(self, ticket: int) -> bool:
        """Stop watching; ``True`` when the deadline had already fired."""
        with self._condition:
            self._pending.pop(ticket, None)
            if ticket in self._fired:
                self._fired.discard(ticket)
                return True
            return False

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._heap:
                    self._condition.wait()
                deadline, ticket = self._heap[0]
                if ticket not in self._pending:  # done before its deadline
                    heapq.heappop(self._heap)
                    continue
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._condition.wait(delay)
                    continue
                heapq.heappop(self._heap)
                sock = self._pending.pop(ticket)
                self._fired.add(ticket)
            with contextlib.suppress(OSError):  # already closed: nothing to wake
                sock.shutdown(socket.SHUT_RD)  # a blocked recv() returns at once


_watchdog = _Watchdog()
#: Deadlines for a request's head (request line and headers), by socket: set by the server's
#: worker (app.gunicorn_worker) before it parses a request, ended when the app is called.
_head_tickets: dict[int, int] = {}
_head_lock = threading.Lock()


def watch_request_head(sock: socket.socket, timeout: float) -> int:
    """A deadline for the head of the next request on ``sock``; returns its ticket."""
    ticket = _watchdog.watch(sock, time.monotonic() + timeout)
    with _head_lock:
        _head_tickets[id(sock)] = ticket
    return ticket


def end_request_head(sock: object, ticket: int | None = None) -> None:
    """The head arrived (or the request is over): its deadline no longer applies."""
    with _head_lock:
        if ticket is None or _head_tickets.get(id(sock)) == ticket:
            ticket = _head_tickets.pop(id(sock), ticket)
    if ticket is not None:
        _watchdog.done(ticket)


class ReadBodyFirst:
    """WSGI middleware: read the body within the deadline and the size cap, then call the app."""

    def __init__(self, app: WSGIApplication, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        end_request_head(environ.get("gunicorn.socket"))
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            invalid = Bilingual("Content-Length が不正です", "invalid Content-Length")
            return self._refuse(environ, start_response, 400, invalid)
        if not chunked and declared <= 0:
            return self.app(environ, start_response)
        try:
            body, size = self._read(environ, None if chunked else declared)
        except BodyTooSlow:
            return self._refuse(
                environ,
                start_response,
                408,
                Bilingual(
                    f"リクエスト本文が {self.timeout:g} 秒以内に届きませんでした",
                    f"the request body was not received within {self.timeout:g} s",
                ),
            )
        except BodyTooLarge:
            return self._refuse(
                environ,
                start_response,
                413,
                Bilingual(
                    f"リクエスト本文が {self.max_bytes} バイトを超えています",
                    f"the request body is larger than {self.max_bytes} bytes",
                ),
            )
        except Exception:  # the server's reader refused the stream (bad chunk, early end, …)
            return self._refuse(
                environ,
                start_response,
                400,
                Bilingual(
                    "リクエスト本文を最後まで読み取れませんでした",
                    "the request body could not be read to its end",
                ),
            )
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)

    def _refuse(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        status: int,
        message: Bilingual,
    ) -> Iterable[bytes]:
        """The answer to a body refused here: JSON or plain text as :func:`_answer` makes
        it; for a browser, the app's error page (in the page's language), the app being
        told of the refusal in the environ and given no body."""
        accept = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
        if accept.best_match(ANSWER_TYPES) != "text/html":
            return _answer(environ, start_response, status, message)
        environ[REFUSED_BODY] = (status, message)
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = "0"
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        _close_after(start_response)
        return self.app(environ, start_response)

    def _read(self, environ: WSGIEnvironment, declared: int | None) -> tuple[IO[bytes], int]:
        stream = environ["wsgi.input"]
        sock = environ.get("gunicorn.socket")
        deadline = time.monotonic() + self.timeout
        ticket = _watchdog.watch(sock, deadline) if isinstance(sock, socket.socket) else None
        fired = False
        body: IO[bytes] | None = None
        try:
            if declared is not None and declared > self.max_bytes:
                _drain(stream, deadline, min(declared, DRAIN_BYTES))
                raise BodyTooLarge()
            body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
            size = 0
            while declared is None or size < declared:
                chunk = stream.read(
                    READ_STEP if declared is None else min(READ_STEP, declared - size)
                )
                if time.monotonic() > deadline:
                    raise BodyTooSlow()
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    _drain(stream, deadline, DRAIN_BYTES)
                    raise BodyTooLarge()
                body.write(chunk)
            if declared is not None and size < declared:
                raise ValueError("the body ended early")
            body.seek(0)
            return body, size
        except BodyTooLarge:
            if body is not None:
                body.close()
            raise
        except Exception:
            if body is not None:
                body.close()
            if ticket is not None:
                fired = _watchdog.done(ticket)
                ticket = None
            if fired or time.monotonic() > deadline:
                raise BodyTooSlow() from None
            raise
        finally:
            if ticket is not None:
                _watchdog.done(ticket)


def _drain(stream: Any, deadline: float, limit: int) -> None:
    """Read and drop up to ``limit`` bytes, until the deadline at most."""
    dropped = 0
    try:
        while dropped < limit and time.monotonic() < deadline:
            chunk = stream.read(min(READ_STEP, limit - dropped))
            if not chunk:
                return
            dropped += len(chunk)
    except Exception:
        return  # the answer is a 413 whatever the rest of the stream holds


def _answer(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    status: int,
    message: Bilingual,
) -> Iterable[bytes]:
    """A bilingual error, JSON or plain text as the client accepts, in the language asked
    (as :class:`app.errors.ApiError`); the connection closes, since the rest of the body
    (if any) was not read."""
    accept = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    lang = language_asked(query.get("lang", [None])[0], environ.get("HTTP_ACCEPT_LANGUAGE"))
    if accept.best_match(["application/json", "text/plain"]) == "text/plain":
        data = error_text(message, lang).encode()
        content_type = "text/plain; charset=utf-8"
    else:
        data = json.dumps(error_body(status, message, lang), ensure_ascii=False).encode()
        content_type = "application/json"
    reason = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large"}[status]
    _close_after(start_response)
    start_response(
        f"{status} {reason}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(data))),
            ("Connection", "close"),
            ("X-Content-Type-Options", "nosniff"),
            ("Access-Control-Allow-Origin", "*"),
        ],
    )
    return [data]


def _close_after(start_response: StartResponse) -> None:
    """Close the connection after this answer. gunicorn drops an application's Connection
    header; its response object (the owner of start_response) closes the connection when
    told to, so the unread rest of the body is never parsed as a next request."""
    server_response = getattr(start_response, "__self__", None)
    force_close = getattr(server_response, "force_close", None)
    if callable(force_close):
        force_close()
