"""Cardinality components (spec section 4.2): sh:minCount and sh:maxCount, one grouped query."""

from __future__ import annotations

from cityref.validation.model import CheckFn, Context, Focus, Result, component, focus_values
from cityref.validation.shapes import Shape, int_param


def checks(shape: Shape) -> list[CheckFn]:
    """A check counting each focus node's distinct values once for all count bounds."""
    if shape.path is None:
        return []
    mins = [int_param(v, "sh:minCount") for v in shape.values("minCount")]
    maxs = [int_param(v, "sh:maxCount") for v in shape.values("maxCount")]
    if not mins and not maxs:
        return []

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        # HAVING cannot see SELECT aliases, so the aggregate is repeated.
        agg = "COUNT(DISTINCT ?value)"
        having = " || ".join([f"{agg} < {m}" for m in mins] + [f"{agg} > {m}" for m in maxs])
        query = (
            "SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE { "
            # The focus-only branch keeps focus nodes without values (count 0).
            f"{{ {focus_values(shape, focus)} }} UNION {{ {focus.pattern} }} }} "
            f"GROUP BY ?this HAVING ({having})"
        )
        out: list[Result] = []
        for row in ctx.select(query):
            n = int(row["n"].value)
            for m in mins:
                if n < m:
                    detail = (("expected", str(m)), ("found", str(n)))
                    out.append(ctx.result(shape, row["this"], component("MinCount"), detail=detail))
            for m in maxs:
                if n > m:
                    detail = (("expected", str(m)), ("found", str(n)))
                    out.append(ctx.result(shape, row["this"], component("MaxCount"), detail=detail))
        return out

    return [run]
