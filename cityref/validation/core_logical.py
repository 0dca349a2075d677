"""Logical (spec section 4.6) and shape-based (4.7) components: sh:not, sh:and, sh:or,
sh:xone, sh:node, sh:property and the qualified value shape's counts.

These test value nodes against other shapes. The engine evaluates a nested shape on the whole
set of value nodes at once (its compiled queries with the values as focus nodes), so each
nested shape costs a few queries per parent shape, not per value.
"""

from __future__ import annotations

from cityref.text import Bilingual
from cityref.validation.component import (
    CompileContext,
    Compiler,
    ConstraintComponent,
    NestedShape,
)
from cityref.validation.model import CheckFn, Context, Focus, Result, component, show
from cityref.validation.shapes import Shape, int_param
from cityref.validation.terms import Term, sh


def _not(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    return [
        _per_value("Not", [nested], lambda fails: fails == 0, show(nested))
        for nested in shape.values("not")
    ]


def _and(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    return [
        _per_value("And", members, lambda fails: fails > 0, "")
        for members in shape.list_values("and")
    ]


def _or(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    out: list[CheckFn] = []
    for members in shape.list_values("or"):
        n = len(members)
        out.append(_per_value("Or", members, lambda fails, n=n: fails == n, "", fail_all=True))
    return out


def _xone(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    out: list[CheckFn] = []
    for members in shape.list_values("xone"):
        n = len(members)
        out.append(_per_value("Xone", members, lambda fails, n=n: n - fails != 1, ""))
    return out


def _node(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    return [
        _per_value("Node", [nested], lambda fails: fails > 0, show(nested))
        for nested in shape.values("node")
    ]


def _property(shape: Shape, ctx: CompileContext) -> list[NestedShape]:
    """Property shapes report their own results; the engine runs them on the value nodes."""
    return [NestedShape(prop) for prop in shape.values("property")]


def _qualified_count(name: str) -> Compiler:
    """sh:qualifiedMinCount or sh:qualifiedMaxCount with the shape's sh:qualifiedValueShape."""

    def compile_qualified(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
        qualified = shape.value("qualifiedValueShape")
        bound = shape.value(name[0].lower() + name[1:])
        if qualified is None or bound is None or shape.path is None:
            return []
        return [_qualified(qualified, name, bound)]

    return compile_qualified


def _per_value(
    local: str, nested: list[Term], violates: object, shown: str, *, fail_all: bool = False
) -> CheckFn:
    """A check that counts, for each value node, how many of ``nested`` it fails.

    Only failing nodes are counted (a node absent from the counts failed none), and with
    ``fail_all`` (sh:or: a node violates only by failing every member) only the nodes that
    failed every member so far are kept. The value nodes are listed only where a node that
    fails nothing may violate (sh:not) or a focus node must be paired with its values."""
    assert callable(violates)

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        # A node shape's value nodes are its focus nodes: the nested shapes can use its focus.
        within = focus if shape.path is None else ctx.values_focus(shape, focus)
        listed = None if within is not None else {v for _, v in ctx.value_pairs(shape, focus)}
        counts: dict[Term, int] = {}
        for i, member in enumerate(nested):
            among = counts if fail_all and i > 0 else None
            if among is not None and not among:
                break  # no node failed every member so far: none can violate
            if within is not None:
                failed = ctx.failing_within(member, within, among)
            else:
                assert listed is not None
                failed = ctx.failing(member, listed if among is None else among.keys())
            if among is not None:
                counts = {v: counts[v] + 1 for v in failed if v in counts}
            else:
                for v in failed:
                    counts[v] = counts.get(v, 0) + 1
        detail = (("expected", shown),) if shown else ()
        if shape.path is None and not violates(0):
            # Each focus node is its own one value: the failing nodes are the violations.
            return [
                ctx.result(shape, v, component(local), value=v, detail=detail)
                for v, fails in counts.items()
                if violates(fails)
            ]
        return [
            ctx.result(shape, this, component(local), value=v, detail=detail)
            for this, v in ctx.value_pairs(shape, focus)
            if violates(counts.get(v, 0))
        ]

    return run


def _qualified(qualified: Term, name: str, bound: Term) -> CheckFn:
    too_few = name == "QualifiedMinCount"
    limit = int_param(bound, f"sh:{name[0].lower() + name[1:]}")

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        disjoint = shape.value("qualifiedValueShapesDisjoint")
        siblings: list[Term] = []
        if disjoint is not None and disjoint.value.lower() in ("true", "1"):
            # Sibling shapes: qualified value shapes of the other property shapes of any
            # parent shape of this property shape (spec 4.7.3).
            for parent in ctx.shapes.parents(shape.node):
                for prop in shape.graph.objects(parent, sh("property")):
                    # A deactivated sibling property shape is ignored like the rest of it
                    # (pySHACL does the same; the spec is silent).
                    if prop == shape.node or ctx.shapes.shape(prop).deactivated:
                        continue
                    siblings.extend(shape.graph.objects(prop, sh("qualifiedValueShape")))
        pairs = list(ctx.value_pairs(shape, focus))
        values = {v for _, v in pairs}
        within = ctx.values_focus(shape, focus)
        failing = ctx.failing(qualified, values, within)
        in_sibling: set[Term] = set()
        # The spec's definition excludes the shape's own qualified value shape.
        for sib in dict.fromkeys(s for s in siblings if s != qualified):
            in_sibling |= values - ctx.failing(sib, values, within)
        counts: dict[Term, int] = {n: 0 for n in ctx.focus_nodes(focus)}
        for this, v in pairs:
            if v not in failing and v not in in_sibling:
                counts[this] = counts.get(this, 0) + 1
        detail_expected = ("expected", bound.value)
        return [
            ctx.result(shape, this, component(name), detail=(detail_expected, ("found", str(n))))
            for this, n in counts.items()
            if ((n < limit) if too_few else (n > limit))
        ]

    return run


COMPONENTS = (
    ConstraintComponent(
        "Not",
        "not",
        _not,
        Bilingual(
            "{prop}は {expected} に適合してはいけませんが、{value} は適合しています。",
            "{prop} should not conform to {expected}; {value} does.",
        ),
        Bilingual("条件を満たさない", "does not satisfy a condition"),
    ),
    ConstraintComponent(
        "And",
        "and",
        _and,
        Bilingual(
            "{prop}は列挙されたすべてのシェイプに適合するべきですが、{value} は適合しません。",
            "{prop} should conform to all of the listed shapes; {value} does not.",
        ),
        Bilingual("すべての条件を満たす", "satisfies all of several conditions"),
    ),
    ConstraintComponent(
        "Or",
        "or",
        _or,
        Bilingual(
            "{prop}は列挙されたシェイプのいずれかに適合するべきですが、"
            "{value} はどれにも適合しません。",
            "{prop} should conform to at least one of the listed shapes; {value} conforms to none.",
        ),
        Bilingual("いずれかの条件を満たす", "satisfies one of several conditions"),
    ),
    ConstraintComponent(
        "Xone",
        "xone",
        _xone,
        Bilingual(
            "{prop}は列挙されたシェイプのちょうど一つに適合するべきですが、"
            "{value} はそうではありません。",
            "{prop} should conform to exactly one of the listed shapes; {value} does not.",
        ),
        Bilingual("ちょうど一つの条件を満たす", "satisfies exactly one of several conditions"),
    ),
    ConstraintComponent(
        "Node",
        "node",
        _node,
        Bilingual(
            "{prop}は {expected} に適合するべきですが、{value} は適合しません。",
            "{prop} should conform to {expected}; {value} does not.",
        ),
        Bilingual("値はシェイプ {v} に適合", "values conform to the shape {v}"),
    ),
    ConstraintComponent(
        "Property",
        "property",
        _property,
        # Never used by this engine: a property shape reports its own results (spec 4.7.2).
        Bilingual(
            "{prop}はプロパティシェイプ {expected} に適合するべきですが、{value} は適合しません。",
            "{prop} should conform to the property shape {expected}; {value} does not.",
        ),
        Bilingual("値はプロパティシェイプ {v} を満たす", "values meet the property shape {v}"),
    ),
    ConstraintComponent(
        "QualifiedMinCount",
        "qualifiedMinCount",
        _qualified_count("QualifiedMinCount"),
        Bilingual(
            "{prop}には条件付きシェイプに適合する値が少なくとも {expected} 個必要ですが、"
            "{found} 個でした。",
            "{prop} needs at least {expected} value(s) of the qualified shape; found {found}.",
        ),
        Bilingual("条件に合う値が {v} 個以上", "at least {v} qualifying value(s)"),
    ),
    ConstraintComponent(
        "QualifiedMaxCount",
        "qualifiedMaxCount",
        _qualified_count("QualifiedMaxCount"),
        Bilingual(
            "{prop}の条件付きシェイプに適合する値は最大 {expected} 個までですが、"
            "{found} 個ありました。",
            "{prop} allows at most {expected} value(s) of the qualified shape; found {found}.",
        ),
        Bilingual("条件に合う値は {v} 個まで", "at most {v} qualifying value(s)"),
    ),
)
