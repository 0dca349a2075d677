"""`cityref profiles`, `profiles show`, `profiles coverage` and `context`, run with click."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from cityref.cli.main import cli
from tests.conftest import REPO


def cityref(*args: str) -> Result:
    """``cityref ARGS`` on the repository's own model."""
    return CliRunner().invoke(cli, list(args), env={"CITYREF_SOURCES": str(REPO)})


def test_list_text_and_json() -> None:
    text = cityref("profiles")
    assert text.exit_code == 0 and "ods-aed" in text.output
    listed = json.loads(cityref("profiles", "--format", "json").output)
    assert {"id", "version", "title", "domains", "status"} <= set(listed[0])
    assert len(listed) >= 16


def test_show() -> None:
    result = cityref("profiles", "show", "ods-aed")
    assert result.exit_code == 0 and "全国地方公共団体コード" in result.output
    missing = cityref("profiles", "show", "nope")
    assert missing.exit_code == 2 and "no profile" in missing.output


def test_coverage_is_complete() -> None:
    result = cityref("profiles", "coverage", "--format", "json")
    out = json.loads(result.output)
    assert out["ratio"] == 1.0, [p for p in out["profiles"] if p["missing"]]
    assert result.exit_code == 0


def test_context() -> None:
    result = cityref("context", "gif-facility")
    assert result.exit_code == 0
    assert json.loads(result.output)["@context"]["Facility"].endswith("core#Facility")
    whole = cityref("context", "--all")
    assert "core" in json.loads(whole.output)["@context"]
