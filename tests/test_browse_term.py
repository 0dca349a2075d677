"""Term page data: properties with their ranges and labels, also for class-expression ranges."""

from __future__ import annotations

import pyoxigraph as ox

from cityref.pages import browse, browse_term
from cityref.store.oxigraph import OxigraphStore

MODEL = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://w3id.org/cityref/def/test#> .
ex:Place a owl:Class ; rdfs:label "Place"@en , "場所"@ja .
ex:Facility a owl:Class ; rdfs:subClassOf ex:Place ; rdfs:label "Facility"@en , "施設"@ja .
ex:Person a owl:Class ; rdfs:label "Person"@en .
ex:name a owl:DatatypeProperty ; rdfs:domain ex:Place ; rdfs:label "name"@en .
ex:operator a owl:ObjectProperty ; rdfs:domain ex:Facility ; rdfs:label "operator"@en ;
    rdfs:range [ a owl:Class ; owl:unionOf ( ex:Person ex:Place ) ] .
ex:manager a owl:ObjectProperty ; rdfs:domain ex:Facility ; rdfs:range ex:Person .
""".encode()


def test_properties_come_with_labels_ranges_and_where_they_are_inherited_from() -> None:
    store = OxigraphStore.in_memory()
    store.load_graph("https://w3id.org/cityref/graph/ontology/test", MODEL, ox.RdfFormat.TURTLE)
    page = browse_term.term_page(
        browse.store_select(store, "https://w3id.org/cityref/"),
        "https://w3id.org/cityref/def/test#Facility",
    )
    assert page is not None
    rows = {p.prop.label.en: p for p in page.properties}
    assert set(rows) == {"name", "operator", "manager"}
    assert (inherited := rows["name"].inherited_from) is not None and inherited.label.en == "Place"
    assert [r.label.en for r in rows["manager"].ranges] == ["Person"]
    assert rows["operator"].inherited_from is None  # its range is a class expression: no crash


SHAPES_WITH_A_SEQUENCE_PATH = b"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://w3id.org/cityref/def/test#> .
@prefix p: <https://w3id.org/cityref/shapes/test/> .
p:FacilityShape a sh:NodeShape ; sh:targetClass ex:Facility ;
    sh:property [ sh:path ( ex:operator ex:name ) ; sh:minCount 1 ] ,
                [ sh:path ex:name ; sh:maxCount 1 ] .
"""


def test_a_sequence_path_is_not_a_link() -> None:
    # Issue 13: a shape row whose path was a list linked to "None" (/def/None, a 404).
    store = OxigraphStore.in_memory()
    store.load_graph("https://w3id.org/cityref/graph/ontology/test", MODEL, ox.RdfFormat.TURTLE)
    store.load_graph(
        "https://w3id.org/cityref/graph/shapes/test/shapes",
        SHAPES_WITH_A_SEQUENCE_PATH,
        ox.RdfFormat.TURTLE,
    )
    page = browse_term.term_page(
        browse.store_select(store, "https://w3id.org/cityref/"),
        "https://w3id.org/cityref/def/test#Facility",
    )
    assert page is not None
    paths = sorted((row.path.iri if row.path else "") for row in page.shapes)
    assert paths == ["", "https://w3id.org/cityref/def/test#name"]
