"""The page of one application profile: what it is, what it reads, and its columns (tabular
profiles: one table, or one per file of a GTFS feed) or the properties of its node shapes
(RDF profiles), each with its requirement, datatype, rules in words, an example value and the
Reference Model term it maps to (a column's ``common:term``, linked to the term's page); its
example files, its CSV template and its history across releases.

Read from the profile's folder (profile.ttl, csv-metadata.json, examples/, through
:mod:`cityref.profiles`) and from its shapes in the store (:mod:`cityref.pages.shape_page`).
Nothing here is particular to one profile.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import pyoxigraph as ox

from cityref.inputs import input_format
from cityref.inputs.csv_header import Column, TableSchema
from cityref.inputs.encoding import BOM
from cityref.pages.browse import Named, Select
from cityref.pages.browse_term import labels_of
from cityref.pages.shape_page import (
    SH,
    TARGETS,
    RuleWords,
    Statements,
    graph_statements,
    linked_names,
    rule_words,
)
from cityref.profiles import Profile, ProfileNotFound, list_profiles
from cityref.profiles.column_tables import unconfirmed_notes
from cityref.profiles.registry import COMMON_FOLDER
from cityref.registry.releases import list_releases
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

#: Requirements, strictest first.
REQUIRED, RECOMMENDED, OPTIONAL = "required", "recommended", "optional"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes (CSVW base names, the local names of XSD) in words.
DATATYPE_WORDS = {
    "string": Bilingual("文字列", "text"),
    "integer": Bilingual("整数", "whole number"),
    "decimal": Bilingual("小数（10進数）", "decimal number"),
    "double": Bilingual("数値", "number"),
    "boolean": Bilingual("真偽値（true / false）", "true or false"),
    "date": Bilingual("日付（YYYY-MM-DD）", "date (YYYY-MM-DD)"),
    "dateTime": Bilingual("日時（YYYY-MM-DDThh:mm:ss）", "date and time (YYYY-MM-DDThh:mm:ss)"),
    "time": Bilingual("時刻（hh:mm:ss）", "time of day (hh:mm:ss)"),
    "gYear": Bilingual("年（YYYY）", "year (YYYY)"),
    "anyURI": Bilingual("URL・IRI", "URL or IRI"),
    "langString": Bilingual("言語タグ付きの文字列", "text with a language tag"),
}
EXAMPLE_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".txt": "text/csv",
    ".ttl": "text/turtle",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
}
EXPECTED_SUFFIX = ".expected.json"


@dataclass(frozen=True)
class FieldRow:
    """One column of a table, or one property of a node shape."""

    name: Bilingual
    anchor: str
    requirement: str  # required, recommended or optional
    datatype: Bilingual
    rules: list[RuleWords]  # besides the requirement
    example: str
    term: Named | None
    unconfirmed: Bilingual | None = None  # what of the column no published source confirms
    iri: str = ""  # the column's own IRI (tables), the property path's (node shapes)


@dataclass(frozen=True)
class FieldTable:
    """The columns of one file (or the only table), or the properties one node shape checks."""

    title: Bilingual
    file: str | None  # the file of a table group (GTFS)
    required_file: bool
    target: Named | None  # the class of its rows, or the node shape's target
    rows: list[FieldRow]
    rules: list[RuleWords]  # rules over several columns or properties


@dataclass(frozen=True)
class ExampleFile:
    path: str  # relative to the profile folder, e.g. examples/valid/full.csv
    valid: bool
    media_type: str  # application/zip for a folder (a GTFS feed)


@dataclass(frozen=True)
class ReleaseEntry:
    """The profile in one release (or the working tree, ``release == "working"``)."""

    release: str
    issued: str
    profile_version: str
    change: str  # added, changed or unchanged (against the release before)
    previous: str  # the release it is compared with ("" for the first)


@dataclass
class ProfilePage:
    id: str
    iri: str
    version: str
    status: str
    title: Bilingual
    description: Bilingual
    edition: Bilingual
    sources: list[str]  # the URLs or repository paths the columns were read from
    standards: list[Named]
    domains: list[Named]
    input_title: Bilingual
    input_suffixes: list[str]
    template: str  # "template.csv", "template.zip" (table group) or "" (not tabular)
    tables: list[FieldTable]
    examples: list[ExampleFile]
    history: list[ReleaseEntry]


def find_profile(model: ModelFiles, profile_id: str) -> Profile | None:
    """The working tree's profile ``profile_id`` (the shared checks folder is none)."""
    return next((p for p in list_profiles(model) if p.id == profile_id), None)


