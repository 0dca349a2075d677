"""Reading RDF bytes: formats, safety checks, error positions, and the validation store."""

from __future__ import annotations

import re

from pyoxigraph import QuadParser, RdfFormat, Store, parse

from cityref.errors import SourceLocation
from cityref.validation.errors import (
    DoctypeRefused,
    InputTooLarge,
    RdfSyntaxError,
    UnsupportedFormat,
)
from cityref.validation.graph import Graph
from cityref.validation.terms import encode_quad

FormatLike = RdfFormat | str

_NAMES = {
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "n-triples": RdfFormat.N_TRIPLES,
    "nt": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "n-quads": RdfFormat.N_QUADS,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "n3": RdfFormat.N3,
    "rdfxml": RdfFormat.RDF_XML,
    "rdf/xml": RdfFormat.RDF_XML,
    "xml": RdfFormat.RDF_XML,
    "rdf": RdfFormat.RDF_XML,
    "owl": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
    "json-ld": RdfFormat.JSON_LD,
}

_RDF_ERROR_PREFIX = re.compile(r"^Parser error at line \d+ between columns \d+ and \d+: ", re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def rdf_format(spec: FormatLike) -> RdfFormat:
    """An RDF format from a pyoxigraph format, a media type, an extension or a short name."""
    if isinstance(spec, RdfFormat):
        return spec
    key = spec.strip().lower().lstrip(".")
    if key in _NAMES:
        return _NAMES[key]
    found = RdfFormat.from_media_type(key) if "/" in key else RdfFormat.from_extension(key)
    if found is None:
        raise UnsupportedFormat(f"unknown RDF format {spec!r}")
    return found


def format_for_name(name: str) -> RdfFormat:
    """The RDF format a file name's extension implies."""
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if not ext:
        raise UnsupportedFormat(f"cannot tell the RDF format of {name!r}; give it explicitly")
    try:
        return rdf_format(ext)
    except UnsupportedFormat:
        raise UnsupportedFormat(
            f"cannot tell the RDF format of {name!r} from its extension; give it explicitly"
        ) from None


def check_input(data: bytes, fmt: RdfFormat, name: str, max_bytes: int | None) -> None:
    """Refuse oversize documents and RDF/XML with a DOCTYPE."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputTooLarge(
            f"input is {len(data)} bytes, above the limit of {max_bytes}", SourceLocation(name)
        )
    if fmt == RdfFormat.RDF_XML and _DOCTYPE.search(data):
        raise DoctypeRefused("RDF/XML with a DOCTYPE is refused", SourceLocation(name))


def _syntax_error(exc: SyntaxError, name: str) -> RdfSyntaxError:
    message = _RDF_ERROR_PREFIX.sub("", exc.msg or str(exc))
    return RdfSyntaxError(message, SourceLocation(name, exc.lineno, exc.offset))


def _parse(data: bytes, fmt: RdfFormat, base_iri: str | None) -> QuadParser:
    return parse(data, fmt, base_iri=base_iri, rename_blank_nodes=True)


def read_graph(
    data: bytes,
    fmt: FormatLike,
    *,
    name: str = "<shapes>",
    base_iri: str | None = None,
    max_bytes: int | None = None,
) -> Graph:
    """Parse a document (typically the shapes graph) into a lossless :class:`Graph`."""
    f = rdf_format(fmt)
    check_input(data, f, name, max_bytes)
    try:
        return Graph(_parse(data, f, base_iri))
    except SyntaxError as exc:
        raise _syntax_error(exc, name) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RdfSyntaxError(str(exc), SourceLocation(name)) from None


def load_store(
    documents: list[tuple[bytes, FormatLike, str]],
    *,
    base_iri: str | None = None,
    max_bytes: int | None = None,
    store: Store | None = None,
) -> Store:
    """A fresh in-memory store holding the encoded union of the documents' default graphs.

    Each document is (bytes, format, display name). Named graphs are merged into the default
    graph: SHACL validates one data graph.
    """
    target = store if store is not None else Store()
    for data, fmt, name in documents:
        f = rdf_format(fmt)
        check_input(data, f, name, max_bytes)
        try:
            target.extend([encode_quad(q) for q in _parse(data, f, base_iri)])
        except SyntaxError as exc:
            raise _syntax_error(exc, name) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise RdfSyntaxError(str(exc), SourceLocation(name)) from None
    return target
