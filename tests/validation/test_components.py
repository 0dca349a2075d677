"""Every constraint component is one complete object, and every one of SHACL's is there."""

from __future__ import annotations

import re
from dataclasses import replace
from importlib import resources

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from cityref.text import Bilingual
from cityref.validation.compile import COMPONENTS
from cityref.validation.component import ConstraintComponent

SH = "http://www.w3.org/ns/shacl#"
# The constraint components of the SHACL Recommendation (https://www.w3.org/TR/shacl/),
# section by section, and the SPARQL one of SHACL-SPARQL (section 5.1).
SPEC_COMPONENTS = {
    "4.1 value type": {"Class", "Datatype", "NodeKind"},
    "4.2 cardinality": {"MinCount", "MaxCount"},
    "4.3 value range": {"MinExclusive", "MinInclusive", "MaxExclusive", "MaxInclusive"},
    "4.4 string-based": {"MinLength", "MaxLength", "Pattern", "LanguageIn", "UniqueLang"},
    "4.5 property pair": {"Equals", "Disjoint", "LessThan", "LessThanOrEquals"},
    "4.6 logical": {"Not", "And", "Or", "Xone"},
    "4.7 shape-based": {"Node", "Property", "QualifiedMinCount", "QualifiedMaxCount"},
    "4.8 other": {"Closed", "HasValue", "In"},
    "5 SPARQL-based constraints": {"SPARQL"},
}
# In the SHACL vocabulary but not the Recommendation: SHACL-JS and SHACL-AF expressions.
NOT_SUPPORTED = {"JS", "Expression"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def missing_parts(component: ConstraintComponent) -> list[str]:
    """What a component lacks to be compiled, reported in both languages and shown."""
    missing = []
    if not callable(component.compile):
        missing.append("compiler")
    for part in ("message", "words"):
        text = getattr(component, part)
        missing += [f"{part}.{lang}" for lang in ("ja", "en") if not getattr(text, lang).strip()]
        if text.ja and not _JAPANESE.search(text.ja):
            missing.append(f"{part}.ja in Japanese")
    en, ja = (set(_PLACEHOLDER.findall(m)) for m in (component.message.en, component.message.ja))
    if component.message.ja and en != ja:
        missing.append("the same placeholders in both messages")
    return missing


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.name)
def test_each_component_has_its_compiler_messages_and_words(
    component: ConstraintComponent,
) -> None:
    assert missing_parts(component) == []
    assert component.iri == NamedNode(f"{SH}{component.name}ConstraintComponent")


def test_an_incomplete_component_is_caught() -> None:
    complete = COMPONENTS[0]
    broken = replace(
        complete,
        message=Bilingual("", complete.message.en),
        words=Bilingual(complete.words.ja, " "),
        compile=None,  # type: ignore[arg-type]
    )
    assert missing_parts(broken) == ["compiler", "message.ja", "words.en"]
    english_only = replace(complete, message=Bilingual(complete.message.en, complete.message.en))
    assert missing_parts(english_only) == ["message.ja in Japanese"]
    unequal = replace(complete, message=Bilingual("{prop}は違います。", complete.message.en))
    assert missing_parts(unequal) == ["the same placeholders in both messages"]


def test_names_and_parameters_are_unique() -> None:
    names = [c.name for c in COMPONENTS]
    parameters = [c.parameter for c in COMPONENTS]
    assert len(set(names)) == len(names) and len(set(parameters)) == len(parameters)


@pytest.mark.parametrize("section", SPEC_COMPONENTS)
def test_every_component_of_the_spec_is_registered(section: str) -> None:
    registered = {c.name for c in COMPONENTS}
    assert SPEC_COMPONENTS[section] - registered == set(), section
    assert all(c.parameter[0].islower() for c in COMPONENTS)


def test_the_spec_list_matches_the_shacl_vocabulary() -> None:
    """The list above against the sh:ConstraintComponent instances of the SHACL vocabulary
    (the copy pySHACL ships), so that the list cannot leave one out."""
    store = Store()
    vocabulary = resources.files("pyshacl").joinpath("assets", "shacl.ttl").read_bytes()
    store.load(vocabulary, format=RdfFormat.TURTLE)
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    declared = {
        q.subject.value[len(SH) :].removesuffix("ConstraintComponent")
        for q in store.quads_for_pattern(None, rdf_type, NamedNode(SH + "ConstraintComponent"))
        if isinstance(q.subject, NamedNode)
    }
    listed = set().union(*SPEC_COMPONENTS.values())
    assert declared - NOT_SUPPORTED == listed
    assert {c.name for c in COMPONENTS} == listed
