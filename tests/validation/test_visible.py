"""Values made visible: what a person cannot see (spaces, zero-width characters) or tell apart
(full-width digits, dash look-alikes, ― for ー), and the corrections offered for them."""

from __future__ import annotations

import pytest

from cityref.outcome.visible import corrections, shown, value_marks


def _kinds(value: str) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.kind) for m in value_marks(value)]


@pytest.mark.parametrize(
    ("value", "kinds", "as_shown"),
    [
        ("(054)629-3520 ", [(13, 14, "trailing-space")], "(054)629-3520␣"),
        ("  名称", [(0, 2, "leading-space")], "␣␣名称"),
        ("焼津市\u3000本町", [(3, 4, "full-width-space")], "焼津市⬚本町"),
        ("054\u00a0629", [(3, 4, "no-break-space")], "054⍽629"),
        ("a\tb", [(1, 2, "tab")], "a⇥b"),
        ("12\u200b3", [(2, 3, "zero-width")], "12‸3"),
        ("０５４", [(0, 3, "full-width-digit")], "０５４"),
        ("（054）", [(0, 1, "full-width-symbol"), (4, 5, "full-width-symbol")], "（054）"),
        ("ﾀﾜｰ", [(0, 3, "half-width-kana")], "ﾀﾜｰ"),
        ("コ―ド", [(1, 2, "dash-like-prolonged")], "コ―ド"),
        ("054−629‐3520", [(3, 4, "hyphen-like"), (7, 8, "hyphen-like")], "054−629‐3520"),
        ("054ー629", [(3, 4, "hyphen-like")], "054ー629"),
        ("コード", [], "コード"),  # the prolonged sound mark after kana is right
        ("名称 カナ", [], "名称 カナ"),  # a space between words is no fault
    ],
)
def test_marks_name_what_cannot_be_seen_or_told_apart(
    value: str, kinds: list[tuple[int, int, str]], as_shown: str
) -> None:
    assert _kinds(value) == kinds
    assert shown(value) == as_shown
    assert len(shown(value)) == len(value)  # mark offsets hold in the shown text too


def test_a_mark_in_the_document_names_its_code_points() -> None:
    (mark,) = value_marks("(054)629-3520 ")
    assert mark.json("(054)629-3520 ") == {
        "start": 13,
        "end": 14,
        "kind": "trailing-space",
        "name": {"ja": "末尾の空白", "en": "trailing space"},
        "code": "U+0020",
    }
    (kana,) = value_marks("ﾐﾅﾐｷﾞｮｳ")
    assert kana.json("ﾐﾅﾐｷﾞｮｳ")["code"] == "U+FF90 U+FF85 U+FF77 …"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("(054)629-3520 ", ["(054)629-3520"]),
        ("（０５４）６２９－３５２０", ["(054)629-3520"]),
        ("コ―ド", ["コード"]),
        ("054ー629ー3520", ["054-629-3520"]),
        ("○", ["1"]),
        ("◯ ", ["◯", "1"]),
        ("×", ["0"]),
        ("\u200b1", ["1"]),
        ("1", []),
    ],
)
def test_corrections_smallest_change_first(value: str, expected: list[str]) -> None:
    assert corrections(value) == expected
