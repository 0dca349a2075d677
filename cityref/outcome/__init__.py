"""The outcome of validating one input, and its renderings: one object
(:class:`Outcome`), one document (:func:`outcome_data`), one registry of report formats
(:data:`RENDERERS`) for the command line, the API, job downloads and the report page."""

from cityref.outcome.data import outcome_data, result_entries
from cityref.outcome.model import Outcome, Verdict
from cityref.outcome.renderers import RENDERER_NAMES, RENDERERS, Renderer, renderer

__all__ = [
    "RENDERERS",
    "RENDERER_NAMES",
    "Outcome",
    "Renderer",
    "Verdict",
    "outcome_data",
    "renderer",
    "result_entries",
]
