"""Other components (spec section 4.8): sh:closed with sh:ignoredProperties and sh:hasValue.
(sh:in is a per-value condition in core_value.py.)"""

from __future__ import annotations

from pyoxigraph import NamedNode

from cityref.text import Bilingual
from cityref.validation.component import CompileContext, ConstraintComponent
from cityref.validation.model import (
    CheckFn,
    Context,
    Focus,
    Result,
    component,
    focus_values,
    has_value_expr,
    show,
)
from cityref.validation.paths import PredicatePath
from cityref.validation.shapes import Shape
from cityref.validation.terms import Term, encode_shapes_term, sh, sparql_term


def _has_value_checks(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    return [_has_value(v) for v in shape.values("hasValue")]


def _closed_checks(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    closed = shape.value("closed")
    if closed is None or closed.value.lower() not in ("true", "1"):
        return []
    allowed: list[Term] = []
    for prop in shape.values("property"):
        path = shape.graph.one(prop, sh("path"))
        if isinstance(path, NamedNode):
            allowed.append(path)
    for members in shape.list_values("ignoredProperties"):
        allowed.extend(members)
    return [_closed(allowed)]


def _has_value(expected: Term) -> CheckFn:
    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        t = sparql_term(encode_shapes_term(expected))
        where = f"FILTER(!{has_value_expr(shape, t)})"
        query = f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} {where} }}"
        detail = (("expected", show(expected)),)
        return [
            ctx.result(shape, row["this"], component("HasValue"), detail=detail)
            for row in ctx.select(query)
        ]

    return run


def _closed(allowed: list[Term]) -> CheckFn:
    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        names = ", ".join(sparql_term(a) for a in allowed if isinstance(a, NamedNode))
        filt = f"FILTER(?_p NOT IN ({names}))" if names else ""
        query = (
            f"SELECT DISTINCT ?this ?_p ?_o WHERE {{ {focus_values(shape, focus)} "
            f"?value ?_p ?_o . {filt} }}"
        )
        out: list[Result] = []
        for row in ctx.select(query):
            p = row["_p"]
            assert isinstance(p, NamedNode)
            out.append(
                ctx.result(
                    shape,
                    row["this"],
                    component("Closed"),
                    value=row["_o"],
                    path=PredicatePath(p),
                    use_shape_path=False,
                    detail=(("found", show(p)),),
                )
            )
        return out

    return run


COMPONENTS = (
    ConstraintComponent(
        "HasValue",
        "hasValue",
        _has_value_checks,
        Bilingual(
            "{prop}には値 {expected} が含まれるべきですが、ありません。",
            "{prop} should include the value {expected}; it is missing.",
        ),
        Bilingual("値 {v} を含む", "has the value {v}"),
    ),
    ConstraintComponent(
        "Closed",
        "closed",
        _closed_checks,
        Bilingual(
            "閉じたシェイプでは使えないプロパティ {found} が使われています（値 {value}）。",
            "The node uses the property {found}, which the closed shape does not allow "
            "(value {value}).",
        ),
        Bilingual(
            "閉じたシェイプ: プロパティシェイプ（と sh:ignoredProperties）以外のプロパティは不可",
            "closed: no properties but those of its property shapes (and sh:ignoredProperties)",
        ),
    ),
)
