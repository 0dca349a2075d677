"""Exact XSD numbers where Oxigraph has none.

XSD 1.1 gives xsd:decimal and xsd:integer unbounded value spaces; Oxigraph holds a decimal
in 128 bits with 18 fractional digits and an integer in 64 bits, and takes any literal
beyond those as ill-typed (its casts fail, its comparisons raise an error). So the compiled
engine judges these datatypes by their lexical grammar (:data:`LEXICAL`), and a range
comparison Oxigraph cannot make falls back to :func:`compare`, a custom SPARQL function
comparing as Python integers and decimals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from cityref.validation.terms import XSD, decode

# XSD 1.1 part 2, 3.3.3 (decimal) and 3.4.13 (integer).
DECIMAL_GRAMMAR = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
INTEGER_GRAMMAR = r"^[+-]?[0-9]+$"

#: The lexical grammar of each unbounded datatype, as a SPARQL REGEX pattern.
LEXICAL: dict[str, str] = {
    XSD + "decimal": DECIMAL_GRAMMAR,
    XSD + "integer": INTEGER_GRAMMAR,
    XSD + "nonNegativeInteger": r"^(\+?[0-9]+|-0+)$",
    XSD + "positiveInteger": r"^\+?0*[1-9][0-9]*$",
    XSD + "nonPositiveInteger": r"^(-[0-9]+|\+?0+)$",
    XSD + "negativeInteger": r"^-0*[1-9][0-9]*$",
}

_INTEGER_TYPES = {
    XSD + n
    for n in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
}  # fmt: skip

#: The numeric datatypes (SPARQL compares their values with each other).
NUMERIC_TYPES = _INTEGER_TYPES | {XSD + "decimal", XSD + "double", XSD + "float"}

_DECIMAL = re.compile(DECIMAL_GRAMMAR, re.ASCII)
_INTEGER = re.compile(INTEGER_GRAMMAR, re.ASCII)

#: The custom function :func:`compare` is called by in compiled queries.
COMPARE = NamedNode("urn:cityref:fn:compare")


def exact_number(term: Any) -> Decimal | None:
    """The value of an xsd:decimal or integer-typed literal (encoded or not) of well-formed
    lexical form; None for any other term."""
    if not isinstance(term, Literal):
        return None
    term = decode(term)
    dt = term.datatype.value
    text = term.value
    if dt == XSD + "decimal":
        grammar = _DECIMAL
    elif dt in _INTEGER_TYPES:
        grammar = _INTEGER
    else:
        return None
    return Decimal(text) if grammar.fullmatch(text) else None


def compare(left: Any, right: Any) -> Literal | None:
    """SPARQL ``<urn:cityref:fn:compare>(a, b)``: -1, 0 or 1 as ``a`` is below, equal to
    or above ``b``, both decimals or integers of any size; unbound (an error) otherwise."""
    a, b = exact_number(left), exact_number(right)
    if a is None or b is None:
        return None
    return Literal(str((a > b) - (a < b)), datatype=NamedNode(XSD + "integer"))


#: The custom functions every compiled query may call.
CUSTOM_FUNCTIONS: dict[
    NamedNode, Callable[..., NamedNode | BlankNode | Literal | Triple | None]
] = {COMPARE: compare}
