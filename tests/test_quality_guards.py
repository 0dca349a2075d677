"""The quality profile's issue-17 checks bite: a small bad model breaks each of them, the same
model with the duplicate deprecated in favour of the other (or the target declared) passes, and
undoing one of the audit's merges in the real ontology fails the profile again."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityref.validation import Document, validate_documents

ROOT = Path(__file__).resolve().parents[1]
SHAPES = Document((ROOT / "shapes" / "quality" / "shapes.ttl").read_bytes(), "turtle")
CQ = "https://w3id.org/cityref/shapes/quality/"
PREFIXES = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://w3id.org/cityref/def/example#> .
@prefix schema: <https://schema.org/> .
"""


def failing_shapes(model: str) -> set[str]:
    report = validate_documents(
        [Document((PREFIXES + model).encode(), "turtle", "fixture")], SHAPES
    )
    return {r.source_shape.value for r in report.results}


TWO_CLASSES = """
ex:Organisation a owl:Class ; rdfs:label "組織"@ja , "organisation"@en .
ex:Organization a owl:Class ; rdfs:label "組織"@ja , "organization"@en .
"""
TWO_PROPERTIES = """
ex:listedIn a owl:ObjectProperty ; rdfs:label "掲載カタログ"@ja , "listed in"@en .
ex:inCatalog a owl:ObjectProperty ; rdfs:label "掲載カタログ"@ja , "in catalogue"@en .
"""
DEPRECATED = " ex:{old} owl:deprecated true ; dcterms:isReplacedBy ex:{new} ."


@pytest.mark.parametrize(
    "model,shape,old,new",
    [
        (TWO_CLASSES, "UniqueClassLabel", "Organisation", "Organization"),
        (TWO_PROPERTIES, "UniquePropertyLabel", "listedIn", "inCatalog"),
    ],
)
def test_a_shared_label_fails_unless_one_term_is_replaced_by_the_other(
    model: str, shape: str, old: str, new: str
) -> None:
    assert CQ + shape in failing_shapes(model)
    assert CQ + shape not in failing_shapes(model + DEPRECATED.format(old=old, new=new))
    # A class and a property may share a label (core:Address and core:address do).
    mixed = (
        'ex:Address a owl:Class ; rdfs:label "住所"@ja .\n'
        'ex:address a owl:DatatypeProperty ; rdfs:label "住所"@ja .'
    )
    assert not {CQ + "UniqueClassLabel", CQ + "UniquePropertyLabel"} & failing_shapes(mixed)


def test_an_alignment_to_an_undeclared_external_term_fails() -> None:
    model = "ex:SchoolDistrict a owl:Class ; skos:relatedMatch schema:SchoolDistrict ."
    assert CQ + "AlignmentTargetDeclared" in failing_shapes(model)
    declared = (
        model + "\nschema:SchoolDistrict a owl:Class ; rdfs:isDefinedBy <https://schema.org/> ."
    )
    assert CQ + "AlignmentTargetDeclared" not in failing_shapes(declared)
    # Base vocabularies and our own terms need no declaration.
    assert CQ + "AlignmentTargetDeclared" not in failing_shapes(
        "ex:Row a owl:Class ; rdfs:subClassOf skos:Concept , ex:Thing ."
    )


def test_undoing_an_audited_merge_in_the_real_ontology_fails_the_profile() -> None:
    core = (ROOT / "ontology" / "core.ttl").read_bytes()
    landscape = (ROOT / "ontology" / "landscape.ttl").read_text("utf-8")
    undone = landscape.replace("    owl:deprecated true ;\n", "", 1)
    assert undone != landscape
    documents = [Document(core, "turtle", "core.ttl"), Document(undone.encode(), "turtle", "l")]
    report = validate_documents(documents, SHAPES)
    failing = {(r.focus.value, r.source_shape.value) for r in report.results}
    organisation = "https://w3id.org/cityref/def/landscape#Organisation"
    assert (organisation, CQ + "UniqueClassLabel") in failing
