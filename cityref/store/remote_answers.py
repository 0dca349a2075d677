"""Reading a remote SPARQL server's answers: SPARQL JSON results and RDF, as pyoxigraph terms.

Server deviations handled here, each certain: Virtuoso answers ASK with a one-row table
(``__ASK_RETVAL``) and writes ``typed-literal`` (the 2005 draft's term type).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from cityref.errors import CityrefError
from cityref.store.oxigraph import Term
from cityref.text import Bilingual


def json_document(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise CityrefError(
            Bilingual(
                f"リモートストアの応答が SPARQL JSON ではありません: {exc}",
                f"the remote store's answer is not SPARQL JSON: {exc}",
            )
        ) from None
    if not isinstance(doc, dict):
        raise CityrefError(
            Bilingual("リモートストアの応答が不正です", "the remote store's answer is malformed")
        )
    return doc


def boolean_answer(doc: dict[str, Any], form: str) -> bool | None:
    """The answer of an ASK: the ``boolean`` member, or Virtuoso's one-row table."""
    if "boolean" in doc:
        return bool(doc["boolean"])
    if form != "ASK":
        return None
    bindings = doc.get("results", {}).get("bindings", [])
    if doc.get("head", {}).get("vars") == ["__ASK_RETVAL"] and len(bindings) == 1:
        return str(bindings[0]["__ASK_RETVAL"]["value"]) not in ("0", "false")
    raise CityrefError(
        Bilingual("ASK の応答に真偽値がありません", "the answer to an ASK holds no boolean")
    )


def bindings_answer(doc: dict[str, Any]) -> tuple[list[str], Iterator[list[Term | None]]]:
    """The variables and rows of a SPARQL JSON answer, as pyoxigraph terms."""
    variables = [str(v) for v in doc.get("head", {}).get("vars", [])]
    blank_nodes: dict[str, ox.BlankNode] = {}
    solutions = doc.get("results", {}).get("bindings", [])
    rows = ([_term(s[v], blank_nodes) if v in s else None for v in variables] for s in solutions)
    return variables, rows


def _term(cell: dict[str, Any], blank_nodes: dict[str, ox.BlankNode]) -> Term:
    kind = cell.get("type")
    value = cell.get("value")
    if kind == "uri":
        return ox.NamedNode(str(value))
    if kind == "bnode":
        # The server's labels mean nothing here; the same label is the same node.
        return blank_nodes.setdefault(str(value), ox.BlankNode())
    if kind in ("literal", "typed-literal"):
        language = cell.get("xml:lang")
        if language:
            return ox.Literal(str(value), language=str(language))
        datatype = cell.get("datatype")
        if datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(datatype)))
        return ox.Literal(str(value))
    if kind == "triple" and isinstance(value, dict):
        subject = _term(value["subject"], blank_nodes)
        predicate = _term(value["predicate"], blank_nodes)
        obj = _term(value["object"], blank_nodes)
        assert isinstance(predicate, ox.NamedNode) and not isinstance(subject, ox.Literal)
        return ox.Triple(subject, predicate, obj)
    raise CityrefError(
        Bilingual(
            f"リモートストアの応答に未知の項があります: {kind!r}",
            f"the remote store's answer holds an unknown term type: {kind!r}",
        )
    )


def triples_answer(body: bytes, media_type: str) -> Iterator[ox.Triple]:
    """The triples of a CONSTRUCT or DESCRIBE answer in the format the server chose."""
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None or media_type == "text/plain":
        rdf_format = ox.RdfFormat.N_TRIPLES  # text/plain: N-Triples' old media type
    try:
        quads = list(ox.parse(body, format=rdf_format))
    except SyntaxError as exc:
        raise CityrefError(
            Bilingual(
                f"リモートストアの応答を読めません: {exc}",
                f"cannot read the remote store's answer: {exc}",
            )
        ) from None
    return iter([q.triple for q in quads])
