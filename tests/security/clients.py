"""Loopback clients with their own addresses, for the fairness tests and bench/fairness.py.

On loopback every client is 127.0.0.1; binding the client socket to another address of
127.0.0.0/8 (127.0.0.2, …) makes a second client as the server sees it.
"""

from __future__ import annotations

import http.client
import select
import socket
import time
import urllib.parse
from dataclasses import dataclass, field

#: A cartesian product the toy store cannot finish: it runs until the query time limit.
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
)
CHEAP = "ASK {}"


@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _split(base: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


def request(
    base: str,
    path: str,
    *,
    source: str = "127.0.0.1",
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Answer:
    """One request from ``source``; the answer and the seconds it took."""
    host, port = _split(base)
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Answer(
            response.status, time.monotonic() - started, data, dict(response.getheaders())
        )
    finally:
        conn.close()


def query(base: str, sparql: str, *, source: str = "127.0.0.1", timeout: float = 60.0) -> Answer:
    path = "/sparql?" + urllib.parse.urlencode({"query": sparql})
    return request(
        base, path, source=source, headers={"Accept": "application/json"}, timeout=timeout
    )


def slow_body(
    base: str,
    *,
    source: str = "127.0.0.3",
    interval: float = 2.0,
    length: int = 1000,
    give_up: float = 60.0,
) -> Answer:
    """POST a query whose body comes one byte every ``interval`` seconds; the answer the
    server gives meanwhile (or status 0 if it gave none within ``give_up``)."""
    host, port = _split(base)
    sock = socket.create_connection((host, port), timeout=give_up, source_address=(source, 0))
    started = time.monotonic()
    try:
        head = (
            f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/sparql-query\r\nAccept: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n"
        )
        sock.sendall(head.encode())
        sent = 0
        while time.monotonic() - started < give_up:
            readable, _, _ = select.select([sock], [], [], interval)
            if readable:
                return _read_answer(sock, started)
            if sent < length:
                try:
                    sock.sendall(b"#")
                except OSError:
                    return _read_answer(sock, started)
                sent += 1
        return Answer(0, time.monotonic() - started)
    finally:
        sock.close()


def slow_head(
    base: str, *, source: str = "127.0.0.3", interval: float = 2.0, give_up: float = 60.0
) -> float:
    """Send a request's headers one byte every ``interval`` seconds; the seconds until the
    server closed the connection (``give_up`` if it never did)."""
    host, port = _split(base)
    sock = socket.create_connection((host, port), timeout=give_up, source_address=(source, 0))
    started = time.monotonic()
    try:
        sock.sendall(f"GET /sparql HTTP/1.1\r\nHost: {host}:{port}\r\nX-Slow: ".encode())
        while time.monotonic() - started < give_up:
            readable, _, _ = select.select([sock], [], [], interval)
            try:
                if readable and not sock.recv(65536):
                    break  # closed by the server
                sock.sendall(b"a")
            except OSError:
                break
        return time.monotonic() - started
    finally:
        sock.close()


def chunked_post(
    base: str, path: str, total: int, *, content_type: str, source: str = "127.0.0.1"
) -> Answer:
    """POST ``total`` bytes in chunks (no Content-Length), as a streaming client does."""
    host, port = _split(base)
    sock = socket.create_connection((host, port), timeout=60, source_address=(source, 0))
    started = time.monotonic()
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
            "Accept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode())
        piece = b"# filler line of a large upload\n" * 2048
        sent = 0
        try:
            while sent < total:
                data = piece[: total - sent]
                sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
                sent += len(data)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the end: read what it said
        return _read_answer(sock, started)
    finally:
        sock.close()


def _read_answer(sock: socket.socket, started: float) -> Answer:
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                length = _content_length(head)
                if length is not None and len(rest) >= length:
                    break
    except OSError:
        pass
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return Answer(status, time.monotonic() - started, rest, headers)


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None
