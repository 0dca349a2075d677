"""Input adapters: vendor data (CSV, GTFS zip, NGSI-LD JSON, RDF) to RDF for validation, with
the way back from every result to file, row and column, or to a JSON pointer.

Typical use (what ``cityref validate`` does)::

    profile = load_profile("ods-aed", model)           # or detect_profile(data, name, model)
    converted = convert_input(data, name, profile)      # bytes in, never a path string
    report = validate_documents([converted_document(converted)],
                                Document(profile.shapes(), "turtle", profile.id))
    located = locate_report(report, [converted], profile.shape_columns())
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cityref.inputs.limits import InputLimits
from cityref.inputs.locate import LocatedResult, locate, locate_report
from cityref.inputs.model import (
    Converted,
    InputDataError,
    InputFormat,
    Location,
    input_error,
)
from cityref.validation import Document

if TYPE_CHECKING:
    from cityref.profiles.registry import Profile


def input_format_for_name(name: str) -> InputFormat:
    """The input kind a file name suggests (RDF when nothing else fits)."""
    lower = name.lower()
    if lower.endswith((".csv", ".tsv")):
        return InputFormat.CSV
    if lower.endswith(".zip"):
        return InputFormat.GTFS
    if lower.endswith(".json") or (lower.endswith(".jsonld") and "ngsi" in lower):
        return InputFormat.NGSI_LD
    return InputFormat.RDF


def convert_input(
    data: bytes,
    name: str,
    profile: Profile,
    input_format: InputFormat | None = None,
    limits: InputLimits | None = None,
) -> Converted | None:
    """RDF for ``data`` read as the profile expects; ``None`` when it is RDF already (pass
    it through to the engine as it is), with its terms under the profile's base IRI.
    Unreadable input raises :class:`InputDataError`; input that expands past ``limits`` raises
    :class:`cityref.inputs.limits.ExpansionTooLarge`."""
    converted = _convert(data, name, profile, input_format, limits)
    return None if converted is None else converted.rebased(profile.model)


def _convert(
    data: bytes,
    name: str,
    profile: Profile,
    input_format: InputFormat | None,
    limits: InputLimits | None,
) -> Converted | None:
    kind = input_format or profile.input_kind
    limits = limits or InputLimits()
    if kind == InputFormat.CSV:
        from cityref.inputs.csv_input import convert_csv

        schema = profile.table_schema()
        if schema is None:
            raise input_error(
                f"プロファイル {profile.id} はCSVを読みません",
                f"profile {profile.id} does not read CSV",
                name,
            )
        return convert_csv(data, name, schema, limits.max_csv_columns)
    if kind == InputFormat.GTFS:
        from cityref.inputs.gtfs_input import convert_gtfs

        return convert_gtfs(data, name, profile.table_schemas(), limits)
    if kind == InputFormat.NGSI_LD:
        from cityref.inputs.ngsi_ld_input import convert_ngsi_ld

        return convert_ngsi_ld(data, name)
    return None


def converted_document(converted: Converted) -> Document:
    """The engine's input document for converted data."""
    return Document(converted.ntriples, "ntriples", converted.name, canonical=True)


__all__ = [
    "Converted",
    "InputDataError",
    "InputFormat",
    "InputLimits",
    "LocatedResult",
    "Location",
    "convert_input",
    "converted_document",
    "input_format_for_name",
    "locate",
    "locate_report",
]
