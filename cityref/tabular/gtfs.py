"""GTFS feeds checked by the column engine, file by file: each file's row-local constraints as
column checks on its chunks (as a CSV file's), the references between files as anti-joins on
their key columns (:mod:`cityref.tabular.gtfs_references`), and what is left (header
findings, duplicate ids, missing files, SHACL-SPARQL across files such as "every stop name
has a reading") by the SPARQL engine on just the triples it needs. The report and the
locations are those :func:`cityref.inputs.gtfs_input.convert_gtfs` and the SPARQL path give.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import unquote

import polars as pl
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.inputs.csv_header import HeaderFinding, TableSchema, match_header
from cityref.inputs.csv_input import (
    EXTRA_CELLS,
    EXTRA_CELLS_COLUMN,
    FINDING_PREDICATES,
    HEADER_CLASS,
    filled_positions,
    finding_triples,
    ntriples_literal,
)
from cityref.inputs.gtfs_input import DUPLICATE_ID, DUPLICATE_ID_COLUMN, MISSING_FILE
from cityref.inputs.limits import InputLimits, read_members
from cityref.inputs.model import INPUT_BASE, RDF_TYPE, CellTexts, Converted, Location, row_iri
from cityref.store.sources import ModelFiles
from cityref.tabular.compiler import TableChecks, compile_table_checks
from cityref.tabular.components import Column
from cityref.tabular.engine import TableRun, column_report
from cityref.tabular.gtfs_references import FeedFile, FeedReferences, RowNames, node_template
from cityref.tabular.reading import Chunk, CsvChunks
from cityref.tabular.rows import KeptRows, row_local_parameters, superclasses
from cityref.validation import Document, Report, ValidationOptions, validate_documents
from cityref.validation.errors import ValidationTimeout
from cityref.validation.graph import Graph
from cityref.validation.loading import check_input as check_size
from cityref.validation.loading import read_graph
from cityref.validation.model import Result
from cityref.validation.options import Engine
from cityref.validation.progress import report as report_progress
from cityref.validation.progress import unreported
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import SH, Subject, Term, sh

# What a shape says that is no work for the engine (the rest is a constraint to check).
_NO_WORK = {sh(p) for p in ("message", "severity", "name", "description", "order", "group")}
_NO_WORK |= {sh(p) for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")}


class _NeedsGraph(Exception):
    """Nodes named by cells that only the graph has right (a reference the joins cannot
    take, a SPARQL constraint reading a column that names nodes)."""


def _rebased(table: TableSchema, model: ModelFiles) -> TableSchema:
    """The table with its IRIs under the model's base, as the shapes name them."""
    columns = tuple(
        replace(
            c,
            property_url=model.rebase_iri(c.property_url),
            defines=model.rebase_iri(c.defines) if c.defines else None,
        )
        for c in table.columns
    )
    row_class = model.rebase_iri(table.row_class) if table.row_class else None
    return replace(table, columns=columns, row_class=row_class)


def _without(graph: Graph, shapes: set[Term]) -> Graph:
    """The shapes graph without ``shapes`` (the joins check them) nor the links to them."""
    out = Graph()
    for s, p, o in graph.triples():
        if s not in shapes and not (p == sh("property") and o in shapes):
            out.add(s, p, o)
    return out


Index = dict[Term, list[tuple[NamedNode, Term]]]


def _index(graph: Graph) -> Index:
    """Each subject's (predicate, object) pairs."""
    out: Index = {}
    for s, p, o in graph.triples():
        out.setdefault(s, []).append((p, o))
    return out


def _closure(index: Index, starts: Iterable[Term]) -> Graph:
    """The description of ``starts`` and of every node it reaches (nested shapes, lists)."""
    out = Graph()
    todo, seen = list(starts), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in index.get(node, ()):
            out.add(node, p, o)  # type: ignore[arg-type]
            todo.append(o)
    return out


def _working(graph: Graph, index: Index, present: set[Term]) -> list[Shape]:
    """The targeted shapes of ``graph`` that still have a constraint (or property) to check
    and may have focus nodes: a shape that targets only classes no node of the feed has
    (those of files the zip lacks) has none."""
    out: list[Shape] = []
    for shape in ShapesGraph(graph).targeted_shapes():
        t = shape.targets
        only_classes = t.classes and not (t.nodes or t.subjects_of or t.objects_of)
        if only_classes and not present.intersection(t.classes):
            continue
        said = {p for p, _ in index.get(shape.node, ()) if p.value.startswith(SH)}
        if said - _NO_WORK - {sh("path"), sh("deactivated")}:
            out.append(shape)
    return out


