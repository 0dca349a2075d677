"""SHACL-SPARQL: SPARQL-based constraints (spec section 5) and SPARQL-based constraint
components (section 6). Queries run natively on the data store, once per focus node (ASK
validators once per value node), with the pre-bound variables substituted into the text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, QuerySolution

from cityref.text import Bilingual
from cityref.validation.component import CompileContext, ConstraintComponent
from cityref.validation.errors import ShapesError
from cityref.validation.graph import Graph
from cityref.validation.model import CheckFn, Context, Focus, Result, show
from cityref.validation.paths import PredicatePath, path_sparql
from cityref.validation.shapes import Shape
from cityref.validation.sparql_text import check_supported, prefix_declarations, substitute
from cityref.validation.terms import SH, Term, decode, encode_shapes_term, sh, sparql_term

_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_0-9]+)\}")


def _is_true(term: Term | None) -> bool:
    return isinstance(term, Literal) and term.value in ("true", "1")


def _get(row: QuerySolution | None, name: str) -> Term | None:
    """A variable's value in a solution (None when unbound or not projected)."""
    if row is None:
        return None
    try:
        value = row[name]
    except (KeyError, TypeError):
        return None
    return value  # type: ignore[no-any-return]


def _messages(
    templates: list[Term], row: QuerySolution | None, extra: dict[str, Term]
) -> tuple[Literal, ...]:
    """sh:message templates with {?var} / {$var} filled from the solution and parameters."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = extra.get(name) or _get(row, name)
        if value is None:
            return match.group(0)
        v = decode(value)
        return v.value if isinstance(v, Literal) else show(v)

    out: list[Literal] = []
    for t in templates:
        if isinstance(t, Literal):
            text = _PLACEHOLDER.sub(fill, t.value)
            out.append(Literal(text, language=t.language) if t.language else Literal(text))
    return tuple(out)


def _bindings(ctx: Context, shape: Shape, query: str, this: Term | None) -> dict[str, str]:
    """SPARQL text for the pre-bound variables $this, $currentShape, $shapesGraph, $PATH."""
    values: dict[str, str] = {"currentShape": sparql_term(encode_shapes_term(shape.node))}
    if this is not None:
        values["this"] = ctx.bound_node(this)
    if re.search(r"[?$]shapesGraph\b", query):
        values["shapesGraph"] = sparql_term(ctx.shapes_graph())
    if shape.path is not None:
        values["PATH"] = path_sparql(shape.path)
    return values


def _row_results(
    ctx: Context,
    shape: Shape,
    this: Term,
    rows: Iterable[QuerySolution],
    component: NamedNode,
    constraint: Term | None,
    templates: list[Term],
    params: dict[str, Term],
) -> list[Result]:
    """One result per solution (spec 5.3.2): ?path and ?value when bound, ?failure aborts."""
    out: list[Result] = []
    for row in rows:
        if _is_true(_get(row, "failure")):
            which = constraint or component
            raise ShapesError(
                Bilingual(
                    f"SPARQL 制約 {which} が失敗を報告しました",
                    f"SPARQL constraint {which} reported a failure",
                )
            )
        path = shape.path
        p = _get(row, "path")
        if isinstance(p, NamedNode):
            path = PredicatePath(p)
        value = _get(row, "value")
        if value is None and shape.path is None:
            value = this
        messages = _messages(templates, row, params) if templates else None
        out.append(
            ctx.result(
                shape,
                this,
                component,
                value=value,
                path=path,
                use_shape_path=False,
                source_constraint=constraint,
                messages=messages,
            )
        )
    return out


def _sparql_constraint(node: Term, graph: Graph) -> CheckFn:
    select = graph.one(node, sh("select"))
    if not isinstance(select, Literal):
        raise ShapesError(
            Bilingual(
                f"sh:sparql {node} に sh:select がありません", f"sh:sparql {node} has no sh:select"
            )
        )
    text = prefix_declarations(graph, node) + select.value
    check_supported(select.value, {"this", "shapesGraph", "currentShape"})
    templates = graph.objects(node, sh("message"))

    def run(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
        out: list[Result] = []
        for this in ctx.focus_nodes(focus):
            rows = ctx.select(substitute(text, _bindings(ctx, shape, text, this)))
            out += _row_results(
                ctx, shape, this, rows, sh("SPARQLConstraintComponent"), node, templates, {}
            )
        return out

    return run


# -- SPARQL-based constraint components (spec section 6) ----------------------------------


def _components(graph: Graph) -> list[tuple[Term, list[tuple[str, NamedNode, bool]]]]:
    """Each declared component with its parameters (variable name, path, optional)."""
    found: dict[Term, list[tuple[str, NamedNode, bool]]] = {}
    for comp, param in graph.pairs(sh("parameter")):
        if isinstance(comp, NamedNode) and comp.value.startswith(SH):
            continue  # Core components are built in
        path = graph.one(param, sh("path"))
        if not isinstance(path, NamedNode):
            raise ShapesError(
                Bilingual(
                    f"{comp} のパラメータ {param} の sh:path は IRI にしてください",
                    f"parameter {param} of {comp} needs an IRI sh:path",
                )
            )
        name = re.split(r"[#/]", path.value)[-1]
        optional = _is_true(graph.one(param, sh("optional")))
        found.setdefault(comp, []).append((name, path, optional))
    return list(found.items())


def _component_check(comp: Term, validator: Term, params: dict[str, Term], graph: Graph) -> CheckFn:
    ask = graph.one(validator, sh("ask"))
    select = graph.one(validator, sh("select"))
    prefixes = prefix_declarations(graph, validator)
    templates = graph.objects(validator, sh("message")) or graph.objects(comp, sh("message"))
    component = comp if isinstance(comp, NamedNode) else NamedNode("urn:cityref:component")
    param_text = {k: sparql_term(encode_shapes_term(v)) for k, v in params.items()}
    prebound = {"this", "shapesGraph", "currentShape", *params}

    def bindings(ctx: Context, shape: Shape, query: str, this: Term) -> dict[str, str]:
        return {**_bindings(ctx, shape, query, this), **param_text}

    if isinstance(ask, Literal):
        ask_text = prefixes + ask.value
        check_supported(ask.value, prebound | {"value"})

        def run_ask(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
            out: list[Result] = []
            answers: dict[tuple[tuple[str, str], ...], bool] = {}
            for this, value in ctx.value_pairs(shape, focus):
                values = bindings(ctx, shape, ask_text, this)
                values["value"] = ctx.bound_node(value)
                # The same bindings ask the same question (a code repeated on every row).
                key = tuple(sorted(values.items()))
                if key not in answers:
                    answers[key] = ctx.ask(substitute(ask_text, values))
                if not answers[key]:
                    msgs = _messages(templates, None, {**params, "value": value}) or None
                    out.append(ctx.result(shape, this, component, value=value, messages=msgs))
            return out

        return run_ask
    if isinstance(select, Literal):
        select_text = prefixes + select.value
        check_supported(select.value, prebound)

        def run_select(ctx: Context, shape: Shape, focus: Focus) -> list[Result]:
            out: list[Result] = []
            for this in ctx.focus_nodes(focus):
                query = substitute(select_text, bindings(ctx, shape, select_text, this))
                rows = ctx.select(query)
                out += _row_results(ctx, shape, this, rows, component, None, templates, params)
            return out

        return run_select
    raise ShapesError(
        Bilingual(
            f"{comp} のバリデータ {validator} に sh:ask も sh:select もありません",
            f"validator {validator} of {comp} has neither sh:ask nor sh:select",
        )
    )


def _sparql_checks(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    """Checks for the shape's sh:sparql constraints (spec section 5)."""
    graph = ctx.shapes.graph
    return [
        _sparql_constraint(node, graph)
        for node in shape.values("sparql")
        if not _is_true(graph.one(node, sh("deactivated")))
    ]


