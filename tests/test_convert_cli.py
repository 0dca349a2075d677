"""`cityref convert FILE --to current`: an older-layout file in the current layout, the notes
on standard error in the language asked for, and clear errors for what cannot be converted."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import REAL_DATA, REPO, RunCli

KOMAE = REAL_DATA / "komae-132195" / "132195_aed.csv"
ICHIKAWA = REAL_DATA / "ichikawa-122033" / "122033_108_aed.csv"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The repository's own model: the municipal profiles live there, not in the toy tree."""
    return {"CITYREF_STORE": str(tmp_path / "store"), "CITYREF_SOURCES": str(REPO)}


def test_converts_to_a_file_that_validates(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "aed.csv"
    result = run_cli("convert", str(KOMAE), "--to", "current", "-o", str(out), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"{KOMAE}: converted 57 rows from legacy-aed to ods-aed" in result.stderr
    assert "changed: 名称_カナ: half-width kana made full-width (57 values)" in result.stderr
    assert "no-source: column '郵便番号' has no source in the file" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0]["地方公共団体名"] == "東京都狛江市" and rows[0]["開始時間"] == "08:30"
    # What remains is the one defect no rule can fix (docs/real-data.md).
    check = run_cli("validate", str(out), "--lang", "en")
    assert check.exit_code == 1
    assert "detected profile: ods-aed@" in check.stdout
    assert "0 violation" not in check.stdout and "1 violation(s), 0 warning(s)" in check.stdout


def test_writes_to_stdout_with_notes_in_japanese(run_cli: RunCli) -> None:
    result = run_cli("convert", str(KOMAE), "--to", "current", "--lang", "ja")
    assert result.exit_code == 0
    assert result.stdout.startswith("\ufeff全国地方公共団体コード,ID,地方公共団体名,")
    assert "legacy-aed から ods-aed へ 57 行を変換しました" in result.stderr
    assert "「都道府県名」「市区町村名」をつないで「地方公共団体名」にしました" in result.stderr
    both = run_cli("convert", str(KOMAE), "--to", "current")
    assert "行を変換しました / converted 57 rows" in both.stderr


def test_the_profile_can_be_named_and_stdin_read(run_cli: RunCli) -> None:
    data = KOMAE.read_text(encoding="utf-8")
    result = run_cli("convert", "-", "--to", "current", "--profile", "legacy-aed", input=data)
    assert result.exit_code == 0
    assert "converted 57 rows from legacy-aed to ods-aed" in result.stderr
    assert result.stderr.startswith("<stdin>: ")


def test_files_not_of_an_older_layout_are_refused_saying_why(run_cli: RunCli) -> None:
    current = run_cli("convert", str(ICHIKAWA), "--to", "current", "--lang", "en")
    assert current.exit_code == 2
    assert "detected as the current layout ods-aed" in current.stderr
    assert "nothing to convert" in current.stderr and "Traceback" not in current.stderr
    named = run_cli("convert", str(KOMAE), "--to", "current", "--profile", "ods-aed")
    assert named.exit_code == 2
    assert "profile ods-aed is not an older layout (older layouts: legacy-aed" in named.stderr
    missing = run_cli("convert", "no-such.csv", "--to", "current")
    assert missing.exit_code == 2 and "no-such.csv: cannot read" in missing.stderr
    prose = run_cli("convert", str(REPO / "README.md"), "--to", "current", "--lang", "en")
    assert prose.exit_code == 2
    assert "the header matches no profile" in prose.stderr
    assert "give the older layout's profile with --profile" in prose.stderr
    assert run_cli("convert", str(KOMAE)).exit_code == 2  # --to is required
