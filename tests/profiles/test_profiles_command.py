"""`cityref profiles`, `profiles show`, `profiles coverage` and `context`, run with click."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cityref.profiles.command import context_command, profiles_group


def test_list_text_and_json() -> None:
    runner = CliRunner()
    text = runner.invoke(profiles_group, [])
    assert text.exit_code == 0 and "ods-aed" in text.output
    listed = json.loads(runner.invoke(profiles_group, ["--format", "json"]).output)
    assert {"id", "version", "title", "domains", "status"} <= set(listed[0])
    assert len(listed) >= 16


def test_show() -> None:
    result = CliRunner().invoke(profiles_group, ["show", "ods-aed"])
    assert result.exit_code == 0 and "全国地方公共団体コード" in result.output
    missing = CliRunner().invoke(profiles_group, ["show", "nope"])
    assert missing.exit_code == 2 and "no profile" in missing.output


def test_coverage_is_complete() -> None:
    result = CliRunner().invoke(profiles_group, ["coverage", "--format", "json"])
    out = json.loads(result.output)
    assert out["ratio"] == 1.0, [p for p in out["profiles"] if p["missing"]]
    assert result.exit_code == 0


def test_context() -> None:
    result = CliRunner().invoke(context_command, ["gif-facility"])
    assert result.exit_code == 0
    assert json.loads(result.output)["@context"]["Facility"].endswith("core#Facility")
    whole = CliRunner().invoke(context_command, ["--all"])
    assert "core" in json.loads(whole.output)["@context"]
