"""The compiled engine: evaluates compiled shapes on an Oxigraph store of the data."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QuerySolution, Store

from cityref.validation.compile import CompiledShape, compile_shape, value_query
from cityref.validation.model import Focus, Result, focus_values
from cityref.validation.paths import Path
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import RDFS_SUBCLASSOF, Term, decode, encode_shapes_term

SHAPES_GRAPH_IRI = NamedNode("urn:cityref:graph:shapes")


class ResultCapReached(Exception):
    """Internal: stop once the result cap is reached."""


class Validator:
    """Validates the data in ``store`` (encoded, see terms.py) against ``shapes``."""

    def __init__(self, store: Store, shapes: ShapesGraph, max_results: int | None = None) -> None:
        self.store = store
        self.shapes = shapes
        self.max_results = max_results
        self.queries = 0
        self._compiled: dict[Term, CompiledShape] = {}
        self._pairs: dict[tuple[Term, str], list[tuple[Term, Term]]] = {}
        self._conformance: dict[Term, dict[Term, bool]] = {}
        self._active: set[Term] = set()
        self._shapes_loaded = False

    # -- Context -------------------------------------------------------------------------
    def select(self, query: str) -> list[QuerySolution]:
        """Run a SELECT query on the data store."""
        self.queries += 1
        return list(self.store.query(query))  # type: ignore[arg-type]

    def ask(self, query: str) -> bool:
        """Run an ASK query on the data store."""
        self.queries += 1
        return bool(self.store.query(query))

    def shapes_graph(self) -> NamedNode:
        """The shapes graph as a named graph of the data store, for $shapesGraph."""
        if not self._shapes_loaded:
            quads = [
                Quad(encode_shapes_term(s), p, encode_shapes_term(o), SHAPES_GRAPH_IRI)  # type: ignore[arg-type]
                for s, p, o in self.shapes.graph.triples()
            ]
            self.store.extend(quads)
            self._shapes_loaded = True
        return SHAPES_GRAPH_IRI

    def value_pairs(self, shape: Shape, focus: Focus) -> list[tuple[Term, Term]]:
        """(focus node, value node) pairs, cached per shape and focus set."""
        key = (shape.node, focus.pattern)
        if key not in self._pairs:
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus_values(shape, focus)} }}"
            self._pairs[key] = [(r["this"], r["value"]) for r in self.select(query)]
        return self._pairs[key]

    def focus_nodes(self, focus: Focus) -> list[Term]:
        """The focus nodes of a focus set."""
        if focus.empty:
            return []
        return [
            r["this"] for r in self.select(f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} }}")
        ]

    def failing(self, shape: Term, nodes: Iterable[Term]) -> set[Term]:
        """The nodes that do not conform to ``shape`` (any result of any severity)."""
        known = self._conformance.setdefault(shape, {})
        todo = [n for n in dict.fromkeys(nodes) if n not in known]
        if todo and shape not in self._active:  # recursion: nodes under check count as valid
            self._active.add(shape)
            try:
                bad = {
                    r.focus
                    for r in self.check_shape(self.shapes.shape(shape), Focus.of_nodes(todo))
                }
            finally:
                self._active.discard(shape)
            for n in todo:
                known[n] = n in bad
        return {n for n in nodes if known.get(n, False)}

    def result(
        self,
        shape: Shape,
        focus: Term,
        component: NamedNode,
        *,
        value: Term | None = None,
        path: Path | None = None,
        use_shape_path: bool = True,
        detail: tuple[tuple[str, str], ...] = (),
        source_constraint: Term | None = None,
        messages: tuple[Literal, ...] | None = None,
    ) -> Result:
        """A result carrying the shape's severity and sh:message."""
        return Result(
            focus=focus,
            path=shape.path if use_shape_path and path is None else path,
            value=value,
            severity=shape.severity,
            source_shape=shape.node,
            component=component,
            source_constraint=source_constraint,
            messages=shape.messages if messages is None else messages,
            detail=detail,
        )

    # -- evaluation ----------------------------------------------------------------------
    def compiled(self, shape: Shape) -> CompiledShape:
        """The shape's checks, compiled once."""
        if shape.node not in self._compiled:
            self._compiled[shape.node] = compile_shape(shape, self.shapes)
        return self._compiled[shape.node]

    def check_shape(self, shape: Shape, focus: Focus) -> list[Result]:
        """Every result of ``shape`` for the focus nodes of ``focus``."""
        if shape.deactivated or focus.empty:
            return []
        c = self.compiled(shape)
        results: list[Result] = []
        if c.value_checks:
            for row in self.select(value_query(shape, focus, c.value_checks)):
                for i, check in enumerate(c.value_checks):
                    ok = row[f"c{i}"]
                    if ok is None or ok.value != "true":
                        results.append(
                            self.result(
                                shape,
                                row["this"],
                                check.component,
                                value=row["value"],
                                detail=check.detail,
                            )
                        )
        for run_check in c.checks:
            results.extend(run_check(self, shape, focus))
        if c.property_shapes:
            # sh:property applies to value nodes; for node shapes these are the focus nodes.
            # A value reached from several focus nodes is reported once per focus node
            # (W3C property-001), so nested results are repeated by that multiplicity.
            if shape.path is None:
                for prop in c.property_shapes:
                    results.extend(self.check_shape(self.shapes.shape(prop), focus))
            else:
                times = Counter(v for _, v in self.value_pairs(shape, focus))
                inner = Focus.of_nodes(times)
                for prop in c.property_shapes:
                    for r in self.check_shape(self.shapes.shape(prop), inner):
                        results.extend([r] * times.get(r.focus, 1))
        return results

    def run(self) -> list[Result]:
        """Validate every targeted shape; stops early at the result cap."""
        results: list[Result] = []
        for shape in self.shapes.targeted_shapes():
            results.extend(self.check_shape(shape, Focus.of_targets(shape)))
            if self.max_results is not None and len(results) > self.max_results:
                break
        return results


def add_hierarchy(store: Store, shapes: ShapesGraph) -> None:
    """Add the shapes graph's rdfs:subClassOf triples so class targets and sh:class see them."""
    quads = [
        Quad(encode_shapes_term(s), RDFS_SUBCLASSOF, encode_shapes_term(o), DefaultGraph())  # type: ignore[arg-type]
        for s, o in shapes.subclass_pairs()
    ]
    if quads:
        store.extend(quads)


def decode_result(r: Result) -> Result:
    """A result in the data's own terms (blank nodes and literals as written)."""
    return Result(
        focus=decode(r.focus),
        path=r.path,
        value=decode(r.value) if r.value is not None else None,
        severity=r.severity,
        source_shape=r.source_shape,
        component=r.component,
        source_constraint=r.source_constraint,
        messages=r.messages,
        detail=r.detail,
    )


def run_compiled(
    store: Store, shapes: ShapesGraph, max_results: int | None
) -> tuple[list[Result], dict[str, float]]:
    """Validate and return decoded, de-duplicated results plus run statistics."""
    started = time.perf_counter()
    v = Validator(store, shapes, max_results)
    raw = v.run()
    results = [decode_result(r) for r in raw]
    stats = {"queries": float(v.queries), "validate_seconds": time.perf_counter() - started}
    return results, stats
