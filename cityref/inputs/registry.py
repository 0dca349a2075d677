"""The input formats cityref reads, in one place.

To add a format, write its module (see :mod:`cityref.inputs.format` and
docs/input-formats.md) and add its object to :data:`INPUT_FORMATS`. Everything else — the
command line, the API's media types, its OpenAPI description, profile detection — asks this
registry. Order matters where two formats claim the same thing: the first one wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from cityref.errors import SourceLocation
from cityref.inputs.csv_header import TableSchema
from cityref.inputs.csv_input import CSV_FORMAT
from cityref.inputs.format import SNIFF_BYTES, InputFormat, ReadInput, Upload
from cityref.inputs.gtfs_input import GTFS_FORMAT
from cityref.inputs.limits import InputLimits
from cityref.inputs.model import InputDataError
from cityref.inputs.ngsi_ld_input import NGSI_LD_FORMAT
from cityref.inputs.rdf_input import RDF_FORMAT
from cityref.text import Bilingual

# NGSI-LD before RDF: JSON (and application/ld+json) without a profile is read as NGSI-LD
# entities, which name a profile by their type; RDF still reads JSON-LD for RDF profiles.
INPUT_FORMATS: tuple[InputFormat, ...] = (CSV_FORMAT, GTFS_FORMAT, NGSI_LD_FORMAT, RDF_FORMAT)


class UnknownInputFormat(InputDataError):
    """No registered format fits (an unknown id, or an upload nothing recognises)."""


def input_format(format_id: str) -> InputFormat:
    """The registered format ``format_id`` (what a profile's inputKind names)."""
    for fmt in INPUT_FORMATS:
        if fmt.id == format_id:
            return fmt
    known = ", ".join(f.id for f in INPUT_FORMATS)
    raise UnknownInputFormat(
        Bilingual(
            f"入力形式 {format_id} はありません（既知: {known}）",
            f"no input format {format_id!r} (known: {known})",
        )
    )


def format_for_media_type(media_type: str) -> InputFormat | None:
    """The first format that reads ``media_type`` (parameters such as charset ignored)."""
    bare = media_type.split(";", 1)[0].strip().lower()
    return next((f for f in INPUT_FORMATS if bare in f.media_types), None)


def identify_format(upload: Upload) -> InputFormat:
    """The format of an upload that came without a profile: its media type, else the
    signature of its first bytes, else its file name's suffix."""
    if upload.media_type:
        by_type = format_for_media_type(upload.media_type)
        if by_type is not None:
            return by_type
    head = upload.data[:SNIFF_BYTES]
    for fmt in INPUT_FORMATS:
        if fmt.sniff(head):
            return fmt
    for fmt in INPUT_FORMATS:
        if fmt.claims_name(upload.name):
            return fmt
    suffixes = ", ".join(upload_suffixes())
    raise UnknownInputFormat(
        Bilingual(
            f"{upload.name} の形式を判別できません（既知の Content-Type、先頭のバイト、"
            f"拡張子（{suffixes}）のいずれもありません）",
            f"cannot tell what kind of data {upload.name} is: no known media type, signature "
            f"or file suffix ({suffixes})",
        ),
        SourceLocation(upload.name),
    )


def read_input(
    upload: Upload,
    format_id: str,
    tables: Sequence[TableSchema],
    limits: InputLimits | None = None,
) -> ReadInput:
    """The upload read by format ``format_id`` through a profile's CSVW ``tables``.
    Unreadable input raises :class:`InputDataError`; input that expands past ``limits``
    raises :class:`cityref.inputs.limits.ExpansionTooLarge`."""
    return input_format(format_id).read(upload, tables, limits or InputLimits())


def upload_media_types() -> list[str]:
    """Every media type some format reads, in registry order (for the API description)."""
    return list(dict.fromkeys(t for f in INPUT_FORMATS for t in f.media_types))


def upload_suffixes() -> list[str]:
    """Every file suffix some format reads, in registry order (for a file chooser)."""
    return list(dict.fromkeys(s for f in INPUT_FORMATS for s in f.suffixes))
