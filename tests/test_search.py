"""Search: Japanese as people type it, ranking, statuses."""

from __future__ import annotations

import time

import pytest

from cityref.pages.browse import Select, Value
from cityref.pages.search import (
    KINDS,
    MAX_QUERY_CHARS,
    MAX_WORDS,
    Hit,
    SearchIndex,
    SearchQueryTooLong,
    edit_distance,
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


BASE = "https://w3id.org/cityref/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
STATUS = f"{BASE}def/core#status"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
Triple = tuple[str, str, Value]


def _select(triples: list[Triple]) -> Select:
    """A model of these triples: the texts query gets the literals, the other the IRIs."""

    def run(query: str) -> list[dict[str, Value]]:
        texts = "?text" in query
        return [
            {"x": Value(s, "iri"), "p": Value(p, "iri"), ("text" if texts else "o"): o}
            for s, p, o in triples
            if (o.kind == "literal") == texts
        ]

    return Select(run, BASE)


def _term(local: str, ja: str, en: str, status: str = "") -> list[Triple]:
    iri = f"{BASE}def/a#{local}"
    found = [
        (iri, RDFS_LABEL, Value(ja, "literal", "ja")),
        (iri, RDFS_LABEL, Value(en, "literal", "en")),
    ]
    if status:
        found.append((iri, STATUS, Value(f"{BASE}def/status/{status}", "iri")))
    return found


@pytest.fixture
def index() -> SearchIndex:
    triples = (
        _term("Shelter", "避難所", "Evacuation shelter")
        + _term("OldShelter", "避難所（旧）", "Old shelter", "deprecated")
        + _term("Gone", "避難施設", "Gone", "retired")
    )
    return SearchIndex(term_entries(_select(triples)))


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
    big = [_term(f"T{i}", f"施設{i}", f"Facility {i} a b c") for i in range(2000)]
    large_index = SearchIndex(term_entries(_select([t for term in big for t in term])))
    hostile = " ".join(f"w{i}" for i in range(4000))[:8192]
    started = time.perf_counter()
    with pytest.raises(SearchQueryTooLong):
        search(large_index, hostile)
    bounded = " ".join(["a", "b", "c", "f", "i", "l", "t", "y", "1", "2"])
    assert len(search(large_index, bounded, limit=5).hits) == 5
    assert time.perf_counter() - started < 1.0  # milliseconds in fact; generous for CI


def _row(local: str, predicate: str, text: str, lang: str = "en", **facts: str) -> list[Triple]:
    """A text of the term ``local`` and its ``type`` or ``scheme``."""
    iri = f"{BASE}def/a#{local}"
    found = [(iri, predicate, Value(text, "literal", lang))]
    predicates = {"type": RDF_TYPE, "scheme": IN_SCHEME}
    found += [(iri, predicates[name], Value(value, "iri")) for name, value in facts.items()]
    return found


def _index(*rows: list[Triple]) -> SearchIndex:
    return SearchIndex(term_entries(_select([t for row in rows for t in row])))


def _found(answer_hits: list[Hit]) -> list[str]:
    return [h.entry.iri.rsplit("#", 1)[1] for h in answer_hits]


def test_exact_then_prefix_then_synonym_then_word_then_anywhere_then_definition() -> None:
    index = _index(
        _row("Anywhere", RDFS_LABEL, "Omnibus data"),
        _row("Word", RDFS_LABEL, "Big bus depot"),
        _row("Synonym", RDFS_LABEL, "Public transport stop"),
        _row("Synonym", ALT_LABEL, "bus stop"),
        _row("Defined", RDFS_LABEL, "Timetable"),
        _row("Defined", DEFINITION, "When each bus leaves."),
        _row("Prefix", RDFS_LABEL, "Business hours"),
        _row("Exact", RDFS_LABEL, "Bus"),
        _row("Elsewhere", RDFS_LABEL, "Tram"),
    )
    assert _found(search(index, "bus").hits) == [
        "Exact",
        "Prefix",
        "Synonym",
        "Word",
        "Anywhere",
        "Defined",
    ]


def test_every_word_must_match_and_the_phrase_ranks_first() -> None:
    index = _index(
        _row("Stop", RDFS_LABEL, "Public transport stop"),
        _row("Stop", ALT_LABEL, "bus stop"),
        _row("Apart", RDFS_LABEL, "Stop of a bus"),
        _row("BusOnly", RDFS_LABEL, "Bus"),
    )
    assert _found(search(index, "bus stop").hits) == ["Stop", "Apart"]
    assert _found(search(index, "ＢＵＳ　ＳＴＯＰ").hits) == ["Stop", "Apart"]  # full width


def test_width_is_folded_on_both_sides() -> None:
    index = _index(_row("Aed", RDFS_LABEL, "ＡＥＤ設置箇所", "ja"))
    assert _found(search(index, "aed").hits) == ["Aed"]
    assert _found(search(index, "ＡＥＤ").hits) == ["Aed"]
    assert _found(search(index, "ｾｯﾁ").hits) == ["Aed"]  # half-width kana, by the reading


def test_equal_scores_show_classes_first_and_every_hit_has_a_kind() -> None:
    index = _index(
        _row("Record", RDFS_LABEL, "Shelter"),
        _row("Shelter", RDFS_LABEL, "Shelter", type=OWL_CLASS),
        _row("Area", RDFS_LABEL, "Shelter", scheme=f"{BASE}def/domain/"),
    )
    hits = search(index, "shelter").hits
    assert [(h.entry.kind, h.entry.kind_label.ja) for h in hits] == [
        ("class", "クラス"),
        ("domain", "分野"),
        ("record", "記録"),
    ]
    assert all(h.entry.kind in KINDS for h in hits)


def test_a_typo_gets_the_nearest_label_word() -> None:
    index = _index(
        _row("Site", RDFS_LABEL, "Designated emergency evacuation site"),
        _row("Toilet", RDFS_LABEL, "公衆トイレ・トイレ", "ja"),
        _row("Shelter", RDFS_LABEL, "避難所", "ja"),
    )
    assert search(index, "evacuaton").suggestion == "evacuation"
    assert search(index, "evacuaton site").suggestion == "evacuation site"
    assert search(index, "evacuatoin").suggestion == "evacuation"  # letters swapped
    assert search(index, "非難所").suggestion == "避難所"  # the wrong kanji, a common slip
    assert search(index, "トイラ").suggestion == "トイレ"  # in the script it was typed in
    assert search(index, "evacuation").suggestion is None  # found: nothing to correct
    assert search(index, "zebra").suggestion is None  # nothing near


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("evacuaton", "evacuation") == 1
    assert edit_distance("evacuatoin", "evacuation") == 1
    assert edit_distance("bus", "bus") == 0
    assert edit_distance("", "abc") == 3
