"""A query worker's queries to a remote store share one kept-alive connection, survive a
server that closed it while idle, and read the pointer once per lease, not once per query."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cityref.store.remote import LEASE_SECONDS, POINTER_GRAPH, RemoteEndpoints, RemoteStore
from cityref.store.remote_http import keep_connections_alive

ROWS = (
    b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    b'[{"x": {"type": "literal", "value": "1"}}]}}'
)
POINTER = (
    b'{"head": {"vars": ["b", "n", "settled", "next"]}, "results": {"bindings": [{'
    b'"b": {"type": "literal", "value": "b1"}, "n": {"type": "literal", "value": "0"}, '
    b'"settled": {"type": "literal", "value": "true"}}]}}'
)
GRAPHS = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, close_each: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.queries: list[str] = []
        self.close_each = close_each  # close the connection after each answer, silently


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        query = form["query"][0]
        self.server.queries.append(query)
        body = ROWS
        if POINTER_GRAPH in query:
            body = POINTER if "?settled" in query else GRAPHS
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = self.server.close_each

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _kept_alive_store(close_each: bool = False) -> Iterator[tuple[_Server, RemoteStore]]:
    server = _Server(close_each)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/query"
    endpoints = RemoteEndpoints(url, url, url)
    keep_connections_alive(endpoints)
    try:
        yield server, RemoteStore.open_build(endpoints, "b1", timeout=5)
    finally:
        urllib.request.install_opener(None)  # back to urllib's own
        server.shutdown()
        server.server_close()


def _ask(store: RemoteStore) -> bytes:
    return store.query("SELECT ?x WHERE { ?x ?p ?o }", result_format="csv", max_rows=10).data


@pytest.mark.parametrize("close_each", [False, True])
def test_queries_share_a_connection_and_survive_one_closed_while_idle(close_each: bool) -> None:
    with _kept_alive_store(close_each) as (server, store):
        answers = [_ask(store) for _ in range(5)]
    assert answers == [b"x\r\n1\r\n"] * 5
    # open_build's graph list; the first query, checked as a new store's answers are (the
    # pointer, the graph list, the query again, the pointer: the lease begins); then 4
    # queries inside the lease: 10 requests, 2 of them pointer reads.
    assert len(server.queries) == 10
    assert sum(POINTER_GRAPH in q and "?settled" in q for q in server.queries) == 2
    assert server.connections == (10 if close_each else 1)


def test_the_pointer_is_read_again_once_the_lease_is_over() -> None:
    with _kept_alive_store() as (server, store):
        _ask(store)
        threading.Event().wait(LEASE_SECONDS + 0.1)
        _ask(store)
    pointer_reads = [q for q in server.queries if POINTER_GRAPH in q and "?settled" in q]
    assert len(pointer_reads) == 3  # 2 for the first query (see above), 1 after the lease
