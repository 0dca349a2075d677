"""The JSON-LD contexts of the profiles and of the vocabulary, at stable cached URLs."""

from __future__ import annotations

import json

import pytest
import rdflib
from flask.testing import FlaskClient

from cityref.profiles import list_profiles
from tests.conftest import REPO_MODEL


@pytest.mark.parametrize("profile", [p.id for p in list_profiles(REPO_MODEL)])
def test_every_profile_context_is_served(model_client: FlaskClient, profile: str) -> None:
    response = model_client.get(f"/shapes/{profile}/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "@context" in json.loads(response.data)


def test_vocabulary_context_expands_a_document(model_client: FlaskClient) -> None:
    context = json.loads(model_client.get("/def/context.jsonld").data)
    document = {**context, "@id": "https://example.org/f1", "@type": "Facility", "name": "市役所"}
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    facility = rdflib.URIRef("https://w3id.org/cityref/def/core#Facility")
    assert (rdflib.URIRef("https://example.org/f1"), rdflib.RDF.type, facility) in graph


def test_unknown_profile_context_is_404(model_client: FlaskClient) -> None:
    assert model_client.get("/shapes/no-such-profile/context.jsonld").status_code == 404
