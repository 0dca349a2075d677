"""Values made visible: the characters of a cell a person cannot see or tell apart.

A phone number with a trailing space, ``コ―ド`` written with a horizontal bar instead of the
prolonged sound mark, full-width digits: the rule is broken and the value looks right. This
module names each such character (:func:`value_marks`), writes the value with invisible
characters as visible symbols (:func:`shown`, e.g. ``(054)629-3520␣``; the marks in words
are the report views' own, cityref.outcome.views.marks_words) and proposes the
corrections a person would make (:func:`corrections`: trim, half-width digits, the expected
dash or prolonged sound mark, ``○`` → ``1``). Whether a correction passes the rule is for the
caller to check (cityref.profiles.suggestions runs the profile's shapes on it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from cityref.text import Bilingual

#: Characters that look like a hyphen or a dash but are not the ASCII hyphen-minus.
DASHES = frozenset("‐‑‒–—―−－﹣⁃─━")
PROLONGED = frozenset("ーｰ")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")
#: Marks written for "yes" in a flag column, and for "no".
YES_MARKS = frozenset("○◯〇●")
NO_MARKS = frozenset("×✕✖✗")
MAX_CODES = 3


@dataclass(frozen=True)
class MarkKind:
    """One kind of character worth showing: its name and the symbol that stands for it."""

    kind: str
    name: Bilingual
    symbol: str | None  # None: the character is visible and shown as it is


KINDS = {
    k.kind: k
    for k in (
        MarkKind("leading-space", Bilingual("先頭の空白", "leading space"), "␣"),
        MarkKind("trailing-space", Bilingual("末尾の空白", "trailing space"), "␣"),
        MarkKind("full-width-space", Bilingual("全角空白", "full-width space (U+3000)"), "⬚"),
        MarkKind("no-break-space", Bilingual("ノーブレークスペース", "no-break space"), "⍽"),
        MarkKind("tab", Bilingual("タブ", "tab"), "⇥"),
        MarkKind("line-break", Bilingual("改行", "line break"), "↵"),
        MarkKind("zero-width", Bilingual("幅のない文字", "zero-width character"), "‸"),
        MarkKind("control", Bilingual("制御文字", "control character"), "�"),
        MarkKind("full-width-digit", Bilingual("全角数字", "full-width digit"), None),
        MarkKind("full-width-letter", Bilingual("全角英字", "full-width letter"), None),
        MarkKind("full-width-symbol", Bilingual("全角記号", "full-width symbol"), None),
        MarkKind("half-width-kana", Bilingual("半角カナ", "half-width katakana"), None),
        MarkKind(
            "dash-like-prolonged",
            Bilingual("長音記号「ー」に似た別の文字", "not the prolonged sound mark ー"),
            None,
        ),
        MarkKind(
            "hyphen-like",
            Bilingual("ハイフン「-」に似た別の文字", "not the hyphen-minus -"),
            None,
        ),
    )
}


@dataclass(frozen=True)
class Mark:
    """One character (``start``, ``end``: code point offsets in the value) of a kind."""

    start: int
    end: int
    kind: str

    @property
    def name(self) -> Bilingual:
        """The kind's name, e.g. 「末尾の空白 / trailing space」."""
        return KINDS[self.kind].name

    def json(self, value: str) -> dict[str, object]:
        """The mark in the outcome document: offsets, kind, both names and the distinct code
        points (the first :data:`MAX_CODES` of them)."""
        distinct = [f"U+{ord(c):04X}" for c in dict.fromkeys(value[self.start : self.end])]
        codes = " ".join(distinct[:MAX_CODES]) + (" …" if len(distinct) > MAX_CODES else "")
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "name": {"ja": self.name.ja, "en": self.name.en},
            "code": codes,
        }


def _is_kana(char: str) -> bool:
    katakana, hiragana = "\u30a1" <= char <= "\u30fa", "\u3041" <= char <= "\u3096"
    return katakana or hiragana or "\uff66" <= char <= "\uff9d"


