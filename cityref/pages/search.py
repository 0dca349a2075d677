"""Search over the labels and definitions of the model, in Japanese and English.

Japanese is normalised the way people type it: NFKC folds full- and half-width forms
(ＡＥＤ, ｱｰﾄ), katakana is folded to hiragana (ヒナンジョ = ひなんじょ), and case is ignored.
Alternative labels (skos:altLabel, skos:hiddenLabel) carry kana readings where the model has
them, and every Japanese label with kanji gets its reading from pykakasi's dictionary, so
typing しせつ (or ｼｾﾂ) finds 施設. Ranking: exact label, label prefix, word in label,
anywhere in label, then in the definition; deprecated terms rank last, retired ones are hidden
unless asked for.

A query is bounded (:data:`MAX_QUERY_CHARS`, :data:`MAX_WORDS`) and refused beyond, so a
search costs milliseconds whatever is sent: each word is matched against every label.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from cityref.errors import CityrefError
from cityref.pages.browse import Select, with_literal
from cityref.text import Bilingual

_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6
_HIRAGANA_OFFSET = 0x60
#: Longest query text, in characters, and most distinct words a search takes.
MAX_QUERY_CHARS = 200
MAX_WORDS = 10


class SearchQueryTooLong(CityrefError):
    """A search query beyond the bounds."""


@functools.cache
def _kakasi() -> Any:
    import pykakasi  # a bundled dictionary: no network, loaded once

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def reading(text: str) -> str:
    """The hiragana reading of Japanese text (施設 → しせつ), from pykakasi's dictionary."""
    return "".join(part["hira"] for part in _kakasi().convert(text))


def _has_kanji(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def normalise(text: str) -> str:
    """NFKC, case-folded, katakana folded to hiragana, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    chars = [
        chr(ord(c) - _HIRAGANA_OFFSET) if _KATAKANA_START <= ord(c) <= _KATAKANA_END else c
        for c in folded
    ]
    return " ".join("".join(chars).split())


@dataclass
class Entry:
    iri: str
    label: Bilingual = field(default_factory=Bilingual)
    definition: Bilingual = field(default_factory=Bilingual)
    status: str = ""
    kinds: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)  # normalised, every language and reading
    definitions: list[str] = field(default_factory=list)

    @property
    def deprecated(self) -> bool:
        return self.status == "deprecated"

    @property
    def retired(self) -> bool:
        return self.status == "retired"


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: int


def build_index(select: Select) -> list[Entry]:
    """Every term, concept and record of ours with a label."""
    rows = select(
        select.prefixes
        + f"""SELECT ?x ?p ?text ?status ?type WHERE {{
  ?x ?p ?text .
  VALUES ?p {{ rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel skos:definition
              rdfs:comment dcterms:title }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{select.base_iri}"))
  OPTIONAL {{ ?x core:status ?status }}
  OPTIONAL {{ ?x a ?type FILTER(?type IN (owl:Class, owl:ObjectProperty,
      owl:DatatypeProperty, skos:Concept, owl:AnnotationProperty)) }}
}}"""
    )
    entries: dict[str, Entry] = {}
    for row in rows:
        iri = row["x"].value
        entry = entries.setdefault(iri, Entry(iri))
        predicate = row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        text = row["text"]
        if predicate in ("label", "prefLabel", "title"):
            entry.label = with_literal(entry.label, text)
        if predicate in ("definition", "comment"):
            entry.definition = with_literal(entry.definition, text)
            entry.definitions.append(normalise(text.value))
        else:
            entry.labels.append(normalise(text.value))
            if text.lang == "ja" and _has_kanji(text.value):
                entry.labels.append(normalise(reading(text.value)))
        if "status" in row:
            entry.status = row["status"].value.removeprefix(select.base_iri + "def/status/")
        if "type" in row:
            entry.kinds.add(row["type"].value.rsplit("#", 1)[-1])
    for entry in entries.values():
        entry.labels = sorted(set(entry.labels))
        entry.definitions = sorted(set(entry.definitions))
    return [e for e in entries.values() if e.labels]


def _score(entry: Entry, query: str) -> int:
    best = 0
    for label in entry.labels:
        if label == query:
            best = max(best, 100)
        elif label.startswith(query):
            best = max(best, 80)
        elif f" {query}" in f" {label}":
            best = max(best, 60)
        elif query in label:
            best = max(best, 40)
    if not best and any(query in d for d in entry.definitions):
        best = 10
    if best and entry.kinds & {"Class", "ObjectProperty", "DatatypeProperty"}:
        best += 5  # vocabulary first: it is what people search for
    return best


def search_words(query: str) -> list[str]:
    """The distinct normalised words of a query, in order; refused beyond the bounds."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryTooLong(
            Bilingual(
                f"検索語が {MAX_QUERY_CHARS} 文字を超えています",
                f"the search query is longer than {MAX_QUERY_CHARS} characters",
            )
        )
    words = list(dict.fromkeys(normalise(query).split()))
    if len(words) > MAX_WORDS:
        raise SearchQueryTooLong(
            Bilingual(
                f"検索語が {MAX_WORDS} 語を超えています",
                f"the search query has more than {MAX_WORDS} words",
            )
        )
    return words


def search(
    index: list[Entry], query: str, *, include_retired: bool = False, limit: int = 50
) -> list[Hit]:
    """Ranked hits for ``query``; every word of it must match.

    Raises :class:`SearchQueryTooLong` beyond :data:`MAX_QUERY_CHARS` or :data:`MAX_WORDS`.
    """
    words = search_words(query)
    if not words:
        return []
    hits = []
    for entry in index:
        if entry.retired and not include_retired:
            continue
        scores = []
        for word in words:
            score = _score(entry, word)
            if not score:
                break  # every word must match: no need to score the others
            scores.append(score)
        else:
            score = sum(scores) - (1000 if entry.deprecated or entry.retired else 0)
            hits.append(Hit(entry, score))
    hits.sort(key=lambda h: (-h.score, h.entry.label.en or h.entry.label.ja))
    return hits[:limit]
