"""``cityref validate --endpoint``, as typed: a report of the data at a real Oxigraph server,
credentials only from the settings (never printed), and a clear error for an endpoint that
cannot be reached, one that is not there, or an answer that is not SPARQL results."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.servers import free_port, serving_in_a_thread
from tests.sparql_servers import Endpoints, put_graph

GRAPH = "urn:cityref:test:in-place-cli"
INVALID = REPO / "shapes/gif-facility/examples/invalid/facility.ttl"


def _cityref(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityref", *args],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )  # fmt: skip


def _ntriples(path: Path) -> bytes:
    from pyoxigraph import RdfFormat, parse, serialize

    quads = parse(path.read_bytes(), RdfFormat.TURTLE)
    return serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES) or b""


def test_validates_a_named_graph_in_place(oxigraph_server: Endpoints) -> None:
    put_graph(oxigraph_server, GRAPH, _ntriples(INVALID))
    done = _cityref(
        "validate", "--endpoint", oxigraph_server.query, "--graph", GRAPH,
        "--profile", "gif-facility", "--format", "json", "--quiet",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert '"conforms": false' in done.stdout
    assert "compiled-in-place" in done.stdout
    assert "PoiCode" in done.stdout  # the malformed POI code "A1" of the example


def test_a_configured_name_brings_credentials_that_are_never_shown(
    oxigraph_server: Endpoints,
) -> None:
    env = {
        "CITYREF_VALIDATION_ENDPOINTS": f"city={oxigraph_server.query}",
        "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS": "city=reader:s3cret",
    }
    put_graph(oxigraph_server, GRAPH, _ntriples(INVALID))
    done = _cityref(
        "validate", "--endpoint", "city", "--graph", GRAPH, "--profile", "gif-facility",
        "--quiet", env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # Oxigraph ignores the Basic credentials
    shown = _cityref("settings", env=env)
    assert "s3cret" not in shown.stdout and "= ********" in shown.stdout


@pytest.fixture
def not_sparql() -> Iterator[str]:
    """A web server that answers every POST with an HTML page."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<html><body>hello</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving_in_a_thread(Page) as base:
        yield base + "/sparql"


def test_errors_say_what_in_both_languages(oxigraph_server: Endpoints, not_sparql: str) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/query"
    cases = {
        unreachable: ("接続できません", "cannot reach the SPARQL endpoint"),
        oxigraph_server.query.replace("/query", "/nothing"): ("エラーを返しました", "HTTP 404"),
        not_sparql: ("SPARQL の結果", "not SPARQL results"),
        "ftp://example.org/sparql": ("http(s) の URL", "must be an http(s) URL"),
    }
    for url, (ja, en) in cases.items():
        done = _cityref("validate", "--endpoint", url, "--profile", "gif-facility", "--quiet")
        assert done.returncode == 2, (url, done.stdout)
        assert ja in done.stderr and en in done.stderr and "Traceback" not in done.stderr


def test_usage_errors() -> None:
    done = _cityref("validate", "--endpoint", "http://127.0.0.1:1/q", "x.ttl", "--profile", "a")
    assert done.returncode == 2 and "not both" in done.stderr
    done = _cityref("validate", "--graph", "urn:x", "x.ttl")
    assert done.returncode == 2 and "--graph goes with --endpoint" in done.stderr


def test_digest_credentials_from_settings_at_virtuoso(virtuoso_server: Endpoints) -> None:
    """Virtuoso's /sparql-auth wants HTTP Digest: Basic is refused, Digest follows."""
    put_graph(virtuoso_server, GRAPH, _ntriples(INVALID))
    args = ("validate", "--endpoint", "v", "--graph", GRAPH, "--profile", "gif-facility")
    endpoints = f"v={virtuoso_server.update}"  # the authenticated endpoint also answers queries
    right = f"v={virtuoso_server.user}:{virtuoso_server.password}"
    env = {"CITYREF_VALIDATION_ENDPOINTS": endpoints}
    done = _cityref(*args, "--quiet", env={**env, "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS": right})
    assert done.returncode == 1, done.stderr
    wrong = {**env, "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS": "v=dba:wrong"}
    done = _cityref(*args, "--quiet", env=wrong)
    assert done.returncode == 2 and "HTTP 401" in done.stderr and "認証" in done.stderr
