"""The validation API: bytes + format (or a loaded store) against shapes bytes + format."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store

from cityref.validation.engine import add_hierarchy, run_compiled
from cityref.validation.graph import Graph
from cityref.validation.loading import FormatLike, load_store, read_graph
from cityref.validation.model import Result
from cityref.validation.options import Engine, ValidationOptions
from cityref.validation.progress import report
from cityref.validation.report import Report
from cityref.validation.shapes import ShapesGraph
from cityref.validation.terms import RDFS, Term, encode_quad, sh

_LABELS = (
    NamedNode(RDFS + "label"),
    NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    sh("name"),
)
#: All the engine reads of an ontology: its class hierarchy and the labels of its terms. A
#: caller may pass only these triples (a vocabulary of 20,000 triples validates faster).
ONTOLOGY_PREDICATES: tuple[NamedNode, ...] = (NamedNode(RDFS + "subClassOf"), *_LABELS)


DEFAULT_OPTIONS = ValidationOptions()


@dataclass(frozen=True)
class Document:
    """One RDF input: its bytes, its format and a name for error messages.

    ``canonical`` marks N-Triples written by cityref's own input adapters (one triple per
    line, escaped as pyoxigraph's serializer does), which load without a parse round trip.
    """

    data: bytes
    format: FormatLike
    name: str = "<data>"
    base_iri: str | None = None
    canonical: bool = False


def validate(
    data: bytes,
    data_format: FormatLike,
    shapes: bytes,
    shapes_format: FormatLike,
    options: ValidationOptions = DEFAULT_OPTIONS,
) -> Report:
    """Validate one data document against one shapes document."""
    return validate_documents(
        [Document(data, data_format)], Document(shapes, shapes_format, "<shapes>"), options
    )


def validate_documents(
    data: list[Document],
    shapes: Document,
    options: ValidationOptions = DEFAULT_OPTIONS,
    *,
    ontology: Document | None = None,
) -> Report:
    """Validate the union of ``data`` against ``shapes`` (shapes never come from the data).

    ``ontology`` (optional) contributes its rdfs:subClassOf hierarchy (for class targets and
    sh:class) and its labels (rdfs:label, skos:prefLabel) to messages; it is never validated.
    """
    if options.time_limit is not None:
        from cityref.validation.worker import run_with_time_limit

        return run_with_time_limit(data, shapes, options, ontology)
    return _validate_here(data, shapes, options, ontology)


# SHACL Advanced Features the compiled engine does not cover; shapes using them go to pySHACL
# (the report's engine then says "pyshacl").
_ADVANCED = ("target", "rule", "condition", "expression", "js", "jsFunctionName")


def needs_reference_engine(shapes: Graph) -> bool:
    """True when the shapes use features only pySHACL implements (SPARQL targets, rules)."""
    return any(shapes.pairs(sh(local)) for local in _ADVANCED)


def read_ontology(ontology: Document | None, options: ValidationOptions) -> Graph | None:
    """The vocabulary's graph (class hierarchy and labels), or None without one."""
    if ontology is None:
        return None
    return read_graph(
        ontology.data,
        ontology.format,
        name=ontology.name,
        base_iri=ontology.base_iri,
        max_bytes=options.max_input_bytes,
    )


def _validate_here(
    data: list[Document],
    shapes: Document,
    options: ValidationOptions,
    ontology: Document | None = None,
) -> Report:
    started = time.perf_counter()
    shapes_graph = read_graph(
        shapes.data,
        shapes.format,
        name=shapes.name,
        base_iri=shapes.base_iri,
        max_bytes=options.max_input_bytes,
    )
    ontology_graph = read_ontology(ontology, options)
    if options.engine == Engine.PYSHACL or needs_reference_engine(shapes_graph):
        from cityref.validation.pyshacl_engine import run_pyshacl

        return run_pyshacl(data, shapes, shapes_graph, options, ontology_graph)
    store = Store()
    size = sum(len(doc.data) for doc in data)
    loaded = 0
    report("load", loaded, size, "bytes")
    for doc in data:
        load_store(
            [(doc.data, doc.format, doc.name)],
            base_iri=doc.base_iri,
            max_bytes=options.max_input_bytes,
            store=store,
            canonical=doc.canonical,
        )
        loaded += len(doc.data)
        report("load", loaded, size, "bytes")
    parsed = time.perf_counter()
    return _finish(store, shapes_graph, options, started, parsed, ontology_graph)


def validate_store(
    store: Store,
    shapes: Document,
    options: ValidationOptions = DEFAULT_OPTIONS,
    *,
    ontology: Document | None = None,
) -> Report:
    """Validate the default graph of an already loaded store (copied, never modified).

    A pyoxigraph store has already canonicalised typed literals when they were loaded
    ("05"^^xsd:integer is "5", "5"^^xsd:int is "5"^^xsd:integer); validate bytes with
    :func:`validate_documents` when lexical forms and derived datatypes matter.
    """
    started = time.perf_counter()
    shapes_graph = read_graph(
        shapes.data, shapes.format, name=shapes.name, base_iri=shapes.base_iri
    )
    fresh = Store()
    fresh.extend(
        [encode_quad(q) for q in store.quads_for_pattern(None, None, None, DefaultGraph())]
    )
    ontology_graph = read_ontology(ontology, options)
    return _finish(fresh, shapes_graph, options, started, time.perf_counter(), ontology_graph)


def _finish(
    store: Store,
    graph: Graph,
    options: ValidationOptions,
    started: float,
    parsed: float,
    ontology: Graph | None = None,
) -> Report:
    shapes = ShapesGraph(graph)
    add_hierarchy(store, graph)
    if ontology is not None:
        add_hierarchy(store, ontology)
    if options.inference:
        from cityref.validation.inference import add_rdfs_entailments

        add_rdfs_entailments(store)
    results, stats = run_compiled(store, shapes, options.max_results, options.threads)
    truncated = options.max_results is not None and len(results) > options.max_results
    if truncated:
        results = results[: options.max_results]
    stats["parse_seconds"] = parsed - started
    stats["total_seconds"] = time.perf_counter() - started
    stats["data_triples"] = float(len(store))
    return Report(
        conforms=not results,
        results=tuple(results),
        engine=Engine.COMPILED.value,
        truncated=truncated,
        stats=stats,
        labels=collect_labels(store, graph, results, ontology),
        base_iri=options.base_iri,
    )


def collect_labels(
    store: Store | None, graph: Graph, results: list[Result], ontology: Graph | None = None
) -> dict[Term, tuple[Literal, ...]]:
    """Labels of the terms in results, from the shapes graph, the ontology and the data."""
    from cityref.validation.paths import PredicatePath
    from cityref.validation.terms import encode

    terms: set[Term] = set()
    for r in results:
        terms.add(r.focus)
        terms.add(r.source_shape)
        if isinstance(r.path, PredicatePath):
            terms.add(r.path.iri)
    labels: dict[Term, tuple[Literal, ...]] = {}
    for t in terms:
        found: list[Literal] = []
        for p in _LABELS:
            found.extend(o for o in graph.objects(t, p) if isinstance(o, Literal))
            if ontology is not None:
                found.extend(o for o in ontology.objects(t, p) if isinstance(o, Literal))
            if store is not None and not isinstance(t, Literal):
                for q in store.quads_for_pattern(encode(t), p, None):  # type: ignore[arg-type]
                    if isinstance(q.object, Literal):
                        found.append(q.object)
        if found:
            labels[t] = tuple(dict.fromkeys(found))
    return labels
