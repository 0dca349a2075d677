"""The defects that can be injected into a file of a tabular profile, read from the profile.

Nothing here names a profile or a column: every defect comes from the profile's column table
(``csv-metadata.json``) and the check book (``column-checks.json``), so a new profile, or a new
check, is covered without a change here.

- Each rule of a column (required, recommended, a check's rules, a list of values) gives the
  check book's failing value, and more values made from the column's passing value by what
  the rule's SHACL constraint says: ``sh:datatype`` (full-width digits, letters, an exponent,
  look-alike lexical forms of the datatype), ``sh:minInclusive`` / ``sh:maxInclusive`` (just
  outside, outside by less than a double tells, past 64 bits, exactly on the bound),
  ``sh:pattern`` (cut, lengthened, widened, padded, a
  comma or a line break inside: kept as a break only when the pattern rejects it),
  ``sh:in`` (unlisted look-alikes), ``sh:minCount`` (an empty cell, a blank-looking one).
- A column's ``notAfter`` gives start-after-end pairs; a table's ``swappedCoordinates`` the
  swapped pair; its ``rowChecks`` their failing cells.

Each defect says which components it must produce, and where (the column of its row): a
value whose effect the rules do not decide alone (a padded number, a value on the bound)
expects nothing (its kind is "edge: …") and is there for the differential test only.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from cityref.profiles.authoring import COMMON_FOLDER, column_rules
from cityref.profiles.checks import CheckBook, Rule, load_check_book
from cityref.profiles.column_tables import ColumnSpec, TableSpec, read_column_tables
from cityref.profiles.registry import Profile, list_profiles
from cityref.store.sources import ModelFiles

#: (column title, component local name): a result a defect must produce on its row.
Expect = tuple[str, str]

_STRING = r'"((?:[^"\\]|\\.)*)"'  # a Turtle string literal (escapes are JSON's)
_DATATYPE = re.compile(r"sh:datatype xsd:(\w+)")
_MIN = re.compile(r"sh:minInclusive (-?[\d.]+)")
_MAX = re.compile(r"sh:maxInclusive (-?[\d.]+)")
_PATTERN = re.compile(r"sh:pattern " + _STRING)
_IN = re.compile(r"sh:in \(([^)]*)\)")

#: Lexical forms that look like the datatype and are not (the adapter keeps them as text).
NOT_OF_DATATYPE = {
    "decimal": ("1e3", "NaN", "inf", "1.2.3", "."),
    "integer": ("1.0", "1e3", "NaN", "0x1A"),
    "date": ("2023-02-29", "2024-13-01", "2024-4-1", "20240401"),
    "dateTime": ("2024-04-01T25:00:00+09:00", "2024-04-01 09:00:00", "2024-04-01T09:00"),
}
#: Unusual but valid lexical forms of a datatype, made from the passing value.
_ODD_BUT_VALID = {
    "decimal": lambda g: ["+" + g, "0" + g, g + "0"],
    "integer": lambda g: ["+" + g, "00" + g, g + "0" * 20],
}


def turtle_string(escaped: str) -> str:
    """The text of a Turtle string literal's body (``\\\\`` and ``\\"`` escapes)."""
    text: str = json.loads('"' + escaped + '"')
    return text


