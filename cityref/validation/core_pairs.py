"""Property pair components (spec section 4.5) and sh:uniqueLang (4.4.4), one query each."""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode

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
from cityref.validation.paths import nullable, path_sparql
from cityref.validation.shapes import Shape
from cityref.validation.terms import sparql_term, value_expr

# A branch builds a group pattern binding ?this and ?value (and maybe ?_other) per violation.
Branch = Callable[[Shape, Focus], str]


def _query_check(local: str, other: NamedNode, *branches: Branch, extra: str = "") -> CheckFn:
    """A check whose query yields ?this and ?value for each violating value."""

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        union = " UNION ".join("{ " + b(shape, focus) + " }" for b in branches)
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

            def only_path(s: Shape, f: Focus, t: str = t) -> str:
                return f"{focus_values(s, f)} FILTER NOT EXISTS {{ ?this {t} ?value }}"

            def only_other(s: Shape, f: Focus, t: str = t) -> str:
                return f"{f.pattern} ?this {t} ?value . FILTER(!{has_value_expr(s, '?value')})"

            out.append(_query_check("Equals", p, only_path, only_other))
    for p in shape.values("disjoint"):
        if isinstance(p, NamedNode):

            def shared(s: Shape, f: Focus, t: str = sparql_term(p)) -> str:
                return f"{focus_values(s, f)} ?this {t} ?value ."

            out.append(_query_check("Disjoint", p, shared))
    for local, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
        for p in shape.values(local):
            if isinstance(p, NamedNode):
                cond = f"COALESCE({value_expr('?value')} {op} {value_expr('?_other')}, false)"

                def not_less(s: Shape, f: Focus, t: str = sparql_term(p), c: str = cond) -> str:
                    return f"{focus_values(s, f)} ?this {t} ?_other . FILTER(!{c})"

                # One result per (value, other value) pair, as the W3C tests expect.
                name = local[0].upper() + local[1:]
                out.append(_query_check(name, p, not_less, extra="?_other"))
    unique = shape.value("uniqueLang")
    if shape.path is not None and unique is not None and unique.value == "true":
        # only the literal "true" activates it (W3C uniqueLang-002)
        out.append(_unique_lang)
    return out


def _unique_lang(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
    assert shape.path is not None
    if nullable(shape.path):  # the focus node is a value too: count per language
        query = (
            f"SELECT ?this ?lang WHERE {{ {focus_values(shape, focus)} "
            'FILTER(isLiteral(?value) && LANG(?value) != "") } '
            "GROUP BY ?this (LANG(?value) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
        )
    else:
        # A self-join beats GROUP BY here; Oxigraph stores language tags in lower case.
        query = (
            f"SELECT DISTINCT ?this (LANG(?value) AS ?lang) WHERE {{ {focus_values(shape, focus)} "
            f"?this {path_sparql(shape.path)} ?_other . FILTER(!sameTerm(?value, ?_other) && "
            'LANG(?value) = LANG(?_other) && LANG(?value) != "") }'
        )
    return [
        ctx.result(
            shape, row["this"], component("UniqueLang"), detail=(("found", row["lang"].value),)
        )
        for row in ctx.select(query)
    ]
