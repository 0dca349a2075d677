"""The reports of a finished validation job, written through the renderers' registry
(:mod:`cityref.outcome.renderers`): the outcome document in each language, and every
rendering of the report graph. The readable renderings (text, CSV, HTML) are made from the
stored document when asked for, by the same functions the command line uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cityref.services.jobs import written_whole
from cityref.text import LANGUAGES

if TYPE_CHECKING:
    from cityref.outcome import Outcome, Renderer


def document_name(language: str) -> str:
    """The stored outcome document in ``language``."""
    return f"outcome.{language}.json"


def write_reports(folder: Path, outcome: Outcome) -> None:
    """Write the job's outcome documents and graph renderings into its folder, the documents
    one result at a time (compact JSON, as :func:`cityref.services.jobs.write_json` writes)."""
    from cityref.outcome import RENDERERS
    from cityref.outcome.streaming import outcome_document, write_json

    for language in LANGUAGES:
        document = outcome_document(outcome, [language], keyed=False)
        with written_whole(folder / document_name(language)) as out:
            write_json(document, out, separators=(",", ":"))
    for found in RENDERERS:
        if not found.per_language:
            text = found.render(outcome, None)
            (folder / found.file_name("en")).write_text(text, encoding="utf-8")


def stored_files() -> tuple[str, ...]:
    """Every file :func:`write_reports` writes."""
    from cityref.outcome import RENDERERS

    graphs = tuple(r.file_name("en") for r in RENDERERS if not r.per_language)
    return tuple(document_name(language) for language in LANGUAGES) + graphs


def read_document(folder: Path, language: str) -> dict[str, Any]:
    """The stored outcome document in ``language`` (raises OSError when it is gone)."""
    data: dict[str, Any] = json.loads((folder / document_name(language)).read_text("utf-8"))
    return data


def stored_rendering(folder: Path, found: Renderer, language: str | None) -> str:
    """A finished job's report in one format: the stored graph rendering, or the view of the
    stored documents in ``language`` (None: see :meth:`Renderer.from_stored`); raises OSError
    when storage limits removed it meanwhile."""
    if found.per_language:
        return found.from_stored(lambda lang: read_document(folder, lang), language)
    return (folder / found.file_name("en")).read_text("utf-8")
