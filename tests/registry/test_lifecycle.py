"""Deprecated terms give sh:Warning results naming the replacement, in ja and en."""

from __future__ import annotations

from pyoxigraph import RdfFormat

from cityref.registry.lifecycle import deprecated_terms, deprecation_shapes
from cityref.validation import Document, validate_documents
from tests.conftest import BASE_IRI

ONTOLOGY = b"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix core: <https://w3id.org/cityref/def/core#> .
@prefix status: <https://w3id.org/cityref/def/status/> .
@prefix ex: <https://example.org/def#> .
ex:Old a owl:Class ; rdfs:label "old"@en , "\xe6\x97\xa7"@ja ; owl:deprecated true ;
    dcterms:isReplacedBy ex:New .
ex:New a owl:Class ; rdfs:label "new"@en , "\xe6\x96\xb0"@ja .
ex:Sub a owl:Class ; rdfs:subClassOf ex:Old .
ex:gone a owl:DatatypeProperty ; rdfs:label "gone"@en ; core:status status:retired .
ex:kept a owl:DatatypeProperty ; core:status status:adopted .
"""
DATA = b"""@prefix ex: <https://example.org/def#> .
<urn:a> a ex:Old ; ex:gone "x" ; ex:kept "y" .
<urn:b> a ex:Sub ; ex:kept "z" .
"""


def test_deprecated_and_retired_terms_are_found() -> None:
    found = {
        t.iri.rsplit("#", 1)[-1]: t for t in deprecated_terms(ONTOLOGY, RdfFormat.TURTLE, BASE_IRI)
    }
    assert set(found) == {"Old", "gone"}
    assert found["Old"].kind == "class" and found["Old"].replacements == (
        "https://example.org/def#New",
    )
    assert found["gone"].state == "retired" and found["gone"].kind == "property"


def test_warnings_for_uses_of_deprecated_terms() -> None:
    shapes = deprecation_shapes(ONTOLOGY, RdfFormat.TURTLE, BASE_IRI)
    report = validate_documents(
        [Document(DATA, RdfFormat.TURTLE)],
        Document(shapes, RdfFormat.TURTLE, "<deprecation>"),
        ontology=Document(ONTOLOGY, RdfFormat.TURTLE, "<ontology>"),
    )
    assert {r.focus.value for r in report.results} == {"urn:a"}  # not the subclass instance
    assert all(r.severity.value.endswith("#Warning") for r in report.results)
    texts = [m.value for r in report.results for m in r.messages]
    assert any("deprecated" in t and "new <https://example.org/def#New>" in t for t in texts)
    assert any(
        "旧" in t and "非推奨" in t and "新 <https://example.org/def#New>" in t for t in texts
    )
    assert any("retired" in m.value for r in report.results for m in r.messages)
    assert len(report.results) == 2


def test_no_deprecated_terms_no_shapes() -> None:
    assert b"sh:NodeShape" not in deprecation_shapes(b"", RdfFormat.TURTLE, BASE_IRI)