def _texts(values: dict[str, str]) -> Bilingual:
    return Bilingual(values.get("ja", values.get("", "")), values.get("en", ""))


def _datatype(name: str) -> Bilingual:
    local = name.removeprefix(XSD)
    return DATATYPE_WORDS.get(local, Bilingual(local, local))


def _requirement(rules: list[RuleWords], csvw_required: bool = False) -> str:
    if csvw_required or any(r.min_count > 0 and r.severity == "Violation" for r in rules):
        return REQUIRED
    if any(r.min_count > 0 and r.severity == "Warning" for r in rules):
        return RECOMMENDED
    return OPTIONAL


def _anchor(file: str | None, name: str) -> str:
    return "column-" + (f"{PurePosixPath(file).stem}-" if file else "") + name.replace(" ", "_")


def example_files(profile: Profile) -> list[ExampleFile]:
    """The profile's example inputs: files, and folders of .txt files (feeds, as zips)."""
    found: list[ExampleFile] = []
    folder = profile.directory / "examples"
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(profile.directory).as_posix()
        valid = "/valid/" in f"/{relative}/"
        if path.is_dir() and any(path.glob("*.txt")):
            found.append(ExampleFile(relative, valid, "application/zip"))
        elif path.is_file() and path.suffix != ".txt" and not path.name.endswith(EXPECTED_SUFFIX):
            media_type = EXAMPLE_MEDIA_TYPES.get(path.suffix, "application/octet-stream")
            found.append(ExampleFile(relative, valid, media_type))
    return sorted(found, key=lambda e: (not e.valid, e.path))  # conforming ones first


def example_download(profile: Profile, relative: str) -> tuple[bytes, str, str] | None:
    """(content, file name, media type) of the example ``relative``; only a listed example
    is answered, so no path from a request reaches the file system unchecked."""
    example = next((e for e in example_files(profile) if e.path == relative), None)
    if example is None:
        return None
    path = profile.directory / example.path
    if example.media_type == "application/zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in sorted(path.glob("*.txt")):
                archive.writestr(member.name, profile.model.read(member))
        return buffer.getvalue(), path.name + ".zip", example.media_type
    return profile.model.read(path), path.name, example.media_type


def _csv_header(columns: tuple[Column, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.title for c in columns])
    return buffer.getvalue()


def csv_template(profile: Profile) -> tuple[bytes, str, str] | None:
    """(content, file name, media type) of the profile's empty file(s): the header row.

    One table: a CSV in UTF-8 *with* a byte order mark, because Excel on Japanese Windows
    reads a CSV without one as Shift_JIS and garbles every Japanese column name; cityref
    reads either. A table group (GTFS): a zip of one header-only .txt per file, in UTF-8
    without a mark, as the GTFS reference asks.
    """
    tables = profile.table_schemas()
    if not tables:
        return None
    if len(tables) == 1 and tables[0].url is None:
        data = BOM + _csv_header(tables[0].columns).encode("utf-8")
        return data, f"{profile.id}-template.csv", "text/csv; charset=utf-8"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(str(table.url), _csv_header(table.columns).encode("utf-8"))
    return buffer.getvalue(), f"{profile.id}-template.zip", "application/zip"


def _first_cells(profile: Profile, table: TableSchema) -> dict[str, str]:
    """Column title -> its value in the first row of the first valid example that has it."""
    for example in example_files(profile):
        if not example.valid:
            continue
        path = profile.directory / example.path
        if table.url is not None:
            path = path / table.url
        if not path.is_file() or path.suffix not in (".csv", ".txt"):
            continue
        text = profile.model.read(path).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) > 1:
            return {title: cell for title, cell in zip(rows[0], rows[1], strict=False) if cell}
    return {}


