"""Nesting limits for JSON, JSON-LD and XML, found by a cheap pre-scan before any parser runs.

Deeply nested documents break parsers in ways a limit inside them cannot catch: Python's
``json`` raises RecursionError, pyoxigraph's JSON-LD parser overflows its stack (a crash, no
message) and its RDF/XML parser slows down with the square of the depth. So the depth is
measured first, on bytes, at C speed: strings, comments and the like are cut out, the
brackets (or tags) that are left are turned into +1 / -1 and summed. Only a document that is
too deep is scanned again token by token, to say at which line and column it goes too deep.

Turtle, TriG and N3 are not checked: pyoxigraph reads 100,000 nested ``[ … ]`` or ``( … )``
in 0.1 s without trouble (measured, December 2026).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate

from cityref.errors import SourceLocation
from cityref.text import Bilingual
from cityref.validation.errors import InputError

#: Deepest nesting of JSON arrays and objects, or of XML elements, that is read.
#: Real data (NGSI-LD with GeoJSON, RDF/XML exports) stays under 20.
MAX_NESTING_DEPTH = 100


class InputTooDeep(InputError):
    """A document nests arrays, objects or elements deeper than the limit."""


_OPEN, _CLOSE = 1, -1
_KEEP_JSON = b"[]{}"
_DROP_NOT_JSON_BRACKETS = bytes(b for b in range(256) if b not in _KEEP_JSON)
_JSON_DELTAS = {ord("["): _OPEN, ord("{"): _OPEN, ord("]"): _CLOSE, ord("}"): _CLOSE}
_JSON_ESCAPE = re.compile(rb"\\.", re.S)
_JSON_TOKEN = re.compile(rb'\\.|"|[\[\]{}]', re.S)

# XML regions whose '<' are not tags, with the text that ends each.
_XML_REGION_START = re.compile(rb"<!--|<!\[CDATA\[|<\?")
_XML_REGION_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
# An empty-element tag (<a x="1"/>): attribute values may hold '>' but never '<'.
_XML_EMPTY = re.compile(rb"""<[^<>"'/!?][^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*/>""")
_XML_END_TAG = b"\x00"
_DROP_NOT_TAGS = bytes(b for b in range(256) if b not in b"<\x00")
_XML_DELTAS = {ord("<"): _OPEN, 0: _CLOSE}


def _max_depth(marks: bytes, deltas: dict[int, int]) -> int:
    """The deepest running sum of +1 / -1 over ``marks`` (C loops only)."""
    return max(accumulate(map(deltas.__getitem__, marks)), default=0)


def check_json_depth(data: bytes, name: str, limit: int = MAX_NESTING_DEPTH) -> None:
    """Refuse JSON (or JSON-LD) nesting arrays and objects more than ``limit`` deep."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return
    # Escapes first (so '\"' cannot end a string), then every other piece is outside strings.
    outside = b"".join(_JSON_ESCAPE.sub(b"", data).split(b'"')[0::2])
    marks = outside.translate(None, _DROP_NOT_JSON_BRACKETS)
    if _max_depth(marks, _JSON_DELTAS) > limit:
        raise _too_deep(data, _json_too_deep_at(data, limit), name, limit, "JSON arrays/objects")


def _json_too_deep_at(data: bytes, limit: int) -> int:
    """The offset of the first bracket that goes past ``limit`` (a document known too deep)."""
    depth, in_string = 0, False
    for m in _JSON_TOKEN.finditer(data):
        token = m.group()
        if token == b'"':
            in_string = not in_string
        elif in_string or token[:1] == b"\\":
            continue
        elif token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return m.start()
        else:
            depth -= 1
    return len(data)


def _xml_outside_regions(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, piece) of the text outside comments, CDATA sections and processing
    instructions; an unclosed region hides the rest (the parser will refuse it anyway)."""
    done = 0
    while (m := _XML_REGION_START.search(data, done)) is not None:
        yield done, data[done : m.start()]
        end = data.find(_XML_REGION_END[m.group()], m.end())
        if end < 0:
            return
        done = end + len(_XML_REGION_END[m.group()])
    yield done, data[done:]


def check_xml_depth(data: bytes, name: str, limit: int = MAX_NESTING_DEPTH) -> None:
    """Refuse XML (RDF/XML) nesting elements more than ``limit`` deep."""
    if data.count(b"<") <= limit:
        return
    tags = b"".join(piece for _, piece in _xml_outside_regions(data))
    tags = _XML_EMPTY.sub(b"", tags).replace(b"</", _XML_END_TAG)
    marks = tags.translate(None, _DROP_NOT_TAGS)
    if _max_depth(marks, _XML_DELTAS) > limit:
        raise _too_deep(data, _xml_too_deep_at(data, limit), name, limit, "XML elements")


def _xml_too_deep_at(data: bytes, limit: int) -> int:
    depth = 0
    for offset, piece in _xml_outside_regions(data):
        at = 0
        while (start := piece.find(b"<", at)) >= 0:
            empty = _XML_EMPTY.match(piece, start)
            if empty is not None:
                at = empty.end()
                continue
            at = start + 1
            if piece.startswith(b"</", start):
                depth -= 1
                continue
            depth += 1
            if depth > limit:
                return offset + start
    return len(data)


def _too_deep(data: bytes, offset: int, name: str, limit: int, what: str) -> InputTooDeep:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return InputTooDeep(
        Bilingual(
            f"{what.split()[0]} の入れ子が {limit} 段を超えています（読めるのは {limit} 段まで）",
            f"{what} are nested more than {limit} deep here; cityref reads at most {limit} levels",
        ),
        SourceLocation(name, line, column),
    )
