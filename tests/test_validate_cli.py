"""`cityref validate` with profiles: detection, located results, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REAL_DATA, REPO, RunCli

PRESCHOOL = REAL_DATA / "yaizu-222127" / "222127_preschool.csv"
AED = REAL_DATA / "yaizu-222127" / "222127_aed.csv"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The repository's own model: the municipal profiles live there, not in the toy tree."""
    return {"CITYREF_STORE": str(tmp_path / "store"), "CITYREF_SOURCES": str(REPO)}


def test_detected_profile_and_file_row_column(run_cli: RunCli) -> None:
    result = run_cli("validate", str(PRESCHOOL), "--lang", "en")
    assert result.exit_code == 1
    assert "detected profile: legacy-childcare-facility@" in result.stdout
    assert f"{PRESCHOOL}:49:電話番号: Violation:" in result.stdout


def test_detection_names_the_runner_up_in_text_and_json(run_cli: RunCli) -> None:
    """The older 指定緊急避難場所 layout: detected as itself, the current layout named as the
    runner-up with its match, in the text line and in the JSON document's ``detection``."""
    evacuation = REAL_DATA / "yaizu-222127" / "222127_evacuation_space.csv"
    text = run_cli("validate", str(evacuation), "--lang", "en")
    assert "detected profile: legacy-evacuation-site@1.0.0 " in text.stdout  # then its title
    assert (
        "(100% of the column names match profile legacy-evacuation-site;"
        " runner-up ods-evacuation-site at 48%)" in text.stdout
    )
    document = json.loads(run_cli("validate", str(evacuation), "--format", "json").stdout)
    assert document["detection"] == {
        "profile": "legacy-evacuation-site",
        "score": 1.0,
        "runner_up": "ods-evacuation-site",
        "runner_up_score": 0.477,
        "unsure": False,
    }
    assert "次点は ods-evacuation-site（48%）" in document["profile_note"]["ja"]
    named = json.loads(
        run_cli(
            "validate", str(evacuation), "--format", "json", "--profile", "legacy-evacuation-site"
        ).stdout
    )
    assert named["detection"] is None


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


def test_undetectable_data_is_told_to_give_the_profile_flag(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The command line names its own flag (the web names its form's list, see
    tests/web/test_error_pages.py)."""
    unknown = tmp_path / "mine.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run_cli("validate", str(unknown))
    assert result.exit_code == 2
    assert f"{unknown}: the header matches no profile" in result.stderr
    assert result.stderr.rstrip().endswith("give --profile")


def test_standard_input_in_any_registered_format(run_cli: RunCli) -> None:
    """--data-format names an input format, an RDF syntax or a media type of either."""
    aed = AED.read_text(encoding="utf-8")
    as_csv = run_cli("validate", "-", "--data-format", "csv", "--format", "json", input=aed)
    assert as_csv.exit_code == 0, as_csv.stderr
    assert json.loads(as_csv.stdout)["profile"].startswith("legacy-aed@")  # detected
    by_type = run_cli(
        "validate", "-", "--profile", "legacy-aed", "--data-format", "text/csv", input=aed
    )
    assert by_type.exit_code == 0, by_type.stderr
    turtle = (REPO / "shapes/gif-address/examples/invalid/address.ttl").read_text("utf-8")
    as_rdf = run_cli(
        "validate", "-", "--profile", "gif-address", "--data-format", "turtle", input=turtle
    )
    assert as_rdf.exit_code == 1, as_rdf.stderr
    unknown = run_cli("validate", "-", "--data-format", "xlsx", input=aed)
    assert unknown.exit_code == 2 and "no input format 'xlsx'" in unknown.stderr
