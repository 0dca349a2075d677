"""The shared value checks of tabular profiles (issue 5 item 3), as SHACL property shapes.

Each check kind knows its SHACL constraint, its bilingual message, a value that passes, and
values that fail with the components they are expected to trigger. Profiles are written from
these by :mod:`cityref.profiles.authoring`, so a rule is stated once for every profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

XSD = "http://www.w3.org/2001/XMLSchema#"

# GIF 445 phone numbers: area code in parentheses or hyphenated, mobile/toll-free without
# parentheses, +81 international form, optional extension, several joined by " / ".
_ONE_PHONE = (
    r"(\+81 ?)?(\(0\d{1,4}\)\d{1,4}-\d{4}|0\d{1,4}-\d{1,4}-\d{4}|0\d{4,5}-\d{4}"
    r"|0(120|800)-(\d{6}|\d{3}-\d{3}))( ?(内線|Ext\.) ?\d{1,5})?"
)
PHONE_PATTERN = f"^{_ONE_PHONE}( / {_ONE_PHONE})*$"
URL_PATTERN = r"^https?://[^\s<>\"]+$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
# Prefecture codes 01..47 (JIS X 0401) as the first two digits of a 6-digit code.
PREFECTURE_PATTERN = r"^(0[1-9]|[1-3][0-9]|4[0-7])"
# Half-width katakana block U+FF61..U+FF9F, written as the characters themselves because XPath
# regular expressions (SPARQL REGEX) have no \u escapes.
HALF_WIDTH_KANA = "^[^\uff61-\uff9f]*$"


def lg_check_digit(five: str) -> str:
    """The check digit of a 5-digit 全国地方公共団体コード (weights 6..2, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True)
