"""SPARQL terminals exactly as Oxigraph 0.5 reads them, for :mod:`cityref.sparql.guard`.

The guard must see the tokens the engine sees, or a keyword can hide from it. The rules
below follow Oxigraph's own grammar (``lib/spargebra/src/parser.rs``, 0.5 branch), not the
W3C text where the two differ:

- whitespace is space, tab, CR and LF only (form feed, vertical tab, NBSP are errors);
- a comment runs from ``#`` to the next CR *or* LF;
- an IRI is ``<`` … first ``>``; inside it only ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes are
  allowed and are decoded before the IRI is checked;
- a prefixed name's local part takes at most one run of dots followed by more name
  characters (``ex:a.b.c`` is ``ex:a.b`` then ``.c``); only ``\\`` + punctuation escapes;
- ``\\u`` escapes are *not* decoded outside IRIs and strings (``SERVI\\u0043E`` is an error);
- keywords are matched case-insensitively and need no word boundary in Oxigraph; the guard
  requires the whole word to be a known keyword, which is stricter;
- ``?`` right after a path element is a path modifier only if no name character follows.

Where ``<`` may be an operator (after an operand) the parser asks for the operator form, as
Oxigraph's grammar does by trying the operator there first.
"""

from __future__ import annotations

import bisect
import re

from cityref.errors import QueryRefused, QuerySyntaxError
from cityref.text import Bilingual

# Oxigraph's PN_CHARS_BASE stops at U+FFFD (no supplementary planes).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*+(?:\\.++(?:[{_CHARS}:]|{_PLX})++)?+"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+"
_HEX = "[0-9A-Fa-f]"
_UCHAR = f"\\\\u{_HEX}{{4}}|\\\\U{_HEX}{{8}}"
_ECHAR = "\\\\[tbnrf\"'\\\\]"

_SPACE = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)*+")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("string", re.compile(f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*+'''")),
    ("string", re.compile(f'"""(?:(?:""|")?+(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*+"""')),
    ("string", re.compile(f"'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*+'")),
    ("string", re.compile(f'"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*+"')),
    ("var", re.compile(f"[?$]{_VARNAME}")),
    ("bnode", re.compile(f"_:[{_U}0-9][{_CHARS}]*+(?:\\.++[{_CHARS}]++)*+")),
    ("pname", re.compile(f"(?:{_PREFIX})?:(?:{_LOCAL})?")),
    ("langtag", re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")),
    (
        "number",
        re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+"),
    ),
    ("word", re.compile(r"[A-Za-z_][A-Za-z0-9_]*")),
    ("punct", re.compile(r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*+\-!/^|?=<>]")),
]
_TOKEN = re.compile(
    "|".join(
        f"(?P<{kind}_{index}>{pattern.pattern})" for index, (kind, pattern) in enumerate(_PATTERNS)
    )
)
_KIND_OF_GROUP = {f"{kind}_{index}": kind for index, (kind, _) in enumerate(_PATTERNS)}
_IRI = re.compile(r"<[^>]*>")
# What an IRIREF may hold as written: the SPARQL character set, plus \u / \U escapes.
_IRI_WRITTEN = re.compile(f'<(?:[^<>"{{}}|^`\\\\\x00-\x20]|{_UCHAR})*+>')
_IRI_ESCAPE = re.compile(f"\\\\(?:u({_HEX}{{4}})|U({_HEX}{{8}}))|\\\\")
_STRING_ESCAPE = re.compile(f"\\\\(?:u({_HEX}{{4}})|U({_HEX}{{8}})|(.))", re.DOTALL)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_PN_ESCAPE = re.compile(r"\\(.)")
# Characters an IRI may not hold once decoded (RFC 3987 and the SPARQL IRIREF rule).
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')


class UnreadableQuery(QuerySyntaxError, QueryRefused):
    """Text the guard cannot read as SPARQL: a syntax error to the person who wrote it (with
    line and column), and a refusal, since the engine is never asked."""


class Token:
    """One terminal: ``kind`` (iri, pname, var, bnode, string, langtag, number, word, punct,
    end), its text as written, its offset, and 1-based line and column (worked out only
    when asked: most tokens are never reported)."""

    __slots__ = ("_line_starts", "end", "key", "kind", "start", "text")

    def __init__(self, kind: str, text: str, start: int, line_starts: list[int]) -> None:
        self.kind, self.text, self.start = kind, text, start
        self.end = start + len(text)
        self._line_starts = line_starts
        # What the grammar matches on: a keyword in upper case, a punctuation mark as is.
        self.key = text.upper() if kind == "word" else text if kind == "punct" else ""

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, line {self.line}, column {self.column})"

    @property
    def line(self) -> int:
        return bisect.bisect_right(self._line_starts, self.start)

    @property
    def column(self) -> int:
        return self.start - self._line_starts[self.line - 1] + 1

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.key in words