def _mentions(graph: Graph, shapes: Iterable[Shape]) -> tuple[set[str], str]:
    """The IRIs and the literal text (SPARQL) of the shapes' descriptions, nested ones too."""
    described = _closure(_index(graph), (s.node for s in shapes))
    iris = {o.value for _, _, o in described.triples() if isinstance(o, NamedNode)}
    texts = " ".join(o.value for _, _, o in described.triples() if isinstance(o, Literal))
    return iris, texts


@dataclass
class _File:
    """One file of the feed under check: how it is read, its checks, its run."""

    feed: FeedFile
    checks: TableChecks
    names: RowNames | None
    run: TableRun | None = None

    @property
    def runner(self) -> TableRun:
        """The file's run (once :func:`_check_file` has started it)."""
        assert self.run is not None, "the file has not been checked"
        return self.run

    def run_lines(self) -> list[bytes]:
        """The triples the run left for the SPARQL engine (rows, extra cells)."""
        return self.runner.remaining_lines


def _compile_file(
    feed: FeedFile,
    shapes: ShapesGraph,
    index: Index,
    hierarchy: Sequence[Graph],
    declared: dict[NamedNode, bool],
) -> tuple[_File, set[tuple[Subject, NamedNode, Term]]]:
    """The column checks of one file for its header, and the triples of the shapes graph
    they take over. The compiler gets only the shapes that target the file's rows (and the
    constraint components they may use): it copies what it gets, twice."""
    table = feed.table
    by_name = {c.name: c for c in table.columns}
    positions = {by_name[n].property_url: i for n, i in feed.positions.items()}
    classes = superclasses(table.row_class, hierarchy) if table.row_class else set()
    starts = [s for s, _ in shapes.graph.pairs(sh("parameter"))]
    for shape in shapes.targeted_shapes():
        t = shape.targets
        only_classes = t.classes and not (t.nodes or t.subjects_of or t.objects_of)
        if only_classes and all(c in classes for c in t.classes):
            starts.append(shape.node)
    own = _closure(index, starts)
    checks = compile_table_checks(ShapesGraph(own), table, positions, classes, declared)
    taken = set(own.triples()) - set(checks.remaining.triples())
    about = node_template(table.about_url) if table.row_class else None
    names = RowNames(about[0], about[1]) if about else None
    return _File(feed, checks, names), taken


def _needs_rows(
    files: Sequence[_File],
    remaining: Graph,
    tables: Sequence[TableSchema],
    hierarchy: Sequence[Graph],
    header_class: str,
) -> None:
    """Each file gives the SPARQL engine the rows and columns the remaining shapes read:
    the rows of the files they target and the columns they mention (in SPARQL text too).
    A mentioned column that names nodes would need them as IRIs: the graph's business."""
    rows: set[Term] = set(superclasses(header_class, hierarchy))
    defined: set[Term] = set()  # classes of the nodes a column defines (services, shapes)
    for f in files:
        table = f.feed.table
        rows |= superclasses(table.row_class, hierarchy) if table.row_class else set()
        for cls in (c.defines for c in table.columns if c.defines):
            defined |= superclasses(cls, hierarchy)
    working = _working(remaining, _index(remaining), rows | defined)
    targeted = {c for shape in working for c in shape.targets.classes}
    if targeted & (defined - rows):  # nodes the rows' triples do not make
        raise _NeedsGraph(", ".join(sorted(str(c) for c in targeted & defined)))
    iris, texts = _mentions(remaining, working)

    def mentioned(iri: str) -> bool:
        return iri in iris or f"<{iri}>" in texts

    links = [c.property_url for t in tables for c in t.columns if c.value_url]
    if any(mentioned(p) for p in links):
        raise _NeedsGraph(", ".join(p for p in links if mentioned(p)))
    for f in files:
        cols: list[Column] = [c for p, c in f.checks.columns.items() if mentioned(p)]
        row_class = f.feed.table.row_class
        classes = superclasses(row_class, hierarchy) if row_class else set()
        f.checks.remaining_columns = tuple(cols)
        f.checks.remaining_needs_rows = bool(cols) or bool(classes & targeted)