class Bad:
    """A failing value and the components (local names) it is expected to trigger."""

    value: str
    components: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One SHACL constraint on a column: Turtle body, messages, severity, a failing value."""

    key: str
    body: str
    ja: str
    en: str
    bad: Bad
    severity: str = "sh:Violation"


@dataclass(frozen=True)
class Kind:
    """A column kind: a passing example value and the rules every such column gets."""

    good: str
    rules: tuple[Rule, ...] = field(default=())


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def in_list(values: tuple[str, ...]) -> str:
    """Turtle for ``sh:in ( … )`` over plain strings."""
    return "sh:in ( " + " ".join(_lit(v) for v in values) + " )"


def pattern(regex: str) -> str:
    """Turtle for ``sh:pattern``."""
    return "sh:pattern " + _lit(regex)


def _enum(values: tuple[str, ...], bad: str = "（一覧にない値）") -> Kind:
    shown = "、".join(values)
    return Kind(
        values[0],
        (
            Rule(
                "in",
                in_list(values),
                f"「{{col}}」の値は次のいずれかです: {shown}",
                f"Column {{col}} takes one of: {', '.join(values)}",
                Bad(bad, ("In",)),
            ),
        ),
    )


def _datatype(
    name: str, good: str, bad: str, ja: str, en: str, extra: tuple[str, ...] = ()
) -> Rule:
    return Rule(
        "datatype",
        f"sh:datatype xsd:{name}",
        f"「{{col}}」は{ja}で書きます。",
        f"Column {{col}} must be {en}.",
        Bad(bad, ("Datatype", *extra)),
    )


LG_CODE = Kind(
    "131016",
    (
        Rule(
            "digits",
            pattern(r"^[0-9]{6}$"),
            "「{col}」は6桁の全国地方公共団体コード（検査数字付き）です。",
            "Column {col} must be a 6-digit local government code (with its check digit).",
            Bad("13101", ("Pattern",)),
        ),
        Rule(
            "prefecture",
            pattern(PREFECTURE_PATTERN),
            "「{col}」の先頭2桁（都道府県コード）は01〜47です。",
            "The first two digits of column {col} (prefecture code) must be 01 to 47.",
            Bad("99201" + lg_check_digit("99201"), ("Pattern",)),
        ),
        Rule(
            "check-digit",
            "common:lgCodeCheckDigit true",
            "「{col}」の検査数字（6桁目）が正しくありません。",
            "The check digit (6th digit) of column {col} is wrong.",
            Bad("131017", ("LgCodeCheckDigit",)),
        ),
    ),
)

LATITUDE = Kind(
    "35.681236",
    (
        _datatype(
            "decimal",
            "",
            "北緯35度",
            "10進数の緯度",
            "a decimal latitude",
            ("MinInclusive", "MaxInclusive"),
        ),
        Rule(
            "japan",
            "sh:minInclusive 20.0 ; sh:maxInclusive 46.0",
            "「{col}」が日本の範囲（北緯20〜46度）の外です。",
            "Column {col} is outside Japan (latitude 20 to 46).",
            Bad("10.5", ("MinInclusive",)),
        ),
    ),
)

LONGITUDE = Kind(
    "139.767125",
    (
        _datatype(
            "decimal",
            "",
            "東経139度",
            "10進数の経度",
            "a decimal longitude",
            ("MinInclusive", "MaxInclusive"),
        ),
        Rule(
            "japan",
            "sh:minInclusive 122.0 ; sh:maxInclusive 154.0",
            "「{col}」が日本の範囲（東経122〜154度）の外です。",
            "Column {col} is outside Japan (longitude 122 to 154).",
            Bad("160.5", ("MaxInclusive",)),
        ),
    ),
)

KINDS: dict[str, Kind] = {
    "text": Kind("サンプル"),
    "kana": Kind(
        "サンプル",
        (
            Rule(
                "full-width",
                pattern(HALF_WIDTH_KANA),
                "「{col}」に半角カナがあります。全角カタカナで書きます。",
                "Column {col} contains half-width kana; write full-width katakana.",
                Bad("ｻﾝﾌﾟﾙ", ("Pattern",)),
                "sh:Warning",
            ),
        ),
    ),
    "lgcode": LG_CODE,
    "lat": LATITUDE,
    "lon": LONGITUDE,
    "tel": Kind(
        "03-5253-2111",
        (
            Rule(
                "gif",
                pattern(PHONE_PATTERN),
                "「{col}」がGIFの電話番号の書き方（半角数字とハイフン、市外局番は括弧可、"
                "複数は「 / 」区切り）に合いません。",
                "Column {col} does not follow the GIF phone number rules (half-width digits and "
                "hyphens, area code optionally in parentheses, several joined by ' / ').",
                Bad("03/5253/2111", ("Pattern",)),
            ),
        ),
    ),
    "url": Kind(
        "https://www.example.jp/",
        (
            Rule(
                "syntax",
                pattern(URL_PATTERN),
                "「{col}」は http:// または https:// で始まるURLです。",
                "Column {col} must be a URL starting with http:// or https://.",
                Bad("www.example.jp", ("Pattern",)),
            ),
        ),
    ),
    "email": Kind(
        "info@example.jp",
        (
            Rule(
                "syntax",
                pattern(EMAIL_PATTERN),
                "「{col}」はメールアドレスの形式ではありません。",
                "Column {col} is not an e-mail address.",
                Bad("info(at)example.jp", ("Pattern",)),
            ),
        ),
    ),
    "time": Kind(
        "09:00",
        (
            Rule(
                "iso8601",
                pattern(TIME_PATTERN),
                "「{col}」はISO 8601の時刻（hh:mm）で書きます。",
                "Column {col} must be an ISO 8601 time (hh:mm).",
                Bad("9時", ("Pattern",)),
            ),
        ),
    ),
    "date": Kind(
        "2024-04-01",
        (
            _datatype(
                "date",
                "",
                "2024/04/01",
                "ISO 8601の日付（YYYY-MM-DD）",
                "an ISO 8601 date (YYYY-MM-DD)",
            ),
        ),
    ),
    "datetime": Kind(
        "2024-04-01T09:00:00+09:00",
        (_datatype("dateTime", "", "2024年4月1日9時", "ISO 8601の日時", "an ISO 8601 date-time"),),
    ),
    "int": Kind(
        "10",
        (
            _datatype("integer", "", "十", "整数", "an integer", ("MinInclusive",)),
            Rule(
                "non-negative",
                "sh:minInclusive 0",
                "「{col}」は0以上の数です。",
                "Column {col} must not be negative.",
                Bad("-1", ("MinInclusive",)),
            ),
        ),
    ),
    "dec": Kind(
        "1.5",
        (_datatype("decimal", "", "1,5", "10進数", "a decimal number"),),
    ),
    "umu": _enum(("有", "無"), "あり"),
    "flag10": _enum(("1", "0"), "○"),
    "corp": Kind(
        "1234567890123",
        (
            Rule(
                "digits",
                pattern(r"^[0-9]{13}$"),
                "「{col}」は13桁の法人番号です。",
                "Column {col} must be a 13-digit corporate number.",
                Bad("123", ("Pattern",)),
            ),
        ),
    ),
    "zip": Kind(
        "100-8926",
        (
            Rule(
                "digits",
                pattern(r"^[0-9]{3}-?[0-9]{4}$"),
                "「{col}」は7桁の郵便番号（123-4567）です。",
                "Column {col} must be a 7-digit postal code (123-4567).",
                Bad("100-89", ("Pattern",)),
            ),
        ),
    ),
    "chome": Kind(
        "0001001",
        (
            Rule(
                "digits",
                pattern(r"^[0-9]{7}$"),
                "「{col}」は7桁の町字IDです。",
                "Column {col} must be a 7-digit town/chome ID.",
                Bad("1-1", ("Pattern",)),
            ),
        ),
    ),
    "poi": Kind(
        "0101",
        (
            Rule(
                "digits",
                pattern(r"^[0-9]{4}$"),
                "「{col}」は4桁のPOIコードです。",
                "Column {col} must be a 4-digit POI code.",
                Bad("A1", ("Pattern",)),
            ),
        ),
    ),
}


def enum_kind(values: tuple[str, ...]) -> Kind:
    """A column kind restricted to a value list (first value is the passing example)."""
    return _enum(values)


REQUIRED = Rule(
    "required",
    "sh:minCount 1",
    "「{col}」は必須です。値がありません。",
    "Column {col} is required; the cell is empty.",
    Bad("", ("MinCount",)),
)
RECOMMENDED = Rule(
    "recommended",
    "sh:minCount 1",
    "「{col}」は推奨項目です。値がありません。",
    "Column {col} is recommended; the cell is empty.",
    Bad("", ("MinCount",)),
    "sh:Warning",
)