def _first_objects(profile: Profile) -> dict[str, str]:
    """Predicate IRI -> one value it has in the valid RDF examples (Turtle)."""
    found: dict[str, str] = {}
    for example in example_files(profile):
        if example.valid and example.media_type == "text/turtle":
            data = profile.model.read(profile.directory / example.path)
            for quad in ox.parse(data, format=ox.RdfFormat.TURTLE):
                if not isinstance(quad.object, ox.BlankNode):
                    found.setdefault(quad.predicate.value, quad.object.value)
    return found


def _table_rows(
    table: TableSchema,
    statements: Statements,
    names: dict[str, Named],
    examples: dict[str, str],
    report_column: str,
) -> tuple[list[FieldRow], list[RuleWords]]:
    """The rows of one CSVW table, and the rules on its rows that name no column (a rule
    without a path names the column it reports on with ``report_column``)."""
    by_column: dict[str, list[RuleWords]] = {c.title: [] for c in table.columns}
    by_path = {c.property_url: c.title for c in table.columns}
    table_rules: list[RuleWords] = []
    for node in statements.subjects(SH + "targetClass", table.row_class):
        for child in statements.values(node, SH + "property"):
            rule = rule_words(statements, child.value)
            if rule.path in by_path:
                by_column[by_path[rule.path]].append(rule)
        reported = [v.value for v in statements.values(node, report_column)]
        own = rule_words(statements, node)
        if own.constraints:
            target = by_column.get(reported[0]) if reported else None
            (target if target is not None else table_rules).append(own)
    rows = []
    for column in table.columns:
        rules = by_column[column.title]
        named = names.get(column.property_url)
        term = names.get(column.term or column.property_url)
        rows.append(
            FieldRow(
                name=Bilingual(column.title, named.label.en if named else ""),
                anchor=_anchor(table.url, column.title),
                requirement=_requirement(rules, column.required),
                datatype=_datatype(column.datatype),
                rules=[r for r in rules if not r.only_requires],
                example=examples.get(column.title, ""),
                term=term,
                iri=column.property_url,
            )
        )
    return rows, table_rules


def _with_page(name: Named | None) -> Named | None:
    """``name`` when it has a page; a row class of the profile's own (``Record``) says
    nothing the file name does not."""
    return name if name is not None and name.iri else None


def _tabular(profile: Profile, select: Select, statements: Statements) -> list[FieldTable]:
    tables = profile.table_schemas()
    iris = {i for t in tables for c in t.columns for i in (c.property_url, c.term) if i} | {
        i for t in tables for i in (t.row_class, t.term_class) if i
    }
    names = linked_names(select, iris)
    report_column = profile.model.term_iri("shapes/common/reportColumn")
    notes = unconfirmed_notes(
        profile.directory, profile.model.base_iri, profile.directory.parent / COMMON_FOLDER
    )
    found = []
    for table in tables:
        rows, rules = _table_rows(
            table, statements, names, _first_cells(profile, table), report_column
        )
        rows = [
            replace(r, unconfirmed=notes.get((table.url, c.title)))
            for r, c in zip(rows, table.columns, strict=True)
        ]
        found.append(
            FieldTable(
                title=Bilingual(table.url, table.url) if table.url else _texts(profile.title),
                file=table.url,
                required_file=table.required_file,
                target=_with_page(names.get(table.term_class or table.row_class or "")),
                rows=rows,
                rules=rules,
            )
        )
    return found