def to_fullwidth(text: str) -> str:
    """ASCII letters, digits and signs as their full-width forms (１２３, ＡＢＣ)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _half_kana() -> dict[str, str]:
    """Full-width katakana -> half-width (with the sound marks as separate characters)."""
    half = [chr(c) for c in range(0xFF61, 0xFFA0)]
    table: dict[str, str] = {}
    for h in half:
        for form in (h, h + "\uff9e", h + "\uff9f"):
            full = unicodedata.normalize("NFKC", form)
            if len(full) == 1 and full not in table:
                table[full] = form
    return table


_HALF_KANA = _half_kana()


def to_halfwidth(text: str) -> str:
    """Katakana as half-width kana (サンプル -> ｻﾝﾌﾟﾙ), the rest as it is."""
    return "".join(_HALF_KANA.get(c, c) for c in text)


@dataclass(frozen=True)
class CellDefect:
    """Values written into cells of one row and what they must produce there.

    ``kind`` is "<component>: <how>" (the component the defect aims at), or "edge: <how>"
    for a value the rule alone does not decide; ``cells`` are (column title, value);
    ``expect`` are results that must be on that row.
    """

    kind: str
    cells: tuple[tuple[str, str], ...]
    expect: tuple[Expect, ...] = ()
    quiet: bool = False  # no result may name these cells (the value passes every rule)
    # The results come from a node shape, which names its column by the profile's title
    # (common:reportColumn) whatever the header calls it.
    by_title: bool = False


@dataclass(frozen=True)
class TabularProfile:
    """A profile that reads one table, with its column table and check book."""

    profile: Profile
    table: TableSpec
    book: CheckBook
    rules: dict[str, list[Rule]]  # column title -> its rules, in shape order
    titles: frozenset[str]  # every title a header may give a column (some have several)

    @property
    def targets(self) -> dict[str, list[CellDefect]]:
        """The cell defects by the component they aim at ("edge" for the rest)."""
        groups: dict[str, list[CellDefect]] = {}
        for defect in self.cell_defects:
            groups.setdefault(defect.kind.split(":")[0], []).append(defect)
        return groups

    @property
    def id(self) -> str:
        return self.profile.id

    def column(self, title: str) -> ColumnSpec:
        return next(c for c in self.table.columns if c.title == title)

    def passing_values(self, col: ColumnSpec) -> tuple[str, ...]:
        """Every value the column's rules list (a list of values), else its kind's good one."""
        for rule in self.rules[col.title]:
            listed = _IN.search(rule.body)
            if listed:
                return tuple(turtle_string(v) for v in re.findall(_STRING, listed.group(1)))
        return (col.kind.good,)

    @functools.cached_property
    def cell_defects(self) -> list[CellDefect]:
        """Every defect of the table's cells: per rule of each column, then pairs and rows."""
        out: list[CellDefect] = []
        for col in self.table.columns:
            good = self.passing_values(col)[0]
            rules = self.rules[col.title]
            integral = any("sh:datatype xsd:integer" in r.body for r in rules)
            for rule in rules:
                out.extend(rule_defects(col.title, rule, good, integral))
            if all("sh:minCount" in r.body for r in self.rules[col.title]):
                # Free text: any text passes, however it has to be quoted.
                text = 'サンプル, "引用"\n二行目'
                out.append(
                    CellDefect(
                        "edge: quoted text (comma, quotes, line break)",
                        ((col.title, text),),
                        quiet=True,
                    )
                )
        out.extend(self._pair_defects())
        for check in self.table.row_checks:
            cells = tuple(check.bad.items())
            out.append(
                CellDefect(
                    f"{'/'.join(check.components)}: row check {check.key}",
                    cells,
                    tuple((check.column, c) for c in check.components),
                    by_title=True,
                )
            )
        return out

    def _pair_defects(self) -> list[CellDefect]:
        out: list[CellDefect] = []
        later_bad = self.book.not_after.bad
        for col in self.table.columns:
            if col.not_after is None:
                continue
            other = self.column(col.not_after)
            end = other.kind.good
            expect = tuple((col.title, c) for c in later_bad.components)
            out += [
                CellDefect(
                    "LessThanOrEquals: start after end",
                    ((col.title, later_bad.value), (other.title, end)),
                    expect,
                ),
                CellDefect(
                    "LessThanOrEquals: start not a date",
                    ((col.title, "abc"), (other.title, end)),
                    (*expect, (col.title, "Datatype")),
                ),
                CellDefect("edge: start equals end", ((col.title, end), (other.title, end))),
                CellDefect(
                    "edge: start after an empty end",
                    ((col.title, later_bad.value), (other.title, "")),
                ),
            ]
        if self.table.swapped:
            lat, lon = (self.column(t) for t in self.table.swapped)
            out += [
                CellDefect(
                    "Not: swapped coordinates",
                    ((lat.title, lon.kind.good), (lon.title, lat.kind.good)),
                    ((lat.title, "Not"),),
                    by_title=True,
                ),
                CellDefect(
                    "edge: swapped coordinates, longitude empty",
                    ((lat.title, lon.kind.good), (lon.title, "")),
                ),
            ]
        return out


