"""bench/http_load.py, the load generator of bench/scale.py: it reads answers of a known length,
chunked answers and 304s on kept-alive connections, and counts an error status as an error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.http_load import form_post_request, get_request, load


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Oxigraph server and gunicorn answer

    def do_GET(self) -> None:
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"first part", b"second"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/not-modified":
            self.send_response(304)
            self.send_header("ETag", '"x"')
            self.end_headers()
        else:
            body = b"missing" if self.path == "/missing" else b'{"boolean": true}'
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers["Content-Length"]))
        body = b"read" if form == b"query=ASK+%7B%7D&graph=urn%3Ax" else b"garbled"
        self.send_response(200 if body == b"read" else 400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_every_kind_of_answer_is_read_on_kept_connections() -> None:
    with _server() as port:
        requests = [
            get_request("127.0.0.1", port, path, {"Accept": "application/json"})
            for path in ("/sized", "/chunked", "/not-modified")
        ]
        run = load("mixed", "127.0.0.1", port, requests, connections=4, seconds=0.5, processes=2)
        missing = [get_request("127.0.0.1", port, "/missing", {})]
        refused = load("missing", "127.0.0.1", port, missing, connections=2, seconds=0.3)
    assert run.requests > 30 and run.errors == 0
    assert len(run.latencies_ms) == run.requests and run.p50 <= run.percentile(99)
    assert refused.requests > 0 and refused.errors == refused.requests


def test_forms_are_posted_whole_on_kept_connections() -> None:
    with _server() as port:
        fields = [("query", "ASK {}"), ("graph", "urn:x")]
        posted = [form_post_request("127.0.0.1", port, "/query", fields, {"Accept": "*/*"})]
        run = load("posted", "127.0.0.1", port, posted, connections=2, seconds=0.3)
    assert run.requests > 10 and run.errors == 0
