"""Reading RDF bytes: formats, safety checks, error positions, and the validation store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

from pyoxigraph import QuadParser, RdfFormat, Store, parse, serialize

from cityref.errors import SourceLocation
from cityref.text import Bilingual
from cityref.validation.errors import (
    DoctypeRefused,
    InputTooLarge,
    RdfSyntaxError,
    UnsupportedFormat,
)
from cityref.validation.graph import Graph
from cityref.validation.nesting import check_json_depth, check_xml_depth
from cityref.validation.terms import (
    BNODE_PREFIX,
    DT_PREFIX,
    SAFE_FORMS,
    XSD,
    encode_quad,
)

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
        raise UnsupportedFormat(
            Bilingual(f"不明な RDF の形式 {spec!r} です", f"unknown RDF format {spec!r}")
        )
    return found


def format_for_name(name: str) -> RdfFormat:
    """The RDF format a file name's extension implies."""
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if not ext:
        raise UnsupportedFormat(
            Bilingual(
                f"{name!r} の RDF の形式がわかりません。形式を指定してください",
                f"cannot tell the RDF format of {name!r}; give it explicitly",
            )
        )
    try:
        return rdf_format(ext)
    except UnsupportedFormat:
        raise UnsupportedFormat(
            Bilingual(
                f"拡張子から {name!r} の RDF の形式がわかりません。形式を指定してください",
                f"cannot tell the RDF format of {name!r} from its extension; give it explicitly",
            )
        ) from None


