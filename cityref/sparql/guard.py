"""What a query may do, decided by reading it with the SPARQL grammar, never by its text.

cityref never reaches the network at run time, so SERVICE (which Oxigraph would follow over
HTTP) and LOAD are refused wherever the grammar places them, FROM / FROM NAMED may only name
graphs the store holds, and queries whose size would crash or stall the engine (deep
nesting, long operator chains, many patterns) are refused before it sees them.

The terminals are read exactly as Oxigraph reads them (:mod:`cityref.sparql.lexer`: comments
end at CR as well as LF, ``\\u`` escapes are decoded in IRIs and strings only), and every
token is placed by a recursive-descent reader of the query and update grammar
(:mod:`cityref.sparql.grammar`). What it cannot place is refused with line and column.
The worker that runs the query cannot reach the network anyway (:mod:`cityref.services.sandbox`):
this check is the first of two walls.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from cityref.errors import QueryRefused
from cityref.sparql.grammar import Reader
from cityref.sparql.lexer import Lexer, Token
from cityref.sparql.reading import (
    MAX_EXPRESSION_DEPTH,
    MAX_LIST_ITEMS,
    MAX_NESTING,
    MAX_PATH_STEPS,
    MAX_PATTERN_OPERATORS,
    MAX_TRIPLE_PATTERNS,
    MAX_UNARY_CHAIN,
    refusal_at,
)
from cityref.text import Bilingual

__all__ = [
    "MAX_EXPRESSION_DEPTH",
    "MAX_LIST_ITEMS",
    "MAX_NESTING",
    "MAX_PATH_STEPS",
    "MAX_PATTERN_OPERATORS",
    "MAX_TRIPLE_PATTERNS",
    "MAX_UNARY_CHAIN",
    "QueryPlan",
    "Token",
    "check_query",
    "check_update",
    "pattern_graphs",
    "query_form",
    "tokens",
    "update_on_named_default",
]


@dataclass(frozen=True)
class QueryPlan:
    """What the guard learnt: the graphs the query names in FROM and FROM NAMED."""

    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def tokens(sparql: str) -> Iterator[Token]:
    """The query's tokens as the engine's lexer sees them in term position (spaces and
    comments skipped), with 1-based line and column; stops at the first unreadable one."""
    lexer = Lexer(sparql)
    offset = 0
    while True:
        try:
            token = lexer.token_at(offset)
        except QueryRefused:
            return
        if token.kind == "end":
            return
        yield token
        offset = token.end


def check_query(sparql: str, store_graphs: Collection[str]) -> QueryPlan:
    """Refuse SERVICE, LOAD, oversized queries, and FROM / FROM NAMED of graphs not in the
    store; raise :class:`QueryRefused` saying what and where."""
    reader = Reader(sparql)
    _read(reader, reader.query_unit)
    found = reader.found
    for clause, graphs in (("FROM", found.from_graphs), ("FROM NAMED", found.from_named_graphs)):
        for iri, token in graphs:
            if iri not in store_graphs:
                raise _graph_refusal(clause, iri, token)
    return QueryPlan(
        tuple(iri for iri, _ in found.from_graphs),
        tuple(iri for iri, _ in found.from_named_graphs),
    )


def pattern_graphs(sparql: str) -> frozenset[str] | None:
    """The named graphs the query's GRAPH patterns may match: the IRIs they name (none when
    it has no GRAPH pattern), or None when one names a variable (any graph). A query reads
    named graphs only through GRAPH patterns (and FROM NAMED, which names them itself)."""
    reader = Reader(sparql)
    _read(reader, reader.query_unit)
    named = reader.found.pattern_graphs
    if any(graph is None for graph in named):
        return None
    return frozenset(graph for graph in named if graph is not None)


def query_form(sparql: str) -> str:
    """The query's form, read by the grammar after its prologue: SELECT, CONSTRUCT, DESCRIBE
    or ASK (a remote store must know it to ask for a fitting result format)."""
    reader = Reader(sparql)
    _read(reader, reader.prologue)
    token = reader.peek()
    for form in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
        if reader.at(form):
            return form
    raise reader.unexpected(
        token,
        Bilingual(
            "SELECT・CONSTRUCT・DESCRIBE・ASK のいずれか", "SELECT, CONSTRUCT, DESCRIBE or ASK"
        ),
    )


def check_update(sparql: str, store_graphs: Collection[str] | None = None) -> None:
    """Refuse LOAD, SERVICE and oversized updates (whether updates run is not ours); with
    ``store_graphs``, also USING / USING NAMED of graphs not in the store (WITH names the
    graph written to, which may be new)."""
    reader = Reader(sparql)
    _read(reader, reader.update_unit)
    if store_graphs is not None:
        for iri, token in reader.found.using_graphs:
            if iri not in store_graphs:
                raise _graph_refusal("USING", iri, token)


def update_on_named_default(
    sparql: str, default_graph: str, named_graphs: Collection[str], reserved: str
) -> str:
    """``sparql`` (an update the guard accepts) for a store that keeps cityref's default
    graph in the named graph ``default_graph``, as a remote store does: triples written
    outside GRAPH go into it, DEFAULT names it, a WHERE without USING or WITH reads it (and
    ``named_graphs`` as its named graphs), and a WHERE under WITH reads the WITH graph with
    ``named_graphs``, as the embedded store's update would (the server's own dataset would
    be all its graphs). The places are the grammar's, never a pattern's. Refused: CLEAR /
    DROP of ALL or NAMED (on a shared server they would remove graphs that are not the
    model's) and any graph whose IRI starts with ``reserved`` (cityref's own: the pointer,
    the builds' graphs)."""
    reader = Reader(sparql)
    _read(reader, reader.update_unit)
    for iri, token in [*reader.found.update_graphs, *reader.found.using_graphs]:
        if iri.startswith(reserved):
            raise reader.refuse(
                token,
                Bilingual(
                    f"<{iri}> は cityref 自身のグラフで、更新では使えません",
                    f"<{iri}> is one of cityref's own graphs, which updates may not name",
                ),
            )
    edits: list[tuple[int, int, str]] = []
    named = "".join(f"USING NAMED <{g}> " for g in named_graphs)
    using = f"USING <{default_graph}> " + named
    for graph, where in reader.found.with_wheres:
        edits.append((where, where, f"USING <{graph}> " + named))
    for kind, start, end in reader.found.default_graph:
        if kind == "all":
            token = reader.lexer.token_at(start)
            raise reader.refuse(
                token,
                Bilingual(
                    f"リモートストアでは {token.text} は使えません（モデル以外のグラフも消えます）",
                    f"{token.text} is refused on a remote store: it would remove graphs that "
                    "are not the model's",
                ),
            )
        if kind == "triples":
            edits += [(start, start, f"GRAPH <{default_graph}> {{ "), (end, end, " }")]
        elif kind == "default":
            edits.append((start, end, f"GRAPH <{default_graph}>"))
        else:  # "where"
            edits.append((start, start, using))
    text = sparql
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _read(reader: Reader, rule: Callable[[], None]) -> None:
    try:
        rule()
    except RecursionError:  # MAX_NESTING keeps far from it; a thread with little room left
        token = reader.peek()
        deep = Bilingual(
            "クエリの入れ子が深すぎて読めません", "the query nests too deeply to be read"
        )
        raise reader.refuse(token, deep) from None


def _graph_refusal(clause: str, iri: str, token: Token) -> QueryRefused:
    return QueryRefused(
        refusal_at(
            token.line,
            token.column,
            Bilingual(
                f"{clause} <{iri}> は使えません：ストアにないグラフです",
                f"{clause} <{iri}> is refused: no such graph in the store",
            ),
        )
    )
