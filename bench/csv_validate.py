"""Tables at the speed of columns (issue 15): one generated 公共施設一覧 CSV checked, in one run,
by cityref's column engine, by today's SPARQL path (the compiled engine), by ``frictionless
validate`` with the Table Schema written from the same profile, and read by Polars alone (the
limit: decoding and reading every column as text, no checks).

Usage: python bench/csv_validate.py [--rows 10000,100000,1000000] [--repeat N] [--json FILE]

The data: a Shift_JIS CSV (56 columns) in the ods-public-facility layout, realistic rows
(code, name, kana, address, coordinates, phone, hours, flags), 3 % of them with one defect
(a bad phone, swapped coordinates, 有/無 written あり), so every method has something to find.

Each method runs as a user runs it, in its own child process, timed from its start to its
exit (interpreter start-up included): ``cityref validate FILE --engine columns|compiled
--format json`` (the profile detected, the located report written), the frictionless command
line ``python -m frictionless validate FILE --schema schema.json --encoding cp932 --json``
(the same Shift_JIS bytes; its errors are all counted), and a Python child decoding the bytes
and calling ``polars.read_csv`` with every column as text. Peak RSS is the command's own
(``getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a small launcher whose only child it is).
Its CPU time (user + system) is shown beside the wall time: on a shared machine the wall
time swings with the load, the CPU time much less.
Results: cityref's results and frictionless's errors, and the rows each flags, so the reader
sees they check the same file. The SPARQL path is skipped at a size where its peak RSS,
extrapolated linearly from a smaller size of the same run, would pass the memory budget.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cityref.profiles import load_profile
from cityref.profiles.table_schema import SKIPPED_ERRORS, translate
from cityref.settings import load_settings
from cityref.store.sources import ModelFiles
from cityref.validation import Engine

PROFILE = "ods-public-facility"
SIZES = (10_000, 100_000, 1_000_000)
UNLIMITED = str(10**9)
# Above this many rows the SPARQL path runs only when a smaller size of the run says it fits.
UNMEASURED_LIMIT = 100_000
METHODS = ("columns", "compiled", "frictionless", "polars")
POLARS_READ = """
import io, json, sys
import polars as pl
text = open(sys.argv[1], "rb").read().decode("cp932")
frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
print(json.dumps({"rows": frame.height, "columns": frame.width}))
"""


@dataclass
class Measurement:
    """One method on one file: time, peak RSS and what it found, or why it did not run."""

    method: str
    rows: int
    seconds: float | None = None
    cpu_seconds: float | None = None  # user + system: less swayed by a busy machine
    peak_mb: float | None = None
    results: int | None = None  # cityref results, frictionless errors, Polars rows read
    flagged_rows: int | None = None  # rows with a violation (cityref) or an error
    note: str = ""
    keys: list[tuple[int, str, str, str]] = field(default_factory=list, repr=False)


def facility_rows(rows: int, header: list[str], seed: int = 5) -> Iterator[list[str]]:
    """``rows`` facilities in the ods-public-facility layout, 3 % with one defect."""
    rng = random.Random(seed)
    for i in range(rows):
        lat, lon = f"{rng.uniform(30, 44):.6f}", f"{rng.uniform(130, 145):.6f}"
        row = dict.fromkeys(header, "")
        row.update(
            {
                "全国地方公共団体コード": "131016",
                "ID": f"{i:010d}",
                "地方公共団体名": "東京都千代田区",
                "名称": f"施設{i}",
                "名称_カナ": "シセツ",
                "所在地_連結表記": f"東京都千代田区霞が関{i % 9 + 1}-1-1",
                "緯度": lat,
                "経度": lon,
                "電話番号": f"03-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                "開始時間": "09:00",
                "終了時間": "17:00",
                "車椅子可": "有",
                "授乳室": "無",
                "URL": f"https://www.city.example.jp/facility/{i}",
            }
        )
        if i % 100 == 7:
            row["電話番号"] = "03 5253 2111"
        if i % 100 == 37:
            row["緯度"], row["経度"] = lon, lat
        if i % 100 == 67:
            row["車椅子可"] = "あり"
        yield list(row.values())


def csv_chunks(rows: int, model: ModelFiles) -> Iterator[bytes]:
    """The Shift_JIS CSV of ``rows`` facilities, header first, in pieces of 10,000 rows."""
    schema = load_profile(PROFILE, model).table_schema()
    assert schema is not None
    header = [c.title for c in schema.columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(facility_rows(rows, header), 1):
        writer.writerow(row)
        if n % 10_000 == 0:
            yield buf.getvalue().encode("cp932")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("cp932")


def generate(rows: int, model: ModelFiles) -> bytes:
    """The whole CSV of :func:`csv_chunks` as bytes (tests and small sizes)."""
    return b"".join(csv_chunks(rows, model))


def write_csv(rows: int, model: ModelFiles, path: Path) -> int:
    """Write the Shift_JIS CSV of ``rows`` facilities to ``path``; returns its size in bytes."""
    with path.open("wb") as out:
        for chunk in csv_chunks(rows, model):
            out.write(chunk)
    return path.stat().st_size


# Runs one command and reports its time and peak RSS. A small process of its own: a child
# forked from this one would count this process's memory in its peak (ru_maxrss survives
# exec), so the measured command is the only child of this launcher.
LAUNCHER = """
import json, resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    started = time.perf_counter()
    code = subprocess.call(sys.argv[3:], stdout=out, stderr=err)
    seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kb": usage.ru_maxrss, "code": code}))
