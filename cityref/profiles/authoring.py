"""Writes the generated files of every profile folder that reads tables: its ``shapes.ttl``
from its ``csv-metadata.json`` (and the checks of ``column-checks.json``), and its examples
with their expected results (:mod:`cityref.profiles.example_files`).

Run ``python -m cityref.profiles.authoring [SHAPES_DIR]`` after changing a profile's
``csv-metadata.json`` or a ``column-checks.json``; a test checks that the files in git are
what this writes. Nothing here is particular to one profile: the folders hold the content.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cityref.errors import CityrefError
from cityref.profiles.checks import CheckBook, Rule, load_check_book, turtle_literal
from cityref.profiles.column_tables import (
    METADATA_FILE,
    BadColumnTable,
    ColumnSpec,
    TableSpec,
    read_column_tables,
)
from cityref.profiles.example_files import example_files
from cityref.text import Bilingual

COMMON_FOLDER = "common"


def prefixes(base_iri: str) -> str:
    """The Turtle prefixes of generated shapes."""
    return f"""@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix sh:      <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix core:    <{base_iri}def/core#> .
@prefix common:  <{base_iri}shapes/common/> .
"""


def reference_rule(book: CheckBook, tables: list[TableSpec], kind: str, where: str) -> Rule:
    """The rule of a cell naming a node of ``kind``: that node must exist (sh:class).

    The node's class is the row class of the table whose rows are such nodes, or the class a
    column defines by mention; the message names the file where such nodes are written.
    """
    classes = {t.about_kind: t.row_class for t in tables if t.about_kind}
    files = {t.about_kind: t.url for t in tables if t.about_kind}
    for table in tables:
        for col in table.columns:
            if col.defines:
                classes[col.defines] = col.defines_class or classes.get(col.defines, "")
                files.setdefault(col.defines, table.url)
    if not classes.get(kind):
        raise BadColumnTable(
            Bilingual(
                f"{where}: 名指しするノード {kind} を定義する表や列がありません",
                f"{where}: no table or column defines the nodes {kind!r} it names",
            )
        )
    template = book.reference
    file = files.get(kind) or ""
    return Rule(
        template.key,
        f"sh:class <{classes[kind]}>",
        template.ja.replace("{file}", file),
        template.en.replace("{file}", file),
        template.bad,
    )


def column_rules(
    book: CheckBook, tables: list[TableSpec], table: TableSpec, col: ColumnSpec
) -> list[Rule]:
    """Every rule of one column, the reference to another row last."""
    rules = col.rules(book)
    if col.refers_to:
        rules.append(reference_rule(book, tables, col.refers_to, f"{table.url} {col.title}"))
    return rules


class ShapeWriter:
    """Writes the shapes of one profile folder's tables under a given base IRI."""

    def __init__(self, profile_id: str, base_iri: str, book: CheckBook) -> None:
        self.book = book
        self.base = f"{base_iri}shapes/{profile_id}/"
        self.profile_id = profile_id
        self.base_iri = base_iri

    def _prefix(self, table: TableSpec) -> str:
        return f"{self.base}shape/{table.url}/" if table.url else f"{self.base}shape/"

    def _node_shape(self, table: TableSpec, props: list[str]) -> str:
        if table.url:
            iri, ja, en = f"{self.base}shape/{table.url}", table.url, table.url
        else:
            iri, ja, en = f"{self.base}RecordShape", table.title["ja"], table.title["en"]
        return (
            f"<{iri}>\n    a sh:NodeShape ;\n"
            f"    rdfs:label {turtle_literal(ja + ' の行', 'ja')} ,"
            f" {turtle_literal('row of ' + en, 'en')} ;\n"
            f"    sh:targetClass <{table.row_class}> ;\n"
            "    sh:property " + " ,\n        ".join(props) + " .\n"
        )

    @staticmethod
    def _property(iri: str, path: str, body: str, severity: str, ja: str, en: str) -> str:
        return (
            f"<{iri}>\n    a sh:PropertyShape ;\n    sh:path <{path}> ;\n"
            f"    {body} ;\n    sh:severity {severity} ;\n"
            f"    sh:message {turtle_literal(ja, 'ja')} ,\n"
            f"               {turtle_literal(en, 'en')} .\n"
        )

    def _swapped(self, table: TableSpec, by_title: dict[str, ColumnSpec]) -> str:
        """Latitude and longitude look swapped: each lies in the range of the other. SHACL
        Core rather than SPARQL: the compiled engine checks it in one query for all rows."""
        missing = [t for t in table.swapped or () if t not in by_title]
        if missing:
            raise BadColumnTable(
                Bilingual(
                    f"{self.profile_id}: swappedCoordinates の列 {missing[0]} がありません",
                    f"{self.profile_id}: swappedCoordinates names no column {missing[0]!r}",
                )
            )
        lat, lon = (by_title[t] for t in table.swapped or ())
        ranges = {
            c.title: next((r.body for r in c.kind.rules if r.key == "japan"), "")
            for c in (lat, lon)
        }
        if not all(ranges.values()):
            raise BadColumnTable(
                Bilingual(
                    f"{self.profile_id}: swappedCoordinates の列に 'japan' の範囲規則がありません",
                    f"{self.profile_id}: swappedCoordinates names a column without a 'japan' "
                    "range rule",
                )
            )
        return (
            f"<{self._prefix(table)}{lat.title}-swapped>\n    a sh:NodeShape ;\n"
            f"    sh:targetClass <{table.row_class}> ;\n"
            f"    common:reportColumn {turtle_literal(lat.title)} ;\n"
            "    sh:not [\n"
            f"        sh:property [ sh:path <{lat.property_url}> ; sh:minCount 1 ;\n"
            f"                      {ranges[lon.title]} ] ;\n"
            f"        sh:property [ sh:path <{lon.property_url}> ; sh:minCount 1 ;\n"
            f"                      {ranges[lat.title]} ] ] ;\n"
            f"    sh:message {turtle_literal(self.book.swapped_ja, 'ja')} ,\n"
            f"               {turtle_literal(self.book.swapped_en, 'en')} .\n"
        )

    def table_shapes(self, tables: list[TableSpec], table: TableSpec) -> str:
        """The node shape of a table's rows, one property shape per rule and column."""
        props: list[str] = []
        body: list[str] = []
        by_title = {c.title: c for c in table.columns}
        for col in table.columns:
            label = table.label(col)
            labels = {col.label_lang: col.title, **col.other_labels}
            shown = " , ".join(turtle_literal(text, lang) for lang, text in labels.items())
            # The column's values are the term's: SPARQL finds every column of a term with
            # ``?column rdfs:subPropertyOf <term>``.
            term = f" ;\n    rdfs:subPropertyOf <{col.term}>" if col.term else ""
            body.append(f"<{col.property_url}> rdfs:label {shown}{term} .\n")
            for rule in column_rules(self.book, tables, table, col):
                iri = f"{self._prefix(table)}{col.title}-{rule.key}"
                props.append(f"<{iri}>")
                body.append(
                    self._property(
                        iri,
                        col.property_url,
                        rule.body,
                        rule.severity,
                        rule.message("ja", label),
                        rule.message("en", label),
                    )
                )
        for col in table.columns:
            if col.not_after is None:
                continue
            later = by_title.get(col.not_after)
            if later is None:
                raise BadColumnTable(
                    Bilingual(
                        f"{self.profile_id}: {col.title} の notAfter が存在しない列 "
                        f"{col.not_after} を指しています",
                        f"{self.profile_id}: {col.title} notAfter names no column "
                        f"{col.not_after!r}",
                    )
                )
            template = self.book.not_after
            iri = f"{self._prefix(table)}{col.title}-{template.key}"
            props.append(f"<{iri}>")
            body.append(
                self._property(
                    iri,
                    col.property_url,
                    f"sh:lessThanOrEquals <{later.property_url}>",
                    "sh:Violation",
                    template.ja.replace("{col}", col.title).replace("{other}", later.title),
                    template.en.replace("{col}", col.title).replace("{other}", later.title),
                )
            )
        if table.swapped:
            body.append(self._swapped(table, by_title))
        for check in table.row_checks:
            body.append(
                f"<{self._prefix(table)}{check.key}>\n    a sh:NodeShape ;\n"
                f"    sh:targetClass <{table.row_class}> ;\n"
                f"    common:reportColumn {turtle_literal(check.column)} ;\n"
                f"    {check.body} ;\n"
                f"    sh:message {turtle_literal(check.ja, 'ja')} ,\n"
                f"               {turtle_literal(check.en, 'en')} .\n"
            )
        if table.term_class:  # a row is a node of the Reference Model class
            body.insert(0, f"<{table.row_class}> rdfs:subClassOf <{table.term_class}> .\n")
        return "\n".join([self._node_shape(table, props), *body])

    def shapes_ttl(self, tables: list[TableSpec]) -> str:
        """The whole shapes.ttl of the profile."""
        head = (
            f'# Shapes of profile "{self.profile_id}", written by cityref.profiles.authoring from\n'
            f"# its {METADATA_FILE}: one property shape per rule and column, so each result names\n"
            "# the rule and the column it breaks. Edit the table, not this file.\n\n"
        )
        return (
            head
            + prefixes(self.base_iri)
            + "\n"
            + "\n".join(self.table_shapes(tables, t) for t in tables)
        )


