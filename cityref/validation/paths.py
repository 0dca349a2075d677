"""SHACL property paths (spec section 2.3.1): the model, reading, and SPARQL rendering."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, NamedNode

from cityref.text import Bilingual
from cityref.validation.errors import ShapesError
from cityref.validation.graph import Graph
from cityref.validation.terms import Subject, Term, sh


@dataclass(frozen=True)
class PredicatePath:
    """An IRI used as a path."""

    iri: NamedNode


@dataclass(frozen=True)
class InversePath:
    """``sh:inversePath``."""

    path: Path


@dataclass(frozen=True)
class SequencePath:
    """An RDF list of paths."""

    steps: tuple[Path, ...]


@dataclass(frozen=True)
class AlternativePath:
    """``sh:alternativePath``."""

    options: tuple[Path, ...]


@dataclass(frozen=True)
class RepeatPath:
    """``sh:zeroOrMorePath`` (``*``), ``sh:oneOrMorePath`` (``+``), ``sh:zeroOrOnePath`` (``?``)."""

    path: Path
    modifier: str


Path = PredicatePath | InversePath | SequencePath | AlternativePath | RepeatPath

_MODIFIERS = {"zeroOrMorePath": "*", "oneOrMorePath": "+", "zeroOrOnePath": "?"}


def read_path(graph: Graph, node: Term, _depth: int = 0) -> Path:
    """The path described by ``node`` in the shapes graph."""
    if _depth > 64:
        raise ShapesError(
            Bilingual(
                f"{node} のプロパティパスの入れ子が深すぎます",
                f"property path nested too deeply at {node}",
            )
        )
    if isinstance(node, NamedNode) and not graph.is_list(node):
        return PredicatePath(node)
    if not isinstance(node, BlankNode | NamedNode):
        raise ShapesError(
            Bilingual(
                f"リテラルはプロパティパスになりません: {node}",
                f"a literal is not a property path: {node}",
            )
        )
    if graph.is_list(node):
        steps = tuple(read_path(graph, m, _depth + 1) for m in graph.rdf_list(node))
        if len(steps) < 2:
            raise ShapesError(
                Bilingual(
                    f"シーケンスパスには要素が二つ以上必要です: {node}",
                    f"a sequence path needs at least two members: {node}",
                )
            )
        return SequencePath(steps)
    inverse = graph.one(node, sh("inversePath"))
    if inverse is not None:
        return InversePath(read_path(graph, inverse, _depth + 1))
    alternatives = graph.one(node, sh("alternativePath"))
    if alternatives is not None:
        options = tuple(read_path(graph, m, _depth + 1) for m in graph.rdf_list(alternatives))
        if len(options) < 2:
            raise ShapesError(
                Bilingual(
                    f"sh:alternativePath には要素が二つ以上必要です: {node}",
                    f"sh:alternativePath needs at least two members: {node}",
                )
            )
        return AlternativePath(options)
    for local, modifier in _MODIFIERS.items():
        inner = graph.one(node, sh(local))
        if inner is not None:
            return RepeatPath(read_path(graph, inner, _depth + 1), modifier)
    raise ShapesError(
        Bilingual(
            f"プロパティパスの形が正しくありません: {node}",
            f"not a well-formed property path: {node}",
        )
    )


def nullable(path: Path) -> bool:
    """True when the path can have length zero (then every node reaches itself)."""
    if isinstance(path, PredicatePath):
        return False
    if isinstance(path, InversePath):
        return nullable(path.path)
    if isinstance(path, SequencePath):
        return all(nullable(s) for s in path.steps)
    if isinstance(path, AlternativePath):
        return any(nullable(s) for s in path.options)
    return path.modifier != "+" or nullable(path.path)


def path_sparql(path: Path) -> str:
    """The path in SPARQL 1.1 property-path syntax (fully parenthesised)."""
    if isinstance(path, PredicatePath):
        return "<" + path.iri.value + ">"
    if isinstance(path, InversePath):
        return "^(" + path_sparql(path.path) + ")"
    if isinstance(path, SequencePath):
        return "(" + "/".join(path_sparql(s) for s in path.steps) + ")"
    if isinstance(path, AlternativePath):
        return "(" + "|".join(path_sparql(s) for s in path.options) + ")"
    return "(" + path_sparql(path.path) + ")" + path.modifier


def path_text(path: Path, short: dict[str, str] | None = None) -> str:
    """A readable form of the path for messages (IRIs shortened by ``short`` when given)."""
    if isinstance(path, PredicatePath):
        iri = path.iri.value
        if short and iri in short:
            return short[iri]
        return "<" + iri + ">"
    if isinstance(path, InversePath):
        return "^" + path_text(path.path, short)
    if isinstance(path, SequencePath):
        return "/".join(path_text(s, short) for s in path.steps)
    if isinstance(path, AlternativePath):
        return "(" + "|".join(path_text(s, short) for s in path.options) + ")"
    return "(" + path_text(path.path, short) + ")" + path.modifier


def path_triples(
    path: Path, new_node: type[BlankNode] = BlankNode
) -> tuple[Term, list[tuple[Subject, NamedNode, Term]]]:
    """The path as RDF (for sh:resultPath): its head node and the triples describing it."""
    triples: list[tuple[Subject, NamedNode, Term]] = []

    def build(p: Path) -> Term:
        if isinstance(p, PredicatePath):
            return p.iri
        node = new_node()
        if isinstance(p, InversePath):
            triples.append((node, sh("inversePath"), build(p.path)))
        elif isinstance(p, SequencePath):
            return build_list([build(s) for s in p.steps])
        elif isinstance(p, AlternativePath):
            triples.append((node, sh("alternativePath"), build_list([build(s) for s in p.options])))
        else:
            local = {v: k for k, v in _MODIFIERS.items()}[p.modifier]
            triples.append((node, sh(local), build(p.path)))
        return node

    def build_list(items: list[Term]) -> Term:
        rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        head: Term = NamedNode(rdf + "nil")
        for item in reversed(items):
            cell = new_node()
            triples.append((cell, NamedNode(rdf + "first"), item))
            triples.append((cell, NamedNode(rdf + "rest"), head))
            head = cell
        return head

    return build(path), triples
