"""Polars or DuckDB for the column engine (issue 15): the same work on the same file in one run.

Usage: python bench/column_libraries.py [--rows N] [--repeat R]

The work is what the column engine does to every chunk: decode the Shift_JIS file, read all
56 columns of 公共施設一覧 as text, and run a handful of row-local checks (a regex, a required
column, a numeric range on a column that may hold text, a list of values). Each library is
given the text as UTF-8 (neither decodes Shift_JIS itself); the decoding is timed once and
is the same for both. Printed: seconds per library (best of R) and the failing-row counts,
which must agree.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from bench.csv_validate import generate
from cityref.settings import load_settings
from cityref.store.sources import ModelFiles

PHONE = r"^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$"
YES_NO = ["有", "無"]


def with_polars(path: Path) -> list[int]:
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    lat = frame["緯度"].cast(pl.Float64, strict=False)
    checks = frame.select(
        bad_phone=pl.col("電話番号").is_not_null() & ~pl.col("電話番号").str.contains(PHONE),
        no_name=pl.col("名称").is_null(),
        bad_lat=pl.col("緯度").is_not_null() & ~lat.is_between(20.0, 46.0).fill_null(False),
        bad_flag=pl.col("車椅子可").is_not_null() & ~pl.col("車椅子可").is_in(YES_NO),
    )
    return [int(checks[c].sum()) for c in checks.columns]


def with_duckdb(path: Path) -> list[int]:
    con = duckdb.connect()
    con.execute(
        f"CREATE TEMP VIEW t AS SELECT * FROM read_csv('{path}', all_varchar=true, header=true)"
    )
    row = con.execute(
        f"""SELECT
          count(*) FILTER (WHERE "電話番号" IS NOT NULL
                           AND NOT regexp_matches("電話番号", '{PHONE}')),
          count(*) FILTER (WHERE "名称" IS NULL),
          count(*) FILTER (WHERE "緯度" IS NOT NULL
                           AND NOT coalesce(TRY_CAST("緯度" AS DOUBLE) BETWEEN 20 AND 46, false)),
          count(*) FILTER (WHERE "車椅子可" IS NOT NULL AND "車椅子可" NOT IN ('有', '無'))
        FROM t"""
    ).fetchone()
    con.close()
    assert row is not None
    return [int(v) for v in row]


def best(run: Callable[[], list[int]], repeat: int) -> tuple[float, list[int]]:
    times, counts = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        counts = run()
        times.append(time.perf_counter() - started)
    return min(times), counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = generate(args.rows, ModelFiles.from_settings(load_settings()))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"rows: {args.rows}, bytes: {len(data)} (Shift_JIS)")
    started = time.perf_counter()
    text = data.decode("cp932").encode("utf-8")
    print(f"decode Shift_JIS -> UTF-8: {time.perf_counter() - started:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facilities.csv"
        path.write_bytes(text)
        for name, fn in (("polars", with_polars), ("duckdb", with_duckdb)):
            seconds, counts = best(lambda fn=fn: fn(path), args.repeat)
            print(f"{name}: read 56 columns + 4 checks {seconds:.3f} s, failing rows {counts}")


if __name__ == "__main__":
    main()
