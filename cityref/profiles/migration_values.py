"""The value rules of a migration to the current layout: only rewrites whose result is certain
from the value and the current column alone (a width, a zero, a check digit, a flag symbol),
each named, so that the notes can say what was changed how many times.

A rule never guesses: a value it does not recognise is left as written, and the validation of
the converted file reports it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from cityref.text import Bilingual

#: Checks (``common:check``) and datatypes of columns whose values are codes or numbers:
#: they hold ASCII only, so full-width digits and letters there are a width mistake.
CODE_CHECKS = frozenset(
    {"lgcode", "int", "dec", "lat", "lon", "corp", "zip", "chome", "poi", "tel", "time", "date"}
)
NUMBER_DATATYPES = frozenset({"integer", "decimal", "number", "date", "dateTime"})
#: Flag symbols of the older layouts, by what they mean.
YES_SYMBOLS = frozenset({"○", "〇", "◯", "●"})
NO_SYMBOLS = frozenset({"×", "✕", "✖", "╳"})
#: The two values of a yes/no column (``umu``: 有/無, ``flag10``: 1/0), yes first, and the
#: words that say yes or no in any of them (a 1 or 0 in a 有/無 column is not taken for one).
FLAG_VALUES = (("有", "無"), ("1", "0"))
YES_WORDS = frozenset({"有", "有り", "あり"})
NO_WORDS = frozenset({"無", "無し", "なし"})

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_SHORT_TIME = re.compile(r"^(\d):([0-5]\d)(:[0-5]\d)?$")
_SLASHED_DATE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class TargetColumn:
    """What the rules need to know of a column of the current layout."""

    title: str
    datatype: str
    check: str | None
    allowed: tuple[str, ...]  # common:in, or the values of a flag check


@dataclass(frozen=True)
class Rewrite:
    """One certain rewrite: its key, what it does (ja/en) and the function doing it (None:
    the value is not one it applies to)."""

    key: str
    text: Bilingual
    apply: Callable[[str], str | None]


def lg_check_digit(five: str) -> str:
    """The check digit of a five-digit local government code (JIS X 0401/0402, 総務省):
    (11 - (6d1+5d2+4d3+3d4+2d5) mod 11) mod 10."""
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def valid_lg_code(code: str) -> bool:
    """True for a six-digit 全国地方公共団体コード whose check digit is right."""
    return len(code) == 6 and bool(_DIGITS.match(code)) and lg_check_digit(code[:5]) == code[5]


def _half_width(value: str) -> str | None:
    narrowed = value.translate(_FULL_WIDTH).strip()
    return narrowed if narrowed != value else None


def _kana_width(value: str) -> str | None:
    widened = _HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value)
    return widened if widened != value else None


def _lg_code(value: str) -> str | None:
    if len(value) == 5 and _DIGITS.match(value):
        return value + lg_check_digit(value)
    if len(value) == 2 and _DIGITS.match(value):  # a 都道府県コード: the prefecture's own code
        return value + "000" + lg_check_digit(value + "000")
    return None


def _short_time(value: str) -> str | None:
    found = _SHORT_TIME.match(value)
    return f"0{found.group(1)}:{found.group(2)}{found.group(3) or ''}" if found else None


def _slashed_date(value: str) -> str | None:
    found = _SLASHED_DATE.match(value)
    if not found:
        return None
    year, month, day = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _flag(allowed: tuple[str, ...]) -> Callable[[str], str | None]:
    yes, no = allowed

    def rewrite(value: str) -> str | None:
        if value in allowed:
            return None
        if value in YES_SYMBOLS or value in YES_WORDS:
            return yes
        if value in NO_SYMBOLS or value in NO_WORDS:
            return no
        return None

    return rewrite


def _is_flag(allowed: tuple[str, ...]) -> bool:
    return allowed in FLAG_VALUES


def rewrites_for(column: TargetColumn) -> tuple[Rewrite, ...]:
    """The rewrites that are certain for values of ``column``, in the order they apply."""
    found: list[Rewrite] = []
    if column.check in CODE_CHECKS or column.datatype in NUMBER_DATATYPES:
        found.append(
            Rewrite(
                "half-width",
                Bilingual(
                    "全角の数字・英字・記号を半角にし、前後の空白を除きました",
                    "full-width digits, letters and signs made half-width, spaces around removed",
                ),
                _half_width,
            )
        )
    if column.check == "kana":
        found.append(
            Rewrite(
                "kana-width",
                Bilingual("半角カナを全角カタカナにしました", "half-width kana made full-width"),
                _kana_width,
            )
        )
    if column.check == "lgcode":
        found.append(
            Rewrite(
                "check-digit",
                Bilingual(
                    "5桁の団体コード（または2桁の都道府県コード）に検査数字を付けて6桁にしました",
                    "five-digit codes (or two-digit prefecture codes) given their check digit",
                ),
                _lg_code,
            )
        )
    if column.check == "time":
        found.append(
            Rewrite(
                "time-zero",
                Bilingual(
                    "時刻を hh:mm にしました（8:30 → 08:30）", "times written hh:mm (8:30 → 08:30)"
                ),
                _short_time,
            )
        )
    if column.check == "date" or column.datatype == "date":
        found.append(
            Rewrite(
                "iso-date",
                Bilingual(
                    "日付を YYYY-MM-DD にしました（2015/4/1 → 2015-04-01）",
                    "dates written YYYY-MM-DD (2015/4/1 → 2015-04-01)",
                ),
                _slashed_date,
            )
        )
    if _is_flag(column.allowed):
        words = "/".join(column.allowed)
        found.append(
            Rewrite(
                "flag",
                Bilingual(
                    f"○・×や「あり/なし」などの印を {words} にしました",
                    f"marks such as ○ and × or あり/なし written {words}",
                ),
                _flag(column.allowed),
            )
        )
    return tuple(found)


def left_as_written(column: TargetColumn, value: str) -> Bilingual | None:
    """Why a value the rules could not make valid stays as it is (None when it is valid, or
    when its column has no rule the migration knows of; validation reports the rest)."""
    if column.check == "lgcode" and not valid_lg_code(value):
        return Bilingual(
            "6桁の全国地方公共団体コード（検査数字が正しいもの）にできない値",
            "values that are no six-digit local government code with a right check digit",
        )
    if column.allowed and value not in column.allowed:
        words = "/".join(column.allowed[:6]) + ("/…" if len(column.allowed) > 6 else "")
        return Bilingual(f"{words} のどれでもない値", f"values that are none of {words}")
    return None