def rule_defects(title: str, rule: Rule, good: str, integral: bool) -> list[CellDefect]:
    """The defects of one rule of a column: its failing value, then values made from the
    column's passing value ``good`` by the rule's constraint (``integral``: the column
    holds integers)."""
    components = rule.bad.components
    out = [
        CellDefect(
            f"{components[0]}: check book value ({rule.key})",
            ((title, rule.bad.value),),
            tuple((title, c) for c in components),
        )
    ]

    def add(how: str, value: str, component: str | None) -> None:
        if value != good and value != rule.bad.value:
            expect = ((title, component),) if component else ()
            kind = f"{component}: {how}" if component else f"edge: {how} ({rule.key})"
            out.append(CellDefect(kind, ((title, value),), expect))

    body = rule.body
    if "sh:minCount" in body:
        # Not empty to the adapter (only "" is): no MinCount, whatever else the cell breaks.
        add("blank-looking cell (space)", " ", None)
        add("blank-looking cell (ideographic space)", "\u3000", None)
    datatype = _DATATYPE.search(body)
    if datatype:
        add("full-width digits", to_fullwidth(good), "Datatype")
        add("letters", "abc", "Datatype")
        add("padded with a space", " " + good, "Datatype")
        add("padded with a no-break space", "\u00a0" + good, "Datatype")
        for value in NOT_OF_DATATYPE.get(datatype.group(1), ()):
            add(f"not of type {datatype.group(1)} ({value})", value, "Datatype")
        for value in _ODD_BUT_VALID.get(datatype.group(1), lambda g: [])(good):
            add(f"unusual {datatype.group(1)} form", value, None)
    for pattern, component, sign in ((_MIN, "MinInclusive", -1), (_MAX, "MaxInclusive", 1)):
        bound = pattern.search(body)
        if bound is None:
            continue
        limit = Decimal(bound.group(1))
        if integral:
            add("just outside the bound", str(int(limit) + sign), component)
            add("far outside, past 64 bits", str(int(limit) + sign * 10**20), component)
            add("on the bound", str(int(limit)), None)
        else:
            add("just outside the bound", str(limit + sign * Decimal("0.5")), component)
            # A double cannot tell this from the bound; xsd:decimal can.
            add("outside by 1e-21", str(limit + sign * Decimal("1e-21")), component)
            add("on the bound", str(limit), None)
            add("on the bound, 25 decimals", f"{limit:.25f}", None)
    matched = _PATTERN.search(body)
    if matched:
        regex = re.compile(turtle_string(matched.group(1)))
        half = len(good) // 2
        for how, value in (
            ("cut short", good[:-1]),
            ("lengthened", good + good[-1:]),
            ("full-width", to_fullwidth(good)),
            ("half-width kana", to_halfwidth(good)),
            ("padded with a space", good + " "),
            ("a comma inside", good[:half] + "," + good[half:]),
            ("a line break inside", good[:half] + "\n" + good[half:]),
            ("a zero-width space inside", good[:half] + "\u200b" + good[half:]),
        ):
            add(how, value, "Pattern" if regex.search(value) is None else None)
    listed = _IN.search(body)
    if listed:
        values = {turtle_string(v) for v in re.findall(_STRING, listed.group(1))}
        for how, value in (
            ("full-width", to_fullwidth(good)),
            ("padded with a space", good + " "),
            ("another case", good.swapcase()),
            ("a zero-width space after", good + "\u200b"),
        ):
            add(how, value, None if value in values else "In")
    return out


def tabular_profile(profile: Profile) -> TabularProfile:
    """The column table and rules of a profile that reads one CSV table."""
    folder = profile.directory
    book = load_check_book(folder.parent / COMMON_FOLDER, folder)
    tables = read_column_tables(folder, profile.model.base_iri, book)
    (table,) = tables
    rules = {c.title: column_rules(book, tables, table, c) for c in table.columns}
    titles = frozenset(t for c in profile.table_schemas()[0].columns for t in c.titles)
    return TabularProfile(profile, table, book, rules, titles)


def tabular_profiles(model: ModelFiles) -> list[TabularProfile]:
    """Every profile of ``model`` whose input is one CSV table, by id."""
    return [tabular_profile(p) for p in list_profiles(model) if p.input_kind == "csv"]