def _kind(value: str, i: int, lead: int, trail: int) -> str | None:
    char = value[i]
    if char == " ":
        return "leading-space" if i < lead else "trailing-space" if i >= trail else None
    if char == "\u3000":
        return "full-width-space"
    if char in NO_BREAK_SPACES:
        return "no-break-space"
    if char == "\t":
        return "tab"
    if char in "\r\n":
        return "line-break"
    if char in ZERO_WIDTH:
        return "zero-width"
    if unicodedata.category(char) == "Cc":
        return "control"
    if char in DASHES or char in PROLONGED:
        after_kana = i > 0 and (_is_kana(value[i - 1]) or value[i - 1] in PROLONGED)
        if char == "ｰ":
            return "half-width-kana" if after_kana else "hyphen-like"
        if char == "ー":
            return None if after_kana else "hyphen-like"
        return "dash-like-prolonged" if after_kana else "hyphen-like"
    if "０" <= char <= "９":
        return "full-width-digit"
    if "Ａ" <= char <= "Ｚ" or "ａ" <= char <= "ｚ":
        return "full-width-letter"
    if "\uff01" <= char <= "\uff5e":
        return "full-width-symbol"
    if "\uff61" <= char <= "\uff9f":
        return "half-width-kana"
    return None


def value_marks(value: str) -> list[Mark]:
    """Every character of ``value`` worth showing, runs of one kind as one mark."""
    lead = len(value) - len(value.lstrip(" "))
    trail = len(value.rstrip(" "))
    marks: list[Mark] = []
    for i in range(len(value)):
        kind = _kind(value, i, lead, trail)
        if kind is None:
            continue
        if marks and marks[-1].kind == kind and marks[-1].end == i:
            marks[-1] = Mark(marks[-1].start, i + 1, kind)
        else:
            marks.append(Mark(i, i + 1, kind))
    return marks


@dataclass(frozen=True)
class Segment:
    """A run of a value: plain text (``kind`` None) or one mark's characters."""

    text: str
    kind: str | None = None

    @property
    def shown(self) -> str:
        """The run as it reads: invisible characters as their symbol, one per character."""
        symbol = KINDS[self.kind].symbol if self.kind else None
        return symbol * len(self.text) if symbol else self.text


def segments(value: str, marks: Sequence[Mark] | None = None) -> list[Segment]:
    """``value`` cut at its marks."""
    out: list[Segment] = []
    at = 0
    for mark in value_marks(value) if marks is None else marks:
        if mark.start > at:
            out.append(Segment(value[at : mark.start]))
        out.append(Segment(value[mark.start : mark.end], mark.kind))
        at = mark.end
    if at < len(value):
        out.append(Segment(value[at:]))
    return out


def shown(value: str) -> str:
    """``value`` with invisible characters as symbols: ``(054)629-3520␣``."""
    return "".join(s.shown for s in segments(value))


def _dashes_fixed(value: str) -> str:
    """Look-alike dashes as the character their place asks for: ー after kana, else ``-``."""
    out = []
    for i, char in enumerate(value):
        if char in DASHES or char in PROLONGED:
            after_kana = i > 0 and (_is_kana(value[i - 1]) or value[i - 1] in PROLONGED)
            out.append("ー" if after_kana else "-")
        else:
            out.append(char)
    return "".join(out)


def corrections(value: str) -> list[str]:
    """What ``value`` may have been meant to be, the smallest change first: without invisible
    characters and surrounding spaces; also in half-width digits and letters (NFKC) with the
    dash its place asks for; a yes/no mark as ``1`` / ``0``. Never ``value`` itself."""
    cleaned = "".join(c for c in value if c not in ZERO_WIDTH)
    for space in NO_BREAK_SPACES:
        cleaned = cleaned.replace(space, " ")
    cleaned = cleaned.strip(" \t\r\n\u3000")
    normal = _dashes_fixed(unicodedata.normalize("NFKC", cleaned))
    found = [cleaned, normal]
    if cleaned in YES_MARKS:
        found.append("1")
    elif cleaned in NO_MARKS:
        found.append("0")
    return [c for c in dict.fromkeys(found) if c != value and c]