class Lexer:
    """Tokens on demand at a given offset: the parser drives it, so ``<`` can be read as an
    IRI where a term is expected and as an operator where an operator is."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._cache: dict[tuple[int, bool], Token] = {}

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def refuse(self, offset: int, message: Bilingual) -> UnreadableQuery:
        line, column = self.where(offset)
        return UnreadableQuery(message, line, column)

    def token_at(self, offset: int, operator: bool = False) -> Token:
        """The token after any spaces and comments from ``offset``; with ``operator``, a
        ``<`` there is the comparison, not the start of an IRI."""
        key = (offset, operator)
        cached = self._cache.get(key)
        if cached is None:
            if operator:
                plain = self._cache.get((offset, False))
                if plain is not None and plain.kind != "iri":
                    return plain  # the same token either way
            cached = self._cache[key] = self._read(offset, operator)
        return cached

    def _make(self, kind: str, start: int, end: int) -> Token:
        return Token(kind, self.text[start:end], start, self._line_starts)

    def _read(self, offset: int, operator: bool) -> Token:
        space = _SPACE.match(self.text, offset)
        start = space.end() if space else offset
        if start >= len(self.text):
            return self._make("end", len(self.text), len(self.text))
        if self.text[start] == "<" and not operator:
            match = _IRI.match(self.text, start)
            if match is None:
                raise self.refuse(
                    start,
                    Bilingual(
                        "ここから始まる IRI が '>' で閉じられていません",
                        "an IRI starts here and is never closed with '>'",
                    ),
                )
            if not _IRI_WRITTEN.fullmatch(match.group()):
                raise self.refuse(
                    start,
                    Bilingual(
                        "IRI が不正です：使えない文字かエスケープがあります",
                        "malformed IRI: a character or escape it may not hold",
                    ),
                )
            return self._make("iri", start, match.end())
        match = _TOKEN.match(self.text, start)
        if match:
            return self._make(_KIND_OF_GROUP[match.lastgroup or ""], start, match.end())
        if self.text[start] in "'\"":
            raise self.refuse(
                start,
                Bilingual(
                    "ここから始まる文字列がこの行で閉じられていません",
                    "a string starts here and is not closed on this line",
                ),
            )
        unexpected = self.text[start]
        raise self.refuse(
            start,
            Bilingual(f"予期しない文字 {unexpected!r}", f"unexpected character {unexpected!r}"),
        )

    def decode_iri(self, token: Token) -> str:
        """The IRI of an IRIREF token with its escapes decoded; refused if malformed."""
        decoded: list[str] = []

        def replace(match: re.Match[str]) -> str:
            code = match.group(1) or match.group(2)
            if code is None:
                raise self.refuse(
                    token.start,
                    Bilingual(
                        "IRI に使えるエスケープは \\u と \\U だけです",
                        "an IRI may only hold \\u and \\U escapes",
                    ),
                )
            return _code_point(self, token, int(code, 16))

        decoded.append(_IRI_ESCAPE.sub(replace, token.text[1:-1]))
        iri = decoded[0]
        bad = _BAD_IRI_CHARS.search(iri)
        if bad:
            raise self.refuse(
                token.start,
                Bilingual(
                    f"IRI に使えない文字 {bad.group()!r} があります",
                    f"the IRI holds the character {bad.group()!r}",
                ),
            )
        return iri


def _code_point(lexer: Lexer, token: Token, value: int) -> str:
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise lexer.refuse(
            token.start,
            Bilingual(
                f"エスケープ U+{value:X} は文字ではありません",
                f"escape U+{value:X} is not a character",
            ),
        )
    return chr(value)


def decode_string(lexer: Lexer, token: Token) -> str:
    """The value of a string token (escapes decoded)."""
    quote = 3 if token.text[:3] in ("'''", '"""') else 1
    body = token.text[quote:-quote]

    def replace(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code is not None:
            return _code_point(lexer, token, int(code, 16))
        return _ECHARS[match.group(3)]

    return _STRING_ESCAPE.sub(replace, body)


def local_name(token: Token) -> tuple[str, str]:
    """A prefixed name's prefix and its local part with ``\\`` escapes removed."""
    prefix, _, local = token.text.partition(":")
    return prefix, _PN_ESCAPE.sub(r"\1", local)
