"""Per-value Core components: value type (4.1), value range (4.3), string-based (4.4, except
sh:uniqueLang) and sh:in (4.8.3). Each becomes a SPARQL condition over ``?value``; the engine
tests all of a shape's conditions in one query."""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import Literal, NamedNode

from cityref.text import Bilingual
from cityref.validation.errors import ShapesError
from cityref.validation.model import RDF_TYPE_PATH, ValueCheck, component, show
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

# Datatypes whose well-formedness a SPARQL cast can check (the cast fails on ill-formed input).
SubclassesFn = Callable[[Term], list[Term]]

_CASTABLE = {
    XSD + n: XSD + c
    for n, c in (
        ("integer", "integer"),
        ("decimal", "decimal"),
        ("double", "double"),
        ("float", "float"),
        ("boolean", "boolean"),
        ("dateTime", "dateTime"),
        ("date", "date"),
        ("time", "time"),
        ("duration", "duration"),
    )
}

# Integer-derived datatypes: well-formed when the lexical form is an integer in range.
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    XSD + "byte": (-(2**7), 2**7 - 1),
    XSD + "short": (-(2**15), 2**15 - 1),
    XSD + "int": (-(2**31), 2**31 - 1),
    XSD + "long": (-(2**63), 2**63 - 1),
    XSD + "unsignedByte": (0, 2**8 - 1),
    XSD + "unsignedShort": (0, 2**16 - 1),
    XSD + "unsignedInt": (0, 2**32 - 1),
    XSD + "unsignedLong": (0, 2**64 - 1),
    XSD + "nonNegativeInteger": (0, None),
    XSD + "positiveInteger": (1, None),
    XSD + "nonPositiveInteger": (None, 0),
    XSD + "negativeInteger": (None, -1),
}

_NODE_KINDS = {
    "BlankNode": f"{is_blank_expr(V)}",
    "IRI": f"{is_iri_expr(V)}",
    "Literal": f"isLiteral({V})",
    "BlankNodeOrIRI": f"(isBlank({V}) || isIRI({V}))",
    "BlankNodeOrLiteral": f"({is_blank_expr(V)} || isLiteral({V}))",
    "IRIOrLiteral": f"({is_iri_expr(V)} || isLiteral({V}))",
}

_RANGES = (
    ("minExclusive", ">"),
    ("minInclusive", ">="),
    ("maxExclusive", "<"),
    ("maxInclusive", "<="),
)


def _datatype_condition(dt: NamedNode) -> str:
    cond = datatype_is_expr(V, dt)
    cast = _CASTABLE.get(dt.value)
    if cast is not None:
        cond = f"({cond} && COALESCE(isLiteral(<{cast}>(STR({V}))), false))"
    bounds = _INTEGER_RANGES.get(dt.value)
    if bounds is not None:
        as_int = f"<{XSD}integer>(STR({V}))"
        tests = [f"isLiteral({as_int})"]
        if bounds[0] is not None:
            tests.append(f"{as_int} >= {bounds[0]}")
        if bounds[1] is not None:
            tests.append(f"{as_int} <= {bounds[1]}")
        cond = f"({cond} && COALESCE({' && '.join(tests)}, false))"
    return cond


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


def value_checks(shape: Shape, subclasses: SubclassesFn | None = None) -> list[ValueCheck]:
    """The shape's per-value constraints as SPARQL conditions.

    ``subclasses`` gives a class with all its subclasses (store-encoded) in the data.
    """
    checks: list[ValueCheck] = []
    for cls in shape.values("class"):
        cond = _instance_of(cls, subclasses)
        checks.append(ValueCheck(component("Class"), cond, (("expected", show(cls)),)))
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
    for kind in shape.values("nodeKind"):
        local = kind.value.rsplit("#", 1)[-1] if isinstance(kind, NamedNode) else ""
        if local not in _NODE_KINDS:
            raise ShapesError(
                Bilingual(f"不明な sh:nodeKind {kind} です", f"unknown sh:nodeKind {kind}")
            )
        checks.append(ValueCheck(component("NodeKind"), _NODE_KINDS[local], (("expected", local),)))
    for local, op in _RANGES:
        for bound in shape.values(local):
            if not isinstance(bound, Literal):
                raise ShapesError(
                    Bilingual(
                        f"sh:{local} はリテラルにしてください（{bound} でした）",
                        f"sh:{local} must be a literal, not {bound}",
                    )
                )
            cond = f"({value_expr(V)} {op} {sparql_term(bound)})"
            name = local[0].upper() + local[1:]
            checks.append(ValueCheck(component(name), cond, (("expected", show(bound)),)))
    for local, op in (("minLength", ">="), ("maxLength", "<=")):
        for n in shape.values(local):
            size = int_param(n, f"sh:{local}")
            cond = f"(!{is_blank_expr(V)} && STRLEN(STR({V})) {op} {size})"
            name = local[0].upper() + local[1:]
            checks.append(ValueCheck(component(name), cond, (("expected", str(size)),)))
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
    for tags in shape.list_values("languageIn"):
        tests = [f"langMatches(LANG({V}), {sparql_term(Literal(t.value))})" for t in tags]
        cond = f"(isLiteral({V}) && ({' || '.join(tests) or 'false'}))"
        shown = ", ".join(t.value for t in tags)
        checks.append(ValueCheck(component("LanguageIn"), cond, (("expected", shown),)))
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
