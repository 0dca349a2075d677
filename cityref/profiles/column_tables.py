"""A profile folder's column table, read from its ``csv-metadata.json`` (W3C CSVW).

Besides what CSVW says itself (titles, ``propertyUrl``, ``datatype``, ``required``, ``url``,
``aboutUrl`` and ``valueUrl`` templates), a column may carry cityref's notes, written as CSVW
common properties in the ``<base>shapes/common/`` namespace: ``check`` (a check of
``column-checks.json``), ``in`` (the values allowed), ``recommended`` (a warning when empty),
``notAfter`` (a column this one must not be later than), ``definesClass``, ``term`` (the
Reference Model term its values are) and ``unconfirmed`` (what of the column a published
source does not confirm, in Japanese and English: shown with the column instead of a guess
passing as the standard); its
``rdfs:label`` (CSVW allows it as a common property) gives its name in other languages. A table may
carry ``requiredFile``, ``swappedCoordinates`` ({"latitude", "longitude"} columns),
``rowChecks`` (rules over several columns of a row) and ``termClass`` (the Reference Model
class a row is).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cityref.profiles.checks import (
    BadCheckFile,
    CheckBook,
    Kind,
    Rule,
    load_check_book,
    turtle_literal,
)
from cityref.text import Bilingual

METADATA_FILE = "csv-metadata.json"
# "#agency={agency_id}": the cell names the node "agency" of that id.
_NODE_TEMPLATE = re.compile(r"^#([\w-]+)=\{([^}]+)\}$")
_COLUMN_REF = re.compile(r"<column:([^>]+)>")


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its title, predicate, check and the notes that add rules to it."""

    title: str
    property_url: str
    label_lang: str
    other_labels: dict[str, str]  # rdfs:label in other languages (an English one for ja titles)
    required: bool
    recommended: bool
    check: str  # the check's name ("text" when none, "in" for a value list)
    kind: Kind
    refers_to: str | None  # the node kind a cell names, when it refers to another row
    defines: str | None  # the node kind a cell defines by mention
    defines_class: str | None  # the class of the nodes it defines
    not_after: str | None
    term: str | None  # the IRI of the Reference Model term the values are
    unconfirmed: Bilingual | None = None  # what no published source confirms, if anything

    def rules(self, book: CheckBook) -> list[Rule]:
        """Requiredness first, then the check's rules."""
        first = [book.required] if self.required else [book.recommended] if self.recommended else []
        return [*first, *self.kind.rules]


@dataclass(frozen=True)
class RowCheck:
    """A rule over several columns of one row, as a node shape on the table's row class."""

    key: str
    body: str  # the constraint as Turtle, columns already written as IRIs
    ja: str
    en: str
    column: str  # the column results are reported on
    bad: dict[str, str]  # cell values that break the rule (and nothing else)
    components: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    """One table: its file (table groups), row class, columns and row rules."""

    url: str | None
    row_class: str
    about_kind: str | None  # rows are the nodes of this kind (aboutUrl "#kind={col}")
    about_column: str | None
    title: dict[str, str]
    columns: tuple[ColumnSpec, ...]
    row_checks: tuple[RowCheck, ...]
    swapped: tuple[str, str] | None  # (latitude column, longitude column)
    term_class: str | None  # the IRI of the Reference Model class a row is

    def label(self, column: ColumnSpec) -> str:
        """How messages name a column: with its file in a table group."""
        return f"{self.url} {column.title}" if self.url else column.title


class BadColumnTable(BadCheckFile):
    """A csv-metadata.json that cannot be read as a profile's column table."""


def _language(metadata: dict[str, Any]) -> str:
    context = metadata.get("@context")
    if isinstance(context, list):
        for entry in context:
            if isinstance(entry, dict) and "@language" in entry:
                return str(entry["@language"])
    return "en"


def _titles(raw: Any, default_lang: str) -> tuple[str, str]:
    """The first title and its language."""
    if isinstance(raw, dict):
        lang, values = next(iter(raw.items()))
        return (values[0] if isinstance(values, list) else str(values)), str(lang)
    if isinstance(raw, list):
        return str(raw[0]), default_lang
    return str(raw), default_lang


def _dc_title(raw: Any) -> dict[str, str]:
    if isinstance(raw, list):
        return {str(t.get("@language", "")): str(t["@value"]) for t in raw}
    return {"": str(raw)} if raw else {}


def _labels(raw: Any, where: str, title: str, note: str = "rdfs:label") -> dict[str, str]:
    """A column's ``note`` values (``rdfs:label`` unless told) by language, each written
    ``{"@value", "@language"}``."""
    if raw is None:
        return {}
    found: dict[str, str] = {}
    for entry in raw if isinstance(raw, list) else [raw]:
        if not isinstance(entry, dict) or "@language" not in entry or "@value" not in entry:
            raise BadColumnTable(
                Bilingual(
                    f"{where}, 列 {title}: {note} の形が不正です",
                    f'{where}, column {title}: {note} must be {{"@value": …, "@language": …}}',
                )
            )
        found[str(entry["@language"])] = str(entry["@value"])
    return found


def _unconfirmed(raw: Any, where: str, title: str) -> Bilingual | None:
    """The column's ``unconfirmed`` note: a ``{"@value", "@language"}`` list with both
    languages, since the page and the CLI show it in either."""
    if raw is None:
        return None
    texts = _labels(raw, where, title, "unconfirmed")
    if not texts.get("ja") or not texts.get("en"):
        raise BadColumnTable(
            Bilingual(
                f"{where}, 列 {title}: unconfirmed には日本語と英語の両方が必要です",
                f"{where}, column {title}: unconfirmed needs a Japanese and an English text",
            )
        )
    return Bilingual(texts["ja"], texts["en"])