"""


def run_child(command: list[str], stdout: Path, cwd: Path) -> tuple[float, float, float, int, str]:
    """Run ``command`` with its output to ``stdout``: (seconds, CPU seconds, peak MB, exit
    code, stderr)."""
    stderr = stdout.with_suffix(".err")
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(stdout), str(stderr), *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(launched.stdout)
    err = stderr.read_text(encoding="utf-8", errors="replace")
    return float(got["seconds"]), float(got["cpu"]), got["peak_kb"] / 1024, int(got["code"]), err


def cityref_counts(m: Measurement, report: Path) -> None:
    """Results and rows with a violation from ``cityref validate --format json``."""
    outcome = json.loads(report.read_text(encoding="utf-8"))
    results = outcome["results"]
    m.results = len(results)
    m.flagged_rows = len({r["row"] for r in results if r["severity"] == "Violation"})
    m.keys = sorted(
        (int(r["row"] or 0), str(r["column"]), str(r["component"]), str(r["severity"]))
        for r in results
    )
    counts = outcome["counts"]
    m.note = f"{counts['Violation']} violations, {counts['Warning']} warnings"


def frictionless_counts(m: Measurement, report: Path) -> None:
    """Errors and rows with an error from ``frictionless validate --json``."""
    errors = [
        e
        for task in json.loads(report.read_text(encoding="utf-8"))["tasks"]
        for e in task["errors"]
    ]
    m.results = len(errors)
    m.flagged_rows = len({e["rowNumber"] for e in errors if e.get("rowNumber")})
    kinds: dict[str, int] = {}
    for e in errors:
        kinds[e["type"]] = kinds.get(e["type"], 0) + 1
    m.note = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))


def command_for(method: str, csv_path: Path, schema_path: Path) -> list[str]:
    """The command a user types for ``method`` (as this interpreter)."""
    if method in ("columns", "compiled"):
        return [
            sys.executable, "-m", "cityref", "validate", csv_path.name, "--engine", method,
            "--format", "json", "--max-results", UNLIMITED,
        ]  # fmt: skip
    if method == "frictionless":
        return [
            sys.executable, "-m", "frictionless", "validate", csv_path.name,
            "--schema", schema_path.name, "--encoding", "cp932", "--json",
            "--limit-errors", UNLIMITED, "--skip-errors", ",".join(SKIPPED_ERRORS),
        ]  # fmt: skip
    return [sys.executable, "-c", POLARS_READ, csv_path.name]


def unavailable(method: str) -> str:
    """Why ``method`` cannot run on this checkout, or "" when it can."""
    if method == "columns" and "columns" not in {e.value for e in Engine}:
        return "not available on this checkout (no --engine columns)"
    library = {"frictionless": "frictionless", "polars": "polars"}.get(method)
    if library is not None:
        try:
            __import__(library)
        except ImportError:
            return f"not available: {library} is not installed (pip install 'cityref[bench]')"
    return ""


def measure(method: str, rows: int, folder: Path, repeat: int) -> Measurement:
    """The fastest of ``repeat`` runs of ``method`` on the file of ``rows`` rows in ``folder``."""
    m = Measurement(method, rows)
    csv_path, schema_path = folder / "facilities.csv", folder / "schema.json"
    out = folder / f"{method}.out"
    for _ in range(repeat):
        seconds, cpu, peak, code, err = run_child(
            command_for(method, csv_path, schema_path), out, folder
        )
        worst_ok = 1 if method in ("columns", "compiled", "frictionless") else 0
        if code > worst_ok:
            last = err.strip().splitlines()[-1:]
            m.note = f"failed (exit {code}): {last[0] if last else 'no message'}"
            return m
        if m.seconds is None or seconds < m.seconds:
            m.seconds, m.cpu_seconds = seconds, cpu
        m.peak_mb = max(m.peak_mb or 0.0, peak)
    if method in ("columns", "compiled"):
        cityref_counts(m, out)
    elif method == "frictionless":
        frictionless_counts(m, out)
    else:
        m.results = int(json.loads(out.read_text())["rows"])
        m.note = "rows read, no checks"
    return m


def memory_available_mb() -> float:
    """MemAvailable of /proc/meminfo in MB (0 when it cannot be read)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def too_big(done: list[Measurement], rows: int, budget_mb: float) -> str:
    """Why the SPARQL path is skipped at ``rows`` (its RSS extrapolated from the largest smaller
    size measured), or "" to run it."""
    before = [m for m in done if m.method == "compiled" and m.peak_mb and m.rows < rows]
    if not before:
        if rows <= UNMEASURED_LIMIT:
            return ""
        return (
            "skipped: no smaller size in this run to extrapolate its memory from "
            f"(add {UNMEASURED_LIMIT:,} to --rows)"
        )
    last = max(before, key=lambda m: m.rows)
    assert last.peak_mb is not None
    expected = last.peak_mb * rows / last.rows
    if expected <= budget_mb:
        return ""
    return (
        f"skipped: {last.peak_mb:,.0f} MB measured at {last.rows:,} rows extrapolates to "
        f"{expected:,.0f} MB, above the budget of {budget_mb:,.0f} MB"
    )


