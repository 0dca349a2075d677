"""The compiled engine: evaluates compiled shapes on an Oxigraph store of the data."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QuerySolution, Store

from cityref.validation.compile import CompiledShape, compile_shape, value_query
from cityref.validation.graph import Graph
from cityref.validation.model import Focus, Result, ValueCheck, focus_values
from cityref.validation.numbers import CUSTOM_FUNCTIONS
from cityref.validation.paths import Path
from cityref.validation.progress import report
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import (
    RDFS_SUBCLASSOF,
    Term,
    decode,
    encode_shapes_term,
    sparql_term,
)

SHAPES_GRAPH_IRI = NamedNode("urn:cityref:graph:shapes")


class ShapeChecker:
    """Validates a data graph against ``shapes`` by compiled queries; where the queries run
    (:meth:`select`, :meth:`ask`) is the subclass's: the embedded store (:class:`Validator`)
    or a SPARQL endpoint (cityref.validation.in_place)."""

    #: Whether queries may call cityref's SPARQL functions (numbers.py).
    custom_functions = True

    def __init__(self, shapes: ShapesGraph, max_results: int | None = None) -> None:
        self.shapes = shapes
        self.max_results = max_results
        self.queries = 0
        self._compiled: dict[Term, CompiledShape] = {}
        self._pairs: dict[tuple[Term, str], list[tuple[Term, Term]]] = {}
        self._conformance: dict[Term, dict[Term, bool]] = {}
        self._local = threading.local()  # per-thread recursion guard for failing()
        self._subclasses: dict[Term, list[Term]] = {}

    # -- Context -------------------------------------------------------------------------
    def select(self, query: str) -> Iterable[QuerySolution]:
        """Run a SELECT query on the data graph (its rows may come as they are read)."""
        raise NotImplementedError

    def ask(self, query: str) -> bool:
        """Run an ASK query on the data graph."""
        raise NotImplementedError

    def shapes_graph(self) -> NamedNode:
        """The shapes graph as a named graph beside the data, for $shapesGraph."""
        raise NotImplementedError

    def bound_node(self, node: Term) -> str:
        """A data node as the SPARQL text a pre-bound variable ($this, $value) is replaced by."""
        return sparql_term(node)

    def target_focus(self, shape: Shape) -> Focus:
        """The focus nodes of a shape's targets."""
        return Focus.of_targets(shape)

    def values_focus(self, shape: Shape, focus: Focus) -> Focus | None:
        """The value nodes of ``shape`` for ``focus`` as a focus pattern, when nested shapes
        must be checked on a pattern rather than on a list of the nodes (None: a list)."""
        return None

    def nodes_focus(self, nodes: Iterable[Term], among: Focus) -> Focus:
        """Some of the focus nodes of ``among``, for a second, exact look at them."""
        return Focus.of_nodes(nodes)

    def focus_batches(self, shape: Shape) -> list[Focus]:
        """The focus nodes of a targeted shape, as the sets it is checked on one at a time."""
        return [self.target_focus(shape)]

    def value_pairs(self, shape: Shape, focus: Focus) -> Iterable[tuple[Term, Term]]:
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

    def failing(self, shape: Term, nodes: Iterable[Term], within: Focus | None = None) -> set[Term]:
        """The nodes that do not conform to ``shape`` (any result of any severity).

        ``within`` (a focus whose nodes are exactly ``nodes``) spares a query listing every
        node in a VALUES block, which Oxigraph parses and joins more slowly than the pattern.
        """
        known = self._conformance.setdefault(shape, {})
        distinct = dict.fromkeys(nodes)
        todo = [n for n in distinct if n not in known]
        active: set[Term] = self._local.__dict__.setdefault("active", set())
        if todo and shape not in active:  # recursion: nodes under check count as valid
            focus = self.nested_focus(todo, len(todo) == len(distinct), within)
            active.add(shape)
            try:
                bad = {r.focus for r in self.check_shape(self.shapes.shape(shape), focus)}
            finally:
                active.discard(shape)
            for n in todo:
                known[n] = n in bad
        return {n for n in nodes if known.get(n, False)}

    def failing_within(
        self, shape: Term, within: Focus, among: Container[Term] | None = None
    ) -> set[Term]:
        """The nodes of ``within`` that do not conform to ``shape``, found without listing
        the nodes: only the failing ones are kept (only those in ``among``, when given), as
        the results stream in, so a shape that nearly every node fails costs no list of
        results. Nothing is cached per node: ``within`` may hold more nodes than memory."""
        active: set[Term] = self._local.__dict__.setdefault("active", set())
        if shape in active:  # recursion: nodes under check count as valid
            return set()
        active.add(shape)
        try:
            return {
                r.focus
                for r in self.shape_results(self.shapes.shape(shape), within)
                if among is None or r.focus in among
            }
        finally:
            active.discard(shape)

    def nested_focus(self, todo: list[Term], all_todo: bool, within: Focus | None) -> Focus:
        """The focus on which a nested shape checks ``todo`` (``all_todo``: none of the nodes
        of ``within`` was checked before, so its pattern serves)."""
        return within if within is not None and all_todo else Focus.of_nodes(todo)

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
    def subclasses(self, cls: Term) -> list[Term]:
        """``cls`` and its subclasses in the data store (computed once per class)."""
        key = encode_shapes_term(cls)
        if key not in self._subclasses:
            query = (
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASSOF.value}>* {sparql_term(key)} }}"
            )
            found = [r["c"] for r in self.select(query)]
            self._subclasses[key] = list(dict.fromkeys([key, *found]))
        return self._subclasses[key]

    def compiled(self, shape: Shape) -> CompiledShape:
        """The shape's checks, compiled once."""
        if shape.node not in self._compiled:
            self._compiled[shape.node] = compile_shape(
                shape, self.shapes, self.subclasses, self.custom_functions
            )
        return self._compiled[shape.node]

    def check_shape(self, shape: Shape, focus: Focus) -> list[Result]:
        """Every result of ``shape`` for the focus nodes of ``focus``."""
        return list(self.shape_results(shape, focus))

    def shape_results(self, shape: Shape, focus: Focus) -> Iterator[Result]:
        """The results of ``shape`` for ``focus`` as they are found (the caller keeps what
        it needs of them)."""
        for unit in self.units(shape, focus):
            yield from unit()

    def units(self, shape: Shape, focus: Focus) -> list[Callable[[], Iterable[Result]]]:
        """The independent pieces of work that check ``shape``: one query each, roughly.

        A node shape's property shapes contribute their own units, so that the top-level
        work can be spread over threads (Oxigraph releases the GIL while it evaluates).
        """
        if shape.deactivated or focus.empty:
            return []
        c = self.compiled(shape)
        units: list[Callable[[], Iterable[Result]]] = []
        if c.value_checks:
            units.append(partial(self._value_checks, shape, focus, c.value_checks))
        units.extend(partial(check, self, shape, focus) for check in c.checks)
        # sh:property applies to value nodes; for node shapes these are the focus nodes.
        if shape.path is None:
            for prop in c.property_shapes:
                units.extend(self.units(self.shapes.shape(prop), focus))
        elif c.property_shapes:
            units.append(partial(self._nested_properties, shape, focus, c.property_shapes))
        return units

    def _value_checks(
        self, shape: Shape, focus: Focus, checks: tuple[ValueCheck, ...]
    ) -> list[Result]:
        results: list[Result] = []
        for row in self.select(value_query(shape, focus, checks)):
            for i, check in enumerate(checks):
                ok = row[f"c{i}"]
                # A row of a single check is its failure (the query keeps only failures).
                if len(checks) == 1 or ok is None or ok.value != "true":
                    results.append(
                        self.result(
                            shape,
                            row["this"],
                            check.component,
                            value=row["value"],
                            detail=check.detail,
                        )
                    )
        return results

    def _nested_properties(
        self, shape: Shape, focus: Focus, props: tuple[Term, ...]
    ) -> list[Result]:
        # A value reached from several focus nodes is reported once per focus node
        # (W3C property-001), so nested results are repeated by that multiplicity.
        times: Counter[Term] = Counter(v for _, v in self.value_pairs(shape, focus))
        inner = self.values_focus(shape, focus) or Focus.of_nodes(times)
        results: list[Result] = []
        for prop in props:
            for r in self.check_shape(self.shapes.shape(prop), inner):
                results.extend([r] * times.get(r.focus, 1))
        return results

    def focus_node_count(self) -> int:
        """How many distinct nodes the targeted shapes select (what a report "checked")."""
        patterns = [
            focus.pattern
            for shape in self.shapes.targeted_shapes()
            if not (focus := self.target_focus(shape)).empty
        ]
        if not patterns:
            return 0
        union = " UNION ".join("{ " + p + " }" for p in patterns)
        query = f"SELECT (COUNT(DISTINCT ?this) AS ?n) WHERE {{ {union} }}"
        row = next(iter(self.select(query)), None)
        return int(row["n"].value) if row is not None else 0

    def run(self, threads: int = 1) -> list[Result]:
        """Validate every targeted shape, spreading the top-level units over ``threads``.

        Each unit done is reported as progress ("check", in checks: a row shape holds nearly
        all the work, so shapes would be too coarse a measure), from this thread (the
        listener is this thread's, not the pool's)."""
        units = [
            unit
            for shape in self.shapes.targeted_shapes()
            for focus in self.focus_batches(shape)
            for unit in self.units(shape, focus)
        ]
        report("check", 0, len(units), "checks")
        results: list[Result] = []
        if threads <= 1 or len(units) <= 1:
            for done, unit in enumerate(units, start=1):
                results.extend(unit())
                report("check", done, len(units), "checks")
            return results
        with ThreadPoolExecutor(max_workers=threads) as pool:
            # A unit's results may be lazy: they are gathered in the pool's thread.
            futures = [pool.submit(_gathered, unit) for unit in units]
            for done, future in enumerate(futures, start=1):
                results.extend(future.result())
                report("check", done, len(units), "checks")
        return results


