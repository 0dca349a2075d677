"""Logical (spec section 4.6) and shape-based (4.7) components.

These test value nodes against other shapes. The engine evaluates a nested shape on the whole
set of value nodes at once (its compiled queries with the values as focus nodes), so each
nested shape costs a few queries per parent shape, not per value.
"""

from __future__ import annotations

from collections import defaultdict

from cityref.validation.model import CheckFn, Context, Focus, Result, component, show
from cityref.validation.shapes import Shape, int_param
from cityref.validation.terms import Term, sh


def checks(shape: Shape) -> list[CheckFn]:
    """Checks for sh:not, sh:and, sh:or, sh:xone, sh:node and sh:qualifiedValueShape."""
    out: list[CheckFn] = []
    for nested in shape.values("not"):
        out.append(_per_value("Not", [nested], lambda fails: fails == 0, show(nested)))
    for members in shape.list_values("and"):
        out.append(_per_value("And", members, lambda fails: fails > 0, ""))
    for members in shape.list_values("or"):
        n = len(members)
        out.append(_per_value("Or", members, lambda fails, n=n: fails == n, ""))
    for members in shape.list_values("xone"):
        n = len(members)
        out.append(_per_value("Xone", members, lambda fails, n=n: n - fails != 1, ""))
    for nested in shape.values("node"):
        out.append(_per_value("Node", [nested], lambda fails: fails > 0, show(nested)))
    qualified = shape.value("qualifiedValueShape")
    if qualified is not None and shape.path is not None:
        out.append(_qualified(qualified))
    return out


def _per_value(local: str, nested: list[Term], violates: object, shown: str) -> CheckFn:
    """A check that counts, for each value node, how many of ``nested`` it fails."""
    assert callable(violates)

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        pairs = ctx.value_pairs(shape, focus)
        values = {v for _, v in pairs}
        # A node shape's value nodes are its focus nodes: the nested shapes can use its focus.
        within = focus if shape.path is None else None
        fail_counts: dict[Term, int] = defaultdict(int)
        for member in nested:
            for v in ctx.failing(member, values, within):
                fail_counts[v] += 1
        detail = (("expected", shown),) if shown else ()
        return [
            ctx.result(shape, this, component(local), value=v, detail=detail)
            for this, v in pairs
            if violates(fail_counts.get(v, 0))
        ]

    return run


def _qualified(qualified: Term) -> CheckFn:
    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        qmin = shape.value("qualifiedMinCount")
        qmax = shape.value("qualifiedMaxCount")
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
        pairs = ctx.value_pairs(shape, focus)
        values = {v for _, v in pairs}
        failing = ctx.failing(qualified, values)
        in_sibling: set[Term] = set()
        # The spec's definition excludes the shape's own qualified value shape.
        for sib in dict.fromkeys(s for s in siblings if s != qualified):
            in_sibling |= values - ctx.failing(sib, values)
        counts: dict[Term, int] = {n: 0 for n in ctx.focus_nodes(focus)}
        for this, v in pairs:
            if v not in failing and v not in in_sibling:
                counts[this] = counts.get(this, 0) + 1
        out: list[Result] = []
        for this, n in counts.items():
            if qmin is not None and n < int_param(qmin, "sh:qualifiedMinCount"):
                detail = (("expected", qmin.value), ("found", str(n)))
                out.append(ctx.result(shape, this, component("QualifiedMinCount"), detail=detail))
            if qmax is not None and n > int_param(qmax, "sh:qualifiedMaxCount"):
                detail = (("expected", qmax.value), ("found", str(n)))
                out.append(ctx.result(shape, this, component("QualifiedMaxCount"), detail=detail))
        return out

    return run
