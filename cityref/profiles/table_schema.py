"""A Frictionless Table Schema written from a one-table profile: what a data person who
knows ``frictionless validate`` would write by hand, derived from the same ``csv-metadata.json``
and check book the profile's shapes are generated from (:mod:`cityref.profiles.authoring`).

Each column becomes a field named by its title (the header the file uses): its CSVW datatype
as the field type, and of its rules every one Frictionless can say as a constraint:
``sh:minCount 1`` as ``required``, ``sh:pattern`` as ``pattern`` (several patterns of a column
joined by lookaheads), ``sh:in`` as ``enum``, ``sh:minInclusive``/``sh:maxInclusive`` as
``minimum``/``maximum``, ``sh:minLength``/``sh:maxLength`` as ``minLength``/``maxLength``.
An empty cell is a missing value (``missingValues: [""]``), as the CSV adapter writes no
triple for it.

What a Table Schema cannot express, listed by :func:`unexpressed` for a profile:

- check digits (全国地方公共団体コード, 法人番号): a computation over the digits;
- a column not later than another (``notAfter``: start ≤ end) and latitude and longitude
  swapped (``swappedCoordinates``): rules over two columns of a row, as are ``rowChecks``;
- warnings (recommended columns, half-width kana): Frictionless has no severities, every
  finding is an error, so rules of severity Warning are left out;
- a pattern on a typed (number, date) column; a reference to a row of another file.

Not listed because they hold for every profile: the header is matched by position in
Frictionless, by name in cityref (which reads a misspelt column as the closest name and reports
missing and unknown ones); Frictionless reads numbers more loosely than ``xsd:decimal`` and
``xsd:integer`` (it strips spaces and accepts exponents, ``NaN``), and dates written
``2024-4-1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from cityref.errors import CityrefError
from cityref.profiles.authoring import prefixes
from cityref.profiles.checks import Rule, load_check_book
from cityref.profiles.column_tables import ColumnSpec, TableSpec, read_column_tables
from cityref.profiles.registry import COMMON_FOLDER, Profile
from cityref.text import Bilingual

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# CSVW datatypes of the column tables -> Frictionless field types.
FIELD_TYPES = {
    "string": "string",
    "decimal": "number",
    "number": "number",
    "integer": "integer",
    "date": "date",
    "dateTime": "datetime",
}
XSD_TYPES = {XSD + name: kind for name, kind in FIELD_TYPES.items()}
# Errors of Frictionless's own checks that cityref does not make: a blank row is skipped, not
# reported (a table's ``checked`` count is of the rows that are not blank). Pass them to
# ``frictionless validate --skip-errors`` (or a Checklist's ``skip_errors``) with the schema.
SKIPPED_ERRORS = ("blank-row",)
_BOUNDS = {SH + "minInclusive": "minimum", SH + "maxInclusive": "maximum"}
_LENGTHS = {SH + "minLength": "minLength", SH + "maxLength": "maxLength"}

CHECK_DIGIT = Bilingual(
    "検査数字などの計算はテーブルスキーマで書けません",
    "a computation over the value (a check digit) cannot be written in a Table Schema",
)
WARNING = Bilingual(
    "Frictionless には重大度がなく、警告を書けません",
    "a warning: Frictionless has no severities, every finding is an error",
)
TWO_COLUMNS = Bilingual(
    "行の中の複数の列にわたる規則は書けません",
    "a rule over several columns of a row cannot be written in a Table Schema",
)
TYPED_PATTERN = Bilingual(
    "型のある列（数値・日付）にパターンは書けません",
    "a pattern on a typed (number, date) column cannot be written",
)


class NotOneTable(CityrefError):
    """A profile that does not read one table (RDF, NGSI-LD, a GTFS feed)."""


@dataclass(frozen=True)
class Unexpressed:
    """A rule of the profile the Table Schema leaves out: its column, rule, components, why."""

    column: str
    rule: str
    components: tuple[str, ...]  # local names of the SHACL components it would report
    reason: Bilingual


@dataclass(frozen=True)
class Translation:
    """The Table Schema descriptor of a profile and the rules it could not say."""

    descriptor: dict[str, Any]
    unexpressed: tuple[Unexpressed, ...]


def frictionless_schema(profile: Profile) -> dict[str, Any]:
    """The Frictionless Table Schema descriptor equivalent to ``profile`` where it can be."""
    return translate(profile).descriptor


def unexpressed(profile: Profile) -> tuple[Unexpressed, ...]:
    """The rules of ``profile`` its Frictionless Table Schema cannot express."""
    return translate(profile).unexpressed


def translate(profile: Profile) -> Translation:
    """The Table Schema of a one-table profile with the list of what it leaves out."""
    model = profile.model
    book = load_check_book(model.shapes_dir / COMMON_FOLDER, profile.directory)
    tables = read_column_tables(profile.directory, model.base_iri, book)
    if len(tables) != 1 or tables[0].url is not None:
        raise NotOneTable(
            Bilingual(
                f"プロファイル {profile.id} は一つの表を読むプロファイルではありません",
                f"profile {profile.id!r} does not read one table",
            )
        )
    table = tables[0]
    left_out: list[Unexpressed] = []
    fields = [
        _field(col, col.rules(book), model.base_iri, left_out.append) for col in table.columns
    ]
    left_out += _table_rules(table)
    descriptor = {"fields": fields, "missingValues": [""]}
    return Translation(descriptor, tuple(left_out))


def _table_rules(table: TableSpec) -> list[Unexpressed]:
    """The rules over several columns of a row (none of them a Table Schema constraint)."""
    out = [
        Unexpressed(col.title, "order", ("LessThanOrEquals",), TWO_COLUMNS)
        for col in table.columns
        if col.not_after
    ]
    if table.swapped:
        out.append(Unexpressed(table.swapped[0], "swapped", ("Not",), TWO_COLUMNS))
    out += [Unexpressed(c.column, c.key, c.components, TWO_COLUMNS) for c in table.row_checks]
    return out


def _constraints(rule: Rule, base_iri: str) -> list[tuple[str, Any]]:
    """The (predicate IRI, value) pairs of a rule's Turtle body; a list's value is a tuple."""
    text = prefixes(base_iri) + f"[] {rule.body} .\n"
    triples = list(parse(text.encode("utf-8"), format=RdfFormat.TURTLE))
    # The rule's node is the one no triple points at (a list's nodes hang below it).
    objects = {t.object for t in triples}
    subject = next((t.subject for t in triples if t.subject not in objects), None)
    pairs: list[tuple[str, Any]] = []
    for t in triples:
        if t.subject != subject or t.predicate.value.startswith(RDF):
            continue
        obj = t.object
        if isinstance(obj, BlankNode) or obj == NamedNode(RDF + "nil"):
            pairs.append((t.predicate.value, tuple(_list_items(obj, triples))))
        else:
            pairs.append((t.predicate.value, obj))
    return pairs


def _list_items(head: Any, triples: list[Any]) -> list[str]:
    """The members of an RDF list (the values of ``sh:in``) as text."""
    first = {t.subject: t.object for t in triples if t.predicate.value == RDF + "first"}
    rest = {t.subject: t.object for t in triples if t.predicate.value == RDF + "rest"}
    items: list[str] = []
    while head in first:
        items.append(str(first[head].value))
        head = rest[head]
    return items


def _number(value: Literal) -> int | float:
    number = float(value.value)
    return int(number) if number.is_integer() and "." not in value.value else number


def _component(predicate: str) -> str:
    """The SHACL component's local name reported for a constraint parameter."""
    local = predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return local[:1].upper() + local[1:]


