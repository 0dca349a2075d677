"""The column engine for tabular profiles: a CSV file checked chunk by chunk with the
profile's row-local constraints compiled to Polars column expressions (issue 15).

- :func:`compile_table_checks` (``compiler``; ``components`` compiles property shapes): a
  profile's shapes graph and a file's header -> :class:`TableChecks` (column checks,
  row-local shapes for the SPARQL engine per chunk, the shapes graph left for it);
- :class:`CsvChunks` (``reading``): the header and chunks of rows of a CSV file's bytes;
- :class:`TableRun` (``engine``): a table's column checks run on its chunks one by one;
- :func:`check_csv_columns` (``engine``): all of it for a CSV file, a :class:`Report` with the
  results the SPARQL path gives, and a :class:`Converted` keeping only the rows with results.

A chunk is a Polars frame of text columns ``c0``, ``c1``, … (by header position, ``""`` for
a blank cell), ``row`` (spreadsheet row) and ``extra`` (cell count of a row with values past
the header, else null); another tabular reader (GTFS files) can build its own and use
:func:`compile_table_checks` and :class:`TableRun` as they are.
"""

from cityref.tabular.compiler import EngineUnit, TableChecks, compile_table_checks
from cityref.tabular.components import ColumnCheck
from cityref.tabular.engine import TableRun, check_csv_columns
from cityref.tabular.reading import CHUNK_ROWS, Chunk, CsvChunks

__all__ = [
    "CHUNK_ROWS",
    "Chunk",
    "ColumnCheck",
    "CsvChunks",
    "EngineUnit",
    "TableChecks",
    "TableRun",
    "check_csv_columns",
    "compile_table_checks",
]
