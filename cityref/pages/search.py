"""Search over the model's terms, profiles, their columns and the standards, in Japanese and
English.

:mod:`cityref.pages.search_sources` gathers the entries.

Japanese is normalised the way people type it, on both sides: NFKC folds full- and half-width
forms (ＡＥＤ, ｱｰﾄ), katakana is folded to hiragana (ヒナンジョ = ひなんじょ), and case is
ignored. Every Japanese label with kanji also gets its reading from pykakasi's dictionary, so
typing しせつ (or ｼｾﾂ) finds 施設. Synonyms (skos:altLabel, skos:hiddenLabel,
dcterms:alternative) find what a clerk calls a thing in everyday words (バス停 for 停留所・駅).

Ranking, for each word of the query: the whole label, then a label it begins, then a word of a
label, a word a label begins, anywhere in a label — each a little lower for a synonym than for
the label — and last the definition. Every word must match somewhere; a query matching a label
or synonym as a whole phrase ("bus stop") ranks above its words matched apart. Equal scores go
class, profile, property, … first; deprecated terms rank last, retired ones are hidden unless
asked for. A query with few hits gets a "did you mean" built from the words of the labels
nearest by edit distance.

A query is bounded (:data:`MAX_QUERY_CHARS`, :data:`MAX_WORDS`) and refused beyond, so a
search costs milliseconds whatever is sent: each word is matched against every label.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cityref.errors import CityrefError
from cityref.text import Bilingual

_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6
_HIRAGANA_OFFSET = 0x60
#: Longest query text, in characters, and most distinct words a search takes.
MAX_QUERY_CHARS = 200
MAX_WORDS = 10
#: Fewer hits than this and the search offers a correction of the query.
FEW_HITS = 3
#: What a hit is, in the order equal scores are shown, with the word on its badge.
KINDS: dict[str, Bilingual] = {
    "class": Bilingual("クラス", "class"),
    "profile": Bilingual("プロファイル", "profile"),
    "property": Bilingual("プロパティ", "property"),
    "domain": Bilingual("分野", "domain"),
    "concept": Bilingual("概念", "concept"),
    "standard": Bilingual("標準", "standard"),
    "column": Bilingual("列", "column"),
    "module": Bilingual("モジュール", "module"),
    "record": Bilingual("記録", "record"),
}
_KIND_ORDER = {kind: rank for rank, kind in enumerate(KINDS)}
# Label tiers; a synonym scores SYNONYM_PENALTY less than a label at the same tier.
EXACT, PREFIX, WORD, WORD_PREFIX, ANYWHERE, DEFINITION = 100, 80, 60, 50, 40, 10
SYNONYM_PENALTY = 5
# Where labels split into words: spaces, punctuation and the Japanese separators.
_WORD_BREAK = re.compile(r"[\s_\-./:;,()\[\]{}（）「」『』、。・／＿]+")


class SearchQueryTooLong(CityrefError):
    """A search query beyond the bounds."""


@functools.cache
def _kakasi() -> Any:
    import pykakasi  # a bundled dictionary: no network, loaded once

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


@functools.lru_cache(maxsize=8192)  # labels repeat (名称 in every profile): read each once
def reading(text: str) -> str:
    """The hiragana reading of Japanese text (施設 → しせつ), from pykakasi's dictionary."""
    return "".join(part["hira"] for part in _kakasi().convert(text))


