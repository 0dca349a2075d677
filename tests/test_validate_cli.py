"""`cityref validate` with profiles: detection, located results, exit codes."""

from __future__ import annotations

import json

from tests.conftest import REAL_DATA, RunCli

PRESCHOOL = REAL_DATA / "yaizu-222127" / "222127_preschool.csv"
AED = REAL_DATA / "yaizu-222127" / "222127_aed.csv"


def test_detected_profile_and_file_row_column(run_cli: RunCli) -> None:
    result = run_cli("validate", str(PRESCHOOL), "--lang", "en")
    assert result.exit_code == 1
    assert "detected profile: legacy-childcare-facility@" in result.stdout
    assert f"{PRESCHOOL}:49:電話番号: Violation:" in result.stdout


def test_text_output_says_what_to_fix_and_lists_results_in_file_order(run_cli: RunCli) -> None:
    toilets = REAL_DATA / "ichikawa-122033" / "122033_201_multipurpose_toilet.csv"
    result = run_cli("validate", str(toilets), "--lang", "en")
    assert result.exit_code == 1
    assert "What to fix, constraint by constraint:" in result.stdout
    assert (
        "  Violation: 設置位置: 49 results, rows 2–50: Column 設置位置 is required" in result.stdout
    )
    rows = [
        int(line.split(":")[1])
        for line in result.stdout.splitlines()
        if line.startswith(str(toilets))
    ]
    assert rows and rows == sorted(rows)
    ja = run_cli("validate", str(toilets), "--lang", "ja")
    assert "直すこと（制約ごと）:" in ja.stdout and "49 件、行 2–50" in ja.stdout


def test_conforming_file_exits_0_and_json_carries_locations(run_cli: RunCli) -> None:
    assert run_cli("validate", str(AED)).exit_code == 0
    result = run_cli(
        "validate", str(PRESCHOOL), "--format", "json", "--profile", "legacy-childcare-facility"
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["profile"].startswith("legacy-childcare-facility@")
    assert all(r["row"] and r["column"] for r in document["results"])
    assert document["summary"] and all(f["count"] >= 1 for f in document["summary"])
    assert sum(f["count"] for f in document["summary"]) == len(document["results"])


def test_input_errors_exit_2_without_traceback(run_cli: RunCli, tmp_path: object) -> None:
    missing = run_cli("validate", "no-such-file.csv")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    unknown = run_cli("validate", str(AED), "--profile", "no-such-profile")
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