def machine() -> str:
    """Cores, CPU model, RAM, Python and the peers' versions."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        total = next(
            int(x.split()[1]) / 1024**2
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        total = 0.0
    versions = []
    for name in ("pyoxigraph", "polars", "duckdb", "frictionless"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            versions.append(f"{name} not installed")
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({model}, {platform.machine()}), {total:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {', '.join(versions)}; load average {load:.2f}"
    )


def _cell(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}"


def table(measurements: list[Measurement]) -> str:
    """The markdown table of every measurement."""
    lines = [
        "| rows | method | time (s) | CPU (s) | peak RSS (MB) | results | rows flagged | note |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in measurements:
        lines.append(
            f"| {m.rows:,} | {m.method} | {_cell(m.seconds)} | {_cell(m.cpu_seconds)} | "
            f"{_cell(m.peak_mb, 0)} | "
            f"{_cell(m.results)} | {_cell(m.flagged_rows)} | {m.note} |"
        )
    return "\n".join(lines)


def targets(measurements: list[Measurement]) -> list[str]:
    """The issue's targets, each met, missed or not measured, with the figures."""
    got = {(m.method, m.rows): m for m in measurements}

    def ratio(name: str, slow: str, fast: str, limit: float, within: bool = False) -> str:
        """``slow``'s time over ``fast``'s at 100,000 rows: at least ``limit``, or at most
        when ``within``; met or missed on wall time, the CPU ratio beside it."""
        a, b = got.get((slow, 100_000)), got.get((fast, 100_000))
        if not (a and b and a.seconds and b.seconds and a.cpu_seconds and b.cpu_seconds):
            return f"{name}: not measured (needs {slow} and {fast} at 100,000 rows)"
        wall, cpu = a.seconds / b.seconds, a.cpu_seconds / b.cpu_seconds
        met = wall <= limit if within else wall >= limit
        return f"{name}: {wall:.1f}x ({a.seconds:.2f} s / {b.seconds:.2f} s; CPU {cpu:.1f}x) — " + (
            "met" if met else "missed"
        )

    lines = [
        ratio("columns vs compiled at 100,000 rows (≥10x)", "compiled", "columns", 10),
        ratio("columns vs frictionless at 100,000 rows (≥2x)", "frictionless", "columns", 2),
        ratio("columns within 8x of the Polars read at 100,000 rows", "columns", "polars", 8, True),
    ]
    big = got.get(("columns", 1_000_000))
    if big is None or big.peak_mb is None:
        lines.append("columns peak RSS at 1,000,000 rows < 1 GB: not measured")
    else:
        verdict = "met" if big.peak_mb < 1024 else "missed"
        lines.append(
            f"columns peak RSS at 1,000,000 rows < 1 GB: {big.peak_mb:,.0f} MB — {verdict}"
        )
    for rows in sorted({m.rows for m in measurements}):
        a, b = got.get(("columns", rows)), got.get(("compiled", rows))
        if a and b and a.results is not None and b.results is not None:
            same = "met" if a.keys == b.keys else "missed"
            lines.append(
                f"same results as the SPARQL path at {rows:,} rows (row, column, component, "
                f"severity): {a.results:,} / {b.results:,} — {same}"
            )
    return lines