def has_kanji(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def normalise(text: str) -> str:
    """NFKC, case-folded, katakana folded to hiragana, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    chars = [
        chr(ord(c) - _HIRAGANA_OFFSET) if _KATAKANA_START <= ord(c) <= _KATAKANA_END else c
        for c in folded
    ]
    return " ".join("".join(chars).split())


def words_of(text: str) -> list[str]:
    """The words of a label (``stop_id`` → stop, id; ``停留所・駅`` → 停留所, 駅)."""
    return [w for w in _WORD_BREAK.split(text) if w]


@dataclass
class Entry:
    """One thing search finds: its link, kind, texts shown and texts matched (normalised)."""

    iri: str
    kind: str = "record"
    label: Bilingual = field(default_factory=Bilingual)
    definition: Bilingual = field(default_factory=Bilingual)
    status: str = ""
    labels: list[str] = field(default_factory=list)  # every language, with kanji readings
    synonyms: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    anchor: str = ""  # a place on the page of ``iri`` (a profile's column)
    within: Bilingual = field(default_factory=Bilingual)  # the profile of a column
    to_read: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a synonym)

    @property
    def deprecated(self) -> bool:
        return self.status == "deprecated"

    @property
    def retired(self) -> bool:
        return self.status == "retired"

    def add_label(self, text: str, lang: str, *, synonym: bool) -> None:
        """A label or synonym as typed, normalised; Japanese with kanji is kept to be read
        (:meth:`add_readings`)."""
        (self.synonyms if synonym else self.labels).append(normalise(text))
        if lang == "ja" and has_kanji(text):
            self.to_read.append((text, synonym))

    def add_readings(self) -> None:
        """The readings of its Japanese texts with kanji. pykakasi takes seconds for a whole
        model, so the index does this once, outside the time limit of the query worker."""
        for text, synonym in self.to_read:
            (self.synonyms if synonym else self.labels).append(normalise(reading(text)))
        self.to_read = []
        self.finish()

    def finish(self) -> None:
        """Each text once, in a stable order."""
        self.labels = sorted(set(self.labels))
        self.synonyms = sorted(set(self.synonyms) - set(self.labels))
        self.definitions = sorted(set(self.definitions))

    @property
    def kind_label(self) -> Bilingual:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: int


@dataclass(frozen=True)
class Answer:
    """The ranked hits of a query and, when it found few, a query that finds more."""

    hits: list[Hit]
    suggestion: str | None = None


class SearchIndex:
    """The entries, and the words of their labels for "did you mean" (a table from each word
    with one letter deleted to the word, so a typo's neighbours are found without a scan)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.frequency: Counter[str] = Counter()
        for entry in entries:
            entry.add_readings()
            texts = entry.labels + entry.synonyms
            self.frequency.update({word for text in texts for word in words_of(text)})
        self._near: dict[str, set[str]] = {}
        for word in self.frequency:
            for variant in _deletions(word):
                self._near.setdefault(variant, set()).add(word)

    def correction(self, word: str) -> str | None:
        """The label word nearest to ``word``, the more common on a tie: one letter missing,
        extra, wrong or swapped with the next (two such edits in words of five letters or more,
        as far as one deletion from the label word and two from ``word`` reach)."""
        if word in self.frequency or len(word) < 3:
            return None
        limit = 1 if len(word) < 5 else 2
        candidates = {c for v in _deletions(word, limit) for c in self._near.get(v, ())}
        scored = [(edit_distance(word, c), -self.frequency[c], c) for c in candidates]
        best = min((s for s in scored if s[0] <= limit), default=None)
        return best[2] if best else None


def _deletions(word: str, depth: int = 1) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` characters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions counting one edit."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _text_score(texts: list[str], word: str) -> int:
    best = 0
    for text in texts:
        if text == word:
            return EXACT
        if text.startswith(word):
            best = max(best, PREFIX)
        elif word in text:
            words = words_of(text)
            if word in words:
                best = max(best, WORD)
            elif any(w.startswith(word) for w in words):
                best = max(best, WORD_PREFIX)
            else:
                best = max(best, ANYWHERE)
    return best


def _score(entry: Entry, word: str) -> int:
    best = _text_score(entry.labels, word)
    if best < EXACT:
        best = max(best, _text_score(entry.synonyms, word) - SYNONYM_PENALTY)
    if best <= 0 and any(word in d for d in entry.definitions):
        best = DEFINITION
    return max(best, 0)


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


def _ranked(index: SearchIndex, words: list[str], include_retired: bool) -> list[Hit]:
    phrase = " ".join(words) if len(words) > 1 else ""
    hits = []
    for entry in index.entries:
        if entry.retired and not include_retired:
            continue
        total = 0
        for word in words:
            score = _score(entry, word)
            if not score:
                break  # every word must match: no need to score the others
            total += score
        else:
            if phrase:
                total += max(_score(entry, phrase) - DEFINITION, 0)  # the words side by side
            hits.append(Hit(entry, total - (1000 if entry.deprecated or entry.retired else 0)))
    hits.sort(
        key=lambda h: (
            -h.score,
            _KIND_ORDER[h.entry.kind],
            h.entry.label.en or h.entry.label.ja,
            h.entry.anchor,
        )
    )
    return hits


def search(
    index: SearchIndex, query: str, *, include_retired: bool = False, limit: int = 50
) -> Answer:
    """Ranked hits for ``query`` (every word of it must match) and, when there are fewer than
    :data:`FEW_HITS`, a corrected query that finds more.

    Raises :class:`SearchQueryTooLong` beyond :data:`MAX_QUERY_CHARS` or :data:`MAX_WORDS`.
    """
    words = search_words(query)
    if not words:
        return Answer([])
    hits = _ranked(index, words, include_retired)
    suggestion = None
    if len(hits) < FEW_HITS:
        corrected = [index.correction(w) or w for w in words]
        if corrected != words and len(_ranked(index, corrected, include_retired)) > len(hits):
            suggestion = " ".join(
                _in_katakana(c) if _typed_katakana(w, query) else c
                for w, c in zip(words, corrected, strict=True)
            )
    return Answer(hits[:limit], suggestion)


def _typed_katakana(word: str, query: str) -> bool:
    """Whether ``word`` (normalised) was typed in katakana in ``query``."""
    typed = unicodedata.normalize("NFKC", query).split()
    return any(
        normalise(t) == word and any(_KATAKANA_START <= ord(c) <= _KATAKANA_END for c in t)
        for t in typed
    )


def _in_katakana(text: str) -> str:
    """Hiragana turned back to katakana: a suggestion in the script the person typed."""
    start, end = _KATAKANA_START - _HIRAGANA_OFFSET, _KATAKANA_END - _HIRAGANA_OFFSET
    return "".join(chr(ord(c) + _HIRAGANA_OFFSET) if start <= ord(c) <= end else c for c in text)
