"""The life of a term — draft, candidate, adopted, deprecated, retired — and the SHACL
warnings that tell data producers when they use a deprecated or retired term.

:func:`deprecation_shapes` turns an ontology into a shapes document: one sh:Warning shape per
deprecated or retired class or property, with a Japanese and an English message naming the
replacement (dcterms:isReplacedBy). Pass it to validation alongside a profile's shapes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from cityref.registry.durable import RegistryError
from cityref.registry.turtle_writer import write_document
from cityref.registry.vocab import (
    CORE_STATUS,
    IS_REPLACED_BY,
    OWL,
    OWL_DEPRECATED,
    PREFIXES,
    RDF,
    RDF_TYPE,
    RDFS,
    SKOS,
    STATUS,
    core_status,
    sh,
    status_namespace,
)
from cityref.text import Bilingual

STATES = ("draft", "candidate", "adopted", "deprecated", "retired")
ENDED = ("deprecated", "retired")
CLASS_TYPES = {NamedNode(OWL + "Class"), NamedNode(RDFS + "Class")}
PROPERTY_TYPES = {
    NamedNode(OWL + "ObjectProperty"),
    NamedNode(OWL + "DatatypeProperty"),
    NamedNode(OWL + "AnnotationProperty"),
    NamedNode(RDF + "Property"),
}
_LABELS = (NamedNode(RDFS + "label"), NamedNode(SKOS + "prefLabel"))


@dataclass(frozen=True)
class DeprecatedTerm:
    """A term that should no longer be used, and what replaces it."""

    iri: str
    state: str  # "deprecated" or "retired"
    kind: str  # "class" or "property"
    replacements: tuple[str, ...]
    labels: dict[str, str]


def _parse(data: bytes, fmt: RdfFormat, name: str) -> list[Triple]:
    try:
        return [q.triple for q in parse(data, fmt)]
    except (SyntaxError, ValueError) as exc:
        raise RegistryError(
            Bilingual(f"{name}: 構文解析できません（{exc}）", f"{name}: does not parse: {exc}")
        ) from exc


def label_map(triples: list[Triple]) -> dict[str, dict[str, str]]:
    """IRI -> language -> label (rdfs:label, else skos:prefLabel)."""
    out: dict[str, dict[str, str]] = {}
    for t in triples:
        if (
            t.predicate in _LABELS
            and isinstance(t.object, Literal)
            and isinstance(t.subject, NamedNode)
        ):
            lang = t.object.language or ""
            out.setdefault(t.subject.value, {}).setdefault(lang, t.object.value)
    return out


def deprecated_terms(ontology: bytes, fmt: RdfFormat, base_iri: str) -> list[DeprecatedTerm]:
    """Classes and properties marked owl:deprecated or with status deprecated or retired, in
    an ontology whose terms are under ``base_iri``."""
    triples = _parse(ontology, fmt, "<ontology>")
    return _deprecated_in(triples, base_iri, label_map(triples))


def _deprecated_in(
    triples: list[Triple], base_iri: str, labels: dict[str, dict[str, str]]
) -> list[DeprecatedTerm]:
    status_predicate, states = core_status(base_iri), status_namespace(base_iri)
    types: dict[NamedNode, set[NamedNode]] = {}
    state: dict[NamedNode, str] = {}
    replaced: dict[NamedNode, set[str]] = {}
    for t in triples:
        s = t.subject
        if not isinstance(s, NamedNode):
            continue
        if t.predicate == RDF_TYPE and isinstance(t.object, NamedNode):
            types.setdefault(s, set()).add(t.object)
        elif t.predicate == status_predicate and isinstance(t.object, NamedNode):
            local = t.object.value.removeprefix(states)
            if local in ENDED:
                state[s] = local
        elif t.predicate == OWL_DEPRECATED and isinstance(t.object, Literal):
            if t.object.value == "true":
                state.setdefault(s, "deprecated")
        elif t.predicate == IS_REPLACED_BY and isinstance(t.object, NamedNode):
            replaced.setdefault(s, set()).add(t.object.value)
    out: list[DeprecatedTerm] = []
    for term, st in sorted(state.items(), key=lambda item: item[0].value):
        kinds = types.get(term, set())
        if kinds & CLASS_TYPES:
            kind = "class"
        elif kinds & PROPERTY_TYPES:
            kind = "property"
        else:
            continue
        out.append(
            DeprecatedTerm(
                term.value,
                st,
                kind,
                tuple(sorted(replaced.get(term, ()))),
                labels.get(term.value, {}),
            )
        )
    return out


def _messages(term: DeprecatedTerm, labels: dict[str, dict[str, str]]) -> tuple[str, str]:
    def name(iri: str, lang: str) -> str:
        text = labels.get(iri, {}).get(lang) or labels.get(iri, {}).get("")
        return f"{text} <{iri}>" if text else f"<{iri}>"

    state_ja = "非推奨" if term.state == "deprecated" else "廃止済み"
    ja = f"{name(term.iri, 'ja')} は{state_ja}の用語です。"
    en = f"{name(term.iri, 'en')} is a {term.state} term."
    if term.replacements:
        ja += (
            "代わりに "
            + "、".join(name(r, "ja") for r in term.replacements)
            + " を使ってください。"
        )
        en += " Use " + " or ".join(name(r, "en") for r in term.replacements) + " instead."
    else:
        ja += "置き換える用語はありません。"
        en += " It has no replacement."
    return ja, en


def deprecation_shapes(ontology: bytes, fmt: RdfFormat, base_iri: str) -> bytes:
    """Turtle SHACL with one sh:Warning shape per deprecated or retired class or property.

    A class C gives a node shape targeting C whose ``rdf:type`` property shape warns on the
    value C itself (so instances of its subclasses are not warned about); a property P gives
    a node shape targeting the subjects of P with ``sh:path P ; sh:maxCount 0``.
    """
    return deprecation_shapes_of(_parse(ontology, fmt, "<ontology>"), base_iri)


def deprecation_shapes_of(ontology: list[Triple], base_iri: str) -> bytes:
    """:func:`deprecation_shapes` of an ontology already parsed (its triples)."""
    all_labels = label_map(ontology)
    triples: list[Triple] = []
    for term in _deprecated_in(ontology, base_iri, all_labels):
        digest = hashlib.sha256(term.iri.encode()).hexdigest()[:16]
        node = NamedNode(f"{base_iri}shapes/deprecation/{digest}")
        prop = BlankNode()
        iri = NamedNode(term.iri)
        ja, en = _messages(term, all_labels)
        triples += [
            Triple(node, RDF_TYPE, sh("NodeShape")),
            Triple(node, NamedNode(RDFS + "label"), Literal(f"{term.iri} ({term.state})")),
            Triple(node, sh("property"), prop),
            Triple(prop, sh("severity"), sh("Warning")),
            Triple(prop, sh("message"), Literal(ja, language="ja")),
            Triple(prop, sh("message"), Literal(en, language="en")),
        ]
        if term.kind == "class":
            inner = BlankNode()
            triples += [
                Triple(node, sh("targetClass"), iri),
                Triple(prop, sh("path"), RDF_TYPE),
                Triple(prop, sh("not"), inner),
                Triple(inner, sh("hasValue"), iri),
            ]
        else:
            triples += [
                Triple(node, sh("targetSubjectsOf"), iri),
                Triple(prop, sh("path"), iri),
                Triple(prop, sh("maxCount"), Literal(0)),
            ]
    comment = "Generated by cityref.registry.lifecycle.deprecation_shapes; do not edit."
    return write_document(triples, PREFIXES, comment).encode("utf-8")


def deprecation_patch(
    term: str, replacement: str | None, state: str, current_status: str | None
) -> tuple[list[Triple], list[Triple]]:
    """Additions and deletions that move ``term`` to ``state`` (deprecated or retired)."""
    if state not in ENDED:
        raise RegistryError(
            Bilingual(
                f"状態 {state!r} が不正です（{ENDED} のいずれか）",
                f"state {state!r} is not one of {ENDED}",
            )
        )
    s = NamedNode(term)
    additions = [
        Triple(s, CORE_STATUS, NamedNode(STATUS + state)),
        Triple(s, OWL_DEPRECATED, Literal(True)),
    ]
    if replacement:
        additions.append(Triple(s, IS_REPLACED_BY, NamedNode(replacement)))
    deletions = []
    if current_status and current_status != STATUS + state:
        deletions.append(Triple(s, CORE_STATUS, NamedNode(current_status)))
    return additions, deletions
