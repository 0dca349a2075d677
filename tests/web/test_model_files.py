"""One handle on the model's files, over HTTP: the app built on another sources tree serves
that tree alone; built with another base IRI, no answer carries the default one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from cityref.cli.main import cli
from cityref.settings import load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO

OTHER_BASE = "https://example.org/city/"
DEFAULT = "w3id.org/cityref"
SCHOOL = b"<https://example.org/toy#s> a <https://example.org/toy#School> .\n"


def test_pages_and_api_list_the_trees_profiles_only(client: FlaskClient) -> None:
    """``client`` is the app on the toy tree (tests/web/conftest.py)."""
    listed = client.get("/api/registry/profiles").json
    assert [p["id"] for p in listed] == ["toy-facility"]  # type: ignore[union-attr]
    page = client.get("/validate").get_data(as_text=True)
    assert "toy-facility" in page and "ods-aed" not in page
    assert client.get("/shapes/toy-facility/context.jsonld").status_code == 200
    assert client.get("/shapes/gif-facility/context.jsonld").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/", "/query", "/registry/standards", "/registry/releases", "/shapes/toy-facility/"],
)
def test_pages_work_on_a_tree_without_the_checkouts_extras(client: FlaskClient, path: str) -> None:
    """The toy tree has no docs/examples/ or tests/queries/ of its own: the pages still show."""
    assert client.get(path).status_code == 200


def test_api_validation_takes_profile_and_ontology_from_the_tree(client: FlaskClient) -> None:
    response = client.post(
        "/api/validate?profile=toy-facility", data=SCHOOL, content_type="text/turtle"
    )
    assert response.status_code == 200, response.data[:400]
    body = response.json
    assert body is not None and body["profile"] == "toy-facility@0.1.0"
    assert body["conforms"] is False  # a school is a facility by the toy ontology alone
    unknown = client.post(
        "/api/validate?profile=gif-facility", data=SCHOOL, content_type="text/turtle"
    )
    assert unknown.status_code == 422


@pytest.fixture(scope="module")
def rebased_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The repository's model served under another base IRI."""
    store = tmp_path_factory.mktemp("rebased") / "store"
    build_store(store, ModelFiles(REPO, OTHER_BASE))
    settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(REPO),
            "CITYREF_BASE_IRI": OTHER_BASE,
            "CITYREF_RATE_LIMIT": "100000",
        }
    )
    yield create_app(settings, {"TESTING": True})


def _rebased(path: Path) -> bytes:
    """An example written for the default base, as a user of the rebased model writes it."""
    return path.read_bytes().replace(BASE_IRI.encode(), OTHER_BASE.encode())


def _clean(text: str, where: str) -> str:
    assert DEFAULT not in text, f"{where} names the default base IRI"
    return text


PAGES = [
    "/",
    "/?lang=en",
    "/def/core%23Facility",
    "/def/core",
    "/search?q=%E6%96%BD%E8%A8%AD",
    "/api/search?q=facility",
    "/query",
    "/validate",
    "/api/registry/profiles",
    "/shapes/gif-facility/",
    "/registry/standards",
    "/api/registry/standards",
    "/registry/releases",
    "/registry/proposals",
    "/registry/systems",
    "/def/context.jsonld",
    "/shapes/gif-facility/context.jsonld",
    "/shapes/ods-aed/context.jsonld",
    "/sparql",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_names_the_default_base(rebased_app: Flask, path: str) -> None:
    response = rebased_app.test_client().get(path)
    assert response.status_code == 200, (path, response.data[:300])
    text = _clean(response.get_data(as_text=True), path)
    assert OTHER_BASE in text or path.startswith(("/search", "/query", "/validate"))


def test_sparql_answers_for_a_model_term_use_the_base(rebased_app: Flask) -> None:
    query = f"SELECT ?p ?o WHERE {{ <{OTHER_BASE}def/core#Facility> ?p ?o }}"
    response = rebased_app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    rows = json.loads(_clean(response.get_data(as_text=True), "/sparql"))["results"]["bindings"]
    assert len(rows) > 3


@pytest.mark.parametrize(
    ("example", "profile"),
    [
        ("shapes/gif-facility/examples/invalid/facility.ttl", "gif-facility"),
        ("shapes/ods-aed/examples/invalid/header.csv", "ods-aed"),
        ("shapes/ods-aed/examples/invalid/rules.csv", "ods-aed"),
    ],
)
def test_validation_reports_use_the_base(rebased_app: Flask, example: str, profile: str) -> None:
    data = _rebased(REPO / example)
    kind = "text/turtle" if example.endswith(".ttl") else "text/csv"
    client = rebased_app.test_client()
    for accept in ("application/json", "text/turtle", "application/ld+json"):
        response = client.post(
            f"/api/validate?profile={profile}",
            data=data,
            content_type=kind,
            headers={"Accept": accept},
        )
        assert response.status_code == 200, response.data[:400]
        text = _clean(response.get_data(as_text=True), f"{example} as {accept}")
        assert "conforms" in text
    cli_env = {"CITYREF_SOURCES": str(REPO), "CITYREF_BASE_IRI": OTHER_BASE}
    source = Path(rebased_app.config["CITYREF_SETTINGS"].store).parent / Path(example).name
    source.write_bytes(data)
    for fmt in ("json", "turtle", "text"):
        run = CliRunner().invoke(
            cli, ["validate", str(source), "--profile", profile, "--format", fmt], env=cli_env
        )
        assert run.exit_code == 1, run.output
        _clean(run.stdout, f"cityref validate --format {fmt}")
