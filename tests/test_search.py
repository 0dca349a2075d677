"""Search: Japanese as people type it, ranking, statuses."""

from __future__ import annotations

import pytest

from cityref.browse import Text, Value
from cityref.search import Entry, build_index, normalise, reading, search


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [("ｼｾﾂ", "しせつ"), ("シセツ", "しせつ"), ("ＡＥＤ", "aed"), ("Parking  Lot", "parking lot")],
)
def test_normalise_folds_widths_kana_and_case(typed: str, same_as: str) -> None:
    assert normalise(typed) == same_as


def test_reading_of_kanji() -> None:
    assert reading("避難所") == "ひなんじょ"


def _entry(iri: str, ja: str, en: str, status: str = "") -> list[dict[str, Value]]:
    rows = []
    for text, lang in ((ja, "ja"), (en, "en")):
        row = {
            "x": Value(iri, "iri"),
            "p": Value("http://www.w3.org/2000/01/rdf-schema#label", "iri"),
            "text": Value(text, "literal", lang),
        }
        if status:
            row["status"] = Value(f"https://w3id.org/cityref/def/status/{status}", "iri")
        rows.append(row)
    return rows


@pytest.fixture
def index() -> list[Entry]:
    rows = (
        _entry("https://w3id.org/cityref/def/a#Shelter", "避難所", "Evacuation shelter")
        + _entry(
            "https://w3id.org/cityref/def/a#OldShelter", "避難所（旧）", "Old shelter", "deprecated"
        )
        + _entry("https://w3id.org/cityref/def/a#Gone", "避難施設", "Gone", "retired")
    )
    return build_index(lambda _query: rows)


def test_reading_finds_the_kanji_label_and_deprecated_ranks_last(index: list[Entry]) -> None:
    hits = search(index, "ひなんじょ")
    assert [h.entry.iri.rsplit("#", 1)[1] for h in hits] == ["Shelter", "OldShelter"]
    assert hits[0].entry.label == Text("避難所", "Evacuation shelter")


def test_retired_terms_only_when_asked(index: list[Entry]) -> None:
    assert not any(h.entry.retired for h in search(index, "避難"))
    assert any(h.entry.retired for h in search(index, "避難", include_retired=True))


def test_half_width_katakana_query(index: list[Entry]) -> None:
    assert search(index, "ﾋﾅﾝｼﾞｮ")[0].entry.iri.endswith("#Shelter")
