"""A small HTTP/1.1 load generator: keep-alive connections in several processes.

A thread pool over urllib tops out at a few thousand requests a second, below what Oxigraph
server answers: the client, not the server, would be measured. Here every connection sends
prepared request bytes on one socket and reads the answer by its Content-Length (or its
chunks), and the connections are spread over processes so that one interpreter's lock does
not cap them.
"""

from __future__ import annotations

import multiprocessing
import socket
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """What one load run measured."""

    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def get_request(host: str, port: int, target: str, headers: dict[str, str]) -> bytes:
    """The bytes of a keep-alive GET of ``target`` (path and query, already encoded)."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def form_post_request(
    host: str, port: int, path: str, fields: list[tuple[str, str]], headers: dict[str, str]
) -> bytes:
    """The bytes of a keep-alive POST of ``fields`` as an HTML form (for a request too long
    for a URL, e.g. a SPARQL query naming hundreds of graphs)."""
    body = urllib.parse.urlencode(fields).encode("ascii")
    form = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))}
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in (headers | form).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


class _Reader:
    """Answers read from one socket, each up to its end (Content-Length or chunks)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _take(self, count: int) -> None:
        while len(self.buffer) < count:
            self._fill()
        self.buffer = self.buffer[count:]

    def status(self) -> int:
        """Read one answer; its status code."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                size = int(self._line().split(b";")[0], 16)
                self._take(size + 2)
                if size == 0:
                    break
        elif status != 304 and status >= 200:
            self._take(int(fields.get(b"content-length", b"0")))
        return status


def _connection(
    host: str, port: int, requests: list[bytes], offset: int, deadline: float, out: list[object]
) -> None:
    done, errors, latencies = 0, 0, []
    sock: socket.socket | None = None
    reader: _Reader | None = None
    while time.monotonic() < deadline:
        request = requests[(offset + done) % len(requests)]
        started = time.perf_counter()
        try:
            if sock is None or reader is None:
                sock = socket.create_connection((host, port), timeout=60)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                reader = _Reader(sock)
            sock.sendall(request)
            status = reader.status()
            if status not in (200, 304):
                errors += 1
        except OSError:
            errors += 1
            if sock is not None:
                sock.close()
            sock, reader = None, None
        latencies.append((time.perf_counter() - started) * 1000)
        done += 1
    if sock is not None:
        sock.close()
    out.append((done, errors, latencies))


def _process(
    host: str,
    port: int,
    requests: list[bytes],
    connections: int,
    first: int,
    deadline: float,
    queue: multiprocessing.Queue[tuple[int, int, list[float]]],
) -> None:
    out: list[object] = []
    threads = [
        threading.Thread(target=_connection, args=(host, port, requests, first + i, deadline, out))
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = sum(o[0] for o in out)  # type: ignore[index]
    errors = sum(o[1] for o in out)  # type: ignore[index]
    latencies = [latency for o in out for latency in o[2]]  # type: ignore[index]
    queue.put((done, errors, latencies))


def load(
    name: str,
    host: str,
    port: int,
    requests: list[bytes],
    *,
    connections: int = 16,
    seconds: float = 10.0,
    processes: int = 4,
) -> Run:
    """``connections`` keep-alive connections sending ``requests`` in turn for ``seconds``;
    an answer other than 200 or 304 (or a broken connection) counts as an error."""
    processes = max(1, min(processes, connections))
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[int, int, list[float]]] = context.Queue()
    started = time.monotonic()
    deadline = started + seconds
    workers = []
    for index in range(processes):
        share = connections // processes + (1 if index < connections % processes else 0)
        first = index * len(requests) // processes
        args = (host, port, requests, share, first, deadline, queue)
        workers.append(context.Process(target=_process, args=args))
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return Run(
        name,
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        elapsed,
        [latency for r in results for latency in r[2]],
    )
