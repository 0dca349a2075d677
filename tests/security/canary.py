"""A canary HTTP server on loopback: it records every request that reaches it.

A test points SERVICE, LOAD, FROM, remote contexts and imports at the canary's address; any
request it logs is an outbound request the server or a worker should never have made.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Canary:
    """The canary's base URL and the requests it has seen (method, path, user agent)."""

    url: str
    port: int
    hits: list[tuple[str, str, str]] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)

    def outbound(self, settle_seconds: float = 0.5) -> list[str]:
        """Every request and bare connection seen, after late ones had time to arrive."""
        time.sleep(settle_seconds)
        requests = [f"{method} {path} ({agent})" for method, path, agent in self.hits]
        return requests + [f"connection from {peer}" for peer in self.connections]


class _Handler(http.server.BaseHTTPRequestHandler):
    canary: Canary

    def _record(self) -> None:
        self.canary.hits.append((self.command, self.path, self.headers.get("User-Agent", "")))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = _record  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def canary_server() -> Iterator[Canary]:
    """Serve the canary on a free loopback port for the duration of the block."""

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def verify_request(self, request: object, client_address: object) -> bool:
            canary.connections.append(str(client_address))
            return True

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    canary = Canary(f"http://127.0.0.1:{port}", port)
    handler = type("Handler", (_Handler,), {"canary": canary})
    server = Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield canary
    finally:
        server.shutdown()
        server.server_close()
