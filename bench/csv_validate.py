"""CSV validation end to end: rows of 公共施設一覧 (current layout) through detection, the CSV
adapter (CSVW mapping) and the compiled engine, as `cityref validate FILE` runs them.

Usage: python bench/csv_validate.py [--rows N] [--engine compiled|pyshacl]

Target (issue 5): 100,000 rows in under 15 s. The data: realistic rows (code, name, kana,
address, coordinates, phone, hours, a few flags), 1 % with a defect (bad phone, swapped
coordinates, 有/無 written あり), so the report is not empty.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import time

from cityref.profiles import check_input, load_profile
from cityref.settings import load_settings
from cityref.store.sources import ModelFiles
from cityref.validation import Engine, ValidationOptions


def generate(rows: int, model: ModelFiles, seed: int = 5) -> bytes:
    """A Shift_JIS CSV of ``rows`` facilities in the ods-public-facility layout."""
    schema = load_profile("ods-public-facility", model).table_schema()
    assert schema is not None
    header = [c.title for c in schema.columns]
    rng = random.Random(seed)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(header)
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
        out.writerow(row.values())
    return buf.getvalue().encode("cp932")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--engine", choices=[e.value for e in Engine], default="compiled")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs in a row; the best and the median are shown"
    )
    args = parser.parse_args()
    model = ModelFiles.from_settings(load_settings())
    data = generate(args.rows, model)
    options = ValidationOptions(engine=Engine(args.engine), max_results=None)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"rows: {args.rows}, bytes: {len(data)}")
    totals: list[float] = []
    for run in range(1, args.repeat + 1):
        started = time.perf_counter()
        result = check_input(data, "public_facility.csv", None, options, model=model)
        total = time.perf_counter() - started
        totals.append(total)
        stats = result.report.stats
        engine = stats.get("total_seconds", 0.0)
        print(
            f"run {run}: profile {result.profile.id}, "
            f"triples {result.converted.triple_count if result.converted else 0}, "
            f"results {len(result.report.results)}; "
            f"detect+convert+locate {total - engine:.2f} s, "
            f"load {stats.get('parse_seconds', 0.0):.2f} s, "
            f"validate {stats.get('validate_seconds', 0.0):.2f} s; end to end {total:.2f} s"
        )
    print(f"end to end: best {min(totals):.2f} s, median {statistics.median(totals):.2f} s")


if __name__ == "__main__":
    main()
