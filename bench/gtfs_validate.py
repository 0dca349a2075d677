"""GTFS-JP feed validation end to end, each method in its own child process (wall time and
peak RSS per method), compared with the 公共施設一覧 CSV of as many rows in the same run.

Usage:
    .venv/bin/python -m bench.gtfs_validate [--rows 1000000] [--compiled-rows 100000]
                                  [--methods columns,compiled,csv-columns,polars-read]

The feed (profile gtfs-jp, 第3版) is generated: ``--rows`` stop_times.txt rows, 25 stops per
trip, stops, routes, services, fares and a reading (ja-Hrkt) per stop scaled with them;
1 % of the stop_times rows carry a defect (a stop_id or trip_id that names no row of
stops.txt or trips.txt, a time that is not HH:MM:SS, an empty required stop_sequence), and
1 % of the trips refer to a route or service that does not exist. The methods:

* ``columns``: ``cityref validate`` with the column engine (``--engine columns``);
* ``compiled``: the same with today's SPARQL path (``--engine compiled``), on a feed of
  ``--compiled-rows`` stop_times rows when ``--rows`` is more (its store does not fit);
* ``csv-columns``: the CSV benchmark's file (bench/csv_validate.py) of ``--rows`` rows with
  the column engine: the issue's target is the feed within 3x of this;
* ``polars-read``: Polars reading and decoding every file of the feed, nothing checked (the
  limit).

A method the code base does not have yet (the column engine) is reported as unavailable.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STOPS_PER_TRIP = 25
PROFILE = "gtfs-jp"


def _csv(header: str, rows: Iterator[list[str]]) -> bytes:
    """A GTFS file: ``header`` (its field names, comma separated) and ``rows``."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(header.split(","))
    out.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _stop_times(rows: int, trips: int, stops: int) -> Iterator[list[str]]:
    for i in range(rows):
        trip, seq = divmod(i, STOPS_PER_TRIP)
        trip %= trips
        at = _time(6 * 3600 + (trip % 200) * 300 + seq * 120)
        row = [f"T{trip:07d}", at, at, f"S{(trip * 7 + seq) % stops:06d}", str(seq + 1), "0", "0"]
        defect = i % 100
        if defect == 7:
            row[3] = f"S_GONE{i}"  # dangling stop_id
        elif defect == 37:
            row[0] = f"T_GONE{i}"  # dangling trip_id
        elif defect == 67:
            row[1] = "8時"  # not a GTFS time
        elif defect == 97:
            row[4] = ""  # required stop_sequence missing
        yield row


