"""/sparql follows the SPARQL 1.1 Protocol and refuses what a read-only public endpoint must."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib.query import Result

from app import create_app
from cityref.services.tokens import create_token
from cityref.settings import Settings, load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import TOY

GRAPH = "https://w3id.org/cityref/graph/"
SCHOOLS = "SELECT ?s WHERE { ?s a <https://example.org/toy#School> } ORDER BY ?s"
SCHOOL_IRIS = ["https://example.org/toy#school1", "https://example.org/toy#school2"]


def _values(response_json: dict[str, object], var: str = "s") -> list[str]:
    bindings = response_json["results"]["bindings"]  # type: ignore[index]
    return [b[var]["value"] for b in bindings]


def test_get_without_query_is_the_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    # Named under the configured base, never after the request's Host (see
    # cityref.sparql.service_description).
    assert (None, sd.endpoint, rdflib.URIRef("https://w3id.org/cityref/sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph


def test_query_by_get_post_form_and_post_direct(client: FlaskClient) -> None:
    by_get = client.get("/sparql", query_string={"query": SCHOOLS})
    by_form = client.post("/sparql", data={"query": SCHOOLS})
    by_body = client.post("/sparql", data=SCHOOLS.encode(), content_type="application/sparql-query")
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.data
        assert response.mimetype == "application/sparql-results+json"
        assert _values(response.json) == SCHOOL_IRIS  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_select_results_by_content_negotiation(client: FlaskClient, accept: str, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": SCHOOLS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    parsed = Result.parse(io.BytesIO(response.data), format=fmt)
    assert [str(row[0]) for row in parsed] == SCHOOL_IRIS  # type: ignore[index]


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_by_content_negotiation(
    client: FlaskClient, accept: str, rdflib_format: str
) -> None:
    query = "CONSTRUCT WHERE { ?s a <https://example.org/toy#School> }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    assert len(rdflib.Graph().parse(data=response.data, format=rdflib_format)) == 2


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": SCHOOLS, "format": "csv"}, headers={"Accept": "*/*"}
    )
    assert response.mimetype == "text/csv"
    bad = client.get("/sparql", query_string={"query": SCHOOLS, "format": "sqlite"})
    assert bad.status_code == 400


def test_default_and_named_graph_uri(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    one = client.get(
        "/sparql", query_string={"query": count, "default-graph-uri": GRAPH + "registry/places"}
    )
    assert _values(one.json, "n") == ["5"]  # type: ignore[arg-type]
    two = client.get(
        "/sparql",
        query_string=[
            ("query", count),
            ("default-graph-uri", GRAPH + "registry/places"),
            ("default-graph-uri", GRAPH + "shapes/facility"),
        ],
    )
    assert int(_values(two.json, "n")[0]) > 5  # type: ignore[arg-type]
    named = client.post(
        "/sparql",
        data={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": GRAPH + "shapes/facility",
        },
    )
    assert _values(named.json, "g") == [GRAPH + "shapes/facility"]  # type: ignore[arg-type]


def test_syntax_error_is_400_with_position(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    body = response.json
    assert body is not None and body["line"] == 2 and "ja" in body["error"]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "CLEAR ALL",
        "DROP ALL",
        "LOAD <file:///etc/passwd> INTO GRAPH <http://g>",
        "CREATE GRAPH <http://g> ; DROP ALL",
    ],
)
def test_updates_are_refused_every_way(client: FlaskClient, update: str) -> None:
    assert client.get("/sparql", query_string={"update": update}).status_code == 403
    assert client.post("/sparql", data={"update": update}).status_code == 403
    direct = client.post("/sparql", data=update.encode(), content_type="application/sparql-update")
    assert direct.status_code == 403
    as_query = client.get("/sparql", query_string={"query": update})
    assert as_query.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?ep { ?s ?p ?o } VALUES ?ep { <http://[::1]/> } }",
        "SELECT * WHERE { SERVICE <http://a/> { SERVICE <http://b/> { ?s ?p ?o } } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
    ],
)
def test_network_and_file_access_is_refused(client: FlaskClient, query: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert "refused" in response.json["error"]["en"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"method": "PUT", "data": "x"}, 405),
        ({"method": "DELETE"}, 405),
        ({"method": "POST", "data": SCHOOLS, "content_type": "text/plain"}, 415),
        (
            {
                "method": "POST",
                "data": SCHOOLS.encode("utf-16"),
                "content_type": "application/sparql-query; charset=utf-16",
            },
            415,
        ),
        (
            {
                "method": "POST",
                "data": b"SELECT * WHERE { ?s ?p \xff }",
                "content_type": "application/sparql-query",
            },
            400,
        ),
        ({"method": "GET", "query_string": [("query", SCHOOLS), ("query", SCHOOLS)]}, 400),
    ],
)
def test_protocol_negatives(client: FlaskClient, kwargs: dict[str, object], status: int) -> None:
    response = client.open("/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.data


def test_query_longer_than_the_cap_is_413(client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    assert client.get("/sparql", query_string={"query": query}).status_code == 413
    assert client.post("/sparql", data={"query": query}).status_code == 413


def test_deep_nesting_is_a_clean_400(client: FlaskClient) -> None:
    query = "SELECT * WHERE " + "{" * 1000 + "?s ?p ?o" + "}" * 1000
    response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    assert response.status_code in (400, 413)


def test_row_cap_is_stated_in_headers(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["X-Cityref-Truncated"] == "true"
    assert response.headers["X-Cityref-Row-Limit"] == "5"
    assert len(_values(response.json)) == 5  # type: ignore[arg-type]


def test_endless_query_is_503_and_the_next_one_is_answered(client: FlaskClient) -> None:
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7))
        + "}"
    )
    response = client.get("/sparql", query_string={"query": slow})
    assert response.status_code == 503
    assert "time limit" in response.json["error"]["en"]  # type: ignore[index]
    assert client.get("/sparql", query_string={"query": SCHOOLS}).status_code == 200


def test_etag_from_the_build_and_conditional_get(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": SCHOOLS})
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string={"query": SCHOOLS}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get("/sparql", query_string={"query": SCHOOLS, "format": "xml"})
    assert other.headers["ETag"] != etag


def test_cors_for_any_origin_without_credentials(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SCHOOLS})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_rate_limit_answers_429_with_retry_after(web_settings: Settings) -> None:
    client = create_app(web_settings.with_(rate_limit=3), {"TESTING": True}).test_client()
    # An address of its own: the counts are shared with every app on this store.
    client.environ_base["REMOTE_ADDR"] = "192.0.2.33"
    statuses = [
        client.get("/sparql", query_string={"query": SCHOOLS}).status_code for _ in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    limited = client.get("/sparql", query_string={"query": SCHOOLS})
    assert int(limited.headers["Retry-After"]) >= 1
    assert json.loads(limited.data)["error"]["ja"]


def test_enabled_updates_need_a_write_token_and_reach_new_queries(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store, ModelFiles(TOY, "https://w3id.org/cityref/"))
    tokens = tmp_path / "tokens.json"
    settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(TOY),
            "CITYREF_TOKENS_FILE": str(tokens),
            "CITYREF_ALLOW_UPDATES": "true",
            "CITYREF_RATE_LIMIT": "100000",
        }
    )
    client = create_app(settings, {"TESTING": True}).test_client()
    insert = "INSERT DATA { <https://example.org/toy#school3> a <https://example.org/toy#School> }"
    body = {"data": insert, "content_type": "application/sparql-update"}
    assert client.post("/sparql", **body).status_code == 401  # type: ignore[arg-type]
    reader = create_token(tokens, "reader", "read")
    writer = create_token(tokens, "writer", "write")
    denied = client.post("/sparql", headers={"Authorization": f"Bearer {reader}"}, **body)  # type: ignore[arg-type]
    assert denied.status_code == 403
    before = client.get("/sparql", query_string={"query": SCHOOLS}).headers["ETag"]
    done = client.post("/sparql", headers={"Authorization": f"Bearer {writer}"}, **body)  # type: ignore[arg-type]
    assert done.status_code == 204
    after = client.get("/sparql", query_string={"query": SCHOOLS})
    assert len(_values(after.json)) == 3  # type: ignore[arg-type]
    assert after.headers["ETag"] != before
    load = client.post(
        "/sparql",
        data={"update": "LOAD <http://127.0.0.1:1/x.ttl>"},
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert load.status_code == 400 and "LOAD is refused" in load.json["error"]["en"]  # type: ignore[index]
    assert client.get("/sparql", query_string={"update": insert}).status_code == 403
