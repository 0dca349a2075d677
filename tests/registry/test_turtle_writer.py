"""The stable writer: untouched text stays byte for byte, a patch changes only its lines."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from cityref.registry.durable import RegistryError
from cityref.registry.turtle_writer import TurtleFile, patch_text, write_document
from tests.registry.conftest import REPO

SH = "http://www.w3.org/ns/shacl#"
EX = "https://example.org/"
TEXT = """# A toy file.
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .

ex:A
    a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:B .

ex:B
    a sh:PropertyShape ;
    sh:path ex:p ;
    sh:minCount 1 .

ex:C a sh:NodeShape ; sh:in ( "x" "y" ) .
"""


def _changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _triples(text: str) -> set[Triple]:
    """The statements without blank nodes (blank node labels differ between parses)."""
    return {
        q.triple
        for q in parse(text.encode(), RdfFormat.TURTLE)
        if not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)
    }


def _count(text: str) -> int:
    return len(list(parse(text.encode(), RdfFormat.TURTLE)))


@pytest.mark.parametrize(
    "path",
    sorted(
        str(p.relative_to(REPO))
        for folder in ("ontology", "shapes")
        for p in (REPO / folder).rglob("*.ttl")
        if "examples" not in p.parts
    )[:40],
)
def test_unchanged_files_come_back_byte_for_byte(path: str) -> None:
    text = (REPO / path).read_text(encoding="utf-8")
    assert TurtleFile(text, path).text() == text


def test_adding_a_statement_adds_one_line() -> None:
    new = patch_text(
        TEXT, "toy", [Triple(NamedNode(EX + "B"), NamedNode(SH + "maxCount"), Literal(1))], []
    )
    assert _changed_lines(TEXT, new) == [
        "-    sh:minCount 1 .",
        "+    sh:minCount 1 ;",
        "+    sh:maxCount 1 .",
    ]
    assert Triple(NamedNode(EX + "B"), NamedNode(SH + "maxCount"), Literal(1)) in _triples(new)


def test_deleting_a_statement_removes_its_line() -> None:
    gone = Triple(NamedNode(EX + "A"), NamedNode(SH + "targetClass"), NamedNode(EX + "Thing"))
    new = patch_text(TEXT, "toy", [], [gone])
    assert _changed_lines(TEXT, new) == ["-    sh:targetClass ex:Thing ;"]
    assert _triples(new) == _triples(TEXT) - {gone}


def test_replacing_a_value_and_a_new_subject() -> None:
    old = Triple(NamedNode(EX + "B"), NamedNode(SH + "minCount"), Literal(1))
    new_value = Triple(NamedNode(EX + "B"), NamedNode(SH + "minCount"), Literal(2))
    fresh = Triple(NamedNode(EX + "D"), NamedNode(SH + "path"), NamedNode(EX + "q"))
    new = patch_text(TEXT, "toy", [new_value, fresh], [old])
    assert _triples(new) == (_triples(TEXT) - {old}) | {new_value, fresh}
    assert new.startswith(TEXT.split("ex:B")[0])  # the blocks before are untouched
    assert "ex:C a sh:NodeShape ; sh:in" in new
    assert patch_text(new, "toy", [new_value, fresh], []) == new  # idempotent


def test_blank_node_values_are_replaced_whole() -> None:
    in_list = Triple(NamedNode(EX + "C"), NamedNode(SH + "in"), BlankNode())
    new = patch_text(TEXT, "toy", [], [in_list])
    assert "sh:in" not in new and "ex:C" in new
    assert _count(new) == _count(TEXT) - 5  # the statement and the two-item list


def test_a_missing_deletion_is_an_error() -> None:
    absent = Triple(NamedNode(EX + "B"), NamedNode(SH + "minCount"), Literal(7))
    with pytest.raises(RegistryError, match="not there"):
        patch_text(TEXT, "toy.ttl", [], [absent])


def test_write_document_is_stable(tmp_path: Path) -> None:
    triples = list(_triples(TEXT))
    one = write_document(triples, {"sh": SH, "ex": EX})
    two = write_document(list(reversed(triples)), {"sh": SH, "ex": EX})
    assert one == two
    assert _count(one) == len(triples)
