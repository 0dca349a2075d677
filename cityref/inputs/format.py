"""What an input format declares: one object per format, registered in
:mod:`cityref.inputs.registry`. Adding a format is one module that builds one of these and
one line in that registry (docs/input-formats.md walks through it).

Profile detection is data the format reads and judges, not code of the profiles layer: the
profiles layer hands each format the candidate profiles as plain data (id and CSVW tables)
and gets back a :class:`Detection`. The format is the only one that knows what its evidence
is (a CSV header, the file set of a zip, NGSI-LD entity types) and how it compares with a
table schema, so matching lives with it; a matcher per format in the profiles layer would
be the switch on the format that this module exists to remove, and a hook the profiles
layer registers would make inputs depend on profiles again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cityref.inputs.csv_header import TableSchema
from cityref.inputs.limits import InputLimits
from cityref.inputs.model import Converted
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual
from cityref.validation import Document

#: How many leading bytes a format's sniffer sees.
SNIFF_BYTES = 512


@dataclass(frozen=True)
class Upload:
    """One input as it arrived: its bytes, its name (for locations and messages, never
    opened) and the media type it was sent with, when it was sent with one."""

    data: bytes
    name: str
    media_type: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A profile a format may detect, as data: its id and its CSVW tables (none for
    profiles that read no tables)."""

    profile_id: str
    tables: tuple[TableSchema, ...]


@dataclass(frozen=True)
class Detection:
    """A format's verdict on which candidate the data follows (``profile_id`` None: none
    does), how sure it is (0..1) and why, in both languages; the candidate that came second
    and its score, when there was one; and ``unsure``, why the pick may be wrong (close
    scores, a low match), None when it is not in doubt. The reason already says all of it."""

    profile_id: str | None
    score: float
    reason: Bilingual
    runner_up: str | None = None
    runner_up_score: float | None = None
    unsure: Bilingual | None = None


@dataclass(frozen=True)
class ReadInput:
    """An upload read for the engine: the document to validate and, when the format
    minted the RDF itself, the :class:`Converted` that maps results back to the source."""

    document: Document
    converted: Converted | None

    def rebased(self, model: ModelFiles) -> ReadInput:
        """The same input with the formats' own terms (shapes/common/) under the model's
        base IRI, where the profile's shapes look for them; RDF passes through as it is."""
        if self.converted is None:
            return self
        return converted_input(self.converted.rebased(model))


#: Reads an upload through a profile's tables (within the limits) into the engine's input.
Reader = Callable[[Upload, Sequence[TableSchema], InputLimits], ReadInput]
#: Judges which of the candidate profiles (all reading this format) the upload follows.
Detector = Callable[[Upload, Sequence[Candidate], InputLimits], Detection]


@dataclass(frozen=True)
class InputFormat:
    """Everything cityref needs to know about one kind of input.

    ``id`` is what a profile's ``common:inputKind`` names. ``sniff`` gets the first
    :data:`SNIFF_BYTES` bytes and says whether they carry this format's signature; it must
    only answer True for bytes no other format starts with. ``context`` gives the JSON-LD
    @context data of this format always uses (NGSI-LD's core context), when it fixes one.
    """

    id: str
    title: Bilingual
    media_types: tuple[str, ...]
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    read: Reader
    detect: Detector
    context: Callable[[], dict[str, Any]] | None = None

    def claims_name(self, name: str) -> bool:
        """True when the file name ends with one of the format's suffixes."""
        return name.lower().endswith(self.suffixes)


def no_signature(head: bytes) -> bool:
    """The sniffer of a format whose first bytes say nothing (CSV): never claims data."""
    return False


def converted_document(converted: Converted) -> Document:
    """The engine's input document for RDF a format minted."""
    return Document(converted.ntriples, "ntriples", converted.name, canonical=True)


def converted_input(converted: Converted) -> ReadInput:
    """A :class:`ReadInput` for RDF a format minted, with its way back to the source."""
    return ReadInput(converted_document(converted), converted)
