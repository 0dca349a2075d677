"""bench/csv_validate.py runs as documented at a tiny size: every method measured or said to
be unavailable, the SPARQL path and frictionless flag the same rows of the same file, and the
table and the issue's targets are printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_bench_runs_at_200_rows(tmp_path: Path) -> None:
    out = tmp_path / "measurements.json"
    done = subprocess.run(
        [sys.executable, "bench/csv_validate.py", "--rows", "200", "--json", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = {m["method"]: m for m in json.loads(out.read_text())}
    assert set(got) == {"columns", "compiled", "frictionless", "polars"}
    for m in got.values():
        assert m["rows"] == 200
        assert m["seconds"] is not None or "not available" in m["note"], m
        if m["seconds"] is not None:
            assert m["seconds"] > 0 and m["peak_mb"] > 0, m
    assert got["polars"]["results"] == 200  # rows read
    # The same file: every defect the generator writes is one the Table Schema can say.
    assert got["compiled"]["flagged_rows"] == got["frictionless"]["flagged_rows"] > 0
    if got["columns"]["seconds"] is not None:
        assert got["columns"]["results"] == got["compiled"]["results"]
    assert "| rows | method | time (s) | CPU (s) | peak RSS (MB) |" in done.stdout
    assert "columns vs compiled at 100,000 rows (≥10x)" in done.stdout
    assert "not in the Table Schema:" in done.stdout