def _field(
    col: ColumnSpec, rules: list[Rule], base_iri: str, leave_out: Callable[[Unexpressed], None]
) -> dict[str, Any]:
    """The field of one column, calling ``leave_out(Unexpressed)`` for each rule it cannot say."""
    kind = "string"
    constraints: dict[str, Any] = {}
    patterns: list[str] = []
    parsed = [(rule, _constraints(rule, base_iri)) for rule in rules]
    for _rule, pairs in parsed:  # the datatype first: it decides what a pattern may be on
        for predicate, value in pairs:
            if predicate == SH + "datatype" and value.value in XSD_TYPES:
                kind = XSD_TYPES[value.value]
    for rule, pairs in parsed:
        if rule.severity != "sh:Violation":
            leave_out(Unexpressed(col.title, rule.key, rule.bad.components, WARNING))
            continue
        for predicate, value in pairs:
            if predicate == SH + "datatype" and value.value in XSD_TYPES:
                continue
            if predicate == SH + "minCount" and int(value.value) == 1:
                constraints["required"] = True
            elif predicate == SH + "pattern" and kind == "string":
                patterns.append(value.value)
            elif predicate == SH + "in":
                constraints["enum"] = list(value)
            elif predicate in _BOUNDS and kind in ("number", "integer"):
                constraints[_BOUNDS[predicate]] = _number(value)
            elif predicate in _LENGTHS and kind == "string":
                constraints[_LENGTHS[predicate]] = int(value.value)
            else:
                why = TYPED_PATTERN if predicate == SH + "pattern" else CHECK_DIGIT
                leave_out(Unexpressed(col.title, rule.key, (_component(predicate),), why))
    if patterns:
        constraints["pattern"] = joined_pattern(patterns)
    field: dict[str, Any] = {"name": col.title, "type": kind, "format": "default"}
    if col.other_labels.get("en"):
        field["title"] = col.other_labels["en"]
    if constraints:
        field["constraints"] = constraints
    return field


def joined_pattern(patterns: list[str]) -> str:
    """One Frictionless pattern (matched against the whole cell) that holds when every SHACL
    pattern (found anywhere in the cell, as ``sh:pattern`` is) does."""
    if len(patterns) == 1 and _anchored(patterns[0]):
        return patterns[0][1:-1]
    return "".join(f"(?=[\\s\\S]*?(?:{p}))" for p in patterns) + "[\\s\\S]*"


def _anchored(pattern: str) -> bool:
    """True when the pattern must match the whole cell: ``^…$`` with no top-level ``|``
    (which would anchor only its first and last branch)."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return False
    depth, escaped, in_class = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return False
    return True
