"""The column checks of tabular profiles, read from ``column-checks.json`` files.

``shapes/common/column-checks.json`` holds the checks every profile shares (a column's
``check`` in its profile's ``csv-metadata.json`` names one); a profile folder may add its own
in a ``column-checks.json`` beside its ``csv-metadata.json``. Each check knows its SHACL
constraint (a Turtle fragment), its ja/en message (``{col}`` stands for the column), a value
that passes, and a value that fails with the components it is expected to trigger, from
which :mod:`cityref.profiles.example_files` writes the examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityref.errors import CityrefError

CHECKS_FILE = "column-checks.json"


class BadCheckFile(CityrefError):
    """A column-checks.json that cannot be read as checks."""


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

    def message(self, lang: str, column: str) -> str:
        """The message in ``lang`` ("ja" or "en") for a column labelled ``column``."""
        return (self.ja if lang == "ja" else self.en).replace("{col}", column)


@dataclass(frozen=True)
class Kind:
    """A column check: a passing example value and the rules every such column gets."""

    good: str
    rules: tuple[Rule, ...] = field(default=())


@dataclass(frozen=True)
class Template:
    """The messages and failing value of a rule whose constraint depends on the column."""

    key: str
    ja: str
    en: str
    bad: Bad


@dataclass(frozen=True)
class CheckBook:
    """Every check a profile's columns may name, and the rules the generator adds itself."""

    kinds: dict[str, Kind]
    required: Rule
    recommended: Rule
    enum: Template  # sh:in over a column's "in" values
    not_after: Template  # sh:lessThanOrEquals between two columns
    reference: Template  # sh:class of the row a cell refers to (table groups)
    swapped_ja: str
    swapped_en: str

    def kind(self, name: str, where: str) -> Kind:
        """The check ``name``; an unknown name is an error naming where it was asked for."""
        try:
            return self.kinds[name]
        except KeyError:
            known = ", ".join(sorted(self.kinds))
            raise BadCheckFile(
                f"{where}: no column check {name!r} (known: {known}) / 列の検査 {name} はありません"
            ) from None

    def enum_kind(self, values: tuple[str, ...], bad: str | None = None) -> Kind:
        """A check restricting a column to ``values`` (the first one is the passing value)."""
        shown_ja, shown_en = "、".join(values), ", ".join(values)
        rule = Rule(
            self.enum.key,
            "sh:in ( " + " ".join(turtle_literal(v) for v in values) + " )",
            self.enum.ja.replace("{values_ja}", shown_ja),
            self.enum.en.replace("{values_en}", shown_en),
            Bad(self.enum.bad.value if bad is None else bad, self.enum.bad.components),
        )
        return Kind(values[0], (rule,))


def turtle_literal(text: str, lang: str | None = None) -> str:
    """A Turtle string literal, with a language tag when ``lang`` is given."""
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{quoted}@{lang}" if lang else quoted


def _bad(raw: dict[str, Any]) -> Bad:
    return Bad(str(raw["bad"]), tuple(str(c) for c in raw["expect"]))


def _rule(raw: dict[str, Any]) -> Rule:
    severity = "sh:" + str(raw.get("severity", "Violation"))
    return Rule(str(raw["key"]), str(raw["shacl"]), raw["ja"], raw["en"], _bad(raw), severity)


def _template(raw: dict[str, Any]) -> Template:
    return Template(str(raw["key"]), raw["ja"], raw["en"], _bad(raw))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadCheckFile(f"{path}: {exc} / {path.name} を読めません") from exc
    if not isinstance(data, dict):
        raise BadCheckFile(f"{path}: not a JSON object / JSONオブジェクトではありません")
    return data


def _kinds(raw: dict[str, Any], book: CheckBook | None, path: Path) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for name, spec in raw.get("kinds", {}).items():
        try:
            if "in" in spec:
                if book is None:
                    raise BadCheckFile(f"{path}: kind {name!r} uses 'in' before it is defined")
                kinds[name] = book.enum_kind(tuple(spec["in"]), spec.get("bad"))
            else:
                kinds[name] = Kind(str(spec["good"]), tuple(_rule(r) for r in spec["rules"]))
        except (KeyError, TypeError) as exc:
            raise BadCheckFile(
                f"{path}: check {name!r} lacks {exc} / 検査 {name} に {exc} がありません"
            ) from exc
    return kinds


def load_check_book(common_folder: Path, profile_folder: Path | None = None) -> CheckBook:
    """The shared checks of ``common_folder``, plus a profile folder's own when it has any."""
    path = common_folder / CHECKS_FILE
    raw = _read(path)
    try:
        swapped = raw["swappedCoordinates"]
        book = CheckBook(
            {},
            _rule(raw["required"]),
            _rule(raw["recommended"]),
            _template(raw["in"]),
            _template(raw["notAfter"]),
            _template(raw["reference"]),
            swapped["ja"],
            swapped["en"],
        )
    except (KeyError, TypeError) as exc:
        raise BadCheckFile(f"{path}: missing {exc} / {exc} がありません") from exc
    book.kinds.update(_kinds(raw, book, path))
    own = profile_folder / CHECKS_FILE if profile_folder is not None else None
    if own is not None and own.is_file():
        book.kinds.update(_kinds(_read(own), book, own))
    return book
