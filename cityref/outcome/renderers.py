"""The report renderers, registered here alone: the command line's ``--format`` choices, the
API's content negotiation, a job's downloads and the table in docs/report-format.md all come
from :data:`RENDERERS`.

A renderer works on the outcome document: by language (JSON: every text an object keyed by
language, both by default) or in one language (text, CSV, HTML); or on the engine's report
graph (language-free, messages in both languages: the W3C SHACL report in Turtle and
JSON-LD). A job stores the document in both languages and every graph rendering, so its
downloads are the command line's output for the same input and profile.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from cityref.outcome.data import bilingual_document
from cityref.outcome.model import Outcome
from cityref.outcome.streaming import outcome_document, write_json
from cityref.outcome.views import write_csv, write_html, write_text
from cityref.text import Bilingual, languages_asked
from cityref.validation import Report
from cityref.validation.render_rdf import report_jsonld, report_turtle


def outcome_json(
    documents: Mapping[str, Mapping[str, Any]], head: Mapping[str, Any] | None = None
) -> str:
    """The outcome document, its texts in the languages of ``documents``, as JSON text (one
    line: the C encoder writes 10,000 results in a fraction of the time an indented dump
    takes; ``jq .`` reads it). ``head``: fields put before the document (the API's job id)."""
    return json.dumps({**(head or {}), **bilingual_document(documents)}, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Renderer:
    """One report format: its ``--format`` name, media type, file suffix, what it says
    (en, ja) and its function: a view writing the outcome document in one language, the JSON
    of the documents by language, or the text of the report graph."""

    name: str
    media_type: str
    suffix: str
    description: Bilingual
    write_data: Callable[[Mapping[str, Any], TextIO], None] | None = None
    from_documents: Callable[[Mapping[str, Mapping[str, Any]]], str] | None = None
    from_report: Callable[[Report], str] | None = None

    @property
    def per_language(self) -> bool:
        """True when the rendering depends on the language (made from the outcome document)."""
        return self.write_data is not None or self.from_documents is not None

    def file_name(self, language: str) -> str:
        """The name of this rendering among a job's downloads."""
        return f"report.{language}{self.suffix}" if self.per_language else f"report{self.suffix}"

    def from_stored(
        self, document: Callable[[str], Mapping[str, Any]], language: str | None
    ) -> str:
        """The rendering made from the outcome documents ``document(language)`` gives: the one
        ``language`` or, when None, both for the JSON and English for the readable ones."""
        if self.from_documents is not None:
            return self.from_documents({lang: document(lang) for lang in languages_asked(language)})
        assert self.write_data is not None
        out = io.StringIO()
        self.write_data(document(language or "en"), out)
        return out.getvalue()

    def write(self, outcome: Outcome, language: str | None, out: TextIO) -> None:
        """Write the rendering of ``outcome`` to ``out`` one result at a time (the graph
        renderings excepted): the same text :meth:`from_stored` gives of its documents."""
        if self.from_documents is not None:
            document = outcome_document(outcome, languages_asked(language), keyed=True)
            write_json(document, out)
            out.write("\n")
        elif self.write_data is not None:
            self.write_data(outcome_document(outcome, [language or "en"], keyed=False), out)
        else:
            assert self.from_report is not None
            out.write(self.from_report(outcome.report))

    def render(self, outcome: Outcome, language: str | None) -> str:
        out = io.StringIO()
        self.write(outcome, language, out)
        return out.getvalue()


RENDERERS: tuple[Renderer, ...] = (
    Renderer(
        "json",
        "application/json",
        ".json",
        Bilingual("検証結果の JSON 文書", "the outcome document (docs/report-format.md)"),
        from_documents=outcome_json,
    ),
    Renderer(
        "text",
        "text/plain",
        ".txt",
        Bilingual("判定・直すこと・結果ごとに 1 行", "verdict, what to fix, one line per result"),
        write_data=write_text,
    ),
    Renderer(
        "csv",
        "text/csv",
        ".csv",
        Bilingual("結果ごとに 1 行（表計算ソフト向け）", "one row per result, for spreadsheets"),
        write_data=write_csv,
    ),
    Renderer(
        "html",
        "text/html",
        ".html",
        Bilingual("単独で開ける HTML ページ", "a standalone page"),
        write_data=write_html,
    ),
    Renderer(
        "turtle",
        "text/turtle",
        ".ttl",
        Bilingual("W3C SHACL の検証結果グラフ", "the W3C SHACL validation report graph"),
        from_report=report_turtle,
    ),
    Renderer(
        "jsonld",
        "application/ld+json",
        ".jsonld",
        Bilingual(
            "W3C の検証結果グラフ（展開形 JSON-LD）", "the W3C report graph, expanded JSON-LD"
        ),
        from_report=report_jsonld,
    ),
)

RENDERER_NAMES: tuple[str, ...] = tuple(r.name for r in RENDERERS)


def renderer(name: str) -> Renderer:
    """The renderer called ``name`` (one of :data:`RENDERER_NAMES`)."""
    for found in RENDERERS:
        if found.name == name:
            return found
    raise KeyError(f"no report format {name!r}; use one of {', '.join(RENDERER_NAMES)}")


def renderer_for_media_type(media_type: str) -> Renderer:
    for found in RENDERERS:
        if found.media_type == media_type:
            return found
    raise KeyError(f"no report format of type {media_type!r}")


def download(name: str) -> tuple[Renderer, str] | None:
    """The renderer and language of a job download's file name, None when it names none."""
    for found in RENDERERS:
        for language in ("ja", "en"):
            if found.file_name(language) == name:
                return found, language
    return None


def formats_markdown() -> str:
    """The table of report formats in docs/report-format.md (checked by a test)."""
    lines = [
        "| `--format` | media type | job download | what |",
        "| --- | --- | --- | --- |",
    ]
    for r in RENDERERS:
        lines.append(
            f"| `{r.name}` | `{r.media_type}` | `{r.file_name('en')}` | {r.description.both()} |"
        )
    return "\n".join(lines) + "\n"
