"""The token-level side of the guard's SPARQL reader: limits, positions, IRIs, counts.

:class:`TokenReader` holds the reading position, the PREFIX / BASE declarations and what was
found; :mod:`cityref.sparql.patterns` and :mod:`cityref.sparql.grammar` add the grammar's
rules on top of it.

The limits below were found by running growing queries on pyoxigraph 0.5.13, each in a
fresh process with the default 8 MiB stack, over a one-triple store (December 2026); the
engine's recursive parser and evaluator crash with SIGSEGV past these sizes:

==========================================  ==================  ====================
shape                                       fine at             crashed (or stalled)
==========================================  ==================  ====================
``!!!…true`` (unary chain)                  8,000               16,000
``1+1+…`` (binary chain)                    4,000 (0.3 s)       8,000
``a && b && …``                             8,000               16,000
``((((…))))`` in an expression              4,000               8,000
``STR(STR(…))`` nested calls                300                 1,000
``{ {{ … }} }`` nested groups                2,000               4,000
nested sub-selects / FILTER EXISTS          2,000 / 300         4,000 / 1,000
``{…} UNION {…} …``                         4,000 (0.7 s)       8,000
``OPTIONAL {…}`` repeated                   100 (0.1 s)         300: 2.3 s, 1,000: >20 s
``MINUS {…}`` repeated                      2,000               4,000
path ``p/p/p…``                             100                 300: 0.8 s, 1,000: >20 s
path ``p|p|p…``                             8,000               16,000
``( … )`` in a path                         8,000               16,000
triple patterns with new variables          100                 300: 1 s, 1,000: >20 s
collection ``( 1 1 … )`` elements           100 (0.25 s)        300: 6.6 s
nested ``[ ?p [ ?p … ] ]``                  100 (0.85 s)        300: >20 s
VALUES / IN lists                           30,000              (none seen)
==========================================  ==================  ====================

Each limit sits far below the crash and well above what a person writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from cityref.errors import QueryRefused
from cityref.sparql.lexer import Lexer, Token, UnreadableQuery, local_name
from cityref.text import Bilingual

#: Deepest nesting of groups, brackets and calls (Oxigraph crashed at ~1,000 nested calls).
MAX_NESTING = 64
#: Longest run of prefix operators such as ``!!!`` (a crash at 16,000).
MAX_UNARY_CHAIN = 16
#: Deepest expression tree, chains counted (``1+1+…`` crashed at 8,000 terms).
MAX_EXPRESSION_DEPTH = 256
#: UNION, OPTIONAL and MINUS in one query (300 OPTIONALs took seconds; 4,000 MINUS crashed).
MAX_PATTERN_OPERATORS = 128
#: Triple patterns, those of collections and ``[ … ]`` included (300 took a second to plan).
MAX_TRIPLE_PATTERNS = 256
#: Steps and alternatives of property paths in one query (a 300-step sequence took 0.8 s).
MAX_PATH_STEPS = 128
#: Values in ``IN (…)`` lists, VALUES blocks and argument lists, all together.
MAX_LIST_ITEMS = 10_000

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
REFUSED_KEYWORDS = {
    "SERVICE": Bilingual(
        "SERVICE は使えません（他のエンドポイントには問い合わせません）",
        "SERVICE is refused: cityref does not query other endpoints",
    ),
    "LOAD": Bilingual(
        "LOAD は使えません（データを取りに行きません）",
        "LOAD is refused: cityref does not fetch data",
    ),
}
PATTERN_KEYWORDS = {"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES"}
AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
FUNCTIONS = {
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS",
    "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI",
    "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY",
    "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1",
    "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI",
    "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "LANGDIR",
    "HASLANG", "HASLANGDIR", "STRLANGDIR", "ADJUST", "ISTRIPLE", "TRIPLE", "SUBJECT",
    "PREDICATE", "OBJECT",
}  # fmt: skip
#: Functions named by IRI that pyoxigraph 0.5.13 evaluates: XSD casts and GeoSPARQL.
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_CASTS = {
    "string", "boolean", "float", "double", "decimal", "integer", "date", "time", "dateTime",
    "duration", "yearMonthDuration", "dayTimeDuration", "gYear", "gYearMonth", "gMonth",
    "gDay", "gMonthDay",
}  # fmt: skip
GEOSPARQL_FUNCTIONS = "http://www.opengis.net/def/function/geosparql/"


def refusal_at(line: int, column: int, message: Bilingual) -> Bilingual:
    """A refusal that says where; the English keeps the "line L, column C: " form the SPARQL
    endpoint reads the position back from."""
    return Bilingual(
        f"{line} 行 {column} 列: {message.ja}", f"line {line}, column {column}: {message.en}"
    )


def undeclared_prefix(prefix: str) -> Bilingual:
    return Bilingual(f"接頭辞 '{prefix}:' が宣言されていません", f"undeclared prefix '{prefix}:'")


@dataclass
class Findings:
    """What the reader learnt: dataset clauses (resolved IRIs) and the sizes it counted."""

    from_graphs: list[tuple[str, Token]] = field(default_factory=list)
    from_named_graphs: list[tuple[str, Token]] = field(default_factory=list)
    using_graphs: list[tuple[str, Token]] = field(default_factory=list)
    #: The graph of each GRAPH pattern: its resolved IRI, or None for a variable.
    pattern_graphs: list[str | None] = field(default_factory=list)
    #: Where an update names the default graph, for a store that keeps it in a named graph
    #: (:func:`cityref.sparql.guard.update_on_named_default`): (kind, start, end) with kind
    #: "triples" (triples outside GRAPH in data or a template), "default" (the keyword
    #: DEFAULT), "where" (a WHERE without USING or WITH, at ``start``), "all" (ALL or NAMED).
    default_graph: list[tuple[str, int, int]] = field(default_factory=list)
    #: A WHERE under WITH without USING: (the WITH graph's IRI, where WHERE starts).
    with_wheres: list[tuple[str, int]] = field(default_factory=list)
    #: Every graph IRI an update names (WITH, GRAPH in data and templates, the graph of
    #: CLEAR, DROP, CREATE, ADD, MOVE, COPY), resolved.
    update_graphs: list[tuple[str, Token]] = field(default_factory=list)
    triple_patterns: int = 0
    pattern_operators: int = 0
    path_steps: int = 0
    list_items: int = 0


class TokenReader:
    """Tokens, positions and counts for the rules of the grammar readers."""

    def __init__(self, text: str) -> None:
        self.lexer = Lexer(text)
        self.offset = 0
        self.depth = 0
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.found = Findings()
        self.counting = True  # triples count towards the limit (not in data or templates)
        self._peeked = self.lexer.token_at(0)
        self._peeked_at = 0

    # -- tokens ----------------------------------------------------------------------------
    def peek(self, operator: bool = False) -> Token:
        if operator:
            return self.lexer.token_at(self.offset, True)
        if self._peeked_at != self.offset:  # the common case, without the lexer's cache
            self._peeked = self.lexer.token_at(self.offset)
            self._peeked_at = self.offset
        return self._peeked

    def take(self, operator: bool = False) -> Token:
        token = self.peek(operator)
        self.offset = token.end
        return token

    def refuse(self, token: Token, message: Bilingual) -> QueryRefused:
        return QueryRefused(refusal_at(token.line, token.column, message))

    def syntax(self, token: Token, message: Bilingual) -> UnreadableQuery:
        return UnreadableQuery(message, token.line, token.column)

    def unexpected(self, token: Token, wanted: Bilingual) -> UnreadableQuery:
        shown = (
            Bilingual("クエリの終わり", "the end of the query")
            if token.kind == "end"
            else repr(token.text[:40])
        )
        expected = Bilingual(
            "{wanted}が必要ですが、{shown}がありました", "expected {wanted}, found {shown}"
        )
        return self.syntax(token, expected.format(wanted=wanted, shown=shown))

    def at(self, *texts: str, operator: bool = False) -> bool:
        """Whether the next token is one of these keywords (upper case) or marks."""
        return self.peek(operator).key in texts

    def accept(self, *texts: str, operator: bool = False) -> bool:
        if self.at(*texts, operator=operator):
            self.take(operator)
            return True
        return False

    def expect(self, text: str, operator: bool = False) -> Token:
        token = self.peek(operator)
        if not self.at(text, operator=operator):
            raise self.unexpected(token, Bilingual(repr(text), repr(text)))
        return self.take(operator)

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.refuse(
                self.peek(),
                Bilingual(
                    f"クエリの入れ子が {MAX_NESTING} 段を超えています",
                    f"the query nests deeper than {MAX_NESTING} levels",
                ),
            )

    def count(self, name: str, limit: int, what: Bilingual, amount: int = 1) -> None:
        value = getattr(self.found, name) + amount
        setattr(self.found, name, value)
        if value > limit:
            too_many = Bilingual(
                "クエリの{what}が {limit} を超えています", "the query has more than {limit} {what}"
            )
            raise self.refuse(self.peek(), too_many.format(limit=limit, what=what))

    def check_keyword(self) -> None:
        token = self.peek()
        # Oxigraph needs no word boundary after a keyword: SERVICESILENT is SERVICE SILENT.
        for keyword, message in REFUSED_KEYWORDS.items():
            if token.kind == "word" and token.text.upper().startswith(keyword):
                raise self.refuse(token, message)

    # -- IRIs --------------------------------------------------------------------------
    def resolve(self, token: Token) -> str:
        if token.kind == "iri":
            iri = self.lexer.decode_iri(token)
            if not _SCHEME.match(iri):
                if self.base is None:
                    raise self.syntax(
                        token,
                        Bilingual(
                            f"相対 IRI <{iri}> がありますが BASE がありません",
                            f"relative IRI <{iri}> without a BASE",
                        ),
                    )
                return urljoin(self.base, iri)
            return iri
        prefix, local = local_name(token)
        if prefix not in self.prefixes:
            raise self.syntax(token, undeclared_prefix(prefix))
        return self.prefixes[prefix] + local

    def graph_iri(self) -> tuple[str, Token]:
        """An IRI that names a graph, resolved (escapes, prefix, BASE) to check it."""
        token = self.peek()
        self.iri()
        return self.resolve(token), token

    def pattern_graph(self) -> None:
        """The graph of a GRAPH pattern (a variable or an IRI), noted in the findings."""
        if self.peek().kind == "var":
            self.take()
            self.found.pattern_graphs.append(None)
            return
        iri = self.graph_iri()[0]
        # An IRI left relative (a base without hierarchy, e.g. urn:) may resolve otherwise
        # in the engine: then it could name any graph.
        self.found.pattern_graphs.append(iri if _SCHEME.match(iri) else None)

    def iri(self) -> None:
        """An IRI in a pattern or expression: its prefix must be declared; the engine checks
        the rest (what it names does not matter to the guard)."""
        token = self.peek()
        if token.kind == "pname":
            if token.text.partition(":")[0] not in self.prefixes:
                raise self.syntax(token, undeclared_prefix(token.text.partition(":")[0]))
        elif token.kind != "iri":
            raise self.unexpected(token, Bilingual("IRI", "an IRI"))
        self.take()
