"""The smaller protocol findings of issue 11 (item 15), one test each, with the Flask client:
an unknown function, the Host header in the service description, the query size limit on
updates, unknown graphs in the protocol dataset, UTF-8 in every place a query can come from,
and the answers to the query layer's limits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.query_service import QueryService
from cityref.errors import Busy, QueryResourceLimit, QueryWorkerCrashed
from cityref.services.tokens import create_token
from cityref.settings import load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, TOY

MAX_QUERY_BYTES = 4096
KNOWN_GRAPH = BASE_IRI + "graph/registry/places"
UNKNOWN_GRAPH = BASE_IRI + "graph/no-such-graph"
SCHOOLS = "SELECT ?s WHERE { ?s a <https://example.org/toy#School> }"
SPARQL_UPDATE = "application/sparql-update"


@pytest.fixture(scope="module")
def edge_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("edges")
    shutil.copytree(TOY, folder / "sources")
    build_store(folder / "store", ModelFiles(folder / "sources", BASE_IRI))
    settings = load_settings(
        {
            "CITYREF_STORE": str(folder / "store"),
            "CITYREF_SOURCES": str(folder / "sources"),
            "CITYREF_TOKENS_FILE": str(folder / "tokens.json"),
            "CITYREF_ALLOW_UPDATES": "true",
            "CITYREF_QUERY_TIMEOUT": "5",
            "CITYREF_MAX_QUERY_BYTES": str(MAX_QUERY_BYTES),
            "CITYREF_RATE_LIMIT": "1000000",
        }
    )
    app = create_app(settings, {"TESTING": True})
    app.config["WRITER"] = create_token(settings.tokens_file, "writer", "write")
    yield app


@pytest.fixture
def client(edge_app: Flask) -> FlaskClient:
    return edge_app.test_client()


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.data[:300]
    assert response.json["error"]["ja"]
    return str(response.json["error"]["en"])


def test_an_unknown_function_is_a_client_error(client: FlaskClient) -> None:
    query = "SELECT (<https://example.org/no-such-function>(1) AS ?x) WHERE {}"
    said = _error(client.get("/sparql", query_string={"query": query}), 400)
    assert "https://example.org/no-such-function" in said


def test_the_service_description_does_not_echo_the_host_header(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        headers={"Host": "evil.example", "Accept": "text/turtle"},
        base_url="http://evil.example",
    )
    assert response.status_code == 200
    assert b"evil.example" not in response.data
    assert f"<{BASE_IRI}sparql>".encode() in response.data


@pytest.mark.parametrize("how", ["body", "form"])
def test_updates_have_the_query_size_limit(client: FlaskClient, edge_app: Flask, how: str) -> None:
    padding = "#" + "x" * MAX_QUERY_BYTES + "\n"
    update = padding + "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    auth = {"Authorization": f"Bearer {edge_app.config['WRITER']}"}
    if how == "body":
        response = client.post("/sparql", data=update, content_type=SPARQL_UPDATE, headers=auth)
    else:
        response = client.post("/sparql", data={"update": update}, headers=auth)
    assert f"longer than {MAX_QUERY_BYTES} bytes" in _error(response, 413)


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_an_unknown_graph_in_the_protocol_dataset_is_refused_as_from_is(
    client: FlaskClient, parameter: str
) -> None:
    by_parameter = client.get("/sparql", query_string={"query": SCHOOLS, parameter: UNKNOWN_GRAPH})
    said = _error(by_parameter, 400)
    assert said == f"{parameter} <{UNKNOWN_GRAPH}> is refused: no such graph in the store"
    clause = "FROM" if parameter == "default-graph-uri" else "FROM NAMED"
    query = SCHOOLS.replace("WHERE", f"{clause} <{UNKNOWN_GRAPH}> WHERE")
    by_clause = client.get("/sparql", query_string={"query": query})
    assert said.replace(parameter, clause) in _error(by_clause, 400)
    # Both say the same in Japanese too, each with its own clause (the clause with its place).
    japanese = by_parameter.json["error"]["ja"].replace(parameter, clause)  # type: ignore[index]
    assert japanese in by_clause.json["error"]["ja"]  # type: ignore[index]
    known = client.get("/sparql", query_string={"query": SCHOOLS, parameter: KNOWN_GRAPH})
    assert known.status_code == 200, known.data


@pytest.mark.parametrize(
    ("how", "where"),
    [
        ("get", "parameter 'query' in the query string is not valid UTF-8 at byte 21"),
        ("form", "parameter 'query' in the form body is not valid UTF-8 at byte 21"),
        ("body", "the query (request body) is not valid UTF-8 at byte 21"),
        ("graph", "parameter 'default-graph-uri' in the query string is not valid UTF-8 at byte 4"),
    ],
)
def test_text_that_is_not_utf8_is_a_400_saying_where(
    client: FlaskClient, how: str, where: str
) -> None:
    broken = b'SELECT * WHERE { ?s "\xff" ?o }'
    assert broken.index(b"\xff") == 21
    quoted = "".join(f"%{byte:02X}" for byte in broken)
    if how == "get":
        response = client.get("/sparql?query=" + quoted)
    elif how == "form":
        response = client.post(
            "/sparql",
            data=f"query={quoted}".encode(),
            content_type="application/x-www-form-urlencoded",
        )
    elif how == "body":
        response = client.post("/sparql", data=broken, content_type="application/sparql-query")
    else:
        response = client.get("/sparql?query=ASK%7B%7D&default-graph-uri=urn:%E9")
    assert where in _error(response, 400)


def test_a_lone_replacement_character_is_still_fine(client: FlaskClient) -> None:
    """U+FFFD sent as proper UTF-8 is text like any other, not a decoding failure."""
    response = client.get("/sparql", query_string={"query": 'ASK { FILTER("\ufffd" != "") }'})
    assert response.status_code == 200, response.data


@pytest.mark.parametrize(
    ("error", "status", "said"),
    [
        (Busy("two queries of yours are running", 3.2), 429, "two queries of yours"),
        (QueryResourceLimit(256), 503, "memory limit of 256 MiB"),
        (QueryWorkerCrashed("signal 11"), 503, "the query could not be evaluated"),
    ],
)
def test_the_query_layers_limits_are_clean_answers(
    client: FlaskClient,
    edge_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
    said: str,
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> object:
        raise error

    service = edge_app.extensions["cityref.queries"]
    assert isinstance(service, QueryService)
    monkeypatch.setattr(service, "run", refuse)
    response = client.get("/sparql", query_string={"query": SCHOOLS})
    assert said in _error(response, status)
    if status == 429:
        assert response.headers["Retry-After"] == "4"
    assert "signal 11" not in response.get_data(as_text=True)


def test_a_form_query_near_the_limit_is_measured_decoded(client: FlaskClient) -> None:
    """Percent-encoding triples a form's length; the limit is on the query, not the form."""
    under = "ASK {} #" + "(" * (MAX_QUERY_BYTES - 100)
    assert client.post("/sparql", data={"query": under}).status_code == 200
    over = "ASK {} #" + "(" * MAX_QUERY_BYTES
    response = client.post("/sparql", data={"query": over})
    assert f"query is longer than {MAX_QUERY_BYTES} bytes" in _error(response, 413)
