"""The JSON-LD context of each profile is made from the model; JSON examples read with it give
the same triples as the Turtle examples (no remote context is ever fetched)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from cityref.profiles.contexts import profile_context, vocabulary_context
from cityref.profiles.registry import list_profiles
from tests.conftest import REPO_MODEL

PROFILES = [p for p in list_profiles(REPO_MODEL) if p.is_data_profile]
PAIRS = [
    (p, j, p.directory / "examples" / "valid" / (j.stem + ".ttl"))
    for p in PROFILES
    for j in sorted((p.directory / "examples" / "jsonld").glob("*.json"))
]


def test_every_rdf_profile_has_a_json_example() -> None:
    rdf = {p.id for p in PROFILES if p.input_kind == "rdf"}
    assert rdf <= {p.id for p, _, _ in PAIRS}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_context_is_json_ld(profile: object) -> None:
    doc = profile_context(profile)  # type: ignore[arg-type]
    assert isinstance(doc["@context"], dict) and doc["@context"]
    json.dumps(doc)


@pytest.mark.parametrize(
    ("profile", "json_path", "ttl_path"), PAIRS, ids=[f"{p.id}/{j.name}" for p, j, _ in PAIRS]
)
def test_json_example_gives_the_turtle_triples(
    profile: object, json_path: Path, ttl_path: Path
) -> None:
    body = json.loads(json_path.read_text(encoding="utf-8"))
    body["@context"] = profile_context(profile)["@context"]  # type: ignore[arg-type]
    from_json = Graph().parse(data=json.dumps(body), format="json-ld")
    from_ttl = Graph().parse(ttl_path, format="turtle")
    assert len(from_json) == len(from_ttl)
    assert isomorphic(from_json, from_ttl), sorted(set(from_json) ^ set(from_ttl))[:5]


def test_vocabulary_context_names_core_terms() -> None:
    ctx = vocabulary_context(REPO_MODEL)["@context"]
    assert ctx["Facility"] == "https://w3id.org/cityref/def/core#Facility"
    assert ctx["core"] == "https://w3id.org/cityref/def/core#"