def check_gtfs_columns(
    data: bytes,
    name: str,
    tables: Sequence[TableSchema],
    shapes: Document,
    options: ValidationOptions,
    *,
    model: ModelFiles,
    ontology: Document | None = None,
    limits: InputLimits | None = None,
) -> tuple[Report, Converted] | None:
    """Validate a GTFS zip read through the profile's table group against ``shapes`` with
    the column engine: the results and locations of the SPARQL path, with a
    :class:`Converted` that keeps only the cells of rows with results. None when the
    profile's shapes need the graph for the nodes cells name (the SPARQL path then)."""
    try:
        return _check_feed(data, name, tables, shapes, options, model, ontology, limits)
    except _NeedsGraph:
        return None


def _check_feed(
    data: bytes,
    name: str,
    tables: Sequence[TableSchema],
    shapes: Document,
    options: ValidationOptions,
    model: ModelFiles,
    ontology: Document | None,
    limits: InputLimits | None,
) -> tuple[Report, Converted]:
    started = time.perf_counter()
    limits = limits or InputLimits()
    check_size(data, RdfFormat.N_TRIPLES, name, options.max_input_bytes)  # the zip itself
    graph = read_graph(shapes.data, shapes.format, name=shapes.name, max_bytes=None)
    onto = read_graph(ontology.data, ontology.format, name=ontology.name) if ontology else None
    hierarchy = [g for g in (graph, onto) if g is not None]
    tables = [_rebased(t, model) for t in tables]
    refs = FeedReferences.compile(name, tables, ShapesGraph(graph), hierarchy)
    if refs.uncovered:
        raise _NeedsGraph(", ".join(sorted(str(s) for s in refs.uncovered)))
    pruned = _without(graph, refs.covered)
    declared = row_local_parameters(pruned)
    members, unread = read_members(data, name, {t.url for t in tables if t.url}, limits)
    feed: dict[str, FeedFile] = {
        t.url: FeedFile.read(name, members[t.url], t, limits.max_csv_columns)
        for t in tables
        if t.url in members
    }
    del members
    pruned_shapes, index = ShapesGraph(pruned), _index(pruned)
    files: list[_File] = []
    taken: set[tuple[Subject, NamedNode, Term]] = set()
    for feed_file in feed.values():
        compiled, took = _compile_file(feed_file, pruned_shapes, index, hierarchy, declared)
        files.append(compiled)
        taken |= took
    remaining = Graph()
    for t in pruned.triples():
        if t not in taken:
            remaining.add(*t)
    _needs_rows(files, remaining, tables, hierarchy, model.rebase_iri(HEADER_CLASS))
    refs.read_keys(feed)
    found: list[Result] = []
    lines: list[bytes] = []
    extra_cells = model.rebase_iri(EXTRA_CELLS)
    progress = _FeedProgress(sum(len(f.feed.reader.data) for f in files))
    for f in files:
        found += _check_file(f, refs, hierarchy, extra_cells, options.time_limit, started, progress)
        lines += [_head_lines(f, model), *f.run_lines(), _duplicate_lines(f, refs, model)]
    lines.append(_missing_lines(name, tables, feed, model))
    if options.time_limit is not None:  # what is left of the time, for the SPARQL engine
        left = max(options.time_limit - (time.perf_counter() - started), 0.1)
        options = replace(options, time_limit=left)
    rest = _remaining(b"".join(lines), remaining, options, ontology)
    subjects = {
        refs.mint.node(f.names.prefix, key): Location(f.feed.path, row=row)
        for f in files
        if f.names is not None
        for key, row in f.names.first_rows.items()
    }
    rest = replace(rest, results=tuple(_renamed(list(rest.results), files, refs)))
    _keep_rows(files, [*found, *rest.results], subjects)
    rows = sum(f.runner.rows for f in files)
    focus = rows + len(files) + len(subjects)  # rows, headers, and the nodes ids name
    # In the order of the files and their rows, as for a CSV file (see column_report).
    files_order = {f"{name}/{t.url}": i for i, t in enumerate(tables)}

    def order(result: Result) -> tuple[int, int]:
        at = _row(result, subjects)
        return (files_order.get(at[0], len(tables)), at[1]) if at else (-1, 0)

    report = column_report(found, rest, (graph, onto), options, started, (rows, focus), order)
    return report, _converted(name, tables, files, unread, subjects, model)


