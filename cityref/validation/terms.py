"""RDF terms as the compiled engine stores and writes them.

Oxigraph's store canonicalises typed literals on insertion ("05"^^xsd:integer becomes
"5", "5"^^xsd:int becomes "5"^^xsd:integer, "1"^^xsd:boolean becomes "true"), and SPARQL
cannot name an existing blank node in a VALUES block. SHACL needs term identity and the
lexical form, so the engine *encodes* data terms before they enter the store:

* a blank node ``_:x`` becomes the IRI ``urn:cityref:bnode:x``;
* an XSD-typed literal that the store would rewrite keeps its lexical form under the private
  datatype ``urn:cityref:dt:<original datatype IRI>``.

Compiled queries account for both encodings (see :func:`value_expr`, :func:`is_blank_expr`),
and :func:`decode` turns query answers back into the data's own terms.
"""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"

BNODE_PREFIX = "urn:cityref:bnode:"
SHAPES_BNODE_PREFIX = "urn:cityref:shapes-bnode:"
DT_PREFIX = "urn:cityref:dt:"

XSD_STRING = NamedNode(XSD + "string")
RDF_LANGSTRING = NamedNode(RDF + "langString")
RDF_TYPE = NamedNode(RDF + "type")
RDFS_SUBCLASSOF = NamedNode(RDFS + "subClassOf")


def sh(local: str) -> NamedNode:
    """The SHACL vocabulary term ``sh:<local>``."""
    return NamedNode(SH + local)


_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]*")  # "-0" is not canonical: the store writes "0"
_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.(?:0|[0-9]*[1-9])")
# Datatypes whose canonical lexical forms the store keeps unchanged when they match these.
SAFE_FORMS: dict[str, re.Pattern[str]] = {
    XSD + "integer": _CANONICAL_INTEGER,
    XSD + "boolean": re.compile(r"true|false"),
    # Kept when the fraction ends in a non-zero digit (conservative length limits).
    XSD + "decimal": re.compile(r"-?(?:0|[1-9][0-9]{0,17})\.[0-9]{0,17}[1-9]"),
    XSD + "date": re.compile(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    XSD + "gYear": re.compile(r"-?[0-9]{4}"),
}


def needs_literal_encoding(lit: Literal) -> bool:
    """True when the store would rewrite this literal (lexical form or datatype)."""
    dt = lit.datatype.value
    if not dt.startswith(XSD) or dt == XSD + "string":
        return False
    safe = SAFE_FORMS.get(dt)
    return safe is None or safe.fullmatch(lit.value) is None


def encode(term: Term) -> Term:
    """The form a data term takes inside the validation store."""
    if isinstance(term, BlankNode):
        return NamedNode(BNODE_PREFIX + term.value)
    if isinstance(term, Literal) and term.language is None and needs_literal_encoding(term):
        return Literal(term.value, datatype=NamedNode(DT_PREFIX + term.datatype.value))
    return term


def encode_shapes_term(term: Term) -> Term:
    """A shapes-graph term used as a constant in a query; its blank nodes match no data."""
    if isinstance(term, BlankNode):
        return NamedNode(SHAPES_BNODE_PREFIX + term.value)
    return encode(term)


def decode(term: Term) -> Term:
    """The data's own term for a term read back from the validation store."""
    if isinstance(term, NamedNode):
        if term.value.startswith(BNODE_PREFIX):
            return BlankNode(term.value[len(BNODE_PREFIX) :])
        return term
    if isinstance(term, Literal) and term.datatype.value.startswith(DT_PREFIX):
        return Literal(term.value, datatype=NamedNode(term.datatype.value[len(DT_PREFIX) :]))
    return term


def encode_quad(quad: Quad) -> Quad:
    """A parsed quad made ready for the validation store (always into the default graph)."""
    s, o = quad.subject, quad.object
    if isinstance(s, Triple) or isinstance(o, Triple):
        raise ValueError("RDF-star triple terms are not supported")
    return Quad(encode(s), quad.predicate, encode(o), DefaultGraph())  # type: ignore[arg-type]


_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _quote(text: str) -> str:
    return '"' + "".join(_ECHAR.get(c, c) for c in text) + '"'


def sparql_term(term: Term) -> str:
    """A term as SPARQL source text (already encoded for the store)."""
    if isinstance(term, NamedNode):
        return "<" + term.value.replace(">", "%3E") + ">"
    if isinstance(term, BlankNode):
        return sparql_term(NamedNode(SHAPES_BNODE_PREFIX + term.value))
    if term.language is not None:
        return _quote(term.value) + "@" + term.language
    if term.datatype == XSD_STRING:
        return _quote(term.value)
    return _quote(term.value) + "^^" + sparql_term(term.datatype)


def is_blank_expr(var: str) -> str:
    """SPARQL: the value of ``var`` is a (possibly encoded) blank node."""
    return f'(isBlank({var}) || (isIRI({var}) && STRSTARTS(STR({var}), "{BNODE_PREFIX}")))'


def is_iri_expr(var: str) -> str:
    """SPARQL: the value of ``var`` is an IRI of the data (not an encoded blank node)."""
    return f'(isIRI({var}) && !STRSTARTS(STR({var}), "{BNODE_PREFIX}"))'


_CASTS = (
    (
        "integer",
        (
            "integer",
            "int",
            "long",
            "short",
            "byte",
            "nonNegativeInteger",
            "positiveInteger",
            "nonPositiveInteger",
            "negativeInteger",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
        ),
    ),
    ("decimal", ("decimal",)),
    ("double", ("double",)),
    ("float", ("float",)),
    ("boolean", ("boolean",)),
    ("dateTime", ("dateTime", "dateTimeStamp")),
    ("date", ("date",)),
    ("time", ("time",)),
    ("duration", ("duration", "dayTimeDuration", "yearMonthDuration")),
)


def value_expr(var: str) -> str:
    """SPARQL: the comparable value of ``var``, undoing the literal encoding by a cast."""
    dt = f"STR(DATATYPE({var}))"
    expr = "?__none"  # unbound: comparisons with an unknown encoded datatype fail
    for cast, names in reversed(_CASTS):
        cond = " || ".join(f'{dt} = "{DT_PREFIX}{XSD}{n}"' for n in names)
        expr = f"IF({cond}, <{XSD}{cast}>(STR({var})), {expr})"
    return f'IF(isLiteral({var}) && STRSTARTS({dt}, "{DT_PREFIX}"), {expr}, {var})'


def datatype_is_expr(var: str, datatype: NamedNode) -> str:
    """SPARQL: ``var`` is a literal of exactly ``datatype`` (encoded or not)."""
    d = datatype.value
    return f"(isLiteral({var}) && (DATATYPE({var}) = <{d}> || DATATYPE({var}) = <{DT_PREFIX}{d}>))"
