"""Compiling a shape: the constraint components it uses, and the batched per-value query.

:data:`COMPONENTS` is the one list of constraint components the engine knows, each an object
(:class:`~cityref.validation.component.ConstraintComponent`) holding its compiler, its
ja/en message and its words for the pages, defined in the module of its spec section.
"""

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
from cityref.validation.component import (
    CompileContext,
    ConstraintComponent,
    NestedShape,
    SubclassesFn,
)
from cityref.validation.model import CheckFn, Focus, ValueCheck, focus_values
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import Term, value_expr

# The order is the order of a shape's checks (and so of its results).
COMPONENTS: tuple[ConstraintComponent, ...] = (
    *core_value.COMPONENTS,
    *core_cardinality.COMPONENTS,
    *core_pairs.COMPONENTS,
    *core_other.COMPONENTS,
    *core_logical.COMPONENTS,
    *sparql_constraints.COMPONENTS,
)
COMPONENTS_BY_NAME = {c.name: c for c in COMPONENTS}


@dataclass(frozen=True)
class CompiledShape:
    """A shape's checks: per-value conditions (one query), other checks, property shapes."""

    value_checks: tuple[ValueCheck, ...]
    checks: tuple[CheckFn, ...]
    property_shapes: tuple[Term, ...]


def compile_shape(
    shape: Shape,
    shapes: ShapesGraph,
    subclasses: SubclassesFn | None = None,
    custom_functions: bool = True,
) -> CompiledShape:
    """Translate a shape's constraint parameters into checks, component by component."""
    ctx = CompileContext(shapes, subclasses, custom_functions)
    value_checks: list[ValueCheck] = []
    checks: list[CheckFn] = []
    nested: list[Term] = []
    for comp in COMPONENTS:
        for piece in comp.compile(shape, ctx):
            if isinstance(piece, ValueCheck):
                value_checks.append(piece)
            elif isinstance(piece, NestedShape):
                nested.append(piece.node)
            else:
                checks.append(piece)
    checks += sparql_constraints.declared_component_checks(shape, ctx)
    return CompiledShape(tuple(value_checks), tuple(checks), tuple(nested))


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
