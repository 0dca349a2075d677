"""Shared types of the compiled engine: validation results, focus node sets, checks."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import Literal, NamedNode, QuerySolution

from cityref.validation.paths import Path
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import RDF_TYPE, Term, encode_shapes_term, sh, sparql_term


@dataclass(frozen=True)
class Result:
    """One validation result (spec section 3.6), in the terms of the data graph."""

    focus: Term
    path: Path | None
    value: Term | None
    severity: Term
    source_shape: Term
    component: NamedNode
    source_constraint: Term | None = None
    messages: tuple[Literal, ...] = ()
    # Readable facts for default messages, e.g. (("expected", "1"), ("found", "0")).
    detail: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def component_name(self) -> str:
        """The component's local name without the ``ConstraintComponent`` suffix."""
        name = self.component.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return name.removesuffix("ConstraintComponent")


#: Follows a VALUES block that may be a whole branch of a UNION: Virtuoso 7 answers nothing
#: for a UNION with such a branch (not even the other branches' rows), unless the group
#: holds something besides the VALUES; a FILTER that always holds changes nothing elsewhere.
ALONE = " FILTER(true)"


@dataclass(frozen=True)
class Focus:
    """A set of focus nodes as a SPARQL group pattern that binds ``?this`` once per node."""

    pattern: str
    empty: bool = False

    @staticmethod
    def of_nodes(nodes: Iterable[Term]) -> Focus:
        """Focus nodes given one by one (already in the store's encoding)."""
        rendered = " ".join(sparql_term(n) for n in nodes)
        return Focus(f"VALUES ?this {{ {rendered} }}{ALONE}", empty=not rendered)

    @staticmethod
    def of_targets(shape: Shape, subclasses: Callable[[Term], list[Term]] | None = None) -> Focus:
        """The focus nodes of a shape's targets (spec section 2.1.3).

        ``subclasses`` (a class and its subclasses), when given, lists the classes of a class
        target instead of following rdfs:subClassOf in the data graph."""
        t = shape.targets
        parts: list[str] = []
        if t.nodes:
            nodes = " ".join(sparql_term(encode_shapes_term(n)) for n in t.nodes)
            parts.append(f"VALUES ?this {{ {nodes} }}{ALONE}")
        for c in t.classes:
            if subclasses is None:
                parts.append(f"?this {RDF_TYPE_PATH} {sparql_term(c)} .")
            else:
                listed = " ".join(sparql_term(k) for k in subclasses(c))
                parts.append(
                    f"?this {sparql_term(RDF_TYPE)} ?_class . VALUES ?_class {{ {listed} }}"
                )
        for p in t.subjects_of:
            parts.append(f"?this {sparql_term(p)} ?_any .")
        for p in t.objects_of:
            parts.append(f"?_any {sparql_term(p)} ?this .")
        if not parts:
            return Focus("", empty=True)
        union = " UNION ".join("{ " + p + " }" for p in parts)
        return Focus(f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}")


# A string literal or an IRI (inside which "?this" is text, not a variable), or ?this.
_THIS_OUTSIDE_TERMS = re.compile(r'"(?:[^"\\]|\\.)*"|<[^<>\s]*>|\?this\b')
_RENAMES = itertools.count()


def values_of(shape: Shape, focus: Focus) -> Focus:
    """The distinct value nodes of ``shape`` for ``focus``, as a focus pattern.

    The focus pattern's own ``?this`` is renamed inside (it is a closed group binding only
    ``?this``), so that the values can be projected as the new ``?this``.
    """
    n = next(_RENAMES)
    outer = f"?_f{n}"
    walk = focus_values(shape, focus, f"?_v{n}")
    renamed = _THIS_OUTSIDE_TERMS.sub(
        lambda m: outer if m.group(0) == "?this" else m.group(0), walk
    )
    return Focus(f"{{ SELECT DISTINCT (?_v{n} AS ?this) WHERE {{ {renamed} }} }}")


RDF_TYPE_PATH = (
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
    "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
)


@dataclass(frozen=True)
class ValueCheck:
    """A constraint tested on each value node alone; batched into one query per shape.

    ``condition`` is a SPARQL boolean expression over ``?value`` that is true when the value
    conforms; an evaluation error counts as a violation.
    """

    component: NamedNode
    condition: str
    detail: tuple[tuple[str, str], ...] = ()


