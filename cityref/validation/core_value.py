"""Per-value Core components: value type (4.1), value range (4.3), string-based (4.4, except
sh:uniqueLang) and sh:in (4.8.3). Each becomes a SPARQL condition over ``?value``; the engine
tests all of a shape's conditions in one query."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from cityref.text import Bilingual
from cityref.validation.component import (
    CompileContext,
    Compiler,
    ConstraintComponent,
    SubclassesFn,
)
from cityref.validation.errors import ShapesError
from cityref.validation.model import RDF_TYPE_PATH, ValueCheck, component, show
from cityref.validation.numbers import COMPARE, INTEGER_GRAMMAR, LEXICAL, NUMERIC_TYPES
from cityref.validation.shapes import Shape, int_param
from cityref.validation.terms import (
    RDF,
    XSD,
    Term,
    datatype_is_expr,
    encode_shapes_term,
    is_blank_expr,
    is_iri_expr,
    sparql_term,
    value_expr,
)

V = "?value"

# Datatypes whose well-formedness a SPARQL cast can check (the cast fails on ill-formed input;
# Oxigraph's also on decimals and integers it cannot hold, which numbers.LEXICAL judges).
_CASTABLE = {
    XSD + n: XSD + c
    for n, c in (
        ("double", "double"),
        ("float", "float"),
        ("boolean", "boolean"),
        ("dateTime", "dateTime"),
        ("date", "date"),
        ("time", "time"),
        ("duration", "duration"),
    )
}

# Integer-derived datatypes: well-formed when the lexical form is an integer in range (compared
# as a decimal, which holds every bound, unsignedLong's too).
_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    XSD + "byte": (-(2**7), 2**7 - 1),
    XSD + "short": (-(2**15), 2**15 - 1),
    XSD + "int": (-(2**31), 2**31 - 1),
    XSD + "long": (-(2**63), 2**63 - 1),
    XSD + "unsignedByte": (0, 2**8 - 1),
    XSD + "unsignedShort": (0, 2**16 - 1),
    XSD + "unsignedInt": (0, 2**32 - 1),
    XSD + "unsignedLong": (0, 2**64 - 1),
}

_NODE_KINDS = {
    "BlankNode": f"{is_blank_expr(V)}",
    "IRI": f"{is_iri_expr(V)}",
    "Literal": f"isLiteral({V})",
    "BlankNodeOrIRI": f"(isBlank({V}) || isIRI({V}))",
    "BlankNodeOrLiteral": f"({is_blank_expr(V)} || isLiteral({V}))",
    "IRIOrLiteral": f"({is_iri_expr(V)} || isLiteral({V}))",
}


def _datatype_condition(dt: NamedNode) -> str:
    cond = datatype_is_expr(V, dt)
    cast = _CASTABLE.get(dt.value)
    if cast is not None:
        cond = f"({cond} && COALESCE(isLiteral(<{cast}>(STR({V}))), false))"
    grammar = LEXICAL.get(dt.value)
    if grammar is not None:
        cond = f"({cond} && {_matches(grammar)})"
    bounds = _INTEGER_RANGES.get(dt.value)
    if bounds is not None:
        as_decimal = f"<{XSD}decimal>(STR({V}))"
        # Decimal bounds: a SPARQL integer literal past 64 bits would be ill-typed.
        tests = f"{as_decimal} >= {bounds[0]}.0 && {as_decimal} <= {bounds[1]}.0"
        cond = f"({cond} && {_matches(INTEGER_GRAMMAR)} && COALESCE({tests}, false))"
    return cond


def _matches(grammar: str) -> str:
    """SPARQL: the lexical form of ``?value`` matches the regular expression."""
    return f"REGEX(STR({V}), {sparql_term(Literal(grammar))})"


def _equality_is_identity(term: Term) -> bool:
    """True when SPARQL "=" against this term means RDF term identity."""
    if isinstance(term, NamedNode):
        return True
    if isinstance(term, Literal):
        return term.language is not None or term.datatype.value == XSD + "string"
    return False


def _instance_of(cls: Term, subclasses: SubclassesFn | None) -> str:
    """SPARQL: ?value is a SHACL instance of ``cls`` (spec 1.5).

    With the class's subclasses known in advance, plain rdf:type lookups replace the
    rdf:type/rdfs:subClassOf* path, which Oxigraph evaluates more slowly per value.
    """
    if subclasses is None:
        return f"EXISTS {{ {V} {RDF_TYPE_PATH} {sparql_term(encode_shapes_term(cls))} }}"
    classes = " ".join(sparql_term(c) for c in subclasses(cls))
    if " " not in classes:
        return f"EXISTS {{ {V} <{RDF}type> {classes} }}"
    return f"EXISTS {{ VALUES ?_class {{ {classes} }} {V} <{RDF}type> ?_class }}"


def _class(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
    return [
        ValueCheck(
            component("Class"), _instance_of(cls, ctx.subclasses), (("expected", show(cls)),)
        )
        for cls in shape.values("class")
    ]


def _datatype(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
    checks: list[ValueCheck] = []
    for dt in shape.values("datatype"):
        if not isinstance(dt, NamedNode):
            raise ShapesError(
                Bilingual(
                    f"sh:datatype は IRI にしてください（{dt} でした）",
                    f"sh:datatype must be an IRI, not {dt}",
                )
            )
        checks.append(
            ValueCheck(component("Datatype"), _datatype_condition(dt), (("expected", show(dt)),))
        )
    return checks


def _node_kind(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
    checks: list[ValueCheck] = []
    for kind in shape.values("nodeKind"):
        local = kind.value.rsplit("#", 1)[-1] if isinstance(kind, NamedNode) else ""
        if local not in _NODE_KINDS:
            raise ShapesError(
                Bilingual(f"不明な sh:nodeKind {kind} です", f"unknown sh:nodeKind {kind}")
            )
        checks.append(ValueCheck(component("NodeKind"), _NODE_KINDS[local], (("expected", local),)))
    return checks


def _range(name: str, op: str) -> Compiler:
    """sh:minExclusive and its siblings: the value compared with the bound."""
    local = name[0].lower() + name[1:]

    def compile_range(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
        checks: list[ValueCheck] = []
        for bound in shape.values(local):
            if not isinstance(bound, Literal):
                raise ShapesError(
                    Bilingual(
                        f"sh:{local} はリテラルにしてください（{bound} でした）",
                        f"sh:{local} must be a literal, not {bound}",
                    )
                )
            # Oxigraph fails to compare numbers it cannot hold (a decimal of more than 18
            # fractional digits, an integer beyond 64 bits): then they are compared exactly.
            # At an endpoint (no custom functions) such a number is out of range.
            exact = f"<{COMPARE.value}>({V}, {sparql_term(bound)}) {op} 0"
            cond = f"COALESCE({value_expr(V)} {op} {sparql_term(bound)}, {exact})"
            if not ctx.custom_functions:
                # At an endpoint such a number is out of range; and only operands SPARQL can
                # compare are compared (Virtuoso 7 orders "east" above -180 without an error).
                comparable = (
                    f"isNumeric({V})"
                    if bound.datatype.value in NUMERIC_TYPES
                    else f"sameTerm(DATATYPE({V}), {sparql_term(bound.datatype)})"
                )
                cond = f"({comparable} && COALESCE({V} {op} {sparql_term(bound)}, false))"
            checks.append(ValueCheck(component(name), cond, (("expected", show(bound)),)))
        return checks

    return compile_range


def _length(name: str, op: str) -> Compiler:
    """sh:minLength and sh:maxLength: the length of the value's string form."""
    local = name[0].lower() + name[1:]

    def compile_length(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
        checks: list[ValueCheck] = []
        for n in shape.values(local):
            size = int_param(n, f"sh:{local}")
            cond = f"(!{is_blank_expr(V)} && STRLEN(STR({V})) {op} {size})"
            checks.append(ValueCheck(component(name), cond, (("expected", str(size)),)))
        return checks

    return compile_length


def _pattern(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
    checks: list[ValueCheck] = []
    flags = shape.value("flags")
    for pattern in shape.values("pattern"):
        if not isinstance(pattern, Literal):
            raise ShapesError(
                Bilingual(
                    f"sh:pattern はリテラルにしてください（{pattern} でした）",
                    f"sh:pattern must be a literal, not {pattern}",
                )
            )
        args = sparql_term(Literal(pattern.value))
        if isinstance(flags, Literal):
            args += ", " + sparql_term(Literal(flags.value))
        cond = f"(!{is_blank_expr(V)} && REGEX(STR({V}), {args}))"
        checks.append(ValueCheck(component("Pattern"), cond, (("expected", pattern.value),)))
    return checks


def _language_in(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
    checks: list[ValueCheck] = []
    for tags in shape.list_values("languageIn"):
        tests = [f"langMatches(LANG({V}), {sparql_term(Literal(t.value))})" for t in tags]
        cond = f"(isLiteral({V}) && ({' || '.join(tests) or 'false'}))"
        shown = ", ".join(t.value for t in tags)
        checks.append(ValueCheck(component("LanguageIn"), cond, (("expected", shown),)))
    return checks


def _in(shape: Shape, ctx: CompileContext) -> list[ValueCheck]:
    checks: list[ValueCheck] = []
    for members in shape.list_values("in"):
        if members and all(_equality_is_identity(m) for m in members):
            # For IRIs and strings "=" is term identity, and IN is much faster than sameTerm.
            cond = f"({V} IN ({', '.join(sparql_term(encode_shapes_term(m)) for m in members)}))"
        else:
            tests = [f"sameTerm({V}, {sparql_term(encode_shapes_term(m))})" for m in members]
            cond = "(" + (" || ".join(tests) or "false") + ")"
        shown = ", ".join(show(m) for m in members)
        checks.append(ValueCheck(component("In"), cond, (("expected", shown),)))
    return checks


# In the order their conditions join a shape's one per-value query.
COMPONENTS = (
    ConstraintComponent(
        "Class",
        "class",
        _class,
        Bilingual(
            "{prop}は {expected} のインスタンスであるべきですが、{value} でした。",
            "{prop} should be an instance of {expected}; found {value}.",
        ),
        Bilingual("値は {v} のインスタンス", "values are instances of {v}"),
    ),
    ConstraintComponent(
        "Datatype",
        "datatype",
        _datatype,
        Bilingual(
            "{prop}はデータ型 {expected} の正しいリテラルであるべきですが、{value} でした。",
            "{prop} should be a well-formed literal of datatype {expected}; found {value}.",
        ),
        Bilingual("データ型は {v}", "datatype {v}"),
    ),
    ConstraintComponent(
        "NodeKind",
        "nodeKind",
        _node_kind,
        Bilingual(
            "{prop}のノード種別は {expected} であるべきですが、{value} でした。",
            "{prop} should be of node kind {expected}; found {value}.",
        ),
        Bilingual("値の種類は {v}", "node kind {v}"),
    ),
    ConstraintComponent(
        "MinExclusive",
        "minExclusive",
        _range("MinExclusive", ">"),
        Bilingual(
            "{prop}は {expected} より大きい値であるべきですが、{value} でした。",
            "{prop} should be greater than {expected}; found {value}.",
        ),
        Bilingual("{v} より大きい", "greater than {v}"),
    ),
    ConstraintComponent(
        "MinInclusive",
        "minInclusive",
        _range("MinInclusive", ">="),
        Bilingual(
            "{prop}は {expected} 以上であるべきですが、{value} でした。",
            "{prop} should be at least {expected}; found {value}.",
        ),
        Bilingual("{v} 以上", "at least {v}"),
    ),
    ConstraintComponent(
        "MaxExclusive",
        "maxExclusive",
        _range("MaxExclusive", "<"),
        Bilingual(
            "{prop}は {expected} 未満であるべきですが、{value} でした。",
            "{prop} should be less than {expected}; found {value}.",
        ),
        Bilingual("{v} より小さい", "less than {v}"),
    ),
    ConstraintComponent(
        "MaxInclusive",
        "maxInclusive",
        _range("MaxInclusive", "<="),
        Bilingual(
            "{prop}は {expected} 以下であるべきですが、{value} でした。",
            "{prop} should be at most {expected}; found {value}.",
        ),
        Bilingual("{v} 以下", "at most {v}"),
    ),
    ConstraintComponent(
        "MinLength",
        "minLength",
        _length("MinLength", ">="),
        Bilingual(
            "{prop}は {expected} 文字以上であるべきですが、{value} でした。",
            "{prop} should be at least {expected} characters long; found {value}.",
        ),
        Bilingual("{v} 文字以上", "at least {v} characters"),
    ),
    ConstraintComponent(
        "MaxLength",
        "maxLength",
        _length("MaxLength", "<="),
        Bilingual(
            "{prop}は {expected} 文字以下であるべきですが、{value} でした。",
            "{prop} should be at most {expected} characters long; found {value}.",
        ),
        Bilingual("{v} 文字以下", "at most {v} characters"),
    ),
    ConstraintComponent(
        "Pattern",
        "pattern",
        _pattern,
        Bilingual(
            "{prop}はパターン {expected} に一致するべきですが、{value} でした。",
            "{prop} should match the pattern {expected}; found {value}.",
        ),
        Bilingual("正規表現 {v} に一致", "matches the pattern {v}"),
    ),
    ConstraintComponent(
        "LanguageIn",
        "languageIn",
        _language_in,
        Bilingual(
            "{prop}の言語は {expected} のいずれかであるべきですが、{value} でした。",
            "{prop} should have one of the languages {expected}; found {value}.",
        ),
        Bilingual("言語タグは {v} のいずれか", "language tag one of {v}"),
    ),
    ConstraintComponent(
        "In",
        "in",
        _in,
        Bilingual(
            "{prop}は {expected} のいずれかであるべきですが、{value} でした。",
            "{prop} should be one of {expected}; found {value}.",
        ),
        Bilingual("値は次のいずれか: {v}", "one of: {v}"),
    ),
)
