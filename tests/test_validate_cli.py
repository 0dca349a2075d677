"""`cityref validate` with profiles: detection, located results, exit codes."""

from __future__ import annotations

import json

from tests.conftest import REPO, RunCli

REAL = REPO.parent / "shared" / "data" / "real"
PRESCHOOL = REAL / "yaizu-222127" / "222127_preschool.csv"
AED = REAL / "yaizu-222127" / "222127_aed.csv"


def test_detected_profile_and_file_row_column(run_cli: RunCli) -> None:
    result = run_cli("validate", str(PRESCHOOL), "--lang", "en")
    assert result.exit_code == 1
    assert "detected profile: legacy-childcare-facility@" in result.stdout
    assert f"{PRESCHOOL}:49:電話番号: Violation:" in result.stdout


def test_conforming_file_exits_0_and_json_carries_locations(run_cli: RunCli) -> None:
    assert run_cli("validate", str(AED)).exit_code == 0
    result = run_cli(
        "validate", str(PRESCHOOL), "--format", "json", "--profile", "legacy-childcare-facility"
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["profile"].startswith("legacy-childcare-facility@")
    assert all(r["row"] and r["column"] for r in document["results"])


def test_input_errors_exit_2_without_traceback(run_cli: RunCli, tmp_path: object) -> None:
    missing = run_cli("validate", "no-such-file.csv")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    unknown = run_cli("validate", str(AED), "--profile", "no-such-profile")
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
