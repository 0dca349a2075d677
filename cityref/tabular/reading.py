"""A CSV file read in chunks of rows, each a Polars frame of text columns, exactly as
:func:`cityref.inputs.csv_input.convert_csv` reads it (the same records, row numbers, cells).

Two readers give the same chunks. A file without a double quote, a NUL or a lone CR is split
into lines and cells by Polars (a record is a line, a cell is what lies between commas, as
Python's csv module reads such text); any other file goes through Python's csv module
itself, streamed. Either way the text is decoded chunk by chunk (UTF-8 with or without BOM,
else CP932, decided as :func:`cityref.inputs.encoding.decode_text` decides), and only one
chunk of rows is held at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from cityref.inputs.csv_input import read_rows
from cityref.inputs.encoding import BOM, text_encoding
from cityref.inputs.limits import MAX_CSV_COLUMNS

#: Rows per chunk: memory is bounded by a chunk (about 4 MB of text for 56 columns), and
#: progress is reported per chunk (a fraction of a second each); Polars' checks stay vectorised.
CHUNK_ROWS = 20_000
# Python's str.strip() strips exactly these characters (str.isspace()); a row whose cells
# are all such characters is blank and makes no subject.
_PY_SPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
_BLANK_ROW = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE) + ",]*$"
_EXTRA_VALUE = "[^" + "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE) + ",]"


@dataclass
class Chunk:
    """Consecutive records of a file: their spreadsheet rows and cells, blank rows left out.

    ``cells`` has one text column per header position (``c0``, ``c1``, …; a cell beyond a
    short row is ``""``), ``row`` the spreadsheet row (the header is row 1) and ``extra``
    the cell count of a row with a value in a cell beyond the header (else null).
    """

    cells: pl.DataFrame
    records: int  # records read in this chunk, blank ones included


class CsvChunks:
    """The header and the chunks of one CSV file's bytes."""

    def __init__(self, data: bytes, name: str, max_columns: int | None = None) -> None:
        self.data = data
        self.name = name
        self.max_columns = max_columns or MAX_CSV_COLUMNS
        self.encoding = text_encoding(data)
        self.bytes_read = 0  # how far the decoding has gone (for an estimate of the rows)
        self.simple = b'"' not in data and b"\x00" not in data
        self.simple = self.simple and data.count(b"\r") == data.count(b"\r\n")
        # Errors (undecodable, unreadable CSV, no header) are raised as the adapter raises them.
        self.header = self._header()

    def _header(self) -> list[str]:
        try:
            first = next(self._texts(), "")
        except UnicodeDecodeError:
            read_rows(self.data, self.name, self.max_columns)  # raises the adapter's error
            raise
        if self.simple:
            header = first.split("\n", 1)[0].removesuffix("\r").split(",")
        else:
            header = next(csv.reader(io.StringIO(first, newline=""), strict=True), [])
        if not any(c.strip() for c in header) or len(header) > self.max_columns:
            read_rows(self.data, self.name, self.max_columns)  # raises the adapter's error
        self.bytes_read = 0  # the chunks decode the text again from the start
        return header

    def _texts(self, size: int = 8 << 20) -> Iterator[str]:
        """The decoded text in pieces that end at a line feed (the last piece excepted)."""
        # After a BOM the rest is plain UTF-8 (a second BOM is text, as decode_text reads it).
        decoder = codecs.getincrementaldecoder(self.encoding.removesuffix("-sig"))()
        start = len(BOM) if self.encoding == "utf-8-sig" else 0
        data = self.data
        while start < len(data):
            end = data.find(b"\n", min(start + size, len(data)) - 1)
            end = len(data) if end < 0 else end + 1
            text = decoder.decode(data[start:end], final=end == len(data))
            self.bytes_read = max(self.bytes_read, end)
            yield text
            start = end

    def estimated_records(self, records: int) -> int | None:
        """The records of the whole file, estimated from ``records`` read so far and the
        share of the bytes decoded (exact once all are); None before any."""
        if not self.bytes_read or not records:
            return None
        # The text is decoded ahead of the rows split from it: an estimate from below that
        # reaches the true count with the last chunk.
        return round(records * len(self.data) / self.bytes_read)

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
        """The records after the header, ``rows`` at a time."""
        width = len(self.header)
        try:
            if self.simple:
                yield from self._simple_chunks(width, rows)
            else:
                yield from self._csv_chunks(width, rows)
        except (csv.Error, UnicodeDecodeError, _TooWide):
            read_rows(self.data, self.name, self.max_columns)  # raises the adapter's error
            raise

    def _simple_chunks(self, width: int, rows: int) -> Iterator[Chunk]:
        pending: list[str] = []
        first = True
        next_row = 2
        for text in self._texts(size=4 << 20):
            lines = text.split("\n")
            if text.endswith("\n"):
                lines.pop()  # csv.reader makes no record of the end after the last newline
            if first:
                lines, first = lines[1:], False
            pending.extend(lines)
            while len(pending) >= rows:
                batch, pending = pending[:rows], pending[rows:]
                yield self._split(batch, width, next_row)
                next_row += len(batch)
        if pending:
            yield self._split(pending, width, next_row)

    def _split(self, lines: list[str], width: int, first_row: int) -> Chunk:
        line = pl.Series("line", lines, dtype=pl.String).str.strip_suffix("\r")
        if lines and (line.str.count_matches(",").max() or 0) + 1 > self.max_columns:  # type: ignore[operator]
            raise _TooWide
        frame = pl.DataFrame(
            {"line": line, "row": pl.int_range(first_row, first_row + len(lines), eager=True)}
        ).filter(~pl.col("line").str.contains(_BLANK_ROW))
        parts = frame["line"].str.splitn(",", width + 1).struct.unnest()
        cells = parts.select(
            [pl.col(f"field_{i}").fill_null("").alias(f"c{i}") for i in range(width)]
        )
        rest = parts[f"field_{width}"]
        extra = (
            pl.when(rest.str.contains(_EXTRA_VALUE))
            .then(rest.str.count_matches(",") + 1 + width)
            .otherwise(None)
        )
        cells = cells.with_columns(row=frame["row"], extra=pl.select(extra).to_series())
        return Chunk(cells, len(lines))

    def _csv_chunks(self, width: int, rows: int) -> Iterator[Chunk]:
        reader = csv.reader(_Lines(self._texts()), strict=True)
        next(reader, None)  # the header
        next_row = 2
        while True:
            batch = list(itertools.islice(reader, rows))
            if not batch:
                return
            if max(map(len, batch)) > self.max_columns:
                raise _TooWide
            kept = [(n, r) for n, r in enumerate(batch, start=next_row) if any(map(str.strip, r))]
            columns = {f"c{i}": [r[i] if i < len(r) else "" for _, r in kept] for i in range(width)}
            extra = [
                len(r) if len(r) > width and any(map(str.strip, r[width:])) else None
                for _, r in kept
            ]
            frame = pl.DataFrame(
                {**columns, "row": [n for n, _ in kept], "extra": extra},
                schema={**dict.fromkeys(columns, pl.String), "row": pl.Int64, "extra": pl.Int64},
            )
            yield Chunk(frame, len(batch))
            next_row += len(batch)


class _TooWide(Exception):
    """A row has more cells than the limit (the adapter's own error is raised instead)."""


class _Lines:
    """Lines (ends kept) of text pieces, for csv.reader, which reads its input line by line."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self._lines = (
            line for piece in pieces for line in io.StringIO(piece, newline="").readlines()
        )

    def __iter__(self) -> Iterator[str]:
        return self._lines