def left_out(model: ModelFiles) -> list[str]:
    """What the Table Schema cannot say of the profile, one line per rule and reason."""
    by_rule: dict[tuple[str, str], list[str]] = {}
    for u in translate(load_profile(PROFILE, model)).unexpressed:
        by_rule.setdefault((u.rule, u.reason.en), []).append(u.column)
    return [f"{rule} ({', '.join(cols)}): {why}" for (rule, why), cols in sorted(by_rule.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rows",
        default=",".join(map(str, SIZES)),
        help="comma-separated sizes (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per method; the fastest shown")
    parser.add_argument(
        "--memory-budget-mb",
        type=float,
        default=memory_available_mb() / 4,
        help="skip the SPARQL path where its extrapolated peak RSS passes this "
        "(default: a quarter of the memory available now: the machine is shared)",
    )
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    sizes = sorted({int(x) for x in args.rows.split(",") if x.strip()})
    model = ModelFiles.from_settings(load_settings())
    print(f"machine: {machine()}")
    print(f"command: python bench/csv_validate.py --rows {','.join(map(str, sizes))}")
    print(
        "frictionless: its command line on the same Shift_JIS file (--encoding cp932), with "
        f"the Table Schema written from {PROFILE} by cityref.profiles.table_schema"
    )
    print("not in the Table Schema:")
    for line in left_out(model):
        print(f"  - {line}")
    done: list[Measurement] = []
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="csv-bench-") as tmp:
            folder = Path(tmp)
            size = write_csv(rows, model, folder / "facilities.csv")
            schema = translate(load_profile(PROFILE, model)).descriptor
            (folder / "schema.json").write_text(json.dumps(schema, ensure_ascii=False))
            print(f"\n{rows:,} rows, {size / 1e6:.1f} MB", flush=True)
            for method in METHODS:
                why = unavailable(method)
                if not why and method == "compiled":
                    why = too_big(done, rows, args.memory_budget_mb)
                m = (
                    Measurement(method, rows, note=why)
                    if why
                    else measure(method, rows, folder, args.repeat)
                )
                done.append(m)
                print(f"  {method}: {_cell(m.seconds)} s, {_cell(m.peak_mb, 0)} MB, "
                      f"{_cell(m.results)} results, {_cell(m.flagged_rows)} rows flagged; {m.note}",
                      flush=True)  # fmt: skip
    print()
    print(table(done))
    print()
    for line in targets(done):
        print(f"- {line}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [{k: v for k, v in asdict(m).items() if k != "keys"} for m in done], indent=1
            )
        )


if __name__ == "__main__":
    main()
