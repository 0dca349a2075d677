"""The shapes of a tabular profile compiled to column checks: what applies to each row alone
becomes a Polars expression over a chunk's text columns, with the SPARQL path's meaning.

:func:`compile_table_checks` sorts every targeted shape of the shapes graph into

- :class:`ColumnCheck` — one constraint of a shape targeting the rows, as a boolean column
  "this row breaks it" (sh:minCount, sh:maxCount, sh:datatype, sh:nodeKind, sh:pattern,
  sh:min/maxInclusive/Exclusive with a number, sh:min/maxLength, sh:in, sh:lessThan(OrEquals),
  and sh:not/sh:or/sh:and/sh:xone of property shapes made of those);
- row-local shapes the compiler cannot turn into expressions (e.g. the check-digit
  components, which are SPARQL ASK validators): the compiled SPARQL engine checks them on
  each chunk, once per distinct combination of the cells they read (:class:`EngineUnit`);
- everything else (header findings, extra cells, uniqueness, SHACL-SPARQL): the shapes graph
  :attr:`TableChecks.remaining`, checked once by the SPARQL engine on the triples it needs.

A cell is the literal the CSV adapter makes (:func:`cityref.inputs.csv_input.cell_literal`):
typed when its text is a valid lexical form of the column's datatype, else a plain string.
Numbers are compared as doubles only when both sides have at most 15 significant digits
(so that the double order is the decimal order); other rows go to the SPARQL engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl
from pyoxigraph import BlankNode, NamedNode

from cityref.inputs.csv_header import TableSchema
from cityref.tabular.components import (
    NUMERIC,
    PROPERTY_COMPILERS,
    SAFE_DIGITS,
    TYPED,
    Column,
    ColumnCheck,
    NotCompiled,
)
from cityref.validation.graph import Graph
from cityref.validation.model import component, show
from cityref.validation.paths import PredicatePath
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import RDF_TYPE, RDFS, Term, sh

_TARGETS = ("targetNode", "targetClass", "targetSubjectsOf", "targetObjectsOf")
# What a shape may say besides its constraints.
_NOT_CONSTRAINTS = {
    sh(p)
    for p in (
        "path", "severity", "message", "deactivated", "name", "description", "order", "group",
        "defaultValue", *_TARGETS,
    )
} | {RDF_TYPE, NamedNode(RDFS + "label"), NamedNode(RDFS + "comment")}  # fmt: skip
# Core parameters whose meaning for a row depends on that row's cells alone.
_ROW_LOCAL = {
    sh(p)
    for p in (
        "minCount", "maxCount", "datatype", "nodeKind", "pattern", "flags", "minInclusive",
        "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength", "in",
        "languageIn", "hasValue", "lessThan", "lessThanOrEquals", "equals", "disjoint", "not",
        "and", "or", "xone", "node", "property",
    )
}  # fmt: skip


@dataclass(frozen=True)
class EngineUnit:
    """A row-local shape the SPARQL engine checks, on synthetic rows made of ``columns``.

    ``only_rows`` (when set) limits it to the rows where the expression is true: the rows
    that the shape's column checks could not decide exactly.
    """

    shape: Shape
    columns: tuple[Column, ...]
    only_rows: pl.Expr | None = None


@dataclass
class TableChecks:
    """What :func:`compile_table_checks` made of a profile's shapes for one file's header."""

    columns: dict[str, Column]  # by predicate IRI
    checks: list[ColumnCheck] = field(default_factory=list)
    engine_units: list[EngineUnit] = field(default_factory=list)
    #: The shapes graph of what is left for the SPARQL engine (header findings, extra cells,
    #: shapes that are not row-local), and the columns it reads from every row.
    remaining: Graph = field(default_factory=Graph)
    remaining_columns: tuple[Column, ...] = ()
    remaining_needs_rows: bool = False
    #: The graph engine units are checked with: node shapes of the rows without sh:property.
    unit_shapes: ShapesGraph | None = None


def compile_table_checks(
    shapes: ShapesGraph,
    schema: TableSchema,
    header: dict[str, int],
    row_classes: set[Term],
    declared: dict[NamedNode, bool],
) -> TableChecks:
    """The column checks of ``shapes`` for a file whose header puts each predicate IRI at a
    position (``header``; ``schema``'s columns absent from it have no cells).

    ``row_classes`` are the classes whose targets select the rows (the row class and its
    superclasses); ``declared`` maps each parameter of a SPARQL-based constraint component
    to whether its validator is row-local (an ASK of BINDs and FILTERs on ``$value``).
    """
    columns = {
        c.property_url: Column(header[c.property_url], c.property_url, c.datatype)
        for c in schema.columns
        if c.property_url in header
    }
    out = TableChecks(columns)
    graph = shapes.graph
    dropped: set[tuple[Term, NamedNode, Term]] = set()
    without_properties: set[Term] = set()
    for shape in shapes.targeted_shapes():
        if shape.deactivated:
            continue  # nothing of it is checked, its property shapes neither
        if not _targets_rows_only(shape, row_classes):
            # Left to the SPARQL engine, with the rows' triples when its targets reach them.
            out.remaining_needs_rows |= _may_target_rows(shape, row_classes, columns)
            continue
        parts: list[tuple[Shape, bool]] = []  # (shape, checked without its sh:property)
        if shape.path is not None:
            parts.append((shape, False))
        else:
            parts.extend((shapes.shape(c), False) for c in shape.values("property"))
            if _own_constraints(shape):
                parts.append((shape, True))
        for part, own_only in parts:
            if not _row_local(part, shapes, declared, set(), skip_properties=own_only):
                out.remaining_needs_rows = True
                continue
            _compile_part(part, shapes, out, own_only)
            if part is shape and not own_only:
                dropped.update((shape.node, sh(t), o) for t in _TARGETS for o in shape.values(t))
            elif own_only:
                without_properties.add(shape.node)
                dropped.update(
                    (shape.node, p, o)
                    for p in _own_constraints(shape)
                    for o in graph.objects(shape.node, p)
                )
            else:
                dropped.add((shape.node, sh("property"), part.node))
    out.remaining = Graph()
    unit_graph = Graph()
    for s, p, o in graph.triples():
        if (s, p, o) not in dropped:
            out.remaining.add(s, p, o)
        if not (s in without_properties and p == sh("property")):
            unit_graph.add(s, p, o)
    out.unit_shapes = ShapesGraph(unit_graph)
    if out.remaining_needs_rows:
        # The columns the shapes name, or all of them when SPARQL text may name any.
        sparql = out.remaining.pairs(sh("select")) or out.remaining.pairs(sh("ask"))
        mentioned = {o.value for _, _, o in out.remaining.triples() if isinstance(o, NamedNode)}
        out.remaining_columns = tuple(c for p, c in columns.items() if sparql or p in mentioned)
    return out


def _targets_rows_only(shape: Shape, row_classes: set[Term]) -> bool:
    t = shape.targets
    return (
        bool(t.classes)
        and not (t.nodes or t.subjects_of or t.objects_of)
        and all(c in row_classes for c in t.classes)
    )


def _may_target_rows(shape: Shape, row_classes: set[Term], columns: dict[str, Column]) -> bool:
    """True unless the shape's targets are classes the rows are not (the header's) or
    predicates no row has (the adapter's findings: extra cells, missing files)."""
    t = shape.targets
    predicates = [*t.subjects_of, *t.objects_of]
    return (
        bool(t.nodes)
        or any(c in row_classes for c in t.classes)
        or any(
            p == RDF_TYPE or (isinstance(p, NamedNode) and p.value in columns) for p in predicates
        )
    )


def _own_constraints(shape: Shape) -> list[NamedNode]:
    preds = {p for s, p, _ in _triples_of(shape.graph, shape.node)}
    return sorted(
        (p for p in preds if p not in _NOT_CONSTRAINTS and p != sh("property")),
        key=lambda p: p.value,
    )


def _triples_of(graph: Graph, node: Term) -> list[tuple[Term, NamedNode, Term]]:
    return [(s, p, o) for s, p, o in graph.triples() if s == node]


def _row_local(
    shape: Shape,
    shapes: ShapesGraph,
    declared: dict[NamedNode, bool],
    seen: set[Term],
    *,
    skip_properties: bool = False,
) -> bool:
    """True when every constraint of ``shape`` (nested shapes included) depends on the
    focus row's own cells (predicate paths, core per-row components, row-local ASKs)."""
    if shape.node in seen:
        return False  # recursive shapes: leave them to the engine
    seen = seen | {shape.node}
    if shape.path is not None and not isinstance(shape.path, PredicatePath):
        return False
    for p in _own_constraints(shape) + ([] if skip_properties else [sh("property")]):
        if p in _ROW_LOCAL:
            continue
        if not p.value.startswith(sh("").value) and declared.get(p, False):
            continue
        if not p.value.startswith(sh("").value) and p not in declared:
            continue  # an annotation (e.g. common:reportColumn), no constraint
        return False
    nested: list[Term] = [*shape.values("not"), *shape.values("node")]
    if not skip_properties:
        nested += shape.values("property")
    for local in ("and", "or", "xone"):
        for members in shape.list_values(local):
            nested += members
    return all(
        isinstance(n, NamedNode | BlankNode) and _row_local(shapes.shape(n), shapes, declared, seen)
        for n in nested
    )


def _compile_part(part: Shape, shapes: ShapesGraph, out: TableChecks, own_only: bool) -> None:
    columns = _columns_read(part, shapes, out.columns, own_only)
    try:
        checks = _shape_checks(part, shapes, out.columns, own_only)
    except NotCompiled:
        out.engine_units.append(EngineUnit(part, columns))
        return
    unusual = [u for u in map(_unusual, columns) if u is not None]
    if not unusual:
        out.checks.extend(checks)
        return
    # Rows with a cell the expressions cannot judge exactly go to the engine, whole.
    engine_rows = pl.any_horizontal(unusual)
    out.checks.extend(replace(c, broken=c.broken & ~engine_rows) for c in checks)
    out.engine_units.append(EngineUnit(part, columns, engine_rows))


def _columns_read(
    shape: Shape, shapes: ShapesGraph, columns: dict[str, Column], own_only: bool
) -> tuple[Column, ...]:
    """The columns whose predicates appear in the shape's description, nested shapes too."""
    found: dict[str, Column] = {}
    todo: list[Term] = [shape.node]
    seen: set[Term] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in _triples_of(shapes.graph, node):
            if own_only and node == shape.node and p == sh("property"):
                continue
            if isinstance(o, NamedNode) and o.value in columns:
                found[o.value] = columns[o.value]
            if isinstance(o, NamedNode | BlankNode):
                todo.append(o)
    return tuple(sorted(found.values(), key=lambda c: c.position))


def _unusual(column: Column) -> pl.Expr | None:
    """Rows whose cell the expressions cannot judge exactly (a number of more than 15
    digits, a typed dateTime); None for a column that has none."""
    if column.datatype == "dateTime":
        return column.kind == "dateTime"
    if TYPED.get(column.datatype) in NUMERIC:
        digits = column.text.str.count_matches("[0-9]")
        return (column.kind != "string") & (digits > SAFE_DIGITS)
    return None


def _shape_checks(
    shape: Shape, shapes: ShapesGraph, columns: dict[str, Column], own_only: bool = False
) -> list[ColumnCheck]:
    """The column checks of one shape applied to the rows (raises :class:`NotCompiled`)."""
    if shape.deactivated:
        return []
    if shape.path is None:
        return _node_checks(shape, shapes, columns, own_only)
    assert isinstance(shape.path, PredicatePath)
    column = columns.get(shape.path.iri.value)
    checks: list[ColumnCheck] = []
    for p in [*_own_constraints(shape), sh("property")]:
        if not p.value.startswith(sh("").value):
            if _is_parameter(shape.graph, p):
                raise NotCompiled  # a SPARQL-based component's (e.g. a check digit)
            continue  # an annotation
        local = p.value.removeprefix(sh("").value)
        if local == "flags":
            continue
        compiler = PROPERTY_COMPILERS.get(local)
        if compiler is None:
            if shape.values(local):
                raise NotCompiled
            continue
        checks.extend(compiler(shape, column, columns))
    return checks


def _is_parameter(graph: Graph, predicate: NamedNode) -> bool:
    """True when ``predicate`` is the path of a declared constraint component's parameter."""
    params = {o for _, o in graph.pairs(sh("parameter"))}
    return any(s in params for s in graph.subjects(sh("path"), predicate))


def _node_checks(
    shape: Shape, shapes: ShapesGraph, columns: dict[str, Column], own_only: bool
) -> list[ColumnCheck]:
    checks: list[ColumnCheck] = []
    for p in _own_constraints(shape):
        if not p.value.startswith(sh("").value) and not _is_parameter(shape.graph, p):
            continue  # an annotation (common:reportColumn)
        local = p.value.removeprefix(sh("").value)
        if local not in ("not", "and", "or", "xone", "node"):
            raise NotCompiled
    for nested in shape.values("not"):
        checks.append(_logical(shape, "Not", [nested], shapes, columns, lambda n, ok: ok[0]))
    for nested in shape.values("node"):
        checks.append(_logical(shape, "Node", [nested], shapes, columns, lambda n, ok: ~ok[0]))
    for members in shape.list_values("and"):
        checks.append(
            _logical(shape, "And", members, shapes, columns, lambda n, ok: ~pl.all_horizontal(ok))
        )
    for members in shape.list_values("or"):
        checks.append(
            _logical(shape, "Or", members, shapes, columns, lambda n, ok: ~pl.any_horizontal(ok))
        )
    for members in shape.list_values("xone"):
        checks.append(
            _logical(
                shape,
                "Xone",
                members,
                shapes,
                columns,
                lambda n, ok: pl.sum_horizontal([o.cast(pl.Int32) for o in ok]) != 1,
            )
        )
    if not own_only:
        for prop in shape.values("property"):
            checks.extend(_shape_checks(shapes.shape(prop), shapes, columns))
    return checks


def _logical(
    shape: Shape,
    local: str,
    members: list[Term],
    shapes: ShapesGraph,
    columns: dict[str, Column],
    broken: Callable[[int, list[pl.Expr]], pl.Expr],
) -> ColumnCheck:
    """sh:not/sh:and/sh:or/sh:xone/sh:node on the row: how many members the row conforms to."""
    if not members:
        raise NotCompiled
    conforms = []
    for member in members:
        inner = _shape_checks(shapes.shape(member), shapes, columns)
        conforms.append(~pl.any_horizontal([c.broken for c in inner]) if inner else pl.lit(True))
    shown = show(members[0]) if local in ("Not", "Node") else ""
    detail = (("expected", shown),) if shown else ()
    return ColumnCheck(shape, component(local), broken(len(members), conforms), None, True, detail)
