"""References between the files of a table group (GTFS: a stop_times.txt stop_id names a row
of stops.txt) checked as anti-joins on the key columns alone, with the results the SPARQL
path gives for the same sh:class shapes.

The input adapter names nodes from cells: a row of a file with an aboutUrl (stops.txt,
``#stop={stop_id}``) is the node ``<input>#stop=S1`` of the file's row class, a column with a
valueUrl (stop_times.txt stop_id) names the same node, and a column that defines its nodes
(calendar_dates.txt service_id) gives them a class by mention. A reference shape (a property
shape with sh:class on such a column's property) therefore fails exactly for the cells whose
key no row of a file naming nodes of that class (or a subclass) has. The caller reads the
files; this module says which columns to read and turns the cells without a match into
:class:`Result` objects equal to the compiled engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl
from pyoxigraph import NamedNode

from cityref.validation.graph import Graph
from cityref.validation.model import Result, component, show
from cityref.validation.paths import PredicatePath
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import RDFS_SUBCLASSOF, SH, Term, sh

CLASS_COMPONENT = component("Class")
# What a reference shape may say besides sh:class: anything else is left to another engine.
_DESCRIPTIVE = {sh(p) for p in ("path", "class", "message", "severity", "name", "description")}
_DESCRIPTIVE |= {sh(p) for p in ("order", "group")}
# Columns of the frames the caller hands to :func:`dangling`.
ROW, NAME, VALUE = "row", "name", "value"


@dataclass(frozen=True)
class Naming:
    """The non-empty cells of ``column`` in ``file`` name nodes ``<input>{prefix}{cell}`` of
    ``classes`` (a row's own node and its row class, or the nodes a column defines)."""

    file: str
    column: str
    prefix: str
    classes: frozenset[str]


@dataclass(frozen=True)
class Link:
    """The non-empty cells of ``column`` in ``file`` are objects of ``property``, the nodes
    ``<input>{prefix}{cell}``; ``row_class`` is the class of the file's rows and
    ``focus_prefix`` the prefix of their own nodes when the file names them (aboutUrl)."""

    file: str
    column: str
    property: str
    prefix: str
    row_class: str | None
    focus_prefix: str | None = None


@dataclass(frozen=True)
class ReferenceCheck:
    """One reference shape on one link: each cell must be a key of one of ``sources``."""

    link: Link
    shape: Shape
    expected: NamedNode
    sources: tuple[Naming, ...]


@dataclass(frozen=True)
class Minting:
    """The adapter's IRIs: of the node a cell names (prefix, cell) and of a row (file, row)."""

    node: Callable[[str, str], str]
    row: Callable[[str, int], str]


def subclasses(graphs: Iterable[Graph]) -> Callable[[str], frozenset[str]]:
    """A class and its subclasses, by the rdfs:subClassOf triples of ``graphs`` (the shapes
    graph and the ontology: what the compiled engine adds to its store)."""
    below: dict[str, set[str]] = {}
    for graph in graphs:
        for s, o in graph.pairs(RDFS_SUBCLASSOF):
            if isinstance(s, NamedNode) and isinstance(o, NamedNode):
                below.setdefault(o.value, set()).add(s.value)

    def closure(cls: str) -> frozenset[str]:
        found, todo = {cls}, [cls]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return frozenset(found)

    return closure


def _reference_class(shape: Shape) -> NamedNode | None:
    """The class of a property shape that says nothing but sh:class (and how to report)."""
    graph = shape.graph
    said = {p for s, p, _ in graph.triples() if s == shape.node and p.value.startswith(SH)}
    classes = shape.values("class")
    if said - _DESCRIPTIVE or len(classes) != 1 or not isinstance(classes[0], NamedNode):
        return None
    if shape.deactivated or shape.targets or not isinstance(shape.path, PredicatePath):
        return None
    return classes[0]


def _targeted_files(
    parent: Shape, links: Sequence[Link], within: Callable[[str], frozenset[str]]
) -> set[str] | None:
    """The files whose rows are focus nodes of ``parent`` (a node shape with class targets
    only), or None when its targets are not plain class targets."""
    t = parent.targets
    if parent.deactivated or parent.path is not None or t.nodes or t.subjects_of or t.objects_of:
        return None
    if not t.classes or not all(isinstance(c, NamedNode) for c in t.classes):
        return None
    targeted: set[str] = set()
    for cls in t.classes:
        targeted |= within(cls.value)
    return {link.file for link in links if link.row_class in targeted}


def compile_references(
    shapes: ShapesGraph,
    links: Sequence[Link],
    namings: Sequence[Naming],
    hierarchy: Iterable[Graph] = (),
) -> tuple[list[ReferenceCheck], set[Term]]:
    """The reference checks of ``shapes`` on ``links``, and the shapes they cover entirely
    (the others, if any, still need the SPARQL path)."""
    within = subclasses([shapes.graph, *hierarchy])
    by_property: dict[str, list[Link]] = {}
    for link in links:
        by_property.setdefault(link.property, []).append(link)
    checks: list[ReferenceCheck] = []
    covered: set[Term] = set()
    for node, _ in shapes.graph.pairs(sh("class")):
        shape = shapes.shape(node)
        expected = _reference_class(shape)
        if expected is None or not isinstance(shape.path, PredicatePath):
            continue
        on = by_property.get(shape.path.iri.value, [])
        parents = [shapes.shape(p) for p in shapes.parents(node)]
        files = [_targeted_files(p, on, within) for p in parents]
        if not on or any(f is None for f in files):
            continue
        instances = within(expected.value)
        for link in (k for f in files for k in on if k.file in (f or ())):
            sources = tuple(n for n in namings if n.prefix == link.prefix and n.classes & instances)
            checks.append(ReferenceCheck(link, shape, expected, sources))
        covered.add(node)
    return checks, covered


def key_frame(keys: Iterable[pl.Series]) -> pl.DataFrame:
    """The distinct keys of some namings' cells, as one column ``value`` to anti-join with."""
    parts = [k.cast(pl.String).rename(VALUE) for k in keys]
    if not parts:
        return pl.DataFrame({VALUE: []}, schema={VALUE: pl.String})
    return pl.concat(parts).drop_nulls().unique().to_frame()


def dangling(
    check: ReferenceCheck, cells: pl.DataFrame, keys: pl.DataFrame, mint: Minting
) -> list[tuple[int, Result]]:
    """A result for each row of ``cells`` whose value names no key, with that row.

    ``cells`` has the link's non-empty cells of rows that are not blank: ``row`` (the
    spreadsheet row), ``value`` (the cell) and ``name`` (the key naming the row's own node
    when this row is the first with it, else null: the row is then its own node)."""
    missing = cells.join(keys, on=VALUE, how="anti")
    link, shape = check.link, check.shape
    detail = (("expected", show(check.expected)),)
    results: list[tuple[int, Result]] = []
    for row, name, value in missing.select(ROW, NAME, VALUE).iter_rows():
        if name is not None and link.focus_prefix is not None:
            focus = mint.node(link.focus_prefix, name)
        else:
            focus = mint.row(link.file, row)
        result = Result(
            focus=NamedNode(focus),
            path=shape.path,
            value=NamedNode(mint.node(link.prefix, value)),
            severity=shape.severity,
            source_shape=shape.node,
            component=CLASS_COMPONENT,
            messages=shape.messages,
            detail=detail,
        )
        results.append((row, result))
    return results


def needed_columns(checks: Sequence[ReferenceCheck]) -> Mapping[str, set[str]]:
    """The columns to read per file: the links' and their sources' keys."""
    need: dict[str, set[str]] = {}
    for c in checks:
        need.setdefault(c.link.file, set()).add(c.link.column)
        for n in c.sources:
            need.setdefault(n.file, set()).add(n.column)
    return need
