"""The validation report (spec section 3.6) and the engine's own renderings of it. What the
command line and the server print is the outcome (:mod:`cityref.outcome`), which embeds it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Literal

from cityref.validation.model import Result
from cityref.validation.options import Language
from cityref.validation.terms import Term


@dataclass(frozen=True)
class Report:
    """The outcome of one validation run.

    ``conforms`` is true when there is no result of any severity (spec 3.6.1). ``truncated``
    says that ``max_results`` cut the list. ``labels`` maps terms to their rdfs:label /
    skos:prefLabel / sh:name literals, for readable renderings.
    """

    conforms: bool
    results: tuple[Result, ...]
    engine: str
    truncated: bool = False
    stats: dict[str, float] = field(default_factory=dict)
    labels: dict[Term, tuple[Literal, ...]] = field(default_factory=dict, repr=False)
    base_iri: str | None = None  # the model's, from ValidationOptions.base_iri

    def to_turtle(self) -> str:
        """The W3C SHACL validation report graph in Turtle."""
        from cityref.validation.render_rdf import report_turtle

        return report_turtle(self)

    def to_jsonld(self) -> str:
        """The W3C SHACL validation report graph in JSON-LD."""
        from cityref.validation.render_rdf import report_jsonld

        return report_jsonld(self)

    def to_json(self, language: Language = Language.EN) -> str:
        """The cityref JSON report (schema in docs/report-format.md)."""
        from cityref.validation.render_json import report_json

        return report_json(self, language)

    def to_text(self, language: Language = Language.EN) -> str:
        """A plain-text report grouped by shape and focus node."""
        from cityref.validation.render_text import report_text

        return report_text(self, language)

    def to_html(self, language: Language = Language.EN) -> str:
        """A standalone HTML report grouped by shape and focus node."""
        from cityref.validation.render_text import report_html

        return report_html(self, language)
