"""Property pair components (spec section 4.5) and sh:uniqueLang (4.4.4), one query each."""

from __future__ import annotations

from pyoxigraph import NamedNode

from cityref.validation.model import CheckFn, Context, Focus, Result, component, show, value_pattern
from cityref.validation.shapes import Shape
from cityref.validation.terms import sparql_term, value_expr


def _query_check(local: str, other: NamedNode, *branches: str, extra: str = "") -> CheckFn:
    """A check whose query yields ?this and ?value for each violating value.

    Each branch is joined with the focus pattern inside its own group, so that ?this is
    bound where BIND and FILTER NOT EXISTS see it.
    """

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        vp = value_pattern(shape)
        union = " UNION ".join(
            "{ " + focus.pattern + " " + b.format(vp=vp) + " }" for b in branches
        )
        query = f"SELECT DISTINCT ?this ?value {extra} WHERE {{ {union} }}"
        detail = (("other", show(other)),)
        return [
            ctx.result(shape, row["this"], component(local), value=row["value"], detail=detail)
            for row in ctx.select(query)
        ]

    return run


def checks(shape: Shape) -> list[CheckFn]:
    """Checks for sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals, sh:uniqueLang."""
    out: list[CheckFn] = []
    for p in shape.values("equals"):
        if isinstance(p, NamedNode):
            t = sparql_term(p)
            if shape.path is None:  # the only value node is the focus node itself
                missing = "BIND(?this AS ?value) FILTER NOT EXISTS {{ ?this " + t + " ?value }}"
                extra = "?this " + t + " ?value . FILTER(!sameTerm(?this, ?value))"
            else:
                missing = "{vp} FILTER NOT EXISTS {{ ?this " + t + " ?value }}"
                extra = "?this " + t + " ?value . FILTER NOT EXISTS {{ {vp} }}"
            out.append(_query_check("Equals", p, missing, extra))
    for p in shape.values("disjoint"):
        if isinstance(p, NamedNode):
            out.append(_query_check("Disjoint", p, "{vp} ?this " + sparql_term(p) + " ?value ."))
    for local, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
        for p in shape.values(local):
            if isinstance(p, NamedNode):
                cond = f"COALESCE({value_expr('?value')} {op} {value_expr('?_other')}, false)"
                where = "{vp} ?this " + sparql_term(p) + " ?_other . FILTER(!" + cond + ")"
                # One result per (value, other value) pair, as the W3C tests expect.
                name = local[0].upper() + local[1:]
                out.append(_query_check(name, p, where, extra="?_other"))
    unique = shape.value("uniqueLang")
    if shape.path is not None and unique is not None and unique.value == "true":
        # only the literal "true" activates it (W3C uniqueLang-002)
        out.append(_unique_lang)
    return out


def _unique_lang(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
    vp = value_pattern(shape)
    vp2 = vp.replace("?value", "?_other")
    query = (
        f"SELECT DISTINCT ?this ?lang WHERE {{ {focus.pattern} {vp} {vp2} "
        'FILTER(isLiteral(?value) && isLiteral(?_other) && LANG(?value) != "" '
        "&& LCASE(LANG(?value)) = LCASE(LANG(?_other)) && !sameTerm(?value, ?_other)) "
        "BIND(LCASE(LANG(?value)) AS ?lang) }"
    )
    return [
        ctx.result(
            shape, row["this"], component("UniqueLang"), detail=(("found", row["lang"].value),)
        )
        for row in ctx.select(query)
    ]
