"""Validation in place: the compiled SHACL queries run at a SPARQL endpoint, where the data is.

Only queries go out and only result rows come back; nothing is written to the endpoint. Five
things differ from the embedded store (engine.Validator), each handled here:

* the data is as the engine stores it: no encoding of blank nodes or lexical forms (terms.py);
  results are compared with what exporting the same data and validating it locally gives;
* blank nodes of the data cannot be named in a later query, so nested shapes (sh:node, sh:or,
  nested sh:property, qualified value shapes) check value nodes given by a pattern
  (model.values_of), never by a list, and counts are filtered at the endpoint (HAVING);
* cityref's own SPARQL function (numbers.compare: exact comparison of numbers beyond what
  Oxigraph holds) is not the endpoint's: such numbers are out of range in place;
* the class hierarchy of the shapes and the vocabulary cannot be added to the data: class
  targets and sh:class list a class with its subclasses (from the shapes, the vocabulary and
  the data's own rdfs:subClassOf triples, read once);
* answers are read as they come, in one request each (endpoint.py), and only what a check
  needs is kept (failing nodes, results); with ``Endpoint.focus_batch`` set, a targeted
  shape is checked in batches of its IRI focus nodes, each named in a VALUES block, while
  its blank-node (and literal) focus nodes, which cannot be named, are checked together
  through the target's pattern.

What needs the shapes graph beside the data (SPARQL-based constraints with $shapesGraph), a
SPARQL-based constraint on a blank node, and RDFS inference are refused with a clear error.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator

from pyoxigraph import BlankNode, NamedNode, QuerySolution

from cityref.text import Bilingual
from cityref.validation.api import Document, collect_labels, needs_reference_engine, read_ontology
from cityref.validation.endpoint import Endpoint, EndpointClient, EndpointError
from cityref.validation.engine import ShapeChecker, decode_result
from cityref.validation.graph import Graph
from cityref.validation.loading import read_graph
from cityref.validation.model import Focus, Result, ValueCheck, focus_values, values_of
from cityref.validation.options import Engine, ValidationOptions
from cityref.validation.progress import report
from cityref.validation.report import Report
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import RDFS_SUBCLASSOF, Term, encode_shapes_term

#: Engine name a report of validation in place carries.
IN_PLACE_ENGINE = "compiled-in-place"


class InPlaceChecker(ShapeChecker):
    """Runs every compiled query at the endpoint of ``client``."""

    custom_functions = False  # an endpoint knows only its own

    def __init__(
        self,
        client: EndpointClient,
        shapes: ShapesGraph,
        hierarchy: Iterable[tuple[Term, Term]],
        max_results: int | None = None,
    ) -> None:
        super().__init__(shapes, max_results)
        self.client = client
        self._children: dict[Term, set[Term]] = defaultdict(set)
        for sub, sup in hierarchy:
            self._children[sup].add(sub)
        self._asked: dict[str, bool] = {}

    def select(self, query: str) -> Iterator[QuerySolution]:
        """The rows as they are read, a page at a time: what a check keeps is its own."""
        self.queries += 1
        return self.client.rows(query)

    def value_pairs(self, shape: Shape, focus: Focus) -> Iterator[tuple[Term, Term]]:
        """The pairs as they are read, not kept: a focus batch is seen once."""
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus_values(shape, focus)} }}"
        return ((r["this"], r["value"]) for r in self.select(query))

    def focus_batches(self, shape: Shape) -> list[Focus]:
        """The target's IRIs in VALUES blocks of ``focus_batch``, then the rest (blank nodes
        and literals) as one pattern.

        Each query of a batch names its focus nodes, so the server's work for it follows the
        batch, not the whole data, and its rows are few. Blank nodes cannot be named in a
        later query (nor can a literal be relied on to come back as the endpoint stores
        it), so those focus nodes keep the target's pattern, restricted to them."""
        target = self.target_focus(shape)
        if target.empty:
            return []
        size = self.client.endpoint.focus_batch
        if size is None:  # the whole target set, by its pattern
            return [target]
        batches: list[Focus] = []
        batch: list[Term] = []
        # Virtuoso 7's isIRI holds for a blank node too: isBlank tells them apart.
        named = "isIRI(?this) && !isBlank(?this)"
        listing = f"SELECT DISTINCT ?this WHERE {{ {target.pattern} FILTER({named}) }}"
        for row in self.select(listing):
            node = row["this"]
            if not isinstance(node, NamedNode):  # would be lost: neither named nor the rest
                raise EndpointError(
                    Bilingual(
                        f"エンドポイントが IRI でない焦点ノードを IRI として返しました: {node}",
                        f"the endpoint answered a focus node that is not an IRI as one: {node}",
                    )
                )
            batch.append(node)
            if len(batch) == size:
                batches.append(Focus.of_nodes(batch))
                batch = []
        if batch:
            batches.append(Focus.of_nodes(batch))
        rest = f"{{ SELECT DISTINCT ?this WHERE {{ {target.pattern} FILTER(!({named})) }} }}"
        if self.ask(f"ASK {{ {rest} }}"):
            batches.append(Focus(rest))
        return batches

    def ask(self, query: str) -> bool:
        answer = self._asked.get(query)
        if answer is None:
            self.queries += 1
            answer = self._asked[query] = self.client.ask(query)
        return answer

    def shapes_graph(self) -> NamedNode:
        raise EndpointError(
            Bilingual(
                "$shapesGraph を使う SPARQL 制約はその場での検証では使えません",
                "SPARQL constraints that use $shapesGraph cannot run in place",
            )
        )

    def bound_node(self, node: Term) -> str:
        if isinstance(node, BlankNode):
            raise EndpointError(
                Bilingual(
                    "SPARQL 制約を空白ノードについて検査することはその場ではできません"
                    "（エンドポイントの空白ノードはクエリで名指しできません）",
                    "a SPARQL-based constraint cannot check a blank node in place (an "
                    "endpoint's blank nodes cannot be named in a query)",
                )
            )
        return super().bound_node(node)

    def _value_checks(
        self, shape: Shape, focus: Focus, checks: tuple[ValueCheck, ...]
    ) -> list[Result]:
        """One query per check: Virtuoso 7 projects wrong values for a condition bound and
        then filtered on (a row of another value's, true for a failed EXISTS), so the answer
        must not depend on them; a row of a one-check query is that check's failure."""
        results: list[Result] = []
        for check in checks:  # (a loop: super() does not work inside a comprehension)
            results += super()._value_checks(shape, focus, (check,))
        return results

    def subclasses(self, cls: Term) -> list[Term]:
        """``cls`` and its subclasses by the hierarchy read at the start (cycles are fine)."""
        key = encode_shapes_term(cls)
        if key not in self._subclasses:
            found: dict[Term, None] = {key: None}
            todo = [key]
            while todo:
                for sub in self._children.get(todo.pop(), ()):
                    if sub not in found:
                        found[sub] = None
                        todo.append(sub)
            self._subclasses[key] = list(found)
        return self._subclasses[key]

    def target_focus(self, shape: Shape) -> Focus:
        return Focus.of_targets(shape, self.subclasses)

    def values_focus(self, shape: Shape, focus: Focus) -> Focus | None:
        return focus if shape.path is None else values_of(shape, focus)

    def nodes_focus(self, nodes: Iterable[Term], among: Focus) -> Focus:
        listed = list(nodes)
        return among if any(isinstance(n, BlankNode) for n in listed) else Focus.of_nodes(listed)

    def nested_focus(self, todo: list[Term], all_todo: bool, within: Focus | None) -> Focus:
        if not any(isinstance(n, BlankNode) for n in todo):
            return super().nested_focus(todo, all_todo, within)
        if within is None:  # every caller passes a pattern; a list would silently miss nodes
            raise AssertionError("blank nodes at an endpoint need a focus pattern")
        return within


