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
from collections.abc import Callable, Sequence
from itertools import chain, compress, repeat, zip_longest
from json.encoder import encode_basestring

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.errors import SourceLocation
from cityref.inputs.csv_header import (
    HeaderFinding,
    TableSchema,
    header_known_share,
    header_score,
    match_header,
)
from cityref.inputs.encoding import decode_text
from cityref.inputs.format import (
    Candidate,
    Detection,
    InputFormat,
    ReadInput,
    Upload,
    converted_input,
    no_signature,
)
from cityref.inputs.limits import MAX_CSV_COLUMNS, ExpansionTooLarge, InputLimits
from cityref.inputs.model import (
    COMMON,
    RDF_TYPE,
    XSD,
    CellTexts,
    Converted,
    input_error,
    row_iri,
)
from cityref.text import Bilingual

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

# ASCII digits only: full-width ３５.６ is no xsd:decimal, so it stays text and is reported.
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
_INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$", re.ASCII
)


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


def literal_writer(datatype: str) -> Callable[[str], str]:
    """A function giving the N-Triples form of :func:`cell_literal` for a column's cells.

    JSON's string escapes (quote, backslash, control characters as \\n, \\t or \\u00XX) are
    all N-Triples escapes too, and the C encoder is several times faster than Python code.
    """
    quote: Callable[[str], str] = encode_basestring
    rule = _LEXICAL.get(datatype)
    if rule is None:
        return quote
    suffix = f"^^<{XSD}{rule[0]}>"
    valid = rule[1]
    return lambda text: quote(text) + suffix if valid(text) else quote(text)


def ntriples_literal(text: str, datatype: str) -> str:
    """The N-Triples form of :func:`cell_literal` (typed when valid, else a plain string)."""
    return literal_writer(datatype)(text)


def read_rows(
    data: bytes, name: str, max_columns: int | None = None
) -> tuple[list[list[str]], str]:
    """The rows of a CSV file (header first) and its encoding; errors name the line.
    A row of more than ``max_columns`` cells (default :data:`MAX_CSV_COLUMNS`) is refused."""
    return _read(data, name, max_columns or MAX_CSV_COLUMNS, header_only=False)


def read_header(data: bytes, name: str, max_columns: int | None = None) -> list[str]:
    """The header row of a CSV file alone (profile detection needs no more)."""
    return _read(data, name, max_columns or MAX_CSV_COLUMNS, header_only=True)[0][0]


def _read(
    data: bytes, name: str, max_columns: int, *, header_only: bool
) -> tuple[list[list[str]], str]:
    text, encoding = decode_text(data, name)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows = [next(reader, [])] if header_only else list(reader)
    except csv.Error as exc:
        raise input_error(
            f"CSVとして読めません: {exc}", f"not readable as CSV: {exc}", name, None
        ) from None
    if rows and max(map(len, rows)) > max_columns:
        _refuse_wide_row(rows, name, max_columns)
    if not rows or not any(c.strip() for c in rows[0]):
        raise input_error(
            "見出し行がありません（1行目が空です）",
            "there is no header row (row 1 is empty)",
            name,
            1,
        )
    return rows, encoding


def _refuse_wide_row(rows: list[list[str]], name: str, max_columns: int) -> None:
    """Each cell of a row becomes a triple and may become a finding: a 10,000-column header
    made 10,000 results written in six report files."""
    index, row = next((i, r) for i, r in enumerate(rows) if len(r) > max_columns)
    raise ExpansionTooLarge(
        Bilingual(
            f"{index + 1} 行目のセルが {len(row)} 個あり、上限の {max_columns} 列を超えています",
            f"row {index + 1} has {len(row)} cells, more than the limit of {max_columns} columns",
        ),
        SourceLocation(name, index + 1),
    )


