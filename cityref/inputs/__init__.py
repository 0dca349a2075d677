"""Input formats: vendor data (CSV, GTFS zip, NGSI-LD JSON, RDF) to RDF for validation, with
the way back from every result to file, row and column, or to a JSON pointer.

Each format is one module declaring an :class:`InputFormat` (media types, suffixes, sniffing,
reading, profile detection), listed once in :data:`cityref.inputs.registry.INPUT_FORMATS`.
This package knows nothing of profiles: callers pass a profile's input kind and tables as
data. Typical use (what ``cityref validate`` does)::

    upload = Upload(data, "aed.csv")                  # bytes in, never a path string
    read = read_input(upload, profile.input_kind, profile.table_schemas())
    read = read.rebased(profile.model)                # findings' terms under the model's base
    report = validate_documents([read.document], shapes)
    located = locate_report(report, [read.converted], profile.shape_columns())
"""

from __future__ import annotations

from cityref.inputs.format import (
    Candidate,
    Detection,
    InputFormat,
    ReadInput,
    Upload,
    converted_document,
)
from cityref.inputs.limits import InputLimits
from cityref.inputs.locate import LocatedResult, locate, locate_report
from cityref.inputs.model import Converted, InputDataError, Location, input_error
from cityref.inputs.registry import (
    INPUT_FORMATS,
    UnknownInputFormat,
    format_for_media_type,
    identify_format,
    input_format,
    read_input,
)

__all__ = [
    "INPUT_FORMATS",
    "Candidate",
    "Converted",
    "Detection",
    "InputDataError",
    "InputFormat",
    "InputLimits",
    "LocatedResult",
    "Location",
    "ReadInput",
    "UnknownInputFormat",
    "Upload",
    "converted_document",
    "format_for_media_type",
    "identify_format",
    "input_error",
    "input_format",
    "locate",
    "locate_report",
    "read_input",
]