def _refuse_unsupported(shapes: Graph, options: ValidationOptions) -> None:
    if options.engine == Engine.PYSHACL or needs_reference_engine(shapes):
        raise EndpointError(
            Bilingual(
                "この図形（SHACL の発展機能）や pyshacl エンジンはその場での検証では使えません",
                "these shapes (SHACL advanced features) or the pyshacl engine cannot validate "
                "in place",
            )
        )
    if options.inference:
        raise EndpointError(
            Bilingual(
                "RDFS 推論（--inference）はその場での検証では使えません",
                "RDFS inference (--inference) is not available in place",
            )
        )


def _data_hierarchy(client: EndpointClient) -> list[tuple[Term, Term]]:
    query = (
        f"SELECT DISTINCT ?sub ?sup WHERE {{ ?sub <{RDFS_SUBCLASSOF.value}> ?sup . "
        "FILTER(!isLiteral(?sup)) }"
    )
    return [(row["sub"], row["sup"]) for row in client.select(query)]


def validate_endpoint(
    endpoint: Endpoint,
    shapes: Document,
    options: ValidationOptions,
    *,
    ontology: Document | None = None,
) -> Report:
    """Validate the data graph of ``endpoint`` against ``shapes`` where the data is.

    ``ontology`` gives the class hierarchy and labels as in
    :func:`cityref.validation.api.validate_documents`. ``options.time_limit`` bounds the whole
    run (every request's timeout is what is left of it). Raises :class:`EndpointError` when
    the endpoint cannot be asked and for what cannot run in place.
    """
    started = time.perf_counter()
    deadline = None if options.time_limit is None else time.monotonic() + options.time_limit
    client = EndpointClient(endpoint, deadline)
    graph = read_graph(shapes.data, shapes.format, name=shapes.name, base_iri=shapes.base_iri)
    _refuse_unsupported(graph, options)
    vocabulary = read_ontology(ontology, options)
    report("connect", 0, None, "queries")
    hierarchy = [
        (encode_shapes_term(s), encode_shapes_term(o))
        for g in (graph, vocabulary)
        if g is not None
        for s, o in g.pairs(RDFS_SUBCLASSOF)
    ]
    hierarchy += _data_hierarchy(client)
    parsed = time.perf_counter()
    checker = InPlaceChecker(client, ShapesGraph(graph), hierarchy, options.max_results)
    results = [decode_result(r) for r in checker.run(options.threads)]
    truncated = options.max_results is not None and len(results) > options.max_results
    if truncated:
        results = results[: options.max_results]
    stats = {
        "queries": float(checker.queries),
        "requests": float(client.requests),
        "focus_nodes": float(checker.focus_node_count()),
        "parse_seconds": parsed - started,
        "validate_seconds": time.perf_counter() - parsed,
        "total_seconds": time.perf_counter() - started,
    }
    return Report(
        conforms=not results,
        results=tuple(results),
        engine=IN_PLACE_ENGINE,
        truncated=truncated,
        stats=stats,
        labels=collect_labels(None, graph, results, vocabulary),
        base_iri=options.base_iri,
    )
