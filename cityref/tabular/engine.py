"""The column engine: a CSV file checked chunk by chunk with the compiled column checks, the
rest by the SPARQL engine on just the triples it needs; one :class:`Report` as the SPARQL
path makes it, and a :class:`Converted` holding only the cells of rows with results."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import polars as pl
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Triple, serialize

from cityref.inputs.csv_header import TableSchema, match_header
from cityref.inputs.csv_input import (
    EXTRA_CELLS,
    EXTRA_CELLS_COLUMN,
    FINDING_PREDICATES,
    HEADER_CLASS,
    _valid_date,
    _valid_datetime,
    filled_positions,
    finding_triples,
    literal_writer,
)
from cityref.inputs.limits import InputLimits
from cityref.inputs.model import RDF_TYPE, XSD, CellTexts, Converted, row_iri
from cityref.store.sources import ModelFiles
from cityref.tabular import reading
from cityref.tabular.compiler import EngineUnit, TableChecks, compile_table_checks
from cityref.tabular.components import Column, ColumnCheck
from cityref.tabular.reading import Chunk, CsvChunks
from cityref.tabular.rows import KeptRows, row_local_parameters, superclasses
from cityref.validation import Document, Report, ValidationOptions, validate_documents
from cityref.validation.api import collect_labels
from cityref.validation.engine import Validator, add_hierarchy, decode_result
from cityref.validation.errors import ValidationTimeout
from cityref.validation.graph import Graph
from cityref.validation.loading import check_input as check_size
from cityref.validation.loading import read_graph
from cityref.validation.model import Focus, Result
from cityref.validation.options import Engine
from cityref.validation.progress import report as report_progress
from cityref.validation.progress import unreported
from cityref.validation.shapes import ShapesGraph
from cityref.validation.terms import encode

_DECIMAL = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_INTEGER = r"^[+-]?[0-9]+$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_SYNTHETIC = "urn:cityref:columns:row:"


def check_csv_columns(
    data: bytes,
    name: str,
    schema: TableSchema,
    shapes: Document,
    options: ValidationOptions,
    *,
    model: ModelFiles,
    ontology: Document | None = None,
    limits: InputLimits | None = None,
) -> tuple[Report, Converted]:
    """Validate a CSV file read through ``schema`` against ``shapes`` (the profile's, as
    :func:`cityref.profiles.conformance.check_input` gives them) with the column engine.

    The results are those the SPARQL path gives for the same file; the returned
    :class:`Converted` has no N-Triples and keeps the cells of the rows with results only.
    ``options.max_input_bytes`` bounds the CSV file itself (there is no RDF document), and
    ``options.time_limit`` is checked after each chunk (:class:`ValidationTimeout`).
    """
    started = time.perf_counter()
    limits = limits or InputLimits()
    check_size(data, RdfFormat.N_TRIPLES, name, options.max_input_bytes)
    graph = read_graph(shapes.data, shapes.format, name=shapes.name, max_bytes=None)
    ontology_graph = (
        read_graph(ontology.data, ontology.format, name=ontology.name) if ontology else None
    )
    reader = CsvChunks(data, name, limits.max_csv_columns)
    header = reader.header
    schema = _rebased(schema, model)
    match = match_header(header, schema)
    positions: dict[str, int] = {}
    names: dict[str, str] = {c.property_url: c.title for c in schema.columns}
    names[model.rebase_iri(EXTRA_CELLS)] = EXTRA_CELLS_COLUMN  # as Converted.rebased has it
    cell_columns: dict[str, int] = {}
    for i, col in enumerate(match.columns):
        if col is not None:
            positions[col.property_url] = i
            names[col.property_url] = header[i].strip() or col.title
            cell_columns.setdefault(names[col.property_url], i)
    row_class = schema.row_class
    shapes_graph = ShapesGraph(graph)
    row_classes = superclasses(row_class, [graph, ontology_graph]) if row_class else set()
    checks = compile_table_checks(
        shapes_graph, schema, positions, row_classes, row_local_parameters(graph)
    )
    extra_cells = model.rebase_iri(EXTRA_CELLS)
    untitled = filled_positions(match.findings, lambda _: True)
    run = TableRun(name, checks, row_class, [graph, ontology_graph], extra_cells, untitled)
    limit = options.time_limit
    for chunk in reader.chunks(reading.CHUNK_ROWS):
        run.check(chunk)
        report_progress("check", run.records, reader.estimated_records(run.records))
        if limit is not None and time.perf_counter() - started > limit:
            raise ValidationTimeout(limit)
    if limit is not None:  # what is left of the time, for the SPARQL engine's part
        options = replace(options, time_limit=max(limit - (time.perf_counter() - started), 0.1))
    header_node = NamedNode(row_iri(name, 1))
    found = finding_triples(header_node, match.findings, filled=run.filled_untitled)
    remaining = _remaining_report(run, header, found, model, options, ontology)
    # In the order of the rows (the header's findings first), so that a report cut at
    # max_results holds the results of the file's first rows.
    report = column_report(
        run.results,
        remaining,
        (graph, ontology_graph),
        options,
        started,
        (run.rows, run.rows + 1),
        _row_of,
    )
    converted = Converted(
        name=name,
        format="csv",
        ntriples=b"",
        triple_count=run.triples + 1 + len(found),
        columns=names,
        encoding=reader.encoding,
        findings_naming_column=frozenset(model.rebase_iri(p) for p in FINDING_PREDICATES.values()),
        base_iri=model.base_iri,
        checked={name: run.rows},
        cells={name: CellTexts(cell_columns, KeptRows(header, run.kept, run.records + 1))},
    )
    return report, converted


def column_report(
    found: list[Result],
    remaining: Report,
    graphs: tuple[Graph, Graph | None],
    options: ValidationOptions,
    started: float,
    counts: tuple[int, int],
    order: Callable[[Result], Any],
) -> Report:
    """The report of the column engine: its results and those of the SPARQL engine on what
    it left (``remaining``) sorted by ``order``, cut at ``options.max_results``, labelled
    from the shapes graph and the ontology (``graphs``); ``counts``: rows, focus nodes."""
    results = sorted([*remaining.results, *found], key=order)
    rows, focus_nodes = counts
    truncated = options.max_results is not None and len(results) > options.max_results
    if truncated:
        results = results[: options.max_results]
    labels = collect_labels(None, graphs[0], results, graphs[1])
    labels.update({k: v for k, v in remaining.labels.items() if k not in labels})
    seconds = time.perf_counter() - started
    return Report(
        conforms=not results,
        results=tuple(results),
        engine=Engine.COLUMNS.value,
        truncated=truncated,
        stats={
            "total_seconds": seconds,
            "validate_seconds": seconds,
            "rows": float(rows),
            "focus_nodes": float(focus_nodes),
        },
        labels=labels,
        base_iri=options.base_iri,
    )


def _rebased(schema: TableSchema, model: ModelFiles) -> TableSchema:
    columns = tuple(
        replace(c, property_url=model.rebase_iri(c.property_url)) for c in schema.columns
    )
    row_class = model.rebase_iri(schema.row_class) if schema.row_class else None
    return replace(schema, columns=columns, row_class=row_class)


class TableRun:
    """One table's check, chunk by chunk: feed :meth:`check` each :class:`Chunk`, then read
    ``results`` (those of the column checks and engine units), ``kept`` (the cells of rows
    with results, by spreadsheet row), ``rows``/``records``/``triples`` (counts) and
    ``remaining_lines`` (N-Triples for the SPARQL engine's part: extra cells, and the rows'
    triples when :attr:`TableChecks.remaining_needs_rows`) and ``filled_untitled`` (the
    positions of ``untitled``, the columns without a header, that have a value)."""

    def __init__(
        self,
        name: str,
        checks: TableChecks,
        row_class: str | None,
        hierarchy: Sequence[Graph | None],
        extra_cells: str,
        untitled: frozenset[int],
    ) -> None:
        self.name = name
        self.extra_cells = extra_cells
        self.untitled = untitled
        self.filled_untitled: set[int] = set()
        self.checks = checks
        self.row_class = row_class
        self.hierarchy = hierarchy
        self.results: list[Result] = []
        self.kept: dict[int, list[str]] = {}
        self.records = 0
        self.rows = 0
        self.triples = 0
        self.remaining_lines: list[bytes] = []
        self._base = row_iri(name, 0)[: -len("0")]

    def check(self, chunk: Chunk) -> None:
        """Check one chunk: its results, its rows kept, its triples for the SPARQL engine."""
        frame = chunk.cells
        self.records += chunk.records
        self.rows += frame.height
        if not frame.height:
            return
        frame = frame.with_columns(_kinds(frame, list(self.checks.columns.values())))
        self._count_triples(frame)
        found: list[tuple[ColumnCheck, int]] = []
        if self.checks.checks:
            broken = frame.select(
                [c.broken.alias(f"b{i}") for i, c in enumerate(self.checks.checks)]
            )
            for i, check in enumerate(self.checks.checks):
                found += [(check, index) for index in broken[f"b{i}"].arg_true().to_list()]
        # Only the rows with results become Python objects.
        indices = sorted({index for _, index in found})
        picked = frame.select(pl.all().gather(indices)).iter_rows(named=True)
        rows = dict(zip(indices, picked, strict=True))
        self.results += [self._result(check, rows[index]) for check, index in found]
        for unit in self.checks.engine_units:
            for index, result in self._engine_unit(unit, frame):
                self.results.append(result)
                rows.setdefault(index, {})
        for position in self.untitled - self.filled_untitled:
            if (frame[f"c{position}"] != "").any():
                self.filled_untitled.add(position)
        extra = frame.filter(pl.col("extra").is_not_null()).select("row", "extra")
        for row, count in extra.iter_rows():
            self._remaining_extra(row, count)
        if self.checks.remaining_needs_rows:
            self._remaining_rows(frame)
        # The cells of rows with results, as CellTexts reads them (the header's width).
        width = chunk.cells.width - 2
        for cells in chunk.cells.select(pl.all().gather(sorted(rows))).iter_rows():
            self.kept[cells[width]] = list(cells[:width])

    def _count_triples(self, frame: pl.DataFrame) -> None:
        filled = frame.select(
            pl.sum_horizontal([(c.present).cast(pl.Int64) for c in self.checks.columns.values()])
            if self.checks.columns
            else pl.lit(0)
        ).to_series()
        typed = frame.height if self.row_class else 0
        self.triples += int(filled.sum()) + typed + int(frame["extra"].is_not_null().sum())

    def _result(self, check: ColumnCheck, row: dict[str, Any]) -> Result:
        focus = NamedNode(f"{self._base}{row['row']}")
        value: NamedNode | Literal | None = focus if check.value_is_row else None
        if check.value is not None:
            at = check.value.position
            value = _literal(row[f"c{at}"], row[f"k{at}"])
        shape = check.shape
        return Result(
            focus=focus,
            path=shape.path,
            value=value,
            severity=shape.severity,
            source_shape=shape.node,
            component=check.component,
            messages=shape.messages,
            detail=check.detail,
        )

    def _engine_unit(self, unit: EngineUnit, frame: pl.DataFrame) -> Iterator[tuple[int, Result]]:
        """The unit's results on the chunk's rows, the SPARQL engine asked once per distinct
        combination of the cells the unit reads."""
        rows = frame.with_row_index("_index")
        if unit.only_rows is not None:
            rows = rows.filter(unit.only_rows)
        if not rows.height:
            return
        keys = ["_all"]
        keys += [f"c{c.position}" for c in unit.columns] + [f"k{c.position}" for c in unit.columns]
        groups = (
            rows.with_columns(_all=pl.lit(0))
            .group_by(keys, maintain_order=True)
            .agg(pl.col("_index"), pl.col("row"))
        )
        store = Store()
        quads: list[Quad] = []
        nodes: list[NamedNode] = []
        for n, group in enumerate(groups.iter_rows(named=True)):
            node = NamedNode(f"{_SYNTHETIC}{n}")
            nodes.append(node)
            if self.row_class:
                quads.append(Quad(node, NamedNode(RDF_TYPE), NamedNode(self.row_class)))
            for col in unit.columns:
                text = group[f"c{col.position}"]
                if text:
                    lit = _literal(text, group[f"k{col.position}"])
                    quads.append(Quad(node, NamedNode(col.predicate), encode(lit)))
        store.extend(quads)
        for g in self.hierarchy:
            if g is not None:
                add_hierarchy(store, g)
        assert self.checks.unit_shapes is not None
        validator = Validator(store, self.checks.unit_shapes)
        shape = self.checks.unit_shapes.shape(unit.shape.node)
        found = validator.check_shape(shape, Focus.of_nodes(nodes))
        by_node = {node: g for node, g in zip(nodes, groups.iter_rows(named=True), strict=True)}
        for raw in found:
            r = decode_result(raw)
            group = by_node[r.focus]  # type: ignore[index]
            for index, row in zip(group["_index"], group["row"], strict=True):
                focus = NamedNode(f"{self._base}{row}")
                value = focus if r.value == r.focus else r.value
                yield int(index), replace(r, focus=focus, value=value)

    def _remaining_extra(self, row: int, count: int) -> None:
        extra = f" <{self.extra_cells}> "
        self.remaining_lines.append(f'<{self._base}{row}>{extra}"{count}" .\n'.encode())

    def _remaining_rows(self, frame: pl.DataFrame) -> None:
        """The triples of the shapes left to the SPARQL engine: every row's type and cells
        of the columns those shapes mention (memory grows with the file for these)."""
        subjects = [f"<{self._base}{r}>" for r in frame["row"].to_list()]
        lines: list[str] = []
        if self.row_class:
            lines.extend(f"{s} <{RDF_TYPE}> <{self.row_class}> .\n" for s in subjects)
        for col in self.checks.remaining_columns:
            write = literal_writer(col.datatype)
            for s, text in zip(subjects, frame[f"c{col.position}"].to_list(), strict=True):
                if text:
                    lines.append(f"{s} <{col.predicate}> {write(text)} .\n")
        self.remaining_lines.append("".join(lines).encode())


def _row_of(result: Result) -> int:
    """The spreadsheet row a result's focus node names (0 when it names none)."""
    _, found, row = str(result.focus.value).rpartition("#row=")
    return int(row) if found and row.isdigit() else 0