class Context(Protocol):
    """What checks may ask of the engine."""

    shapes: ShapesGraph

    def select(self, query: str) -> Iterable[QuerySolution]:
        """Run a SELECT query on the data store (its rows may come as they are read)."""
        ...

    def ask(self, query: str) -> bool:
        """Run an ASK query on the data store."""
        ...

    def shapes_graph(self) -> NamedNode:
        """The name of the shapes graph inside the data store (loaded on first use)."""
        ...

    def value_pairs(self, shape: Shape, focus: Focus) -> Iterable[tuple[Term, Term]]:
        """(focus node, value node) pairs of the shape for these focus nodes (iterate once:
        they may come as they are read)."""
        ...

    def focus_nodes(self, focus: Focus) -> list[Term]:
        """The focus nodes themselves."""
        ...

    def bound_node(self, node: Term) -> str:
        """A data node as the SPARQL text a pre-bound variable ($this, $value) is replaced by."""
        ...

    def values_focus(self, shape: Shape, focus: Focus) -> Focus | None:
        """The value nodes of ``shape`` for ``focus`` as a pattern, when nested shapes must
        check them that way (the nodes cannot be listed: blank nodes at an endpoint)."""
        ...

    def nodes_focus(self, nodes: Iterable[Term], among: Focus) -> Focus:
        """Some of the focus nodes of ``among`` (all of them when they cannot be listed)."""
        ...

    def failing(self, shape: Term, nodes: Iterable[Term], within: Focus | None = None) -> set[Term]:
        """The nodes among ``nodes`` that do not conform to ``shape``.

        ``within``, when given, is a focus whose nodes are exactly ``nodes``: the nested
        shape is then checked with its pattern instead of a list of every node.
        """
        ...

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
        """A result with the shape's severity and (unless given) the shape's messages."""
        ...

    def failing_within(
        self, shape: Term, within: Focus, among: Container[Term] | None = None
    ) -> set[Term]:
        """The nodes of ``within`` (those in ``among``, when given) that do not conform to
        ``shape``, without listing every node of ``within``."""
        ...


#: A check: its results for the focus nodes (a list, or lazily as they are found).
CheckFn = Callable[[Context, Shape, Focus], Iterable[Result]]


def focus_values(shape: Shape, focus: Focus, var: str = "?value") -> str:
    """SPARQL binding ``?this`` to each focus node and ``var`` to each of its value nodes.

    A path that can have length zero (``*``, ``?``) reaches the focus node itself even when
    that node is absent from the data (a sh:targetNode, a literal); SPARQL only enumerates
    graph terms for zero-length paths, so that case is added explicitly.
    """
    from cityref.validation.paths import nullable, path_sparql

    if shape.path is None:
        return f"{focus.pattern} BIND(?this AS {var})"
    walk = f"{focus.pattern} ?this {path_sparql(shape.path)} {var} ."
    if not nullable(shape.path):
        return walk
    return f"{{ {walk} }} UNION {{ {focus.pattern} BIND(?this AS {var}) }}"


def has_value_expr(shape: Shape, value: str) -> str:
    """SPARQL expression: ``value`` is a value node of the bound ``?this``."""
    from cityref.validation.paths import nullable, path_sparql

    if shape.path is None:
        return f"sameTerm(?this, {value})"
    exists = f"EXISTS {{ ?this {path_sparql(shape.path)} {value} }}"
    if nullable(shape.path):
        return f"(sameTerm(?this, {value}) || {exists})"
    return exists


def component(local: str) -> NamedNode:
    """The IRI of a Core constraint component, ``sh:<local>ConstraintComponent``."""
    return sh(local + "ConstraintComponent")


def show(term: Term) -> str:
    """A short readable form of a (store-encoded) term for messages."""
    from cityref.validation.terms import decode

    t = decode(term)
    if isinstance(t, NamedNode):
        return "<" + t.value + ">"
    if isinstance(t, Literal):
        if t.language:
            return f'"{t.value}"@{t.language}'
        dt = t.datatype.value
        if dt.endswith("#string"):
            return f'"{t.value}"'
        local = dt.rsplit("#", 1)[-1]
        return f'"{t.value}"^^{"xsd:" + local if "XMLSchema#" in dt else "<" + dt + ">"}'
    return "_:" + t.value
