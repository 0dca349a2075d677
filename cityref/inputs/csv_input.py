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
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, compress, islice, repeat, zip_longest
from json.encoder import encode_basestring

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.errors import SourceLocation
from cityref.inputs.csv_header import (
    HeaderFinding,
    TableSchema,
    header_coverage,
    header_known_share,
    header_score,
    match_header,
    normalise,
)
from cityref.inputs.encoding import BOM, decode_text, text_encoding
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
from cityref.validation.progress import report

# Header findings become triples on the header row (row 1); shapes/common/tabular.ttl reports
# them, so they come out in the same report, with the same severities, as every other result.
FINDING_PREDICATES = {
    "missing": COMMON + "missingColumn",
    "missing-optional": COMMON + "absentOptionalColumn",
    "unknown": COMMON + "unknownColumn",
    "misspelt": COMMON + "misspeltColumn",
    "untitled": COMMON + "untitledColumn",
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


#: Rows read between two progress reports: often enough for a terminal line, rarely enough
#: to cost nothing next to the reading.
REPORT_EVERY_ROWS = 5_000


@dataclass
class RowsRead:
    """Rows read so far of about how many (a file's lines: the rows when no cell holds a line
    break), across the files of one input: what the "read" progress reports say."""

    total: int | None
    done: int = 0

    def finish(self) -> None:
        """Report the reading done: every row read is all there were."""
        self.total = self.done
        report("read", self.done, self.total)


def line_count(text: str) -> int:
    """The lines of a text (the last one need not end with a line break)."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def read_rows(
    data: bytes, name: str, max_columns: int | None = None, *, progress: bool = True
) -> tuple[list[list[str]], str]:
    """The rows of a CSV file (header first) and its encoding; errors name the line.
    A row of more than ``max_columns`` cells (default :data:`MAX_CSV_COLUMNS`) is refused.
    Rows read are reported as progress (:mod:`cityref.validation.progress`) unless
    ``progress`` is false (a caller reporting its own)."""
    return _read(data, name, max_columns or MAX_CSV_COLUMNS, header_only=False, progress=progress)


# The header is read from the file's first MiB (to the end of a line) when it ends there:
# detection of a 200 MB file then decodes 1 MiB, not 200.
HEADER_PREFIX_BYTES = 1 << 20


def read_header(data: bytes, name: str, max_columns: int | None = None) -> list[str]:
    """The header row of a CSV file alone (profile detection needs no more)."""
    limit = max_columns or MAX_CSV_COLUMNS
    end = data.find(b"\n", HEADER_PREFIX_BYTES)
    if end >= 0:
        encoding = text_encoding(data)
        start = len(BOM) if encoding == "utf-8-sig" else 0
        try:
            text = data[start : end + 1].decode(encoding.removesuffix("-sig"))
            header = next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
        except (UnicodeDecodeError, csv.Error):
            pass  # a header past the first MiB, or an error: read as the whole file says
        else:
            if any(c.strip() for c in header) and len(header) <= limit:
                return header
    return _read(data, name, limit, header_only=True, progress=False)[0][0]


def _read(
    data: bytes, name: str, max_columns: int, *, header_only: bool, progress: bool
) -> tuple[list[list[str]], str]:
    text, encoding = decode_text(data, name)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        if header_only:
            rows = [next(reader, [])]
        elif progress:
            counted = RowsRead(line_count(text))
            rows = list(chain.from_iterable(_reported_chunks(reader, counted)))
            counted.finish()
        else:
            rows = list(reader)
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


def _reported_chunks(reader: Iterator[list[str]], counted: RowsRead) -> Iterator[list[list[str]]]:
    """The reader's rows in chunks of :data:`REPORT_EVERY_ROWS`, each reported as read."""
    report("read", counted.done, counted.total)
    while chunk := list(islice(reader, REPORT_EVERY_ROWS)):
        counted.done += len(chunk)
        report("read", counted.done, counted.total)
        yield chunk


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
    filled = filled_positions(
        match.findings, lambda i: i < len(columns_of_cells) and any(columns_of_cells[i])
    )
    triples.extend(finding_triples(header_node, match.findings, filled=filled))
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


def filled_positions(
    findings: tuple[HeaderFinding, ...], has_value: Callable[[int], bool]
) -> frozenset[int]:
    """The positions of the untitled columns for which ``has_value`` says some row has a
    value (what :func:`finding_triples` needs as ``filled``)."""
    return frozenset(
        f.position
        for f in findings
        if f.kind == "untitled" and f.position is not None and has_value(f.position)
    )


def finding_triples(
    node: NamedNode, findings: tuple[HeaderFinding, ...], *, filled: Collection[int]
) -> list[Triple]:
    """Triples stating header findings on the header row's node (value: the column name; of
    an untitled column, its 1-based position, stated only when it is in ``filled``: the
    header positions with a value in some row)."""
    out: list[Triple] = []
    for f in findings:
        if f.kind == "untitled":
            if f.position is None or f.position not in filled:
                continue
            text = str(f.position + 1)
        elif f.kind == "misspelt":
            text = f"{f.found} → {f.expected}"
        else:
            text = (f.found if f.kind == "unknown" else f.expected) or ""
        out.append(Triple(node, NamedNode(FINDING_PREDICATES[f.kind]), Literal(text)))
    return out


# Below this share of matching column names a header is not taken to be of a profile.
MIN_HEADER_SCORE = 0.5
MIN_KNOWN_SHARE, MIN_KNOWN_COLUMNS = 0.6, 3
# A pick is reported as unsure when the header has less than this share of the profile's
# columns, or when the runner-up's match is this close.
UNSURE_COVERAGE, UNSURE_MARGIN = 0.8, 0.1


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
    """The profile whose table the header matches best (by column names), the runner-up,
    and whether the pick is in doubt."""
    header = read_header(upload.data, upload.name, limits.max_csv_columns)
    scored = sorted(
        (
            (header_score(header, c.tables[0]), c.profile_id)
            for c in candidates
            if len(c.tables) == 1
        ),
        key=lambda sc: (-sc[0], sc[1]),
    )
    # A header with only some of the columns still names its profile when most of its cells
    # are that profile's columns (a municipality publishing a subset).
    accepted = bool(scored) and scored[0][0] >= MIN_HEADER_SCORE
    if scored and not accepted:
        best_table = next(c.tables[0] for c in candidates if c.profile_id == scored[0][1])
        share, known = header_known_share(header, best_table)
        accepted = share >= MIN_KNOWN_SHARE and known >= MIN_KNOWN_COLUMNS
    if not accepted:
        ja, en = "見出し行に合うプロファイルがありません", "the header matches no profile"
        if scored:
            ja += f"（最も近いのは {scored[0][1]}: {scored[0][0]:.0%}）"
            en += f" (closest: {scored[0][1]}, {scored[0][0]:.0%})"
        return Detection(None, scored[0][0] if scored else 0.0, Bilingual(ja, en))
    score, chosen = scored[0]
    chosen_table = next(c.tables[0] for c in candidates if c.profile_id == chosen)
    runner_up, runner_up_score = scored[1][1] if len(scored) > 1 else None, None
    ja, en = (
        f"列名の {score:.0%} がプロファイル {chosen} と一致",
        f"{score:.0%} of the column names match profile {chosen}",
    )
    if runner_up is not None:
        runner_up_score = scored[1][0]
        ja += f"、次点は {runner_up}（{runner_up_score:.0%}）"
        en += f"; runner-up {runner_up} at {runner_up_score:.0%}"
    found = {normalise(h) for h in header}
    lacking = [
        c.title for c in chosen_table.columns if c.required and normalise(c.title) not in found
    ]
    unsure = _doubt(score, runner_up_score, header_coverage(header, chosen_table), chosen, lacking)
    if unsure is not None:
        ja, en = f"{ja}。{unsure.ja}", f"{en}. {unsure.en}"
    return Detection(chosen, score, Bilingual(ja, en), runner_up, runner_up_score, unsure)


def _doubt(
    score: float,
    runner_up_score: float | None,
    coverage: float,
    chosen: str,
    lacking: list[str],
) -> Bilingual | None:
    """Why a header's pick may be wrong, or None: the runner-up matches nearly as well, the
    header lacks many of the chosen profile's columns (columns it adds do not count: a
    municipality may extend a layout), or it lacks one the profile requires."""
    if runner_up_score is not None and score - runner_up_score < UNSURE_MARGIN:
        gap = (score - runner_up_score) * 100
        return Bilingual(
            f"判定は不確かです: 次点との差が {gap:.0f} ポイントしかありません。"
            "プロファイルを指定して確かめてください",
            f"The pick is unsure: the runner-up is only {gap:.0f} points behind;"
            " name the profile to be sure",
        )
    if coverage < UNSURE_COVERAGE:
        return Bilingual(
            f"判定は不確かです: 見出し行にあるのは {chosen} の列の {coverage:.0%} だけです。"
            "プロファイルを指定して確かめてください",
            f"The pick is unsure: the header has only {coverage:.0%} of the columns of"
            f" {chosen}; name the profile to be sure",
        )
    if lacking:
        return Bilingual(
            f"判定は不確かです: 見出し行に {chosen} の必須の列（{'、'.join(lacking)}）が"
            "ありません。プロファイルを指定して確かめてください",
            f"The pick is unsure: the header lacks the required column(s) {', '.join(lacking)}"
            f" of {chosen}; name the profile to be sure",
        )
    return None


CSV_FORMAT = InputFormat(
    id="csv",
    title=Bilingual("CSV（表一つ、UTF-8 または Shift_JIS）", "CSV (one table, UTF-8 or Shift_JIS)"),
    media_types=("text/csv",),
    suffixes=(".csv", ".tsv"),
    sniff=no_signature,  # any text may be CSV: known by its media type or suffix
    read=read_csv,
    detect=detect_csv,
)