def _literal(text: str, kind: str) -> Literal:
    return Literal(text) if kind == "string" else Literal(text, datatype=NamedNode(XSD + kind))


def _kinds(frame: pl.DataFrame, columns: Sequence[Column]) -> list[pl.Expr]:
    """Each column's cell datatype (``k<position>``): as csv_input.cell_literal decides."""
    out = []
    for col in columns:
        text = col.text
        if col.datatype in ("decimal", "number"):
            kind = pl.when(text.str.contains(_DECIMAL)).then(pl.lit("decimal"))
        elif col.datatype == "integer":
            kind = pl.when(text.str.contains(_INTEGER)).then(pl.lit("integer"))
        elif col.datatype in ("date", "dateTime"):
            pattern, valid = (
                (_DATE, _valid_date) if col.datatype == "date" else (_DATETIME, _valid_datetime)
            )
            candidates = frame.select(text.filter(text.str.contains(pattern)).unique()).to_series()
            good = [t for t in candidates.to_list() if valid(t)]
            kind = pl.when(text.is_in(good)).then(pl.lit(col.datatype))
        else:
            out.append(pl.lit("string").alias(f"k{col.position}"))
            continue
        out.append(kind.otherwise(pl.lit("string")).alias(f"k{col.position}"))
    return out


def _remaining_report(
    run: TableRun,
    header: list[str],
    found: list[Triple],
    model: ModelFiles,
    options: ValidationOptions,
    ontology: Document | None,
) -> Report:
    """The SPARQL engine on what the column checks leave: header findings, extra cells, and
    the shapes that are not row-local; ``found`` are the header findings' triples."""
    node = NamedNode(row_iri(run.name, 1))
    head = [Triple(node, NamedNode(RDF_TYPE), NamedNode(HEADER_CLASS)), *found]
    data = model.rebase(serialize(head, format=RdfFormat.N_TRIPLES) or b"") + b"".join(
        run.remaining_lines
    )
    triples = [Triple(s, p, o) for s, p, o in run.checks.remaining.triples()]
    shapes = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    with unreported():  # the column engine's progress is the user's; this part is small
        return validate_documents(
            [Document(data, "ntriples", run.name, canonical=True)],
            Document(shapes, "ntriples", "<remaining shapes>"),
            replace(options, engine=Engine.COMPILED, max_results=None, max_input_bytes=None),
            ontology=ontology,
        )
