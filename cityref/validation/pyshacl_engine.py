"""The reference engine: pySHACL on rdflib graphs, as fallback and as the tests' oracle."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from cityref.errors import SourceLocation
from cityref.text import Bilingual
from cityref.validation.errors import RdfSyntaxError, ShapesError
from cityref.validation.graph import Graph
from cityref.validation.loading import check_input, rdf_format, read_graph
from cityref.validation.model import Result
from cityref.validation.options import Engine, ValidationOptions
from cityref.validation.paths import read_path
from cityref.validation.report import Report
from cityref.validation.terms import RDF_TYPE, RDFS_SUBCLASSOF, Term, sh

if TYPE_CHECKING:
    from cityref.validation.api import Document

_RDFLIB_FORMATS = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.N_TRIPLES: "nt",
    RdfFormat.N_QUADS: "nquads",
    RdfFormat.TRIG: "trig",
    RdfFormat.N3: "n3",
    RdfFormat.RDF_XML: "xml",
    RdfFormat.JSON_LD: "json-ld",
}


def to_oxigraph(term: Any) -> Term:
    """An rdflib term as a pyoxigraph term."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term)) if str(term).isalnum() else BlankNode()
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    raise ValueError(f"unsupported rdflib term {term!r}")


def to_rdflib(term: Term) -> Any:
    """A pyoxigraph term as an rdflib term."""
    import rdflib

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _parse_rdflib(doc: Document, max_bytes: int | None, into: Any = None) -> Any:
    import rdflib

    fmt = rdf_format(doc.format)
    check_input(doc.data, fmt, doc.name, max_bytes)
    g = rdflib.Graph() if into is None else into
    try:
        g.parse(data=doc.data, format=_RDFLIB_FORMATS[fmt], publicID=doc.base_iri)
    except Exception as exc:  # rdflib raises many types; re-read with Oxigraph for a position
        read_graph(doc.data, fmt, name=doc.name, base_iri=doc.base_iri)
        raise RdfSyntaxError.from_parser(str(exc), SourceLocation(doc.name)) from None
    return g


def run_pyshacl(
    data: list[Document],
    shapes: Document,
    shapes_graph: Graph,
    options: ValidationOptions,
    ontology: Graph | None = None,
) -> Report:
    """Validate with pySHACL; results are converted to the engine-independent model."""
    import pyshacl
    import rdflib

    started = time.perf_counter()
    data_graph = rdflib.Graph()
    for doc in data:
        _parse_rdflib(doc, options.max_input_bytes, into=data_graph)
    shacl_graph = _parse_rdflib(shapes, options.max_input_bytes)
    # The same class hierarchy as the compiled engine: that of the shapes and the ontology.
    for graph in (shapes_graph, ontology):
        for s, o in graph.pairs(RDFS_SUBCLASSOF) if graph is not None else ():
            data_graph.add((to_rdflib(s), rdflib.RDFS.subClassOf, to_rdflib(o)))
    parsed = time.perf_counter()
    try:
        _conforms, results_graph, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shacl_graph,
            inference="rdfs" if options.inference else "none",
            advanced=True,
            allow_warnings=False,
        )
    except Exception as exc:  # pySHACL reports ill-formed shapes with its own exceptions
        message = getattr(exc, "message", None) or exc.args[0] if exc.args else type(exc).__name__
        raise ShapesError(Bilingual(f"pySHACL: {message}", f"pySHACL: {message}")) from None
    report_graph = Graph(Triple(*(to_oxigraph(t) for t in spo)) for spo in results_graph)  # type: ignore[arg-type]
    # Only the report's own sh:result values: pySHACL nests the causes as sh:detail results.
    results = [
        _result(report_graph, node)
        for report in report_graph.subjects(RDF_TYPE, sh("ValidationReport"))
        for node in report_graph.objects(report, sh("result"))
    ]
    truncated = options.max_results is not None and len(results) > options.max_results
    if truncated:
        results = results[: options.max_results]
    from cityref.validation.api import collect_labels

    return Report(
        conforms=not results,
        results=tuple(results),
        engine=Engine.PYSHACL.value,
        truncated=truncated,
        stats={
            "parse_seconds": parsed - started,
            "validate_seconds": time.perf_counter() - parsed,
            "total_seconds": time.perf_counter() - started,
            "data_triples": float(len(data_graph)),
        },
        labels=collect_labels(None, shapes_graph, results, ontology),
        base_iri=options.base_iri,
    )


def _result(g: Graph, node: Term) -> Result:
    path_node = g.one(node, sh("resultPath"))
    component = g.one(node, sh("sourceConstraintComponent"))
    focus = g.one(node, sh("focusNode"))
    assert isinstance(component, NamedNode) and focus is not None
    return Result(
        focus=focus,
        path=read_path(g, path_node) if path_node is not None else None,
        value=g.one(node, sh("value")),
        severity=g.one(node, sh("resultSeverity")) or sh("Violation"),
        source_shape=g.one(node, sh("sourceShape")) or sh("Shape"),
        component=component,
        source_constraint=g.one(node, sh("sourceConstraint")),
        messages=tuple(m for m in g.objects(node, sh("resultMessage")) if isinstance(m, Literal)),
    )