@dataclass
class _FeedProgress:
    """Rows read in the feed so far, and the feed's rows estimated from the share of its
    files' bytes decoded (exact once the last file is read)."""

    total_bytes: int
    records: int = 0  # of the files read to the end
    bytes: int = 0

    def report(self, run: TableRun, reader: CsvChunks, finished: bool = False) -> None:
        done = self.records + run.records
        decoded = self.bytes + reader.bytes_read
        total = round(done * self.total_bytes / decoded) if done and decoded else None
        report_progress("check", done, total)
        if finished:
            self.records, self.bytes = done, self.bytes + len(reader.data)


def _check_file(
    f: _File,
    refs: FeedReferences,
    hierarchy: Sequence[Graph],
    extra_cells: str,
    limit: float | None,
    started: float,
    progress: _FeedProgress,
) -> list[Result]:
    """The column checks and the references of one file, chunk by chunk (the results of
    the column checks name the rows; those of the first rows with an id are renamed);
    past ``limit`` seconds since ``started``, :class:`ValidationTimeout`."""
    feed = f.feed
    untitled = filled_positions(_header_findings(feed), lambda _: True)
    row_class = feed.table.row_class
    run = f.run = TableRun(feed.path, f.checks, row_class, hierarchy, extra_cells, untitled)
    found: list[Result] = []
    for chunk in feed.reader.chunks():
        run.check(chunk)
        names = None
        if f.names is not None:
            names = f.names.name(chunk.cells["row"], feed.column(chunk, f.names.column))
        dangling = refs.check_chunk(feed, chunk, names)
        _keep(run, chunk, {row for row, _ in dangling})
        found += [r for _, r in dangling]
        progress.report(run, feed.reader)
        if limit is not None and time.perf_counter() - started > limit:
            raise ValidationTimeout(limit)
    progress.report(run, feed.reader, finished=True)
    return _renamed(run.results, [f], refs) + found


def _keep(run: TableRun, chunk: Chunk, rows: set[int]) -> None:
    """Keep the cells of ``rows`` (those of the chunk) for the report's values."""
    if not rows:
        return
    width = chunk.cells.width - 2  # the header's cells, then row and extra
    for cells in chunk.cells.filter(pl.col("row").is_in(list(rows))).iter_rows():
        run.kept[cells[width]] = list(cells[:width])


def _renamed(results: list[Result], files: Sequence[_File], refs: FeedReferences) -> list[Result]:
    """Results on the rows of files with ids, on the node the first row with an id is
    (``…#trip=T1``), as convert_gtfs names it."""
    names = {
        row_iri(f.feed.path, row): refs.mint.node(f.names.prefix, key)
        for f in files
        if f.names is not None
        for key, row in f.names.first_rows.items()
    }
    if not names:
        return results
    out: list[Result] = []
    for r in results:
        node = names.get(r.focus.value) if isinstance(r.focus, NamedNode) else None
        if node is None:
            out.append(r)
            continue
        value = NamedNode(node) if r.value == r.focus else r.value
        out.append(replace(r, focus=NamedNode(node), value=value))
    return out


def _row(result: Result, subjects: dict[str, Location]) -> tuple[str, int] | None:
    """(file, row) of a result's focus node."""
    iri = result.focus.value if isinstance(result.focus, NamedNode) else ""
    known = subjects.get(iri)
    if known is not None and known.row is not None:
        return known.file, known.row
    file, _, row = iri.rpartition("#row=")
    return (unquote(file.removeprefix(INPUT_BASE)), int(row)) if row.isdigit() else None


def _keep_rows(
    files: Sequence[_File], results: Sequence[Result], subjects: dict[str, Location]
) -> None:
    """Keep the cells of the rows the SPARQL engine found results on: read again, only the
    files that have such rows."""
    wanted: dict[str, set[int]] = {}
    for r in results:
        at = _row(r, subjects)
        if at is not None:
            wanted.setdefault(at[0], set()).add(at[1])
    for f in files:
        rows = wanted.get(f.feed.path, set()) - set(f.runner.kept)
        rows.discard(1)
        if rows:
            for chunk in f.feed.reader.chunks():
                _keep(f.runner, chunk, rows)


