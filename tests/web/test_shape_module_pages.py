"""Shape and module pages say in words what a shape checks and what a module defines, in the
page's language, with links that answer, and the statements one click away."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from cityref.pages.shape_words import constraint_words
from tests.conftest import BASE_IRI, REPO_MODEL

HTML = {"Accept": "text/html"}
#: Statements as the raw view shows them: full predicate IRIs of SHACL and OWL.
RAW_PREDICATES = ("http://www.w3.org/ns/shacl#", "http://www.w3.org/2002/07/owl#")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NODE_SHAPE = ox.NamedNode("http://www.w3.org/ns/shacl#NodeShape")


def _links(text: str) -> list[str]:
    main = text.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return [html.unescape(h) for h in re.findall(r'href="(/[^"]*)"', main)]


def _first_shape_link(client: FlaskClient, profile: str) -> str:
    """A rule's link on the profile page: how a person reaches a shape."""
    page = client.get(f"/shapes/{profile}/?lang=en", headers=HTML).get_data(as_text=True)
    rules = page.split('<ul class="rules">', 1)[1]
    return html.unescape(re.findall(r'href="(/shapes/[^"]+)"', rules)[0])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_property_shape_page_says_what_it_checks(model_client: FlaskClient, lang: str) -> None:
    href = _first_shape_link(model_client, "ods-aed")
    response = model_client.get(f"{href}?lang={lang}", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = html.unescape(response.get_data(as_text=True))
    assert not any(p in text for p in RAW_PREDICATES), "words, not triples"
    checks = "正規表現" if lang == "ja" else "matches the pattern"
    assert checks in text
    assert 'href="/shapes/ods-aed/"' in text  # the profile it belongs to
    assert ("違反" if lang == "ja" else "Violation") in text
    assert "?format=turtle" in text and "?format=jsonld" in text
    for link in _links(response.get_data(as_text=True)):
        assert model_client.get(link, follow_redirects=True).status_code == 200, link


def test_a_node_shape_page_lists_its_property_shapes(model_client: FlaskClient) -> None:
    href = _first_shape_link(model_client, "gif-facility")
    prop = model_client.get(f"{href}?lang=en", headers=HTML).get_data(as_text=True)
    parent = re.search(r'<dt>Part of</dt><dd><a href="([^"]+)"', prop)
    assert parent, "a property shape names the node shape holding it"
    node = model_client.get(f"{html.unescape(parent.group(1))}?lang=en", headers=HTML)
    text = html.unescape(node.get_data(as_text=True))
    assert "Node shape" in text and "Property shapes it holds" in text
    target = re.search(r'<dt>Target.*?</dt><dd><a href="(/def/[^"]+)"', text)
    assert target, "its target, linked to the term page"
    assert model_client.get(target.group(1)).status_code == 200
    assert href in text
    assert not any(p in text for p in RAW_PREDICATES)


def test_a_shared_check_says_every_profile_shares_it(model_client: FlaskClient) -> None:
    common = REPO_MODEL.shapes_dir / "common" / "shapes.ttl"
    shapes = sorted(
        q.subject.value
        for q in ox.parse(REPO_MODEL.read(common), format=ox.RdfFormat.TURTLE)
        if q.predicate == RDF_TYPE and q.object == NODE_SHAPE
    )
    path = "/" + shapes[0].removeprefix(BASE_IRI)
    text = model_client.get(f"{path}?lang=en", headers=HTML).get_data(as_text=True)
    assert "A check every profile shares" in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_module_page_lists_what_it_defines(model_client: FlaskClient, lang: str) -> None:
    response = model_client.get(f"/def/infrastructure?lang={lang}", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = html.unescape(response.get_data(as_text=True))
    title = "インフラ・防災語彙" if lang == "ja" else "infrastructure and disaster-prevention"
    assert title in text.split("</h1>", 1)[0]
    assert ("クラス" if lang == "ja" else "Classes") in text
    assert 'href="/def/infrastructure%23Bridge"' in text
    assert "0.1.0" in text
    assert not any(p in text for p in RAW_PREDICATES), "words, not triples"
    for link in _links(response.get_data(as_text=True)):
        if "%23" in link:  # the terms it defines: their pages answer
            assert model_client.get(link).status_code == 200, link
    assert model_client.get("/def/infrastructure?format=turtle").mimetype == "text/turtle"


def test_a_scheme_module_lists_its_concepts(model_client: FlaskClient) -> None:
    text = model_client.get("/def/schemes/status?lang=en", headers=HTML).get_data(as_text=True)
    assert "Concepts" in text and ">draft</a>" in text


def test_shape_words_keep_patterns_and_allowed_values_whole() -> None:
    """Regression: values were cut at their last "/" as if each were an IRI, so a GTFS
    timezone read "one of: Tokyo" and a URL pattern lost its scheme."""
    words = constraint_words(
        {
            "in": ["Asia/Tokyo", "Europe/London"],
            "pattern": ["^https?://[^\\s]+$"],
            "class": ["https://w3id.org/cityref/def/core#Facility"],
        }
    )
    texts = {w.component: w.text.en for w in words}
    assert texts["in"] == "one of: Asia/Tokyo, Europe/London"
    assert texts["pattern"] == "matches the pattern ^https?://[^\\s]+$"
    assert texts["class"] == "values are instances of Facility"