def declared_component_checks(shape: Shape, ctx: CompileContext) -> list[CheckFn]:
    """Checks for the SPARQL-based constraint components the shapes graph declares (spec
    section 6) whose parameters the shape has. They are data, not code: their messages are
    their validators' sh:message, or the generic one."""
    graph = ctx.shapes.graph
    out: list[CheckFn] = []
    for comp, params in _components(graph):
        chosen: dict[str, Term] = {}
        complete = True
        for name, path, optional in params:
            value = graph.one(shape.node, path)
            if value is None and not optional:
                complete = False
                break
            if value is not None:
                chosen[name] = value
        if not complete or not chosen:
            continue
        kind = "propertyValidator" if shape.path is not None else "nodeValidator"
        validator = graph.one(comp, sh(kind)) or graph.one(comp, sh("validator"))
        if validator is not None:  # no validator for this kind of shape: component ignored
            out.append(_component_check(comp, validator, chosen, graph))
    return out


COMPONENTS = (
    ConstraintComponent(
        "SPARQL",
        "sparql",
        _sparql_checks,
        Bilingual(
            "{prop}が SPARQL 制約に違反しています（値 {value}）。",
            "{prop} violates a SPARQL constraint (value {value}).",
        ),
        Bilingual("SPARQL による検査", "checked by a SPARQL constraint"),
    ),
)