def _head_lines(f: _File, model: ModelFiles) -> bytes:
    """The header row's node and findings, as convert_gtfs writes them (GTFS leaves most
    fields optional and feeds routinely omit them: no finding for those)."""
    node = NamedNode(row_iri(f.feed.path, 1))
    head = [Triple(node, NamedNode(RDF_TYPE), NamedNode(HEADER_CLASS))]
    head += finding_triples(node, _header_findings(f.feed), filled=f.runner.filled_untitled)
    return model.rebase(serialize(head, format=RdfFormat.N_TRIPLES) or b"")


def _header_findings(feed: FeedFile) -> tuple[HeaderFinding, ...]:
    """The findings of a file's header but the absent optional columns."""
    header = [h.strip() for h in feed.reader.header]
    match = match_header(header, feed.table)
    return tuple(x for x in match.findings if x.kind != "missing-optional")


def _duplicate_lines(f: _File, refs: FeedReferences, model: ModelFiles) -> bytes:
    """A row whose id an earlier row has, as convert_gtfs states it (common:duplicateId)."""
    if f.names is None:
        return b""
    predicate = model.rebase_iri(DUPLICATE_ID)
    out: list[str] = []
    for row, key in f.names.duplicates:
        text = refs.mint.node(f.names.prefix, key).split("#")[-1]
        text = f"{text} (row {f.names.first_rows[key]})"
        subject = row_iri(f.feed.path, row)
        out.append(f"<{subject}> <{predicate}> {ntriples_literal(text, 'string')} .\n")
    return "".join(out).encode()


def _missing_lines(
    name: str, tables: Sequence[TableSchema], feed: dict[str, FeedFile], model: ModelFiles
) -> bytes:
    """The required files the zip does not have (common:missingFile)."""
    triples = [
        Triple(
            NamedNode(row_iri(f"{name}/{t.url}", 1)),
            NamedNode(model.rebase_iri(MISSING_FILE)),
            Literal(t.url or ""),
        )
        for t in tables
        if (t.url or "") not in feed and t.required_file
    ]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def _remaining(
    data: bytes, shapes: Graph, options: ValidationOptions, ontology: Document | None
) -> Report:
    """The SPARQL engine on the remaining shapes and the triples they need."""
    triples = [Triple(s, p, o) for s, p, o in shapes.triples()]
    shapes_data = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    with unreported():  # the column engine's progress is the user's; this part is small
        return validate_documents(
            [Document(data, "ntriples", "<feed rows>", canonical=True)],
            Document(shapes_data, "ntriples", "<remaining shapes>"),
            replace(options, engine=Engine.COMPILED, max_results=None, max_input_bytes=None),
            ontology=ontology,
        )


def _converted(
    name: str,
    tables: Sequence[TableSchema],
    files: Sequence[_File],
    unread: set[str],
    subjects: dict[str, Location],
    model: ModelFiles,
) -> Converted:
    """What convert_gtfs would say of the feed, with only the cells of rows with results."""
    columns = {c.property_url: c.title for t in tables for c in t.columns}
    columns[model.rebase_iri(EXTRA_CELLS)] = EXTRA_CELLS_COLUMN
    columns[model.rebase_iri(DUPLICATE_ID)] = DUPLICATE_ID_COLUMN
    findings = {*FINDING_PREDICATES.values(), MISSING_FILE}
    cells: dict[str, CellTexts] = {}
    for f in files:
        at = f.feed.positions
        titles = {c.title: at[c.name] for c in f.feed.table.columns if c.name in at}
        rows = KeptRows(f.feed.reader.header, f.runner.kept, f.runner.records + 1)
        cells[f.feed.path] = CellTexts(titles, rows)
    return Converted(
        name=name,
        format="gtfs",
        ntriples=b"",
        triple_count=sum(f.runner.triples for f in files),
        columns=columns,
        subjects=subjects,
        findings_naming_column=frozenset(model.rebase_iri(p) for p in findings),
        notes=[
            f"{f}: not part of the profile, not read / プロファイルにないファイルのため読みません"
            for f in sorted(unread)
        ],
        base_iri=model.base_iri,
        checked={f.feed.path: f.runner.rows for f in files},
        cells=cells,
    )
