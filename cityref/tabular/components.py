"""Constraint components of a property shape as Polars expressions over a chunk's text
columns, with the meaning the compiled SPARQL engine gives them (cityref/validation/core_*).

Each compiler takes the shape, the column of its path (``None`` when the file has no such
column: no cell, no value) and every column by predicate IRI, and returns
:class:`ColumnCheck` objects, or raises :class:`NotCompiled` when it has no exact expression
(the SPARQL engine then checks the shape).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from pyoxigraph import Literal, NamedNode

from cityref.validation.model import component, show
from cityref.validation.shapes import Shape
from cityref.validation.terms import XSD, Term

#: The xsd datatype (local name) a column's cells are typed with when valid (csv_input).
TYPED = {"decimal": "decimal", "number": "decimal", "integer": "integer", "date": "date"}
NUMERIC = ("decimal", "integer")
SAFE_DIGITS = 15
_RANGES = {
    "minInclusive": ("MinInclusive", ">="),
    "maxInclusive": ("MaxInclusive", "<="),
    "minExclusive": ("MinExclusive", ">"),
    "maxExclusive": ("MaxExclusive", "<"),
}
_LITERAL_KINDS = ("Literal", "IRIOrLiteral", "BlankNodeOrLiteral")
_REGEX_FLAGS = set("ismx")


@dataclass(frozen=True)
class Column:
    """A profile column as the chunk holds it: its header position and cell datatype."""

    position: int
    predicate: str
    datatype: str  # the CSVW datatype name ("string", "decimal", …)

    @property
    def text(self) -> pl.Expr:
        return pl.col(f"c{self.position}")

    @property
    def kind(self) -> pl.Expr:
        """The cell literal's xsd datatype local name (``string`` when not typed)."""
        return pl.col(f"k{self.position}")

    @property
    def present(self) -> pl.Expr:
        return self.text != ""


@dataclass(frozen=True)
class ColumnCheck:
    """One constraint of one shape as an expression true on the rows that break it."""

    shape: Shape
    component: NamedNode
    broken: pl.Expr
    value: Column | None  # the column whose cell is the result's value; None: none / the row
    value_is_row: bool = False
    detail: tuple[tuple[str, str], ...] = ()


class NotCompiled(Exception):
    """The constraint has no exact column expression; the SPARQL engine checks it."""


PropertyCompiler = Callable[[Shape, Column | None, dict[str, Column]], list[ColumnCheck]]


def _ints(shape: Shape, local: str) -> list[int]:
    out = []
    for v in shape.values(local):
        if not isinstance(v, Literal):
            raise NotCompiled
        try:
            out.append(int(v.value))
        except ValueError:
            raise NotCompiled from None
    return out


