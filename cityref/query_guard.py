"""What a query may do, decided from its tokens, never by matching its text.

cityref never reaches the network at run time, so SERVICE (which Oxigraph would follow over
HTTP) and LOAD are refused, and FROM / FROM NAMED may only name graphs the store holds.

The check reads the query with the SPARQL 1.1 grammar's own terminals (IRIREF, prefixed
names, variables, the four string forms, comments, keywords), so ``SERVICE`` inside a
string, an IRI, a comment or a variable name is not mistaken for the keyword, and prefixed
names in FROM are resolved with the query's PREFIX and BASE declarations. Oxigraph then
parses the query in full; whatever the tokens cannot place, Oxigraph refuses as a syntax
error. This runs in well under a millisecond, where rdflib's full parser took 5–60 ms.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from cityref.errors import QueryRefused

#: Deepest bracket nesting accepted: deeper queries would exhaust a recursive parser.
MAX_NESTING = 128

# SPARQL 1.1 terminals (section 19.8), in the order they must be tried.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd]+)
  | (?P<pname>(?:"""
    + _PN_PREFIX
    + r""")?:(?:"""
    + _PN_LOCAL
    + r""")?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class QueryPlan:
    """What the guard learnt: the graphs the query names in FROM and FROM NAMED."""

    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def tokens(sparql: str) -> Iterator[Token]:
    """The query's tokens, without spaces and comments, with 1-based line and column."""
    line, line_start = 1, 0
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind not in ("space", "comment"):
            yield Token(kind, text, line, match.start() - line_start + 1)
        newlines = text.count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + text.rindex("\n") + 1


def _refuse(token: Token, message: str) -> QueryRefused:
    return QueryRefused(f"line {token.line}, column {token.column}: {message}")


def _check_tokens(found: list[Token]) -> None:
    depth = 0
    for token in found:
        if token.kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise _refuse(token, f"the query nests deeper than {MAX_NESTING} brackets")
        elif token.kind == "close":
            depth = max(0, depth - 1)
        elif token.kind == "word":
            keyword = token.text.upper()
            if keyword == "SERVICE":
                raise _refuse(token, "SERVICE is refused: cityref does not query other endpoints")
            if keyword == "LOAD":
                raise _refuse(token, "LOAD is refused: cityref does not fetch data")


def _resolve(token: Token, prefixes: dict[str, str], base: str | None) -> str:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urljoin(base, iri) if base else iri
    prefix, _, local = token.text.partition(":")
    if prefix not in prefixes:
        raise _refuse(token, f"undeclared prefix '{prefix}:'")
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)


def check_query(sparql: str, store_graphs: Collection[str]) -> QueryPlan:
    """Refuse SERVICE, LOAD, deep nesting, and FROM / FROM NAMED of graphs not in the store."""
    found = list(tokens(sparql))
    _check_tokens(found)
    prefixes: dict[str, str] = {}
    base: str | None = None
    default: list[str] = []
    named: list[str] = []
    for index, token in enumerate(found):
        if token.kind != "word":
            continue
        keyword = token.text.upper()
        following = found[index + 1 : index + 3]
        if keyword == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0], prefixes, base)
        elif keyword == "PREFIX" and len(following) == 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = _resolve(following[1], prefixes, base)
        elif keyword == "FROM" and following:
            is_named = following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = following[1] if is_named and len(following) > 1 else following[0]
            if target.kind not in ("iri", "pname"):
                continue  # not a dataset clause: Oxigraph will say what is wrong
            iri = _resolve(target, prefixes, base)
            if iri not in store_graphs:
                clause = "FROM NAMED" if is_named else "FROM"
                raise _refuse(target, f"{clause} <{iri}> is refused: no such graph in the store")
            (named if is_named else default).append(iri)
    return QueryPlan(tuple(default), tuple(named))


def check_update(sparql: str) -> None:
    """Refuse LOAD, SERVICE and deep nesting in an update (whether updates run is not ours)."""
    _check_tokens(list(tokens(sparql)))
