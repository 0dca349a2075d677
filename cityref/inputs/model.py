"""What an input adapter hands to the validation engine: RDF plus the way back to the source.

Every node an adapter mints is an IRI that names its place in the input, so a validation
result's focus node alone says where it came from: ``…#row=5`` (RFC 7111 row numbering, the
header is row 1, as a spreadsheet counts) or ``…#/location/value`` (a JSON pointer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from cityref.errors import SourceLocation
from cityref.store.sources import WRITTEN_BASE_IRI, ModelFiles
from cityref.text import Bilingual
from cityref.validation import InputError

# Terms of the adapters' own findings (header problems, missing files, ignored contexts).
# They live under shapes/common/, where tabular.ttl holds the shapes that report them; the
# adapters write them under the sources' base, and Converted.rebased moves them to the model's.
COMMON = WRITTEN_BASE_IRI + "shapes/common/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
INPUT_BASE = "urn:cityref:input:"


class InputDataError(InputError):
    """Input that no adapter can read (bad encoding, not a zip, not JSON, …)."""


def input_iri(name: str) -> str:
    """The IRI of an input file; fragments under it name rows or JSON pointers."""
    return INPUT_BASE + quote(name, safe="/._-")


def row_iri(name: str, row: int) -> str:
    """The IRI of a spreadsheet row of a file (row 1 is the header)."""
    return f"{input_iri(name)}#row={row}"


def pointer_iri(name: str, pointer: str) -> str:
    """The IRI of the JSON value at ``pointer`` (RFC 6901) in a file."""
    return input_iri(name) + "#" + quote(pointer, safe="/~_-.")


@dataclass(frozen=True)
class Location:
    """Where a finding is: file plus row and column (tabular) or a JSON pointer."""

    file: str
    row: int | None = None
    column: str | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        if self.pointer is not None:
            return f"{self.file}#{self.pointer}"
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


@dataclass(frozen=True)
class CellTexts:
    """The cells of one tabular file as written, so that a report shows a result's value as
    the input has it: the store canonicalises typed literals ("05"^^xsd:integer is "5") and
    an IRI minted from a cell (a GTFS route_id) is not the cell's text."""

    columns: dict[str, int]  # a column's name as results give it (Location.column) -> index
    rows: Sequence[list[str]]  # rows[0] is spreadsheet row 1, the header

    def cell(self, row: int, column: str) -> str | None:
        """The text of the cell at ``row`` (1 = header) of ``column``; None when there is none."""
        index = self.columns.get(column)
        if index is None or not 1 <= row <= len(self.rows):
            return None
        cells = self.rows[row - 1]
        return cells[index] if index < len(cells) else None


@dataclass
class Converted:
    """RDF made from one input, as N-Triples, with the maps from RDF back to the source.

    ``columns`` maps a predicate IRI to its column name. ``subjects`` maps a subject IRI
    that does not carry its own location (e.g. a GTFS route named by its route_id) to the
    row it came from. ``findings_naming_column`` are the predicates of the format's own
    findings whose value names the column (or file, or context) they are about (a missing
    column: ``"名称"``; a misspelt one: ``"名称_ｶﾅ → 名称_カナ"``, the found name first).
    ``checked`` counts what was read, per file (GTFS: ``feed.zip/stops.txt``), in
    ``checked_unit``: data rows that are not blank (CSV, GTFS) or entities (NGSI-LD).
    ``cells`` holds tabular files' cells as written, per file, for the values in reports.
    """

    name: str
    format: str  # the id of the input format that read it (cityref.inputs.registry)
    ntriples: bytes
    triple_count: int
    columns: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, Location] = field(default_factory=dict)
    findings_naming_column: frozenset[str] = frozenset()
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    base_iri: str = WRITTEN_BASE_IRI  # the base of the shapes/common/ terms in ``ntriples``
    checked: dict[str, int] = field(default_factory=dict)
    checked_unit: str = "rows"  # "rows" or "entities"
    cells: dict[str, CellTexts] = field(default_factory=dict)

    def rebased(self, model: ModelFiles) -> Converted:
        """The same RDF with the adapters' own terms under the model's base IRI."""
        return replace(
            self,
            ntriples=model.rebase(self.ntriples),
            columns={model.rebase_iri(k): v for k, v in self.columns.items()},
            findings_naming_column=frozenset(
                model.rebase_iri(p) for p in self.findings_naming_column
            ),
            base_iri=model.base_iri,
        )


def input_error(
    message_ja: str, message_en: str, name: str, line: int | None = None
) -> InputDataError:
    """An input error with both languages and the file (and line) it concerns."""
    return InputDataError(Bilingual(message_ja, message_en), SourceLocation(name, line))
