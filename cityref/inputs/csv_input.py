"""CSV to RDF through a profile's CSVW table schema, one subject per row, one triple per cell.

Blank cells make no triple (so a required column shows as sh:minCount). A cell whose text is
a valid lexical form of the column's datatype becomes a typed literal; any other text stays a
plain string, so sh:datatype reports it with its row and column instead of the parse failing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.inputs.csv_header import HeaderFinding, TableSchema, match_header
from cityref.inputs.encoding import decode_text
from cityref.inputs.model import (
    COMMON,
    RDF_TYPE,
    XSD,
    Converted,
    InputFormat,
    input_error,
    row_iri,
)

# Header findings become triples on the header row (row 1); shapes/common/tabular.ttl reports
# them, so they come out in the same report, with the same severities, as every other result.
FINDING_PREDICATES = {
    "missing": COMMON + "missingColumn",
    "missing-optional": COMMON + "absentOptionalColumn",
    "unknown": COMMON + "unknownColumn",
    "misspelt": COMMON + "misspeltColumn",
}
HEADER_CLASS = COMMON + "Header"
EXTRA_CELLS = COMMON + "extraCells"
EXTRA_CELLS_COLUMN = "（見出しのないセル）"

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_LEXICAL: dict[str, tuple[str, Callable[[str], bool]]] = {
    "decimal": ("decimal", lambda t: bool(_DECIMAL.match(t))),
    "number": ("decimal", lambda t: bool(_DECIMAL.match(t))),
    "integer": ("integer", lambda t: bool(_INTEGER.match(t))),
    "date": ("date", lambda t: bool(_DATE.match(t)) and _valid_date(t)),
    "dateTime": ("dateTime", lambda t: bool(_DATETIME.match(t)) and _valid_datetime(t)),
}


def cell_literal(text: str, datatype: str) -> Literal:
    """The literal for a cell: typed when its text is valid for the datatype, else a string."""
    rule = _LEXICAL.get(datatype)
    if rule is not None and rule[1](text):
        return Literal(text, datatype=NamedNode(XSD + rule[0]))
    return Literal(text)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def ntriples_literal(text: str, datatype: str) -> str:
    """The N-Triples form of :func:`cell_literal` (typed when valid, else a plain string)."""
    quoted = '"' + text.translate(_ESCAPES) + '"'
    rule = _LEXICAL.get(datatype)
    if rule is not None and rule[1](text):
        return f"{quoted}^^<{XSD}{rule[0]}>"
    return quoted


def read_rows(data: bytes, name: str) -> tuple[list[list[str]], str]:
    """The rows of a CSV file (header first) and its encoding; errors name the line."""
    text, encoding = decode_text(data, name)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise input_error(
            f"CSVとして読めません: {exc}", f"not readable as CSV: {exc}", name, None
        ) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise input_error(
            "見出し行がありません（1行目が空です）",
            "there is no header row (row 1 is empty)",
            name,
            1,
        )
    return rows, encoding


def convert_csv(data: bytes, name: str, schema: TableSchema) -> Converted:
    """RDF for a CSV file read through ``schema``; header problems become findings."""
    rows, encoding = read_rows(data, name)
    header = rows[0]
    match = match_header(header, schema)
    triples: list[Triple] = []
    # Columns absent from the header still name their results (a required column's MinCount).
    columns: dict[str, str] = {c.property_url: c.title for c in schema.columns}
    columns[EXTRA_CELLS] = EXTRA_CELLS_COLUMN
    header_node = NamedNode(row_iri(name, 1))
    triples.append(Triple(header_node, NamedNode(RDF_TYPE), NamedNode(HEADER_CLASS)))
    triples.extend(finding_triples(header_node, match.findings))
    # Rows are written as N-Triples text directly: building a pyoxigraph term per cell costs
    # more than the validation of the cell (bench/csv_validate.py).
    props: list[tuple[int, str, str] | None] = []
    for i, col in enumerate(match.columns):
        if col is None:
            props.append(None)
            continue
        props.append((i, f" <{col.property_url}> ", col.datatype))
        columns[col.property_url] = header[i].strip() or col.title
    type_line = f" <{RDF_TYPE}> <{schema.row_class}> .\n" if schema.row_class else None
    extra = f" <{EXTRA_CELLS}> "
    base = row_iri(name, 0)[: -len("0")]
    lines: list[str] = []
    count = len(triples)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines are not records
        subject = f"<{base}{number}>"
        if type_line is not None:
            lines.append(subject + type_line)
        for prop in props:
            if prop is None:
                continue
            i, pred, datatype = prop
            if i < len(cells) and cells[i] != "":
                lines.append(subject + pred + ntriples_literal(cells[i], datatype) + " .\n")
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            lines.append(f'{subject}{extra}"{len(cells)}" .\n')
    count += len(lines)
    head = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    return Converted(
        name=name,
        format=InputFormat.CSV,
        ntriples=head + "".join(lines).encode("utf-8"),
        triple_count=count,
        columns=columns,
        encoding=encoding,
    )


def finding_triples(node: NamedNode, findings: tuple[HeaderFinding, ...]) -> list[Triple]:
    """Triples stating header findings on the header row's node (value: the column name)."""
    out: list[Triple] = []
    for f in findings:
        if f.kind == "misspelt":
            text = f"{f.found} → {f.expected}"
        else:
            text = (f.found if f.kind == "unknown" else f.expected) or ""
        out.append(Triple(node, NamedNode(FINDING_PREDICATES[f.kind]), Literal(text)))
    return out
