"""Property pair components (spec section 4.5) and sh:uniqueLang (4.4.4), one query each."""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode

from cityref.text import Bilingual
from cityref.validation.component import CompileContext, Compiler, ConstraintComponent
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


def _equals(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    out: list[CheckFn] = []
    for p in shape.values("equals"):
        if isinstance(p, NamedNode):
            t = sparql_term(p)

            def only_path(s: Shape, f: Focus, t: str = t) -> str:
                return f"{focus_values(s, f)} FILTER NOT EXISTS {{ ?this {t} ?value }}"

            def only_other(s: Shape, f: Focus, t: str = t) -> str:
                return f"{f.pattern} ?this {t} ?value . FILTER(!{has_value_expr(s, '?value')})"

            out.append(_query_check("Equals", p, only_path, only_other))
    return out


def _disjoint(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    out: list[CheckFn] = []
    for p in shape.values("disjoint"):
        if isinstance(p, NamedNode):

            def shared(s: Shape, f: Focus, t: str = sparql_term(p)) -> str:
                return f"{focus_values(s, f)} ?this {t} ?value ."

            out.append(_query_check("Disjoint", p, shared))
    return out


def _less_than(name: str, op: str) -> Compiler:
    """sh:lessThan (``<``) or sh:lessThanOrEquals (``<=``) against another property."""
    local = name[0].lower() + name[1:]

    def compile_less(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
        out: list[CheckFn] = []
        for p in shape.values(local):
            if isinstance(p, NamedNode):
                cond = f"COALESCE({value_expr('?value')} {op} {value_expr('?_other')}, false)"

                def not_less(s: Shape, f: Focus, t: str = sparql_term(p), c: str = cond) -> str:
                    return f"{focus_values(s, f)} ?this {t} ?_other . FILTER(!{c})"

                # One result per (value, other value) pair, as the W3C tests expect.
                out.append(_query_check(name, p, not_less, extra="?_other"))
        return out

    return compile_less


def _unique_lang_checks(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    unique = shape.value("uniqueLang")
    if shape.path is not None and unique is not None and unique.value == "true":
        # only the literal "true" activates it (W3C uniqueLang-002)
        return [_unique_lang]
    return []


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


COMPONENTS = (
    ConstraintComponent(
        "Equals",
        "equals",
        _equals,
        Bilingual(
            "{prop}は {other} と同じ値を持つべきですが、{value} は片方にしかありません。",
            "{prop} should have the same values as {other}; {value} is in only one of them.",
        ),
        Bilingual("{v} と同じ値", "same values as {v}"),
    ),
    ConstraintComponent(
        "Disjoint",
        "disjoint",
        _disjoint,
        Bilingual(
            "{prop}は {other} と値を共有してはいけませんが、{value} が両方にあります。",
            "{prop} should share no value with {other}; found {value} in both.",
        ),
        Bilingual("{v} と共通の値を持たない", "no value in common with {v}"),
    ),
    ConstraintComponent(
        "LessThan",
        "lessThan",
        _less_than("LessThan", "<"),
        Bilingual(
            "{prop}は {other} のすべての値より小さいべきですが、{value} でした。",
            "{prop} should be less than every value of {other}; found {value}.",
        ),
        Bilingual("{v} より小さい", "less than the values of {v}"),
    ),
    ConstraintComponent(
        "LessThanOrEquals",
        "lessThanOrEquals",
        _less_than("LessThanOrEquals", "<="),
        Bilingual(
            "{prop}は {other} のすべての値以下であるべきですが、{value} でした。",
            "{prop} should be at most every value of {other}; found {value}.",
        ),
        Bilingual("{v} の値以下", "at most the values of {v}"),
    ),
    ConstraintComponent(
        "UniqueLang",
        "uniqueLang",
        _unique_lang_checks,
        Bilingual(
            "{prop}は言語ごとに値が一つまでですが、言語 {found} が重複しています。",
            "{prop} should have at most one value per language; language {found} is repeated.",
        ),
        Bilingual("言語ごとに値は一つ", "one value per language"),
    ),
)
