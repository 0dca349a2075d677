"""Semantic diff: each kind of change, and which ones break data producers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityref.registry.changelog import to_json, to_markdown, to_rdf
from cityref.registry.diff import Change, semantic_diff
from tests.registry.conftest import BASE

HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/def#> .
@prefix p: <https://w3id.org/cityref/shapes/toy/> .
"""
ONTOLOGY = """
ex:Thing a owl:Class ; rdfs:label "thing"@en .
ex:Gone a owl:Class ; rdfs:label "gone"@en .
ex:size a owl:DatatypeProperty ; rdfs:range xsd:integer ; rdfs:label "size"@en .
"""
SHAPES = """
p:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property p:Size , p:Colour , p:Soft .
p:Size a sh:PropertyShape ; sh:path ex:size ; sh:minCount 0 ; sh:maxCount 2 .
p:Colour a sh:PropertyShape ; sh:path ex:colour ; sh:in ( "red" "green" "blue" ) .
p:Soft a sh:PropertyShape ; sh:path ex:note ; sh:severity sh:Warning .
"""


def _tree(folder: Path, ontology: str, shapes: str) -> Path:
    (folder / "ontology").mkdir(parents=True)
    (folder / "shapes" / "toy").mkdir(parents=True)
    (folder / "ontology" / "o.ttl").write_text(HEAD + ontology, encoding="utf-8")
    (folder / "shapes" / "toy" / "shapes.ttl").write_text(HEAD + shapes, encoding="utf-8")
    return folder


def _diff(tmp_path: Path, ontology: str, shapes: str) -> dict[tuple[str, str], Change]:
    old = _tree(tmp_path / "old", ONTOLOGY, SHAPES)
    new = _tree(tmp_path / "new", ontology, shapes)
    return {(c.kind, c.subject + " " + c.aspect): c for c in semantic_diff(old, new, BASE)}


def test_no_change_no_diff(tmp_path: Path) -> None:
    assert _diff(tmp_path, ONTOLOGY, SHAPES) == {}


@pytest.mark.parametrize(
    ("old", "new", "kind", "breaking"),
    [
        ("sh:minCount 0", "sh:minCount 1", "shape-tightened", True),
        ("sh:maxCount 2", "sh:maxCount 5", "shape-loosened", False),
        ("sh:maxCount 2", "sh:maxCount 2 ; sh:pattern '^[0-9]+$'", "shape-tightened", True),
        ('( "red" "green" "blue" )', '( "red" "green" )', "shape-tightened", True),
        ('( "red" "green" "blue" )', '( "red" "green" "blue" "black" )', "shape-loosened", False),
        ("sh:path ex:note ;", "sh:path ex:note ; sh:minCount 1 ;", "shape-tightened", False),
        ("sh:severity sh:Warning", "sh:severity sh:Violation", "shape-tightened", True),
        (
            '( "red" "green" "blue" )',
            '( "red" "green" "blue" "dark red" )',
            "shape-loosened",
            False,
        ),
        ('( "red" "green" "blue" )', '( "red" "dark green" )', "shape-changed", True),
    ],
)
def test_constraint_changes(tmp_path: Path, old: str, new: str, kind: str, breaking: bool) -> None:
    assert old in SHAPES
    changes = [c for c in _diff(tmp_path, ONTOLOGY, SHAPES.replace(old, new)).values()]
    assert [(c.kind, c.breaking) for c in changes] == [(kind, breaking)]


def test_term_changes(tmp_path: Path) -> None:
    ontology = (
        ONTOLOGY.replace('ex:Gone a owl:Class ; rdfs:label "gone"@en .', "")
        .replace('"thing"@en', '"thing"@en , "もの"@ja')
        .replace("xsd:integer", "xsd:decimal")
        + 'ex:New a owl:Class ; rdfs:label "new"@en .\n'
        + "ex:Thing owl:deprecated true .\n"
    )
    found = _diff(tmp_path, ontology, SHAPES)
    ex = "https://example.org/def#"
    assert found[("term-removed", ex + "Gone ")].breaking
    assert not found[("term-added", ex + "New ")].breaking
    assert not found[("term-changed", ex + "Thing labels")].breaking
    assert found[("term-changed", ex + "size domains and ranges")].breaking
    assert ("term-deprecated", ex + "Thing status") in found


def test_shape_added_to_an_existing_profile_is_breaking(tmp_path: Path) -> None:
    shapes = SHAPES + "p:Extra a sh:PropertyShape ; sh:path ex:size ; sh:datatype xsd:integer .\n"
    (change,) = _diff(tmp_path, ONTOLOGY, shapes).values()
    assert change.kind == "shape-added" and change.breaking and change.profile == "toy"


def test_outputs(tmp_path: Path) -> None:
    changes = list(
        _diff(tmp_path, ONTOLOGY, SHAPES.replace("sh:minCount 0", "sh:minCount 1")).values()
    )
    markdown = to_markdown(changes, "1.0.0", "1.1.0")
    assert "Constraints tightened" in markdown and "厳格化された制約" in markdown
    assert '"breaking": 1' in to_json(changes, "1.0.0", "1.1.0")
    assert "reg:breaking true" in to_rdf(changes, "1.0.0", "1.1.0", BASE)
