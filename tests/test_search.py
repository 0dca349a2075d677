"""Search: Japanese as people type it, ranking, statuses."""

from __future__ import annotations

import time

import pytest

from cityref.pages.browse import Select, Value
from cityref.pages.search import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    SearchIndex,
    SearchQueryTooLong,
    normalise,
    reading,
    search,
    search_words,
)
from cityref.pages.search_sources import term_entries
from cityref.text import Bilingual


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
def index() -> SearchIndex:
    rows = (
        _entry("https://w3id.org/cityref/def/a#Shelter", "避難所", "Evacuation shelter")
        + _entry(
            "https://w3id.org/cityref/def/a#OldShelter", "避難所（旧）", "Old shelter", "deprecated"
        )
        + _entry("https://w3id.org/cityref/def/a#Gone", "避難施設", "Gone", "retired")
    )
    return SearchIndex(term_entries(Select(lambda _query: rows, "https://w3id.org/cityref/")))


def test_reading_finds_the_kanji_label_and_deprecated_ranks_last(index: SearchIndex) -> None:
    hits = search(index, "ひなんじょ").hits
    assert [h.entry.iri.rsplit("#", 1)[1] for h in hits] == ["Shelter", "OldShelter"]
    assert hits[0].entry.label == Bilingual("避難所", "Evacuation shelter")


def test_retired_terms_only_when_asked(index: SearchIndex) -> None:
    assert not any(h.entry.retired for h in search(index, "避難").hits)
    assert any(h.entry.retired for h in search(index, "避難", include_retired=True).hits)


def test_half_width_katakana_query(index: SearchIndex) -> None:
    assert search(index, "ﾋﾅﾝｼﾞｮ").hits[0].entry.iri.endswith("#Shelter")


def test_a_query_beyond_the_bounds_is_refused_in_both_languages(index: SearchIndex) -> None:
    with pytest.raises(SearchQueryTooLong) as long_text:
        search(index, "a" * (MAX_QUERY_CHARS + 1))
    assert str(MAX_QUERY_CHARS) in str(long_text.value) and " / " in str(long_text.value)
    many_words = " ".join(f"w{i}" for i in range(MAX_WORDS + 1))
    with pytest.raises(SearchQueryTooLong):
        search(index, many_words)


def test_repeated_words_count_once(index: SearchIndex) -> None:
    assert search_words("避難 避難 ヒナン " * 3) == ["避難", "ひなん"]
    assert search(index, "避難 " * (MAX_WORDS + 5)).hits  # one distinct word, within the bounds


def test_an_8_kb_query_of_4000_words_costs_milliseconds(index: SearchIndex) -> None:
    big = [
        _entry(f"https://w3id.org/cityref/def/a#T{i}", f"施設{i}", f"Facility {i} a b c")
        for i in range(2000)
    ]
    large_index = SearchIndex(
        term_entries(
            Select(
                lambda _query: [row for rows in big for row in rows], "https://w3id.org/cityref/"
            )
        )
    )
    hostile = " ".join(f"w{i}" for i in range(4000))[:8192]
    started = time.perf_counter()
    with pytest.raises(SearchQueryTooLong):
        search(large_index, hostile)
    bounded = " ".join(["a", "b", "c", "f", "i", "l", "t", "y", "1", "2"])
    assert len(search(large_index, bounded, limit=5).hits) == 5
    assert time.perf_counter() - started < 1.0  # milliseconds in fact; generous for CI
