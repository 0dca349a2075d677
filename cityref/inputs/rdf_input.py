"""RDF in any syntax pyoxigraph parses (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD,
N3): passed through to the engine as it is, which reports syntax errors with line and column.
The syntax comes from the media type the data was sent with, else from the file suffix."""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import RdfFormat

from cityref.inputs.csv_header import TableSchema
from cityref.inputs.format import Candidate, Detection, InputFormat, ReadInput, Upload
from cityref.inputs.limits import InputLimits
from cityref.text import Bilingual
from cityref.validation import Document
from cityref.validation.loading import format_for_name

_SYNTAXES = (
    RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS,
    RdfFormat.TRIG,
    RdfFormat.RDF_XML,
    RdfFormat.JSON_LD,
    RdfFormat.N3,
)
# Turtle / TriG / N3 directives and RDF/XML openings; N-Triples has none worth trusting.
_SIGNATURES = (b"@prefix", b"@base", b"prefix ", b"base ", b"<?xml", b"<rdf:rdf")


def syntax_of(upload: Upload) -> RdfFormat:
    """The RDF syntax of an upload: its media type's, else its suffix's."""
    if upload.media_type:
        by_type = RdfFormat.from_media_type(upload.media_type.split(";", 1)[0].strip())
        if by_type is not None:
            return by_type
    return format_for_name(upload.name)


def read_rdf(upload: Upload, tables: Sequence[TableSchema], limits: InputLimits) -> ReadInput:
    """The upload as it is, in its syntax (the engine parses and checks it)."""
    return ReadInput(Document(upload.data, syntax_of(upload), upload.name), None)


def detect_rdf(upload: Upload, candidates: Sequence[Candidate], limits: InputLimits) -> Detection:
    """RDF names no profile cityref could trust: the caller must give one."""
    return Detection(
        None,
        0.0,
        Bilingual(
            "RDFデータからはプロファイルを決められません", "RDF data does not name its profile"
        ),
    )


def _rdf_signature(head: bytes) -> bool:
    return head.lstrip().lower().startswith(_SIGNATURES)


RDF_FORMAT = InputFormat(
    id="rdf",
    title=Bilingual(
        "RDF（Turtle、N-Triples、N-Quads、TriG、RDF/XML、JSON-LD、N3）",
        "RDF (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD, N3)",
    ),
    media_types=tuple(s.media_type for s in _SYNTAXES),
    suffixes=(*(f".{s.file_extension}" for s in _SYNTAXES), ".owl", ".xml"),
    sniff=_rdf_signature,
    read=read_rdf,
    detect=detect_rdf,
)
