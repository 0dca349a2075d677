"""Against a real server (gunicorn, worker processes) on a free loopback port."""

from __future__ import annotations

import http.server
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from tests.conftest import TOY
from tests.servers import running_server, serving_in_a_thread

SCHOOLS = "SELECT ?s WHERE { ?s a <https://example.org/toy#School> } ORDER BY ?s"
SCHOOL_IRIS = ["https://example.org/toy#school1", "https://example.org/toy#school2"]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + "}"
TIME_LIMIT = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = {
        "CITYREF_STORE": str(tmp_path_factory.mktemp("live") / "store"),
        "CITYREF_SOURCES": str(TOY),
        "CITYREF_QUERY_TIMEOUT": str(TIME_LIMIT),
        "CITYREF_MAX_ROWS": "100",
        "CITYREF_RATE_LIMIT": "1000000",
        "CITYREF_WORKERS": "4",
        # One address plays 32 clients here: the per-client limits are tested in tests/security.
        "CITYREF_CLIENT_CONCURRENCY": "64",
        "CITYREF_CLIENT_QUEUE": "64",
    }
    with running_server(settings, tmp_path_factory.mktemp("live-log")) as url:
        yield url


class _Canary(http.server.BaseHTTPRequestHandler):
    """Counts every request that reaches it: any at all means the server went out."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def do_POST(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[str]:
    _Canary.hits = []
    with serving_in_a_thread(_Canary) as url:
        yield url


def _wrapper(server: str, fmt: str, query: str = SCHOOLS) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def test_sparqlwrapper_select_in_every_result_format(server: str) -> None:
    as_json = _wrapper(server, JSON).queryAndConvert()
    assert [b["s"]["value"] for b in as_json["results"]["bindings"]] == SCHOOL_IRIS  # type: ignore[index]
    as_xml = _wrapper(server, XML).queryAndConvert()
    uris = [node.firstChild.data for node in as_xml.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert uris == SCHOOL_IRIS
    as_csv = _wrapper(server, CSV).queryAndConvert()
    assert as_csv.decode().split() == ["s", *SCHOOL_IRIS]  # type: ignore[union-attr]
    as_tsv = _wrapper(server, TSV).queryAndConvert()
    assert as_tsv.decode().split() == ["?s", *(f"<{i}>" for i in SCHOOL_IRIS)]  # type: ignore[union-attr]


def test_sparqlwrapper_post_form_and_post_direct(server: str) -> None:
    for method in (POST, POSTDIRECTLY):
        sparql = _wrapper(server, JSON)
        sparql.setMethod(POST)
        if method == POSTDIRECTLY:
            sparql.setRequestMethod(POSTDIRECTLY)
        result = sparql.queryAndConvert()
        assert [b["s"]["value"] for b in result["results"]["bindings"]] == SCHOOL_IRIS  # type: ignore[index]


@pytest.mark.parametrize("fmt", [TURTLE, XML, JSONLD])
def test_sparqlwrapper_construct(server: str, fmt: str) -> None:
    query = "CONSTRUCT WHERE { ?s a <https://example.org/toy#School> }"
    result = _wrapper(server, fmt, query).queryAndConvert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(data=result)
    assert len(graph) == 2


def test_ask_and_several_default_graphs(server: str) -> None:
    assert _wrapper(server, JSON, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True  # type: ignore[index]
    sparql = _wrapper(server, JSON, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sparql.addDefaultGraph("https://w3id.org/cityref/graph/registry/places")
    sparql.addDefaultGraph("https://w3id.org/cityref/graph/shapes/facility")
    count = sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"]  # type: ignore[index]
    assert int(count) > 5


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _query_url(server: str, query: str) -> str:
    return server + "/sparql?" + urllib.parse.urlencode({"query": query})


def test_bad_query_is_400_and_update_is_refused(server: str) -> None:
    assert _get(_query_url(server, "SELECT WHERE"))[0] == 400
    update = server + "/sparql?" + urllib.parse.urlencode({"update": "DROP ALL"})
    assert _get(update)[0] == 403


def test_service_and_from_never_reach_the_network(server: str, canary: str) -> None:
    for query in (
        f"SELECT * WHERE {{ SERVICE <{canary}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{canary}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{canary}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{canary}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ):
        status, _body = _get(_query_url(server, query))
        assert status == 400
    update = server + "/sparql?" + urllib.parse.urlencode({"update": f"LOAD <{canary}/x>"})
    assert _get(update)[0] == 403
    time.sleep(0.2)
    assert _Canary.hits == []


def test_endless_query_stops_within_the_limit_and_the_server_keeps_answering(server: str) -> None:
    started = time.monotonic()
    status, body = _get(_query_url(server, SLOW))
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert elapsed < TIME_LIMIT + 2
    assert b"time limit" in body
    assert _get(_query_url(server, SCHOOLS))[0] == 200


@pytest.mark.slow
def test_32_concurrent_clients_for_20_seconds_get_no_errors(server: str) -> None:
    deadline = time.monotonic() + 20
    queries = [_query_url(server, SCHOOLS), server + "/def/toy/central-park", server + "/sparql"]

    def client(number: int) -> tuple[int, list[int]]:
        done, failures = 0, []
        while time.monotonic() < deadline:
            status, _ = _get(queries[(number + done) % len(queries)])
            if status != 200:
                failures.append(status)
            done += 1
        return done, failures

    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(client, range(32)))
    assert sum(done for done, _ in outcomes) > 32
    assert [f for _, failures in outcomes for f in failures] == []
