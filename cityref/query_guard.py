"""What a query may do, decided by parsing it, never by matching its text.

cityref never reaches the network at run time, so SERVICE (which Oxigraph would follow over
HTTP) and LOAD are refused, and FROM / FROM NAMED may only name graphs the store holds. The
query is parsed with rdflib's SPARQL 1.1 grammar; a query that Oxigraph accepts but that
grammar cannot read is refused rather than run unchecked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from cityref.errors import QueryRefused, QuerySyntaxError

#: Update operations that read from or write to places outside the store.
_NETWORK_UPDATES = {"Load"}
#: Deepest bracket nesting accepted: deeper queries would exhaust the recursive parser.
MAX_NESTING = 128


def check_nesting(sparql: str) -> None:
    """Refuse queries nested deeper than :data:`MAX_NESTING`, in one linear pass.

    Brackets inside strings and IRIs are counted too: the count is only an upper bound,
    and no sensible query comes near the limit.
    """
    depth = 0
    for line_number, line in enumerate(sparql.splitlines(), start=1):
        for column, char in enumerate(line, start=1):
            if char in "{([":
                depth += 1
                if depth > MAX_NESTING:
                    raise QueryRefused(
                        f"line {line_number}, column {column}: the query nests deeper than "
                        f"{MAX_NESTING} brackets"
                    )
            elif char in "})]":
                depth = max(0, depth - 1)


@dataclass(frozen=True)
class QueryPlan:
    """What the guard learnt: the graphs the query names in FROM and FROM NAMED."""

    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def _walk(node: Any) -> Iterator[CompValue]:
    """Every CompValue in a pyparsing tree, depth first."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def _syntax_error(exc: ParseException) -> QuerySyntaxError:
    return QuerySyntaxError(exc.msg, exc.lineno, exc.column)


def check_query(sparql: str, store_graphs: Collection[str]) -> QueryPlan:
    """Refuse SERVICE, and FROM / FROM NAMED of graphs that are not in the store."""
    check_nesting(sparql)
    try:
        parsed = parseQuery(sparql)
    except ParseException as exc:
        raise _syntax_error(exc) from None
    except Exception as exc:  # rdflib's grammar rejects what it cannot read in many ways
        raise QueryRefused(
            f"the query is refused: it could not be checked for safety ({exc})"
        ) from None
    prologue = translatePrologue(parsed[0], None)
    default: list[str] = []
    named: list[str] = []
    for node in _walk(parsed):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused("SERVICE is refused: cityref does not query other endpoints")
        if node.name == "DatasetClause":
            kind = "default" if "default" in node else "named"
            iri = str(prologue.absolutize(node[kind]))
            if iri not in store_graphs:
                clause = "FROM" if kind == "default" else "FROM NAMED"
                raise QueryRefused(f"{clause} <{iri}> is refused: no such graph in the store")
            (default if kind == "default" else named).append(iri)
    return QueryPlan(tuple(default), tuple(named))


def check_update(sparql: str) -> None:
    """Refuse LOAD and SERVICE in an update (the caller decides whether updates are allowed)."""
    check_nesting(sparql)
    try:
        parsed = parseUpdate(sparql)
    except ParseException as exc:
        raise _syntax_error(exc) from None
    for node in _walk(parsed):
        if node.name in _NETWORK_UPDATES:
            raise QueryRefused("LOAD is refused: cityref does not fetch data from the network")
        if node.name == "ServiceGraphPattern":
            raise QueryRefused("SERVICE is refused: cityref does not query other endpoints")
