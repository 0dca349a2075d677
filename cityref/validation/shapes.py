"""Shapes (spec section 2.1): reading node and property shapes from the shapes graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode

from cityref.text import Bilingual
from cityref.validation.errors import ShapesError
from cityref.validation.graph import Graph
from cityref.validation.paths import Path, read_path
from cityref.validation.terms import RDF_TYPE, RDFS, Subject, Term, sh

RDFS_CLASS = NamedNode(RDFS + "Class")
RDFS_SUBCLASSOF = NamedNode(RDFS + "subClassOf")
SH_VIOLATION = sh("Violation")
_TARGET_PREDICATES = ("targetNode", "targetClass", "targetSubjectsOf", "targetObjectsOf")
_TRUE = ("true", "1")


@dataclass(frozen=True)
class Targets:
    """The targets a shape declares (spec section 2.1.3), implicit class target included."""

    nodes: tuple[Term, ...] = ()
    classes: tuple[Term, ...] = ()
    subjects_of: tuple[Term, ...] = ()
    objects_of: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.nodes or self.classes or self.subjects_of or self.objects_of)


@dataclass(frozen=True)
class Shape:
    """One node or property shape; constraint parameters are read through :meth:`values`."""

    node: Subject
    path: Path | None
    path_node: Term | None
    targets: Targets
    severity: Term
    messages: tuple[Literal, ...]
    deactivated: bool
    graph: Graph = field(repr=False, compare=False, hash=False)

    @property
    def is_property_shape(self) -> bool:
        """True for property shapes (those with sh:path)."""
        return self.path is not None

    def values(self, local: str) -> list[Term]:
        """The objects of ``shape sh:<local> ?o``."""
        return self.graph.objects(self.node, sh(local))

    def value(self, local: str) -> Term | None:
        """One object of ``shape sh:<local> ?o`` or None."""
        return self.graph.one(self.node, sh(local))

    def list_values(self, local: str) -> list[list[Term]]:
        """For each object of ``sh:<local>``, the members of that RDF list."""
        return [self.graph.rdf_list(head) for head in self.values(local)]


def _is_true(term: Term | None) -> bool:
    return isinstance(term, Literal) and term.value.lower() in _TRUE


def int_param(term: Term | None, what: str) -> int:
    """An integer parameter (sh:minCount, sh:maxLength, ...)."""
    if isinstance(term, Literal):
        try:
            return int(term.value)
        except ValueError:
            pass
    raise ShapesError(
        Bilingual(
            f"{what} は整数にしてください（{term} でした）",
            f"{what} must be an integer, not {term}",
        )
    )


class ShapesGraph:
    """The shapes graph with a cache of parsed shapes."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._cache: dict[Term, Shape] = {}

    def shape(self, node: Term) -> Shape:
        """The shape described at ``node`` (parsed once)."""
        if node in self._cache:
            return self._cache[node]
        if not isinstance(node, NamedNode | BlankNode):
            raise ShapesError(
                Bilingual(
                    f"リテラルはシェイプになりません: {node}",
                    f"a literal cannot be a shape: {node}",
                )
            )
        g = self.graph
        path_node = g.one(node, sh("path"))
        path = read_path(g, path_node) if path_node is not None else None
        classes = list(g.objects(node, sh("targetClass")))
        types = g.objects(node, RDF_TYPE)
        if RDFS_CLASS in types and (sh("NodeShape") in types or sh("PropertyShape") in types):
            classes.append(node)  # implicit class target (spec 2.1.3.3)
        targets = Targets(
            nodes=tuple(g.objects(node, sh("targetNode"))),
            classes=tuple(dict.fromkeys(classes)),
            subjects_of=tuple(g.objects(node, sh("targetSubjectsOf"))),
            objects_of=tuple(g.objects(node, sh("targetObjectsOf"))),
        )
        messages = tuple(m for m in g.objects(node, sh("message")) if isinstance(m, Literal))
        shape = Shape(
            node=node,
            path=path,
            path_node=path_node,
            targets=targets,
            severity=g.one(node, sh("severity")) or SH_VIOLATION,
            messages=messages,
            deactivated=_is_true(g.one(node, sh("deactivated"))),
            graph=g,
        )
        self._cache[node] = shape
        return shape

    def targeted_shapes(self) -> list[Shape]:
        """Every shape with at least one target, in a stable order."""
        nodes: dict[Term, None] = {}
        for local in _TARGET_PREDICATES:
            for s, _ in self.graph.pairs(sh(local)):
                nodes[s] = None
        for s, _ in self.graph.pairs(RDF_TYPE):
            types = self.graph.objects(s, RDF_TYPE)
            if RDFS_CLASS in types and (sh("NodeShape") in types or sh("PropertyShape") in types):
                nodes[s] = None
        return [self.shape(n) for n in nodes]

    def parents(self, shape: Term) -> list[Subject]:
        """Shapes that have ``shape`` as a value of sh:property."""
        return self.graph.subjects(sh("property"), shape)

    def subclass_pairs(self) -> list[tuple[Subject, Term]]:
        """The rdfs:subClassOf triples of the shapes graph (for the class hierarchy)."""
        return self.graph.pairs(RDFS_SUBCLASSOF)
