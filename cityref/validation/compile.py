"""Compiling a shape: which checks it needs and the batched per-value query."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.validation import (
    core_cardinality,
    core_logical,
    core_other,
    core_pairs,
    core_value,
    sparql_constraints,
)
from cityref.validation.model import CheckFn, Focus, ValueCheck, focus_values
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import Term, value_expr


@dataclass(frozen=True)
class CompiledShape:
    """A shape's checks: per-value conditions (one query), other checks, property shapes."""

    value_checks: tuple[ValueCheck, ...]
    checks: tuple[CheckFn, ...]
    property_shapes: tuple[Term, ...]


def compile_shape(
    shape: Shape, shapes: ShapesGraph, subclasses: core_value.SubclassesFn | None = None
) -> CompiledShape:
    """Translate a shape's constraint parameters into checks."""
    checks: list[CheckFn] = []
    checks += core_cardinality.checks(shape)
    checks += core_pairs.checks(shape)
    checks += core_other.checks(shape)
    checks += core_logical.checks(shape)
    checks += sparql_constraints.checks(shape, shapes)
    return CompiledShape(
        value_checks=tuple(core_value.value_checks(shape, subclasses)),
        checks=tuple(checks),
        property_shapes=tuple(shape.values("property")),
    )


def value_query(shape: Shape, focus: Focus, checks: tuple[ValueCheck, ...]) -> str:
    """One SELECT testing every per-value condition; ?c<i> is false where check i fails."""
    # The decoded value (see terms.value_expr) is worked out once, not once per check.
    decoded = value_expr("?value")
    conditions = [c.condition.replace(decoded, "?__decoded") for c in checks]
    shared = f"BIND({decoded} AS ?__decoded) " if any("?__decoded" in c for c in conditions) else ""
    binds = shared + " ".join(
        f"BIND(COALESCE({condition}, false) AS ?c{i})" for i, condition in enumerate(conditions)
    )
    failed = " || ".join(f"!?c{i}" for i in range(len(checks)))
    outs = " ".join(f"?c{i}" for i in range(len(checks)))
    return (
        f"SELECT DISTINCT ?this ?value {outs} WHERE {{ {focus_values(shape, focus)} "
        f"{binds} FILTER({failed}) }}"
    )