def _node_shapes(profile: Profile, select: Select, statements: Statements) -> list[FieldTable]:
    """One table per node shape: the properties it checks (RDF, NGSI-LD profiles)."""
    nodes = sorted(
        {
            subject
            for predicate in ("property", *TARGETS)
            for subject in statements.subjects(SH + predicate)
            if not subject.startswith("_:")  # a condition inside another shape's list
        }
    )
    rules_of = {
        n: [rule_words(statements, c.value) for c in statements.values(n, SH + "property")]
        for n in nodes
    }
    targets = {
        n: next(
            (v.value for p in TARGETS for v in statements.values(n, SH + p) if v.kind == "iri"),
            "",
        )
        for n in nodes
    }
    paths = {r.path for rules in rules_of.values() for r in rules if r.path}
    names = linked_names(select, paths | {t for t in targets.values() if t})
    examples = _first_objects(profile)
    tables = []
    for node in nodes:
        by_path: dict[str, list[RuleWords]] = {}
        for rule in rules_of[node]:
            by_path.setdefault(rule.path, []).append(rule)
        rows = []
        for path, rules in by_path.items():
            term = names.get(path)
            datatypes = (
                [v.value for r in rules for v in statements.values(r.shape, SH + "datatype")]
                if path
                else []
            )
            rows.append(
                FieldRow(
                    name=term.label if term else Bilingual("（複合パス）", "(complex path)"),
                    anchor=_anchor(PurePosixPath(node).name, term.label.en if term else "path"),
                    requirement=_requirement(rules),
                    datatype=_datatype(datatypes[0]) if datatypes else Bilingual(),
                    rules=[r for r in rules if not r.only_requires],
                    example=examples.get(path, ""),
                    term=term,
                    iri=path,
                )
            )
        own = rule_words(statements, node)
        tables.append(
            FieldTable(
                title=own.label
                if own.label.ja or own.label.en
                else Bilingual(en=node.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]),
                file=None,
                required_file=False,
                target=names.get(targets[node]),
                rows=sorted(
                    rows,
                    key=lambda r: (
                        [REQUIRED, RECOMMENDED, OPTIONAL].index(r.requirement),
                        r.name.en,
                    ),
                ),
                rules=[own] if own.constraints else [],
            )
        )
    return tables


def _shapes_digest(profile: Profile) -> tuple[str, frozenset[str]]:
    """The profile's version and its shapes as canonical statements: a release holds them as
    parsed graphs, so equal shapes must compare equal whatever their Turtle looks like."""
    dataset = ox.Dataset()
    for path in profile.shapes_files:
        for quad in ox.parse(path.read_bytes(), ox.RdfFormat.TURTLE):
            dataset.add(quad)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return profile.version, frozenset(str(q) for q in dataset)


def profile_history(model: ModelFiles, profile_id: str) -> list[ReleaseEntry]:
    """The releases the profile is in, then the working tree, each against the one before."""
    entries: list[ReleaseEntry] = []
    previous_release, previous_digest = "", None
    trees = [(r.version, r.issued, model.at(r.folder)) for r in list_releases(model.root)]
    for version, issued, tree in [*trees, ("working", "", model)]:
        try:
            profile = find_profile(tree, profile_id)
        except ProfileNotFound:
            profile = None
        if profile is None:
            continue
        digest = _shapes_digest(profile)
        change = (
            "added"
            if previous_digest is None
            else "unchanged"
            if digest == previous_digest
            else "changed"
        )
        entries.append(ReleaseEntry(version, issued, profile.version, change, previous_release))
        previous_release, previous_digest = version, digest
    return entries


def profile_page(select: Select, model: ModelFiles, profile_id: str) -> ProfilePage | None:
    """The page of the working tree's profile ``profile_id``; ``None`` when there is none."""
    profile = find_profile(model, profile_id)
    if profile is None:
        return None
    graphs = [
        model.graph_iri(PurePosixPath(path.relative_to(model.root).as_posix()))
        for path in profile.shapes_files
    ]
    statements = graph_statements(select, graphs)
    tables = (
        _tabular(profile, select, statements)
        if profile.table_schemas()
        else _node_shapes(profile, select, statements)
    )
    names = labels_of(
        select,
        set(profile.standards) | {model.term_iri(f"def/domain/{d}") for d in profile.domains},
    )
    fmt = input_format(profile.input_kind)
    templates = profile.table_schemas()
    return ProfilePage(
        id=profile.id,
        iri=profile.iri,
        version=profile.version,
        status=profile.status,
        title=_texts(profile.title),
        description=_texts(profile.description),
        edition=_texts(profile.edition),
        sources=list(profile.sources),
        standards=[names[s] for s in profile.standards if s in names],
        domains=[names[i] for i in sorted(names) if i not in profile.standards],
        input_title=fmt.title,
        input_suffixes=list(fmt.suffixes),
        template=""
        if not templates
        else "template.csv"
        if len(templates) == 1 and templates[0].url is None
        else "template.zip",
        tables=tables,
        examples=example_files(profile),
        history=profile_history(model, profile.id),
    )