def _column(raw: dict[str, Any], ns: str, lang: str, book: CheckBook, where: str) -> ColumnSpec:
    title, label_lang = _titles(raw.get("titles", raw.get("name")), lang)
    values = raw.get(ns + "in")
    check = str(raw.get(ns + "check", "in" if values else "text"))
    if values:
        kind = book.enum_kind(tuple(str(v) for v in values))
    elif check == "text":
        kind = Kind("サンプル")
    else:
        kind = book.kind(check, f"{where}, column {title}")
    node = _NODE_TEMPLATE.match(str(raw.get("valueUrl", "")))
    defines = node.group(1) if node and ns + "definesClass" in raw else None
    return ColumnSpec(
        title=title,
        property_url=str(raw["propertyUrl"]),
        label_lang=label_lang,
        other_labels=_labels(raw.get("rdfs:label"), where, title),
        required=bool(raw.get("required", False)),
        recommended=bool(raw.get(ns + "recommended", False)),
        check=check,
        kind=kind,
        refers_to=node.group(1) if node and defines is None else None,
        defines=defines,
        defines_class=str(raw[ns + "definesClass"]) if defines else None,
        not_after=raw.get(ns + "notAfter"),
        term=str(raw[ns + "term"]) if raw.get(ns + "term") else None,
        unconfirmed=_unconfirmed(raw.get(ns + "unconfirmed"), where, title),
    )


def _row_check(raw: dict[str, Any], columns: dict[str, str], where: str) -> RowCheck:
    def iri(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in columns:
            raise BadColumnTable(
                Bilingual(
                    f"{where}: 行の検査が存在しない列 {name} を指しています",
                    f"{where}: row check names no column {name!r}",
                )
            )
        return f"<{columns[name]}>"

    if "select" in raw:
        query = _COLUMN_REF.sub(iri, str(raw["select"]))
        body = f"sh:sparql [ a sh:SPARQLConstraint ; sh:select {turtle_literal(query)} ]"
    else:
        body = _COLUMN_REF.sub(iri, str(raw["shacl"]))
    return RowCheck(
        str(raw["key"]),
        body,
        raw["ja"],
        raw["en"],
        str(raw["column"]),
        {str(k): str(v) for k, v in raw["bad"].items()},
        tuple(str(c) for c in raw["expect"]),
    )


def _table(raw: dict[str, Any], ns: str, lang: str, book: CheckBook, where: str) -> TableSpec:
    url = raw.get("url")
    where = f"{where}, table {url}" if url else where
    schema = raw.get("tableSchema")
    if not isinstance(schema, dict):
        raise BadColumnTable(
            Bilingual(f"{where}: tableSchema がありません", f"{where}: no tableSchema")
        )
    columns: list[ColumnSpec] = []
    row_class = ""
    for col in schema.get("columns", []):
        if col.get("virtual"):
            if col.get("propertyUrl") == "rdf:type":
                row_class = str(col["valueUrl"])
            continue
        columns.append(_column(col, ns, lang, book, where))
    if not row_class:
        raise BadColumnTable(
            Bilingual(
                f"{where}: 行のクラスを示す仮想列（rdf:type）がありません",
                f"{where}: no virtual rdf:type column naming the row class",
            )
        )
    title = _dc_title(raw.get("dc:title"))
    if not url and not {"ja", "en"} <= title.keys():
        raise BadColumnTable(
            Bilingual(
                f"{where}: dc:title に日本語と英語の題名が必要です",
                f"{where}: dc:title needs a Japanese and an English title "
                '([{"@value": …, "@language": "ja"}, {"@value": …, "@language": "en"}])',
            )
        )
    about = _NODE_TEMPLATE.match(str(schema.get("aboutUrl", "")))
    swapped = raw.get(ns + "swappedCoordinates")
    by_title = {c.title: c.property_url for c in columns}
    return TableSpec(
        url=str(url) if url else None,
        row_class=row_class,
        about_kind=about.group(1) if about else None,
        about_column=about.group(2) if about else None,
        title=title,
        columns=tuple(columns),
        row_checks=tuple(_row_check(r, by_title, where) for r in raw.get(ns + "rowChecks", [])),
        swapped=(str(swapped["latitude"]), str(swapped["longitude"])) if swapped else None,
        term_class=str(raw[ns + "termClass"]) if raw.get(ns + "termClass") else None,
    )


def read_column_tables(folder: Path, base_iri: str, book: CheckBook) -> list[TableSpec]:
    """The tables of ``folder/csv-metadata.json`` (one, or one per file of a table group)."""
    path = folder / METADATA_FILE
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadColumnTable(
            Bilingual(f"{path}: {METADATA_FILE} を読めません: {exc}", f"{path}: {exc}")
        ) from exc
    ns = f"{base_iri}shapes/common/"
    lang = _language(metadata)
    try:
        if "tables" in metadata:
            return [_table(t, ns, lang, book, str(path)) for t in metadata["tables"]]
        return [_table(metadata, ns, lang, book, str(path))]
    except (KeyError, TypeError, IndexError, StopIteration) as exc:
        raise BadColumnTable(
            Bilingual(f"{path}: {exc} がないか不正です", f"{path}: missing or malformed {exc}")
        ) from exc


def unconfirmed_notes(
    folder: Path, base_iri: str, common_folder: Path
) -> dict[tuple[str | None, str], Bilingual]:
    """(table file or None, column title) -> the column's ``unconfirmed`` note, for the
    columns of ``folder``'s column table that have one; empty when it has no table."""
    if not (folder / METADATA_FILE).is_file():
        return {}
    book = load_check_book(common_folder, folder)
    return {
        (table.url, column.title): column.unconfirmed
        for table in read_column_tables(folder, base_iri, book)
        for column in table.columns
        if column.unconfirmed is not None
    }