def _gathered(unit: Callable[[], Iterable[Result]]) -> list[Result]:
    return list(unit())


class Validator(ShapeChecker):
    """Validates the data in ``store`` (encoded, see terms.py) against ``shapes``."""

    def __init__(self, store: Store, shapes: ShapesGraph, max_results: int | None = None) -> None:
        super().__init__(shapes, max_results)
        self.store = store
        self._shapes_loaded = False
        self._asked: dict[str, bool] = {}

    def select(self, query: str) -> list[QuerySolution]:
        """Run a SELECT query on the data store."""
        self.queries += 1
        return list(self.store.query(query, custom_functions=CUSTOM_FUNCTIONS))  # type: ignore[arg-type]

    def ask(self, query: str) -> bool:
        """Run an ASK query on the data store, once per distinct query text.

        The store does not change during a run, so an ASK validator asked about the same
        value again (a municipality code repeated on every row) has the same answer.
        """
        answer = self._asked.get(query)
        if answer is None:
            self.queries += 1
            answer = bool(self.store.query(query, custom_functions=CUSTOM_FUNCTIONS))
            self._asked[query] = answer
        return answer

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


def add_hierarchy(store: Store, graph: Graph) -> None:
    """Add a graph's rdfs:subClassOf triples so class targets and sh:class see them."""
    quads = [
        Quad(encode_shapes_term(s), RDFS_SUBCLASSOF, encode_shapes_term(o), DefaultGraph())  # type: ignore[arg-type]
        for s, o in graph.pairs(RDFS_SUBCLASSOF)
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
    store: Store, shapes: ShapesGraph, max_results: int | None, threads: int = 1
) -> tuple[list[Result], dict[str, float]]:
    """Validate and return decoded results plus run statistics."""
    started = time.perf_counter()
    v = Validator(store, shapes, max_results)
    raw = v.run(threads)
    results = [decode_result(r) for r in raw]
    stats = {
        "queries": float(v.queries),
        "validate_seconds": time.perf_counter() - started,
        "focus_nodes": float(v.focus_node_count()),
    }
    return results, stats
