"""The report writers stream: ``cityref validate`` and a job write the outcome one result at
a time, and the bytes are those of the document built whole in memory (the stored documents'
rendering, :meth:`Renderer.from_stored`), for the examples and for a file with thousands of
results."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cityref.outcome import RENDERERS, Outcome, outcome_data
from cityref.profiles import check_input
from cityref.services.job_reports import document_name, write_reports
from cityref.text import LANGUAGES
from cityref.validation import Engine, Language, ValidationOptions
from tests.conftest import REPO, REPO_MODEL

RULES = REPO / "shapes/ods-public-facility/examples/invalid/rules.csv"
EXAMPLES = {
    "rules.csv": RULES.read_bytes(),
    "preschool.csv": (REPO / "tests/data/real/yaizu-222127/222127_preschool.csv").read_bytes(),
    "broken-entities.json": (
        REPO / "shapes/ngsi-ld-entity/examples/invalid/broken-entities.json"
    ).read_bytes(),
}


def _many_results() -> bytes:
    """The invalid example's data rows 80 times over: thousands of results."""
    header, *rows = RULES.read_bytes().splitlines(keepends=True)
    return header + b"".join(rows * 80)


def _outcome(name: str, data: bytes) -> Outcome:
    options = ValidationOptions(engine=Engine.COLUMNS, max_results=None)
    return check_input(data, name, None, options, model=REPO_MODEL)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    found = {name: _outcome(name, data) for name, data in EXAMPLES.items()}
    found["many.csv"] = _outcome("many.csv", _many_results())
    assert len(found["many.csv"].located) > 2_000
    return found


class CountedWrites(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.mark.parametrize("name", [*EXAMPLES, "many.csv"])
@pytest.mark.parametrize("language", [None, "ja", "en"])
def test_streamed_reports_are_the_whole_documents_bytes(
    outcomes: dict[str, Outcome], name: str, language: str | None
) -> None:
    outcome = outcomes[name]
    for found in RENDERERS:
        if not found.per_language:
            continue
        streamed = CountedWrites()
        found.write(outcome, language, streamed)
        whole = found.from_stored(lambda lang: outcome_data(outcome, Language(lang)), language)
        assert streamed.getvalue() == whole, (found.name, name, language)
        if found.name != "html":  # the page groups results by shape: made whole
            assert streamed.writes > len(outcome.located), (found.name, streamed.writes)


def test_a_jobs_documents_are_written_as_whole_documents_would_be(
    outcomes: dict[str, Outcome], tmp_path: Path
) -> None:
    outcome = outcomes["many.csv"]
    write_reports(tmp_path, outcome)
    for language in LANGUAGES:
        stored = (tmp_path / document_name(language)).read_text("utf-8")
        whole = outcome_data(outcome, Language(language))
        assert stored == json.dumps(whole, ensure_ascii=False, separators=(",", ":"))
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
