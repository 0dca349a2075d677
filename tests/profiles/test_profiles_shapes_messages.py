"""Every constraint of every profile speaks both languages: each shape that holds a constraint
(and each SPARQL constraint or validator) has an sh:message in Japanese and in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from cityref.profiles.coverage import constraint_parameters
from tests.conftest import REPO_MODEL

SH = "http://www.w3.org/ns/shacl#"
FILES = [
    p
    for p in sorted(REPO_MODEL.shapes_dir.glob("*/*.ttl"))
    if p.name != "profile.ttl" and p.parent.name != "quality"
]


def _languages(store: Store, node: object) -> set[str]:
    return {
        q.object.language or ""
        for q in store.quads_for_pattern(node, NamedNode(SH + "message"), None)  # type: ignore[arg-type]
        if isinstance(q.object, Literal)
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_constraint_has_ja_and_en_messages(path: Path) -> None:
    store = Store()
    store.load(path.read_bytes(), format=RdfFormat.TURTLE)
    holders = {
        q.subject
        for param in constraint_parameters(REPO_MODEL)
        for q in store.quads_for_pattern(None, NamedNode(param), None)
    }
    # members of sh:or / sh:not lists are parts of a constraint, not constraints themselves
    inner = {
        q.object
        for p in ("or", "not", "and", "xone")
        for q in store.quads_for_pattern(None, NamedNode(SH + p), None)
    }
    listed: set[object] = set()
    for node in inner:
        while node is not None:
            firsts = list(
                store.quads_for_pattern(
                    node,  # type: ignore[arg-type]
                    NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"),
                    None,
                )
            )
            if not firsts:
                listed.add(node)
                break
            listed.add(firsts[0].object)
            rests = list(
                store.quads_for_pattern(
                    node,  # type: ignore[arg-type]
                    NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"),
                    None,
                )
            )
            node = rests[0].object if rests else None
    # and so are the property shapes of such parts
    frontier = set(listed)
    while frontier:
        node = frontier.pop()
        for q in store.quads_for_pattern(node, NamedNode(SH + "property"), None):  # type: ignore[arg-type]
            if q.object not in listed:
                listed.add(q.object)
                frontier.add(q.object)
    missing = []
    for shape in holders - listed:
        langs = _languages(store, shape)
        sparql = [q.object for q in store.quads_for_pattern(shape, NamedNode(SH + "sparql"), None)]
        langs |= {lang for s in sparql for lang in _languages(store, s)}
        if not {"ja", "en"} <= langs and not _is_component_parameter(store, shape):
            missing.append(str(shape))
    assert not missing, missing[:5]


def _is_component_parameter(store: Store, node: object) -> bool:
    """sh:parameter declarations carry no message (their validator has it)."""
    return any(True for _ in store.quads_for_pattern(None, NamedNode(SH + "parameter"), node))  # type: ignore[arg-type]


def test_hand_written_phone_patterns_are_the_shared_one() -> None:
    """The GIF phone pattern written by hand in the GIF shapes is the shared "tel" check's."""
    from cityref.profiles.checks import load_check_book

    tel = load_check_book(REPO_MODEL.shapes_dir / "common").kinds["tel"].rules[0].body
    shared = Store()
    shared.load(f"@prefix sh: <{SH}> . [] {tel} .".encode(), format=RdfFormat.TURTLE)
    patterns = [
        q.object.value for q in shared.quads_for_pattern(None, NamedNode(SH + "pattern"), None)
    ]
    for profile in ("gif-facility", "gif-corporation"):
        store = Store()
        store.load(
            (REPO_MODEL.shapes_dir / profile / "shapes.ttl").read_bytes(), format=RdfFormat.TURTLE
        )
        phones = [
            q.object.value
            for q in store.quads_for_pattern(None, NamedNode(SH + "pattern"), None)
            if isinstance(q.object, Literal) and "+81" in q.object.value
        ]
        assert phones == patterns, profile
