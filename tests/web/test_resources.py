"""Every IRI under the base resolves: HTML for people, RDF for machines, 404 and 410 honestly."""

from __future__ import annotations

import pytest
import rdflib
from flask.testing import FlaskClient

TOY = "https://w3id.org/cityref/def/toy"
RDFS = rdflib.RDFS


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_slash_iri_in_every_rdf_format(
    client: FlaskClient, accept: str, rdflib_format: str
) -> None:
    response = client.get("/def/toy/central-park", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.data, format=rdflib_format)
    park = rdflib.URIRef(TOY + "/central-park")
    assert (park, RDFS.label, rdflib.Literal("中央公園", lang="ja")) in graph
    # The labels of what it links to come along.
    assert (rdflib.URIRef(TOY + "#Park"), RDFS.label, rdflib.Literal("Park", lang="en")) in graph


def test_format_parameter(client: FlaskClient) -> None:
    response = client.get("/def/toy/central-park?format=jsonld")
    assert response.mimetype == "application/ld+json"
    assert client.get("/def/toy/central-park?format=yaml").status_code == 400


def test_module_iri_describes_its_hash_terms(client: FlaskClient) -> None:
    response = client.get("/def/toy", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert (rdflib.URIRef(TOY + "#Park"), rdflib.RDF.type, rdflib.OWL.Class) in graph
    assert (rdflib.URIRef(TOY), rdflib.RDF.type, rdflib.OWL.Ontology) in graph


def test_named_graph_iri_gives_the_graph(client: FlaskClient) -> None:
    response = client.get("/graph/registry/places", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(rdflib.Graph().parse(data=response.data, format="nt")) == 5


def test_browser_gets_escaped_bilingual_html(client: FlaskClient) -> None:
    response = client.get("/def/toy", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "公園" in page and "Park" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="/def/toy%23Park"' in page  # Garden's superclass links to its term


def test_unknown_iri_is_404(client: FlaskClient) -> None:
    response = client.get("/def/toy/nowhere", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "nowhere" in response.json["error"]["en"]  # type: ignore[index]
    assert client.get('/def/x"><script>').status_code == 404


def test_retired_term_is_410_with_its_replacement(client: FlaskClient) -> None:
    # A hash IRI cannot be asked for over HTTP, so the retired term's own IRI is tested
    # through the describe path of a slash form of it.
    response = client.get("/def/toy%23Garden", headers={"Accept": "text/turtle"})
    assert response.status_code == 410
    assert f"<{TOY}#Park>" in response.headers["Link"]
    assert "廃止" in response.json["error"]["ja"]  # type: ignore[index]


@pytest.mark.parametrize("path", ["/%7F", "/def/%C2%85", "/def/a%09b", "/def/%5C"])
def test_control_characters_are_404_not_500(client: FlaskClient, path: str) -> None:
    # Found by the schemathesis test: Oxigraph rejects these IRIs, so they cannot be ours.
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