def profile_files(folder: Path, base_iri: str, common: Path) -> dict[str, str]:
    """The generated files of one profile folder, by path relative to it."""
    book = load_check_book(common, folder)
    tables = read_column_tables(folder, base_iri, book)
    files = {"shapes.ttl": ShapeWriter(folder.name, base_iri, book).shapes_ttl(tables)}
    rules = {(t.url, c.title): column_rules(book, tables, t, c) for t in tables for c in t.columns}
    files.update(example_files(tables, rules, book))
    return files


def generated_files(shapes_dir: Path, base_iri: str) -> dict[str, str]:
    """Every generated file under ``shapes_dir``, by path relative to it."""
    files: dict[str, str] = {}
    for metadata in sorted(shapes_dir.glob(f"*/{METADATA_FILE}")):
        folder = metadata.parent
        for rel, text in profile_files(folder, base_iri, shapes_dir / COMMON_FOLDER).items():
            files[f"{folder.name}/{rel}"] = text
    return files


def write_all(shapes_dir: Path, base_iri: str) -> list[Path]:
    """Write every generated profile file under ``shapes_dir``; returns the paths written."""
    written: list[Path] = []
    for rel, text in generated_files(shapes_dir, base_iri).items():
        path = shapes_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """``python -m cityref.profiles.authoring [SHAPES_DIR] [--base-iri IRI]``."""
    from cityref.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m cityref.profiles.authoring")
    parser.add_argument("shapes_dir", nargs="?", type=Path, default=Path("shapes"))
    parser.add_argument("--base-iri", help="the model's base IRI (default: the setting)")
    args = parser.parse_args(argv)
    try:
        written = write_all(args.shapes_dir, args.base_iri or load_settings().base_iri)
    except CityrefError as exc:
        sys.exit(f"error: {exc}")
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