def convert_csv(
    data: bytes, name: str, schema: TableSchema, max_columns: int | None = None
) -> Converted:
    """RDF for a CSV file read through ``schema``; header problems become findings."""
    rows, encoding = read_rows(data, name, max_columns)
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
    cell_columns: dict[str, int] = {}
    for i, col in enumerate(match.columns):
        if col is None:
            props.append(None)
            continue
        props.append((i, f" <{col.property_url}> ", col.datatype))
        columns[col.property_url] = header[i].strip() or col.title
        cell_columns.setdefault(columns[col.property_url], i)
    type_line = f" <{RDF_TYPE}> <{schema.row_class}> .\n" if schema.row_class else None
    base = row_iri(name, 0)[: -len("0")]
    width = len(header)
    records = [
        (n, cells) for n, cells in enumerate(rows[1:], start=2) if any(map(str.strip, cells))
    ]
    subjects = [f"<{base}{n}>" for n, _ in records]
    # Column by column over the transposed table, with C-level map/compress/join so that no
    # Python code runs per cell except a typed column's lexical check: a column no row fills
    # costs nothing, and each column's text is encoded once.
    columns_of_cells = list(zip_longest(*(cells for _, cells in records), fillvalue=""))
    lines: list[bytes] = []
    count = len(triples)
    if type_line is not None and subjects:
        lines.append(type_line.join(subjects).encode() + type_line.encode())
        count += len(subjects)
    for prop in props:
        if prop is None or prop[0] >= len(columns_of_cells) or not any(columns_of_cells[prop[0]]):
            continue
        i, pred, datatype = prop
        cells = columns_of_cells[i]
        literals = map(literal_writer(datatype), filter(None, cells))
        parts = zip(compress(subjects, cells), repeat(pred), literals, repeat(" .\n"))
        lines.append("".join(chain.from_iterable(parts)).encode())
        count += len(cells) - cells.count("")
    extra = f" <{EXTRA_CELLS}> "
    extra_lines = [
        f'{subject}{extra}"{len(cells)}" .\n'.encode()
        for subject, (_, cells) in zip(subjects, records, strict=True)
        if len(cells) > width and any(map(str.strip, cells[width:]))
    ]
    lines.extend(extra_lines)
    count += len(extra_lines)
    head = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    return Converted(
        name=name,
        format="csv",
        ntriples=head + b"".join(lines),
        triple_count=count,
        columns=columns,
        encoding=encoding,
        findings_naming_column=frozenset(FINDING_PREDICATES.values()),
        checked={name: len(records)},
        cells={name: CellTexts(cell_columns, rows)},
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


# Below this share of matching column names a header is not taken to be of a profile.
MIN_HEADER_SCORE = 0.5
MIN_KNOWN_SHARE, MIN_KNOWN_COLUMNS = 0.6, 3


def read_csv(upload: Upload, tables: Sequence[TableSchema], limits: InputLimits) -> ReadInput:
    """A CSV upload read through the profile's one table."""
    if len(tables) != 1:
        raise input_error(
            "プロファイルに CSV の表定義（表が一つの csv-metadata.json）がありません"
            f"（表 {len(tables)} 個）",
            "the profile has no CSV table schema (a csv-metadata.json with one table;"
            f" it has {len(tables)})",
            upload.name,
        )
    return converted_input(convert_csv(upload.data, upload.name, tables[0], limits.max_csv_columns))


def detect_csv(upload: Upload, candidates: Sequence[Candidate], limits: InputLimits) -> Detection:
    """The profile whose table the header matches best (by column names)."""
    header = read_header(upload.data, upload.name, limits.max_csv_columns)
    scored = sorted(
        ((header_score(header, c.tables[0]), c) for c in candidates if len(c.tables) == 1),
        key=lambda sc: (-sc[0], sc[1].profile_id),
    )
    # A header with only some of the columns still names its profile when most of its cells
    # are that profile's columns (a municipality publishing a subset).
    accepted = bool(scored) and scored[0][0] >= MIN_HEADER_SCORE
    if scored and not accepted:
        share, known = header_known_share(header, scored[0][1].tables[0])
        accepted = share >= MIN_KNOWN_SHARE and known >= MIN_KNOWN_COLUMNS
    if not accepted:
        best = f" (closest: {scored[0][1].profile_id}, {scored[0][0]:.0%})" if scored else ""
        return Detection(
            None,
            scored[0][0] if scored else 0.0,
            Bilingual(
                "見出し行に合うプロファイルがありません", f"the header matches no profile{best}"
            ),
        )
    score, best_candidate = scored[0]
    return Detection(
        best_candidate.profile_id,
        score,
        Bilingual(
            f"列名の {score:.0%} がプロファイル {best_candidate.profile_id} と一致",
            f"{score:.0%} of the column names match profile {best_candidate.profile_id}",
        ),
    )


CSV_FORMAT = InputFormat(
    id="csv",
    title=Bilingual("CSV（表一つ、UTF-8 または Shift_JIS）", "CSV (one table, UTF-8 or Shift_JIS)"),
    media_types=("text/csv",),
    suffixes=(".csv", ".tsv"),
    sniff=no_signature,  # any text may be CSV: known by its media type or suffix
    read=read_csv,
    detect=detect_csv,
)