def _count(name: str) -> PropertyCompiler:
    def compile_count(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
        present = col.present if col is not None else pl.lit(False)
        out = []
        for m in _ints(shape, name[0].lower() + name[1:]):
            if name == "MinCount" and m <= 0:
                continue
            # A row has 0 or 1 value; the result's detail says which.
            for found, where in ((0, ~present), (1, present)):
                if (found < m) if name == "MinCount" else (found > m):
                    detail = (("expected", str(m)), ("found", str(found)))
                    out.append(ColumnCheck(shape, component(name), where, None, detail=detail))
        return out

    return compile_count


def _per_value(
    shape: Shape, col: Column | None, name: str, ok: pl.Expr, expected: str
) -> ColumnCheck:
    """A per-value component: broken where there is a cell and it does not conform."""
    if col is None:
        broken: pl.Expr = pl.lit(False)
    else:
        broken = col.present & ~ok.fill_null(False)
    return ColumnCheck(shape, component(name), broken, col, detail=(("expected", expected),))


def _kind_iri(col: Column) -> pl.Expr:
    return pl.concat_str(pl.lit(XSD), col.kind)


def _datatype(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
    out = []
    for dt in shape.values("datatype"):
        if not isinstance(dt, NamedNode):
            raise NotCompiled
        ok = _kind_iri(col) == dt.value if col is not None else pl.lit(True)
        out.append(_per_value(shape, col, "Datatype", ok, show(dt)))
    return out


def _node_kind(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
    out = []
    for kind in shape.values("nodeKind"):
        local = kind.value.rsplit("#", 1)[-1] if isinstance(kind, NamedNode) else ""
        if local not in (*_LITERAL_KINDS, "IRI", "BlankNode", "BlankNodeOrIRI"):
            raise NotCompiled
        out.append(_per_value(shape, col, "NodeKind", pl.lit(local in _LITERAL_KINDS), local))
    return out


def _safe_number(lit: Term) -> float:
    """A bound the double comparison is exact for: an integer or decimal of ≤ 15 digits."""
    if not isinstance(lit, Literal) or lit.datatype.value not in (XSD + "integer", XSD + "decimal"):
        raise NotCompiled
    if sum(ch.isdigit() for ch in lit.value) > SAFE_DIGITS:
        raise NotCompiled
    try:
        return float(lit.value)
    except ValueError:
        raise NotCompiled from None


def _compare(left: pl.Expr, op: str, right: pl.Expr) -> pl.Expr:
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _range(local: str) -> PropertyCompiler:
    name, op = _RANGES[local]

    def compile_range(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
        out = []
        for bound in shape.values(local):
            number = _safe_number(bound)
            if col is None:
                ok = pl.lit(True)
            else:
                value = col.text.cast(pl.Float64, strict=False)
                ok = col.kind.is_in(NUMERIC) & _compare(value, op, pl.lit(number))
            out.append(_per_value(shape, col, name, ok, show(bound)))
        return out

    return compile_range


def _length(local: str, name: str, op: str) -> PropertyCompiler:
    def compile_length(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
        out = []
        for n in _ints(shape, local):
            ok = _compare(col.text.str.len_chars(), op, pl.lit(n)) if col else pl.lit(True)
            out.append(_per_value(shape, col, name, ok, str(n)))
        return out

    return compile_length


def _pattern(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
    flags = shape.value("flags")
    prefix = ""
    if flags is not None:
        if not isinstance(flags, Literal) or not set(flags.value) <= _REGEX_FLAGS:
            raise NotCompiled
        prefix = f"(?{flags.value})" if flags.value else ""
    out = []
    for pattern in shape.values("pattern"):
        if not isinstance(pattern, Literal):
            raise NotCompiled
        regex = prefix + pattern.value
        try:  # a pattern the regex crate refuses is left to the engine (whose REGEX fails)
            pl.select(pl.lit("").str.contains(regex))
        except pl.exceptions.ComputeError:
            raise NotCompiled from None
        ok = col.text.str.contains(regex) if col is not None else pl.lit(True)
        out.append(_per_value(shape, col, "Pattern", ok, pattern.value))
    return out


def _in(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
    out = []
    for members in shape.list_values("in"):
        # sameTerm: the same lexical form and datatype (cells are never IRIs or tagged).
        by_kind: dict[str, list[str]] = {}
        for m in members:
            if isinstance(m, Literal) and m.language is None:
                kind = m.datatype.value.removeprefix(XSD)
                by_kind.setdefault(kind, []).append(m.value)
        if col is None:
            ok = pl.lit(True)
        else:
            tests = [(col.kind == k) & col.text.is_in(v) for k, v in by_kind.items()]
            ok = pl.any_horizontal(tests) if tests else pl.lit(False)
        out.append(_per_value(shape, col, "In", ok, ", ".join(show(m) for m in members)))
    return out


def _less(local: str, name: str, op: str) -> PropertyCompiler:
    def compile_less(
        shape: Shape, col: Column | None, columns: dict[str, Column]
    ) -> list[ColumnCheck]:
        out = []
        for other_iri in shape.values(local):
            if not isinstance(other_iri, NamedNode):
                continue
            other = columns.get(other_iri.value)
            if col is None or other is None:
                continue  # no value or no other value: nothing to compare
            both = col.present & other.present
            number = _compare(
                col.text.cast(pl.Float64, strict=False),
                op,
                other.text.cast(pl.Float64, strict=False),
            )
            numeric = col.kind.is_in(NUMERIC) & other.kind.is_in(NUMERIC)
            same = (col.kind == other.kind) & col.kind.is_in(["string", "date"])
            ok = (numeric & number) | (same & _compare(col.text, op, other.text))
            out.append(
                ColumnCheck(
                    shape,
                    component(name),
                    both & ~ok.fill_null(False),
                    col,
                    detail=(("other", show(other_iri)),),
                )
            )
        return out

    return compile_less


def _nested_property(shape: Shape, col: Column | None, _: dict[str, Column]) -> list[ColumnCheck]:
    if shape.values("property"):
        raise NotCompiled  # property shapes of a cell's literal: left to the engine
    return []


PROPERTY_COMPILERS: dict[str, PropertyCompiler] = {
    "minCount": _count("MinCount"),
    "maxCount": _count("MaxCount"),
    "datatype": _datatype,
    "nodeKind": _node_kind,
    **{local: _range(local) for local in _RANGES},
    "minLength": _length("minLength", "MinLength", ">="),
    "maxLength": _length("maxLength", "MaxLength", "<="),
    "pattern": _pattern,
    "in": _in,
    "lessThan": _less("lessThan", "LessThan", "<"),
    "lessThanOrEquals": _less("lessThanOrEquals", "LessThanOrEquals", "<="),
    "property": _nested_property,
}
