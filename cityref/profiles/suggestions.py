"""Suggested corrections that pass the rule: a cell's value as it was probably meant
(trimmed, in half-width digits, with the right dash, ``○`` as ``1``), offered only when the
profile's own shapes accept it.

The candidates come from :func:`cityref.outcome.visible.corrections`; each distinct
(column, candidate) becomes one row of a small graph, typed as the table's rows are and
written as the adapter writes cells, and the profile's shapes validate it with the same
engine. A candidate is suggested when no result falls on its column: sh:in, sh:pattern,
sh:datatype, lengths and SPARQL rules alike, with nothing re-implemented here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pyoxigraph import NamedNode

from cityref.inputs import Converted, LocatedResult
from cityref.inputs.csv_header import Column, TableSchema
from cityref.inputs.csv_input import ntriples_literal
from cityref.inputs.model import RDF_TYPE
from cityref.outcome.model import CellKey
from cityref.outcome.visible import corrections
from cityref.validation import Document, ValidationOptions, validate_documents
from cityref.validation.paths import PredicatePath
from cityref.validation.terms import decode

CANDIDATE_BASE = "urn:cityref:suggestion:"
#: Most distinct (column, candidate) pairs checked: a bound on the extra validation's size
#: (each is a row of two triples); cells past it get no suggestion.
MAX_CANDIDATES = 20_000


def _table_of(file: str, converted: Converted, tables: Sequence[TableSchema]) -> TableSchema | None:
    """The table a file was read through: the one table of a CSV, a GTFS file's by its url."""
    if len(tables) == 1 and file == converted.name:
        return tables[0]
    member = file.removeprefix(converted.name + "/")
    return next((t for t in tables if t.url == member), None)


def _column(table: TableSchema, predicate: str) -> Column | None:
    return next((c for c in table.columns if c.property_url == predicate), None)


def suggested_corrections(
    located: Sequence[LocatedResult],
    converted: Converted,
    tables: Sequence[TableSchema],
    shapes: Document,
    options: ValidationOptions,
    ontology: Document | None = None,
) -> dict[CellKey, str]:
    """For each located result on a cell, the first correction of the cell's text that the
    shapes accept on its column; cells with none are left out."""
    wanted: dict[CellKey, list[tuple[str, str]]] = {}  # cell -> (predicate, candidate)
    rows: dict[tuple[str, str], tuple[str, Column, TableSchema]] = {}
    for item in located:
        where, result = item.location, item.result
        if where is None or where.row is None or where.row < 2 or where.column is None:
            continue
        if result.value is None or not isinstance(result.path, PredicatePath):
            continue
        cells = converted.cells.get(where.file)
        text = cells.cell(where.row, where.column) if cells else None
        table = _table_of(where.file, converted, tables)
        if text is None or table is None:
            continue
        predicate = result.path.iri.value
        column = _column(table, predicate)
        if column is None or column.value_url or not table.row_class:
            continue
        key = (where.file, where.row, where.column)
        for candidate in corrections(text):
            if (predicate, candidate) not in rows and len(rows) >= MAX_CANDIDATES:
                continue
            rows.setdefault((predicate, candidate), (candidate, column, table))
            wanted.setdefault(key, []).append((predicate, candidate))
    if not rows:
        return {}
    nodes = {pair: f"{CANDIDATE_BASE}{n}" for n, pair in enumerate(rows)}
    lines = []
    for pair, (candidate, column, table) in rows.items():
        node = nodes[pair]
        lines.append(f"<{node}> <{RDF_TYPE}> <{table.row_class}> .\n")
        literal = ntriples_literal(candidate, column.datatype)
        lines.append(f"<{node}> <{column.property_url}> {literal} .\n")
    data = Document("".join(lines).encode("utf-8"), "ntriples", "suggestions", canonical=True)
    quiet = replace(options, max_results=None, time_limit=None)
    report = validate_documents([data], shapes, quiet, ontology=ontology)
    failing = {
        (focus.value, r.path.iri.value)
        for r in report.results
        if isinstance(focus := decode(r.focus), NamedNode) and isinstance(r.path, PredicatePath)
    }
    out: dict[CellKey, str] = {}
    for key, pairs in wanted.items():
        for pair in pairs:
            if (nodes[pair], pair[0]) not in failing:
                out[key] = pair[1]
                break
    return out
