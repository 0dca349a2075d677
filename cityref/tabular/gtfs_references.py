"""The references between the files of a GTFS feed, read from the profile's CSVW table group
and checked on the feed's key columns alone (see :mod:`cityref.tabular.references`).

A table's aboutUrl (``#trip={trip_id}``) names its rows' nodes, a column's valueUrl
(``#route={route_id}``) names the node its cell refers to, and ``definesClass`` gives the
nodes a column mentions a class (calendar_dates.txt service_id: a service): exactly what
:func:`cityref.inputs.gtfs_input.convert_gtfs` makes of them, so the anti-joins find the
cells whose node has no class the shape expects. The files are read twice, chunk by chunk:
first the naming columns (only their distinct keys are kept), then the referring ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import polars as pl

from cityref.inputs.csv_header import TableSchema, match_header
from cityref.inputs.model import input_iri, row_iri
from cityref.tabular.reading import Chunk, CsvChunks
from cityref.tabular.references import (
    NAME,
    ROW,
    VALUE,
    Link,
    Minting,
    Naming,
    ReferenceCheck,
    compile_references,
    dangling,
    key_frame,
)
from cityref.validation.graph import Graph
from cityref.validation.model import Result
from cityref.validation.shapes import ShapesGraph
from cityref.validation.terms import Term, sh

_SINGLE = re.compile(r"^(#[^{}]*)\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def node_template(template: str | None) -> tuple[str, str] | None:
    """(prefix, column) of a template naming a node by one cell (``#stop={stop_id}``)."""
    m = _SINGLE.match(template or "")
    return (m.group(1), m.group(2)) if m else None


def links_and_namings(tables: Sequence[TableSchema]) -> tuple[list[Link], list[Naming]]:
    """The columns that refer to nodes (links) and the columns that name nodes (namings)
    of a table group; a template the joins cannot follow names nothing here, and the shapes
    on it stay with the SPARQL path."""
    links: list[Link] = []
    namings: list[Naming] = []
    for table in tables:
        file = table.url or ""
        about = node_template(table.about_url)
        if about is not None and table.row_class:
            namings.append(Naming(file, about[1], about[0], frozenset({table.row_class})))
        for col in table.columns:
            value = node_template(col.value_url)
            if value is None or value[1] != col.name:
                continue
            focus = about[0] if about is not None else None
            links.append(Link(file, col.name, col.property_url, value[0], table.row_class, focus))
            if col.defines:
                namings.append(Naming(file, col.name, value[0], frozenset({col.defines})))
    return links, namings


def feed_minting(name: str) -> Minting:
    """The IRIs :func:`convert_gtfs` gives the nodes and rows of the feed ``name``."""
    base = input_iri(name)
    return Minting(
        node=lambda prefix, key: base + prefix + quote(key, safe=""),
        row=lambda file, row: row_iri(f"{name}/{file}", row),
    )


@dataclass(frozen=True)
class FeedFile:
    """One file of the feed as the adapter reads it: its table, header and chunks."""

    path: str  # feed.zip/stops.txt, as locations name it
    table: TableSchema
    reader: CsvChunks
    positions: dict[str, int]  # a column's name -> the header position it is read from

    @staticmethod
    def read(name: str, data: bytes, table: TableSchema, max_columns: int | None) -> FeedFile:
        """The file ``table.url`` of the feed ``name`` (its header read and matched)."""
        path = f"{name}/{table.url}"
        reader = CsvChunks(data, path, max_columns)
        match = match_header([h.strip() for h in reader.header], table)
        positions = {c.name: i for i, c in enumerate(match.columns) if c is not None}
        return FeedFile(path, table, reader, positions)

    @property
    def file(self) -> str:
        return self.table.url or ""

    def column(self, chunk: Chunk, name: str) -> pl.Series:
        """A column's cells in a chunk (all "" when the header lacks it)."""
        at = self.positions.get(name)
        if at is None:
            return pl.Series(VALUE, [""] * chunk.cells.height, dtype=pl.String)
        return chunk.cells[f"c{at}"]


@dataclass
class RowNames:
    """The nodes a file's rows name (aboutUrl), chunk after chunk: the first row with a key
    is that node; a later row with it is a duplicate and stays its own row."""

    prefix: str
    column: str
    first_rows: dict[str, int] = field(default_factory=dict)  # key -> its first row
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (row, key)

    def name(self, rows: pl.Series, keys: pl.Series) -> pl.Series:
        """The key naming each row's node when the row is the first with it, else null."""
        seen = pl.Series(list(self.first_rows), dtype=pl.String)
        value = pl.col(VALUE)
        first = (value != "") & value.is_first_distinct() & ~value.is_in(seen.implode())
        marked = pl.DataFrame({ROW: rows, VALUE: keys}).with_columns(first=first)
        for row, key in marked.filter(pl.col("first")).select(ROW, VALUE).iter_rows():
            self.first_rows[key] = row
        again = marked.filter(~pl.col("first") & (value != ""))
        self.duplicates.extend(again.select(ROW, VALUE).iter_rows())
        return marked.select(pl.when(pl.col("first")).then(value).alias(NAME)).to_series()

    def by_row(self) -> dict[int, str]:
        """The key of each first row."""
        return {row: key for key, row in self.first_rows.items()}


@dataclass
class FeedReferences:
    """The reference checks of a feed, the keys they join with, and the shapes they cover."""

    checks: list[ReferenceCheck]
    covered: set[Term]
    uncovered: set[Term]  # sh:class shapes on a link the joins cannot take
    mint: Minting
    keys: dict[tuple[str, str], pl.DataFrame] = field(default_factory=dict)
    _joined: dict[int, pl.DataFrame] = field(default_factory=dict)  # a check's keys, by index

    @staticmethod
    def compile(
        name: str, tables: Sequence[TableSchema], shapes: ShapesGraph, hierarchy: Sequence[Graph]
    ) -> FeedReferences:
        """The checks of ``shapes`` on the links of ``tables``."""
        links, namings = links_and_namings(tables)
        checks, covered = compile_references(shapes, links, namings, hierarchy)
        linked = {c.property_url for t in tables for c in t.columns if c.value_url}
        on_links = {
            s for s, o in shapes.graph.pairs(sh("path")) if getattr(o, "value", "") in linked
        }
        uncovered: set[Term] = {s for s, _ in shapes.graph.pairs(sh("class")) if s in on_links}
        uncovered -= covered
        return FeedReferences(checks, covered, uncovered, feed_minting(name))

    def read_keys(self, files: Mapping[str, FeedFile]) -> None:
        """The distinct keys of every naming column the checks join with (first pass)."""
        need: dict[str, set[str]] = {}
        for check in self.checks:
            for n in check.sources:
                need.setdefault(n.file, set()).add(n.column)
        for file, columns in need.items():
            found: dict[str, list[pl.Series]] = {c: [] for c in columns}
            feed_file = files.get(file)
            if feed_file is not None:
                for chunk in feed_file.reader.chunks():
                    for column in columns:
                        cells = feed_file.column(chunk, column)
                        found[column].append(cells.filter(cells != "").unique())
            for column, parts in found.items():
                self.keys[(file, column)] = key_frame(parts)

    def check_chunk(
        self, feed_file: FeedFile, chunk: Chunk, names: pl.Series | None
    ) -> list[tuple[int, Result]]:
        """The dangling references of one chunk of a file (second pass), with their rows;
        ``names`` are the keys naming the chunk's rows' own nodes (see :class:`RowNames`)."""
        results: list[tuple[int, Result]] = []
        rows = chunk.cells["row"]
        if names is None:
            names = pl.Series(NAME, [None] * len(rows), dtype=pl.String)
        for i, check in enumerate(self.checks):
            if check.link.file != feed_file.file:
                continue
            cells = pl.DataFrame(
                {ROW: rows, NAME: names, VALUE: feed_file.column(chunk, check.link.column)}
            ).filter(pl.col(VALUE) != "")
            if i not in self._joined:
                sources = (self.keys[(n.file, n.column)][VALUE] for n in check.sources)
                self._joined[i] = key_frame(sources)
            results += dangling(check, cells, self._joined[i], self.mint)
        return results
