"""The W3C SHACL validation report graph (spec 3.6) in Turtle and JSON-LD."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.validation.messages import message
from cityref.validation.options import Language
from cityref.validation.paths import path_triples
from cityref.validation.terms import RDF_TYPE, SH, XSD, Subject, Term, sh

if TYPE_CHECKING:
    from cityref.validation.report import Report

PREFIXES = {
    "sh": SH,
    "xsd": XSD,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def report_triples(report: Report) -> list[Triple]:
    """The report as triples; results without sh:message carry default messages in ja and en."""
    triples: list[Triple] = []

    def add(s: Subject, p: NamedNode, o: Term) -> None:
        triples.append(Triple(s, p, o))

    root = BlankNode()
    add(root, RDF_TYPE, sh("ValidationReport"))
    add(
        root,
        sh("conforms"),
        Literal("true" if report.conforms else "false", datatype=NamedNode(XSD + "boolean")),
    )
    if report.base_iri is not None:  # the engine term is the model's report vocabulary
        add(root, NamedNode(report.base_iri + "def/validation#engine"), Literal(report.engine))
    for r in report.results:
        node = BlankNode()
        add(root, sh("result"), node)
        add(node, RDF_TYPE, sh("ValidationResult"))
        add(node, sh("focusNode"), r.focus)
        if r.path is not None:
            head, path_spo = path_triples(r.path)
            add(node, sh("resultPath"), head)
            for s, p, o in path_spo:
                add(s, p, o)
        if r.value is not None:
            add(node, sh("value"), r.value)
        add(node, sh("resultSeverity"), r.severity)
        add(node, sh("sourceShape"), r.source_shape)
        add(node, sh("sourceConstraintComponent"), r.component)
        if r.source_constraint is not None:
            add(node, sh("sourceConstraint"), r.source_constraint)
        if r.messages:
            for m in r.messages:
                add(node, sh("resultMessage"), m)
        else:
            for lang in (Language.EN, Language.JA):
                text = message(r, report.labels, lang)
                add(node, sh("resultMessage"), Literal(text, language=lang.value))
    return triples


def report_turtle(report: Report) -> str:
    """The report graph in Turtle."""
    out = serialize(report_triples(report), format=RdfFormat.TURTLE, prefixes=PREFIXES)
    assert out is not None
    return out.decode()


def report_jsonld(report: Report) -> str:
    """The report graph in JSON-LD (expanded form; no remote context is referenced)."""
    out = serialize(report_triples(report), format=RdfFormat.JSON_LD)
    assert out is not None
    return out.decode()