def check_input(data: bytes, fmt: RdfFormat, name: str, max_bytes: int | None) -> None:
    """Refuse oversize documents, RDF/XML with a DOCTYPE, and JSON-LD or RDF/XML nested
    deeper than the parsers survive (see nesting.py)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputTooLarge(
            Bilingual(
                f"入力は {len(data)} バイトで、上限の {max_bytes} バイトを超えています",
                f"input is {len(data)} bytes, above the limit of {max_bytes}",
            ),
            SourceLocation(name),
        )
    if fmt == RdfFormat.RDF_XML and _DOCTYPE.search(data):
        raise DoctypeRefused(
            Bilingual(
                "DOCTYPE のある RDF/XML は受け付けません", "RDF/XML with a DOCTYPE is refused"
            ),
            SourceLocation(name),
        )
    if fmt == RdfFormat.RDF_XML:
        check_xml_depth(data, name)
    elif fmt == RdfFormat.JSON_LD:
        check_json_depth(data, name)


def _syntax_error(exc: SyntaxError, name: str) -> RdfSyntaxError:
    message = _RDF_ERROR_PREFIX.sub("", exc.msg or str(exc))
    return RdfSyntaxError.from_parser(message, SourceLocation(name, exc.lineno, exc.offset))


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
        raise RdfSyntaxError.from_parser(str(exc), SourceLocation(name)) from None


# Formats whose documents are one graph: they take the fast path through N-Triples text.
_TRIPLE_FORMATS = (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML, RdfFormat.N3)
# In canonical N-Triples (one triple per line, renamed blank nodes are hex labels, literals
# never span lines, a quote inside a literal is always escaped) these patterns find exactly
# the terms to encode.
_NT_SUBJECT_BNODE = re.compile(rb"^_:([0-9A-Za-z]+) ", re.M)
_NT_OBJECT_BNODE = re.compile(rb" _:([0-9A-Za-z]+) \.$", re.M)
# The end of a line whose object is an XSD-typed literal: its closing quote and datatype.
_NT_XSD_SUFFIX = re.compile(rb'"\^\^<http://www\.w3\.org/2001/XMLSchema#(\w+)> \.\n')
_SAFE_NT_FORMS = {
    local.encode(): re.compile(pattern.pattern.encode())
    for local, pattern in ((k.removeprefix(XSD), v) for k, v in SAFE_FORMS.items())
}
_ENCODED_DT = b'"^^<' + DT_PREFIX.encode() + XSD.encode()


def _encode_xsd_literals(nt: bytes) -> bytes:
    """Typed literals the store would rewrite moved under the private datatype (terms.py).

    The search anchors on the datatype suffix, which only typed literals have, so a
    document of plain strings is scanned once in C. The lexical form starts after the
    predicate's ``> "``: an unescaped quote cannot occur inside a canonical literal.
    """
    parts: list[bytes] = []
    done = 0
    for m in _NT_XSD_SUFFIX.finditer(nt):
        local = m.group(1)
        if local == b"string":
            continue
        safe = _SAFE_NT_FORMS.get(local)
        if safe is not None:
            start = nt.rfind(b'> "', done, m.start()) + 3
            if safe.fullmatch(nt, start, m.start()):
                continue
        parts += (nt[done : m.start()], _ENCODED_DT, local, b"> .\n")
        done = m.end()
    if not parts:
        return nt
    parts.append(nt[done:])
    return b"".join(parts)


def _encode_ntriples(nt: bytes) -> bytes:
    """N-Triples text with blank nodes and lossy literals encoded (terms.py)."""
    if b"_:" in nt:
        prefix = BNODE_PREFIX.encode()
        nt = _NT_SUBJECT_BNODE.sub(b"<" + prefix + rb"\1> ", nt)
        nt = _NT_OBJECT_BNODE.sub(b" <" + prefix + rb"\1> .", nt)
    return _encode_xsd_literals(nt)


def _load_chunks(store: Store, chunks: Iterator[bytes], *, lenient: bool) -> None:
    """Encode canonical N-Triples chunks and load them in Rust.

    The making and rewriting of one chunk (Python, with the GIL) overlaps the loading of the
    previous one (Rust, which releases the GIL); each chunk ends at a line end.
    """
    with ThreadPoolExecutor(max_workers=1) as loader:
        pending = None
        for nt in chunks:
            chunk = _encode_ntriples(nt)
            if pending is not None:
                pending.result()
            pending = loader.submit(store.load, chunk, RdfFormat.N_TRIPLES, lenient=lenient)
        if pending is not None:
            pending.result()


_CHUNK = 8 << 20  # bytes of N-Triples rewritten while the previous chunk loads
_QUADS_PER_CHUNK = 100_000  # quads parsed and serialised while the previous chunk loads


def _ntriples_chunks(nt: bytes) -> Iterator[bytes]:
    start = 0
    while start < len(nt):
        end = nt.find(b"\n", min(start + _CHUNK, len(nt) - 1)) + 1 or len(nt)
        yield nt[start:end]
        start = end


def _load_ntriples(store: Store, nt: bytes, *, lenient: bool) -> None:
    """Load canonical N-Triples text (as cityref's adapters write it) chunk by chunk."""
    _load_chunks(store, _ntriples_chunks(nt), lenient=lenient)


def _load_triples_document(store: Store, data: bytes, fmt: RdfFormat, base_iri: str | None) -> None:
    """Parse and serialise in Rust, rewrite with regular expressions, load in Rust.

    A million triples take a few seconds instead of several more in a per-quad Python loop,
    and parsing the next batch of quads overlaps the loading of the previous one. The
    lenient load is safe because the text was just written by the serializer from validated
    input; blank node labels stay consistent across batches (one parser renames them all).
    """
    quads = _parse(data, fmt, base_iri)

    def batches() -> Iterator[bytes]:
        while batch := list(islice(quads, _QUADS_PER_CHUNK)):
            yield serialize(batch, format=RdfFormat.N_TRIPLES) or b""

    _load_chunks(store, batches(), lenient=True)


def load_store(
    documents: list[tuple[bytes, FormatLike, str]],
    *,
    base_iri: str | None = None,
    max_bytes: int | None = None,
    store: Store | None = None,
    canonical: bool = False,
) -> Store:
    """A fresh in-memory store holding the encoded union of the documents' default graphs.

    Each document is (bytes, format, display name). Named graphs are merged into the default
    graph: SHACL validates one data graph. ``canonical`` documents are N-Triples as cityref's
    input adapters write them (one triple per line, literals escaped as the serializer does):
    they skip the parse-and-serialise round trip and are loaded strictly, so that a malformed
    line still fails.
    """
    target = store if store is not None else Store()
    for data, fmt, name in documents:
        f = rdf_format(fmt)
        check_input(data, f, name, max_bytes)
        try:
            if canonical and f == RdfFormat.N_TRIPLES:
                _load_ntriples(target, data, lenient=False)
            elif f in _TRIPLE_FORMATS:
                _load_triples_document(target, data, f, base_iri)
            else:  # datasets: every graph goes into the default graph
                target.extend([encode_quad(q) for q in _parse(data, f, base_iri)])
        except SyntaxError as exc:
            raise _syntax_error(exc, name) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise RdfSyntaxError.from_parser(str(exc), SourceLocation(name)) from None
    return target
