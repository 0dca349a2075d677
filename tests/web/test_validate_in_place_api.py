"""``POST /api/validate?endpoint=NAME``: validation in place of a configured endpoint, run as
a validation job; a client names an endpoint, never a URL, and never sees its URL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from cityref.settings import load_settings
from tests.conftest import REPO
from tests.sparql_servers import Endpoints, put_graph
from tests.validation.test_in_place_cli import GRAPH, INVALID, _ntriples


@pytest.fixture(scope="module")
def in_place_app(
    tmp_path_factory: pytest.TempPathFactory, built_store: Path, oxigraph_server: Endpoints
) -> Iterator[Flask]:
    store = tmp_path_factory.mktemp("in-place") / "store"
    shutil.copytree(built_store, store, symlinks=True)
    settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(REPO),
            "CITYREF_RATE_LIMIT": "100000",
            "CITYREF_VALIDATION_ENDPOINTS": f"city={oxigraph_server.query}",
            "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS": "city=reader:s3cret",
        }
    )
    put_graph(oxigraph_server, GRAPH, _ntriples(INVALID))
    yield create_app(settings, {"TESTING": True})


@pytest.fixture
def client(in_place_app: Flask) -> FlaskClient:
    return in_place_app.test_client()


def test_a_configured_endpoint_is_validated_in_place(
    client: FlaskClient, oxigraph_server: Endpoints
) -> None:
    response = client.post(
        "/api/validate",
        query_string={"endpoint": "city", "graph": GRAPH, "profile": "gif-facility"},
    )
    assert response.status_code == 200, response.data[:600]
    body = response.json
    assert body is not None and body["conforms"] is False
    assert "compiled-in-place" in response.get_data(as_text=True)
    assert "FacilityPoiCode" in response.get_data(as_text=True)  # "A1" is no POI code
    # The report names the endpoint as the client did, never by its URL.
    assert oxigraph_server.query not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("elsewhere", "no endpoint of that name is configured"),
        ("http://127.0.0.1:9/query", "no endpoint of that name is configured"),
    ],
)
def test_only_configured_names_are_accepted(client: FlaskClient, endpoint: str, says: str) -> None:
    response = client.post(
        "/api/validate", query_string={"endpoint": endpoint, "profile": "gif-facility"}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert says in text and "city" in text  # the configured names, not their URLs


def test_a_profile_and_graph_names_that_are_iris_are_needed(client: FlaskClient) -> None:
    response = client.post("/api/validate", query_string={"endpoint": "city"})
    assert response.status_code == 400 and "profile" in response.get_data(as_text=True)
    response = client.post(
        "/api/validate",
        query_string={"endpoint": "city", "graph": "not an iri", "profile": "gif-facility"},
    )
    assert response.status_code == 400 and "not an IRI" in response.get_data(as_text=True)