def generate_feed(rows: int, stops: int | None = None) -> bytes:
    """A GTFS-JP 第3版 zip with ``rows`` stop_times.txt rows and ``stops`` stops (default:
    one per 200 stop_times rows), see the module's docstring."""
    trips = max(1, rows // STOPS_PER_TRIP)
    stops = stops or max(20, rows // 200)
    routes = max(2, trips // 40)
    files: dict[str, bytes] = {
        "agency.txt": _csv(
            "agency_id,agency_name,agency_url,agency_timezone,agency_lang",
            iter([["8000020130001", "市営バス", "https://bus.example.jp/", "Asia/Tokyo", "ja"]]),
        ),
        "agency_jp.txt": _csv(
            "agency_id,agency_official_name,agency_zip_number",
            iter([["8000020130001", "市交通局", "100-0001"]]),
        ),
        "stops.txt": _csv(
            "stop_id,stop_name,stop_lat,stop_lon,location_type",
            (
                [
                    f"S{s:06d}",
                    f"停留所{s}",
                    f"{35 + s % 1000 / 10000:.6f}",
                    f"{139 + s // 1000 / 1000:.6f}",
                    "0",
                ]
                for s in range(stops)
            ),
        ),
        "routes.txt": _csv(
            "route_id,agency_id,route_short_name,route_long_name,route_type",
            ([f"R{r:05d}", "8000020130001", str(r), f"{r}系統", "3"] for r in range(routes)),
        ),
        "calendar.txt": _csv(
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
            iter([["weekday", "1", "1", "1", "1", "1", "0", "0", "20240401", "20250331"]]),
        ),
        "calendar_dates.txt": _csv(
            "service_id,date,exception_type", iter([["holiday", "20240429", "1"]])
        ),
        "trips.txt": _csv(
            "route_id,service_id,trip_id,trip_headsign,direction_id",
            (
                [
                    f"R_GONE{t}" if t % 100 == 13 else f"R{t % routes:05d}",
                    "nosuchday" if t % 100 == 53 else ("weekday", "holiday")[t % 2],
                    f"T{t:07d}",
                    "駅前",
                    str(t % 2),
                ]
                for t in range(trips)
            ),
        ),
        "stop_times.txt": _csv(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type",
            _stop_times(rows, trips, stops),
        ),
        "fare_attributes.txt": _csv(
            "fare_id,price,currency_type,payment_method,transfers",
            iter([["F1", "220", "JPY", "0", "0"], ["F2", "330", "JPY", "0", "0"]]),
        ),
        "fare_rules.txt": _csv(
            "fare_id,route_id", ([f"F{1 + r % 2}", f"R{r:05d}"] for r in range(routes))
        ),
        "feed_info.txt": _csv(
            "feed_publisher_name,feed_publisher_url,feed_lang,feed_version",
            iter([["市交通局", "https://bus.example.jp/", "ja", "1"]]),
        ),
        "translations.txt": _csv(
            "table_name,field_name,language,translation,record_id,record_sub_id,field_value",
            (
                ["stops", "stop_name", "ja-Hrkt", "ていりゅうじょ", f"S{s:06d}", "", ""]
                for s in range(stops)
            ),
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


# -- the methods, each run in a child process -----------------------------------------------


def _validate(path: Path, profile: str | None, engine: str) -> dict[str, object]:
    from cityref.profiles import check_input
    from cityref.settings import load_settings
    from cityref.store.sources import ModelFiles
    from cityref.validation import Engine, ValidationOptions

    model = ModelFiles.from_settings(load_settings())
    options = ValidationOptions(engine=Engine(engine), max_results=None)
    outcome = check_input(path.read_bytes(), path.name, profile, options, model=model)
    checked = outcome.converted.checked if outcome.converted else {}
    return {"results": len(outcome.report.results), "rows": sum(checked.values())}


def _polars_read(path: Path) -> dict[str, object]:
    import polars as pl

    rows = 0
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            frame = pl.read_csv(z.read(info), infer_schema=False, encoding="utf8")
            rows += frame.height
    return {"results": 0, "rows": rows}


def _make(kind: str, rows: int, stops: int | None, path: Path) -> None:
    """Writes the feed or the CSV benchmark's file (in a child process: Linux keeps a
    parent's peak RSS in its children's, so the parent stays small)."""
    if kind == "feed":
        path.write_bytes(generate_feed(rows, stops))
        return
    from bench.csv_validate import generate
    from cityref.settings import load_settings
    from cityref.store.sources import ModelFiles

    path.write_bytes(generate(rows, ModelFiles.from_settings(load_settings())))


METHODS: dict[str, Callable[[Path], dict[str, object]]] = {
    "columns": lambda p: _validate(p, PROFILE, "columns"),
    "compiled": lambda p: _validate(p, PROFILE, "compiled"),
    "csv-columns": lambda p: _validate(p, None, "columns"),
    "polars-read": _polars_read,
}


def _child(method: str, path: Path) -> None:
    """Runs one method and prints its outcome as JSON (the parent measures time and RSS)."""
    started = time.perf_counter()
    try:
        outcome = METHODS[method](path)
    except ValueError as exc:  # an engine the code base does not have (yet)
        print(json.dumps({"unavailable": str(exc)}))
        return
    outcome["seconds"] = time.perf_counter() - started
    print(json.dumps(outcome))


def _run(args: list[str]) -> tuple[str, float, object]:
    """``python -m bench.gtfs_validate ARGS`` in a child process: its last line of output,
    wall time and rusage (the child's own peak RSS)."""
    command = [sys.executable, "-m", "bench.gtfs_validate", *args]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)}: exit {proc.returncode}")
    return (out.strip().splitlines() or [""])[-1], time.perf_counter() - started, usage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="stop_times.txt rows")
    parser.add_argument(
        "--compiled-rows",
        type=int,
        default=100_000,
        help="stop_times.txt rows for the compiled (SPARQL) path, at most --rows; the column"
        " engine is measured at this size too, for the ratio",
    )
    parser.add_argument(
        "--stops",
        type=int,
        default=None,
        help="stops in stops.txt (default: one per 200 stop_times rows); GTFS-JP's rule that"
        " every stop name has a reading is one SPARQL query per stop over translations.txt",
    )
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=3, metavar=("KIND", "ROWS", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    if args.make:
        _make(args.make[0], int(args.make[1]), args.stops, Path(args.make[2]))
        return
    methods = [m for m in args.methods.split(",") if m]
    small = min(args.rows, args.compiled_rows)
    runs = [(m, small if m == "compiled" else args.rows) for m in methods]
    if "compiled" in methods and "columns" in methods and small < args.rows:
        runs.insert(runs.index(("compiled", small)), ("columns", small))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    stops = ["--stops", str(args.stops)] if args.stops else []
    walls: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[tuple[str, int], Path] = {}
        for method, rows in runs:
            kind = "csv" if method == "csv-columns" else "feed"
            if (kind, rows) not in files:
                suffix = ".csv" if kind == "csv" else ".zip"
                files[(kind, rows)] = Path(tmp) / f"{kind}-{rows}{suffix}"
                _run(["--make", kind, str(rows), str(files[(kind, rows)]), *stops])
                size = files[(kind, rows)].stat().st_size
                print(f"{kind} of {rows} rows: {size} bytes")
        print(f"{'method':<12} {'rows':>10} {'wall s':>8} {'RSS MB':>8} {'results':>8}")
        for method, rows in runs:
            kind = "csv" if method == "csv-columns" else "feed"
            line, wall, usage = _run(["--child", method, str(files[(kind, rows)])])
            got = json.loads(line)
            if "results" not in got:
                print(f"{method:<12} {rows:>10} {got.get('unavailable')}")
                continue
            walls[(method, rows)] = wall
            rss = usage.ru_maxrss / 1024  # type: ignore[attr-defined]
            print(f"{method:<12} {rows:>10} {wall:>8.2f} {rss:>8.0f} {got['results']:>8}")
    feed, csv_file = walls.get(("columns", args.rows)), walls.get(("csv-columns", args.rows))
    if feed and csv_file:
        verdict = "met" if feed / csv_file <= 3 else "MISSED"
        print(f"feed / CSV of as many rows: {feed / csv_file:.2f}x (target at most 3x: {verdict})")
    columns, compiled = walls.get(("columns", small)), walls.get(("compiled", small))
    if columns and compiled:
        print(f"compiled / columns at {small} stop_times rows: {compiled / columns:.1f}x")


if __name__ == "__main__":
    main()
