"""Registry pages and API: releases, a diff between two, proposals, systems, badges, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from cityref.registry.releases import create_release
from cityref.services.tokens import create_token
from cityref.settings import load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI
from tests.registry.conftest import copy_sources

PARK_LABEL = '"Facility"@en'


@pytest.fixture(scope="module")
def registry_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = copy_sources(tmp_path_factory.mktemp("registry") / "src")
    create_release(root, "1.0.0", {"ja": "最初の版", "en": "First release"}, BASE_IRI)
    core = root / "ontology" / "core.ttl"
    core.write_text(core.read_text("utf-8").replace(PARK_LABEL, '"Public facility"@en'), "utf-8")
    store = root.parent / "store"
    build_store(store, ModelFiles(root, BASE_IRI))
    settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(root),
            "CITYREF_TOKENS_FILE": str(root.parent / "tokens.json"),
            "CITYREF_RATE_LIMIT": "100000",
        }
    )
    yield create_app(settings, {"TESTING": True})


@pytest.fixture
def client(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()


def test_releases_page_and_api(client: FlaskClient) -> None:
    page = client.get("/registry/releases?lang=en").get_data(as_text=True)
    assert "1.0.0" in page and "working tree" in page
    assert client.get("/api/registry/releases").json[0]["version"] == "1.0.0"  # type: ignore[index]


def test_diff_between_a_release_and_the_working_tree(client: FlaskClient) -> None:
    page = client.get("/registry/diff?old=1.0.0&new=working&lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "core#Facility" in text
    changes = client.get("/api/registry/diff?old=1.0.0&new=working").json
    assert changes and any("Facility" in c["subject"] for c in changes)  # type: ignore[union-attr]
    assert client.get("/registry/diff?old=9.9.9&new=working").status_code == 404
    # Each change's message in both languages, or in the one asked.
    assert all(list(c["message"]) == ["ja", "en"] for c in changes)  # type: ignore[union-attr]
    english = client.get("/api/registry/diff?old=1.0.0&new=working&lang=en").json
    assert [c["message"] for c in english] == [  # type: ignore[union-attr]
        {"en": c["message"]["en"]}
        for c in changes  # type: ignore[union-attr]
    ]


def test_writes_need_a_write_token(client: FlaskClient, registry_app: Flask) -> None:
    system = {
        "id": "bus-app",
        "vendor": "Acme",
        "product": "Bus",
        "version": "1",
        "domains": ["mobility"],
        "claims": ["ods-aed@1.0.0"],
    }
    assert client.post("/api/registry/systems", json=system).status_code == 401
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    reader = create_token(tokens, "reader", "read")
    writer = create_token(tokens, "writer", "write")
    denied = client.post(
        "/api/registry/systems", json=system, headers={"Authorization": f"Bearer {reader}"}
    )
    assert denied.status_code == 403
    created = client.post(
        "/api/registry/systems", json=system, headers={"Authorization": f"Bearer {writer}"}
    )
    assert created.status_code == 201, created.data
    assert any(s["id"] == "bus-app" for s in client.get("/api/registry/systems").json)  # type: ignore[union-attr]
    page = client.get("/registry/systems?lang=en").get_data(as_text=True)
    assert "/registry/systems/bus-app/badge.svg" in page
    badge = client.get("/registry/systems/bus-app/badge.svg")
    assert badge.mimetype == "image/svg+xml" and b"no record" in badge.data


def test_proposal_submitted_with_a_token_is_listed_with_its_patch(
    client: FlaskClient, registry_app: Flask
) -> None:
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    writer = create_token(tokens, "proposer", "write")
    facility = "https://w3id.org/cityref/def/core#Facility"
    proposal = {
        "kind": "change-term",
        "proposer": "Yaizu city",
        "rationale": {"ja": "英語名を明確にする", "en": "A clearer English name"},
        "evidence": [],
        "targets": [facility],
        "additions": f"<{BASE_IRI}graph/ontology/core> {{ <{facility}> "
        '<http://www.w3.org/2000/01/rdf-schema#comment> "A place with a purpose"@en . }',
        "deletions": "",
    }
    made = client.post(
        "/api/registry/proposals", json=proposal, headers={"Authorization": f"Bearer {writer}"}
    )
    assert made.status_code == 201, made.data
    ident = made.json["id"]  # type: ignore[index]
    page = client.get(f"/registry/proposals/{ident}?lang=en").get_data(as_text=True)
    assert "A place with a purpose" in page and "A clearer English name" in page
    assert client.get("/registry/proposals?lang=ja").status_code == 200


def test_registry_api_lists_standards_and_profiles(client: FlaskClient) -> None:
    assert isinstance(client.get("/api/registry/standards").json, list)
    profiles = client.get("/api/registry/profiles").json
    assert {p["id"] for p in profiles} >= {"ods-aed", "gif-corporation"}  # type: ignore[union-attr]


def test_validation_recorded_for_a_system_needs_a_write_token(
    client: FlaskClient, registry_app: Flask
) -> None:
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    writer = create_token(tokens, "recorder", "write")
    root = registry_app.config["CITYREF_SETTINGS"].sources
    system = {
        "id": "aed-map",
        "vendor": "V",
        "product": "AED map",
        "version": "2",
        "domains": ["health"],
        "claims": ["ods-aed@1.0.0"],
    }
    auth = {"Authorization": f"Bearer {writer}"}
    assert client.post("/api/registry/systems", json=system, headers=auth).status_code == 201
    sample = next((root / "shapes" / "ods-aed" / "examples" / "valid").glob("*.csv"))
    query = {"profile": "ods-aed@1.0.0", "record": "aed-map"}
    anonymous = client.post(
        "/api/validate", data=sample.read_bytes(), content_type="text/csv", query_string=query
    )
    assert anonymous.status_code == 401
    recorded = client.post(
        "/api/validate",
        data=sample.read_bytes(),
        content_type="text/csv",
        query_string=query,
        headers=auth,
    )
    assert recorded.status_code == 201, recorded.data[:300]
    assert recorded.json["record"]["verdict"] == "pass"  # type: ignore[index]
    badge = client.get("/registry/systems/aed-map/badge.svg")
    assert b"ods-aed@1.0.0 pass" in badge.data


def test_release_paths_give_the_term_as_released(client: FlaskClient) -> None:
    turtle = {"Accept": "text/turtle"}
    facility = rdflib.URIRef("https://w3id.org/cityref/def/core#Facility")

    def english_labels(path: str) -> set[str]:
        response = client.get(path, headers=turtle)
        assert response.status_code == 200, (path, response.data[:200])
        graph = rdflib.Graph().parse(data=response.data, format="turtle")
        return {str(o) for o in graph.objects(facility, rdflib.RDFS.label) if o.language == "en"}

    assert english_labels("/release/1.0.0/def/core%23Facility") == {"Facility"}
    assert english_labels("/release/latest/def/core%23Facility") == {"Facility"}
    assert english_labels("/def/core%23Facility") == {"Public facility"}
    assert client.get("/release/9.9.9/def/core%23Facility", headers=turtle).status_code == 404


def test_proposal_form_for_token_holders(client: FlaskClient, registry_app: Flask) -> None:
    page = client.get("/registry/proposals?lang=en").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf and 'type="password"' in page
    facility = "https://w3id.org/cityref/def/core#Facility"
    form = {
        "csrf": csrf.group(1),
        "token": "cr_wrong",
        "proposer": "Form user",
        "kind": "change-term",
        "targets": facility,
        "rationale_ja": "定義を補う",
        "rationale_en": "Complete the definition",
        "additions": f'<{facility}> <http://www.w3.org/2000/01/rdf-schema#comment> "x"@en .',
        "deletions": "",
    }
    assert client.post("/registry/proposals", data=form).status_code == 403
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    form["token"] = create_token(tokens, "form-user", "write")
    posted = client.post("/registry/proposals", data=form)
    assert posted.status_code == 303
    assert "Complete the definition" in client.get(
        posted.headers["Location"] + "?lang=en"
    ).get_data(as_text=True)
