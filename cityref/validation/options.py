"""Typed options for a validation run."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field


class Engine(enum.StrEnum):
    """Which implementation checks the data."""

    COMPILED = "compiled"  # SHACL compiled to SPARQL on Oxigraph (default)
    PYSHACL = "pyshacl"  # the reference implementation, as fallback and oracle
    # Tabular (CSV) profiles: row-local constraints as Polars column checks, chunk by chunk;
    # other input, and what is not row-local, the compiled engine checks (cityref.tabular).
    COLUMNS = "columns"


class Language(enum.StrEnum):
    """Language of default messages and readable reports."""

    JA = "ja"
    EN = "en"


@dataclass(frozen=True)
class ValidationOptions:
    """How to validate.

    ``max_results`` caps the results kept in the report (``None``: no cap); the report says
    when it was truncated. ``time_limit`` (seconds, ``None``: none) runs validation in a
    worker process that is killed at the limit. ``inference`` adds RDFS entailments of the
    data (via owlrl) before validating, like pySHACL's ``inference="rdfs"``.
    ``max_input_bytes`` refuses larger data or shapes documents. ``threads`` is how many
    queries the compiled engine runs at once. ``base_iri`` is the base IRI of the model the
    data is checked against (its term pages, the report's vocabulary and schema); ``None``
    for plain SHACL with no cityref model.
    """

    engine: Engine = Engine.COMPILED
    language: Language = Language.EN
    max_results: int | None = 10_000
    time_limit: float | None = None
    inference: bool = False
    max_input_bytes: int | None = None
    base_iri: str | None = None
    # Threads for the compiled engine's queries (Oxigraph evaluates without the GIL).
    threads: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))
