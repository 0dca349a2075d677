"""Cardinality components (spec section 4.2): sh:minCount and sh:maxCount.

Counting the values of every focus node (GROUP BY) is the slow part on large data, so each
check first finds *candidates* with cheap patterns, one per bound: a node without any value
(minCount 1), without two distinct values (minCount 2), with two or three (maxCount 1 or 2).
Other bounds fall back to counting. Only the candidates are then counted exactly, and every
bound is tested on those exact counts. Data that breaks no bound has no candidates, so
that second query runs only where there are results to report.
"""

from __future__ import annotations

from collections.abc import Iterator

from cityref.text import Bilingual
from cityref.validation.component import CompileContext, Compiler, ConstraintComponent
from cityref.validation.model import CheckFn, Context, Focus, Result, component, focus_values
from cityref.validation.paths import nullable, path_sparql
from cityref.validation.shapes import Shape, int_param
from cityref.validation.terms import Term

_COUNT = "COUNT(DISTINCT ?value)"


def _counting(name: str, parameter: str) -> Compiler:
    """sh:minCount or sh:maxCount: one check testing all of the shape's bounds of it."""
    too_few = name == "MinCount"

    def compile_count(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
        if shape.path is None:
            return []
        bounds = [int_param(v, f"sh:{parameter}") for v in shape.values(parameter)]
        if too_few:
            bounds = [m for m in bounds if m > 0]  # minCount 0 holds for every node
        if not bounds:
            return []
        mins, maxs = (bounds, []) if too_few else ([], bounds)

        def run(ctx: Context, shape: Shape, focus: Focus) -> Iterator[Result]:
            queries = _candidate_queries(shape, focus, mins, maxs)
            if bounds == [1] and too_few and shape.path and not nullable(shape.path):
                # The candidates are exactly the (distinct) nodes without a value: no count
                # to make, and they are passed on as they come (nearly all nodes may lack it).
                detail = (("expected", "1"), ("found", "0"))
                for row in ctx.select(queries[0]):
                    yield ctx.result(shape, row["this"], component(name), detail=detail)
                return
            candidates: dict[Term, None] = {}
            for query in queries:
                candidates.update((row["this"], None) for row in ctx.select(query))
            if not candidates:
                return
            exact = ctx.nodes_focus(candidates, focus)
            # Only the nodes that break a bound come back (all of ``focus`` may be counted).
            broken = " || ".join(f"{_COUNT} {'<' if too_few else '>'} {m}" for m in bounds)
            query = (
                f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ "
                f"{{ {focus_values(shape, exact)} }} UNION {{ {exact.pattern} }} }} GROUP BY ?this "
                f"HAVING ({broken})"
            )
            for row in ctx.select(query):
                n = int(row["n"].value)
                for m in bounds:
                    if (n < m) if too_few else (n > m):
                        detail = (("expected", str(m)), ("found", str(n)))
                        yield ctx.result(shape, row["this"], component(name), detail=detail)

        return [run]

    return compile_count


def _candidate_queries(shape: Shape, focus: Focus, mins: list[int], maxs: list[int]) -> list[str]:
    """SELECT ?this queries whose union contains every focus node that may break a bound."""
    assert shape.path is not None
    path = path_sparql(shape.path)
    two = f"?this {path} ?value . ?this {path} ?_other . FILTER(!sameTerm(?value, ?_other))"
    if nullable(shape.path):  # the focus node is also a value: count exactly
        two = ""
    queries: list[str] = []
    for m in sorted(set(mins)):
        if m == 1 and not nullable(shape.path):
            queries.append(
                f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} "
                f"FILTER NOT EXISTS {{ ?this {path} ?_a }} }}"
            )
        elif m == 2 and two:
            queries.append(
                f"SELECT ?this WHERE {{ {focus.pattern} FILTER NOT EXISTS {{ {two} }} }}"
            )
        elif m > 0:
            with_zero = f"{{ {focus_values(shape, focus)} }} UNION {{ {focus.pattern} }}"
            queries.append(
                f"SELECT ?this WHERE {{ {with_zero} }} GROUP BY ?this HAVING ({_COUNT} < {m})"
            )
    for m in sorted(set(maxs)):
        if m == 1 and two:
            queries.append(f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} {two} }}")
        elif m == 2 and two:
            three = (
                f"?this {path} ?_a , ?_b , ?_c . FILTER(!sameTerm(?_a, ?_b) && "
                "!sameTerm(?_a, ?_c) && !sameTerm(?_b, ?_c))"
            )
            queries.append(f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} {three} }}")
        else:
            queries.append(
                f"SELECT ?this WHERE {{ {focus_values(shape, focus)} }} "
                f"GROUP BY ?this HAVING ({_COUNT} > {m})"
            )
    return queries


COMPONENTS = (
    ConstraintComponent(
        "MinCount",
        "minCount",
        _counting("MinCount", "minCount"),
        Bilingual(
            "{prop}には少なくとも {expected} 個の値が必要ですが、{found} 個でした。",
            "{prop} needs at least {expected} value(s); found {found}.",
        ),
        Bilingual("{v} 個以上の値が必要", "at least {v} value(s)"),
    ),
    ConstraintComponent(
        "MaxCount",
        "maxCount",
        _counting("MaxCount", "maxCount"),
        Bilingual(
            "{prop}の値は最大 {expected} 個までですが、{found} 個ありました。",
            "{prop} allows at most {expected} value(s); found {found}.",
        ),
        Bilingual("値は {v} 個まで", "at most {v} value(s)"),
    ),
)
