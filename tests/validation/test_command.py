"""``cityref validate``: exit codes, formats, stdin, output file, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cityref.cli.main import cli
from cityref.outcome import RENDERER_NAMES

SHAPES = b"""@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:S a sh:NodeShape ; sh:targetClass ex:Facility ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
GOOD = b'@prefix ex: <http://example.org/> .\nex:a a ex:Facility ; ex:name "A" .\n'
BAD = b"@prefix ex: <http://example.org/> .\nex:b a ex:Facility .\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, content in {
        "shapes.ttl": SHAPES,
        "good.ttl": GOOD,
        "bad.ttl": BAD,
        "broken.ttl": BAD + b"ex:a ex:b ex:c ex:d .\n",
        "data.unknown": GOOD,
        "doctype.rdf": b'<?xml version="1.0"?><!DOCTYPE r><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    }.items():
        (tmp_path / name).write_bytes(content)
        out[name] = str(tmp_path / name)
    return out


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_exit_codes(files: dict[str, str]) -> None:
    assert invoke(files["good.ttl"], "--shapes", files["shapes.ttl"])[0] == 0
    code, out, _ = invoke(files["bad.ttl"], "--shapes", files["shapes.ttl"], "--lang", "ja")
    assert code == 1 and "少なくとも 1 個" in out


def test_json_output_file_and_stdin(files: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = invoke(
        "-",
        "--data-format",
        "turtle",
        "--shapes",
        files["shapes.ttl"],
        "--format",
        "json",
        "--output",
        str(target),
        stdin=BAD,
    )
    assert code == 1 and out == ""
    outcome = json.loads(target.read_text(encoding="utf-8"))
    assert outcome["conforms"] is False and outcome["verdict"] == "violations"
    assert outcome["report"]["en"]["engine"] == outcome["report"]["ja"]["engine"] == "compiled"
    assert [r["file"] for r in outcome["results"]] == ["<stdin>"]


@pytest.mark.parametrize("fmt", RENDERER_NAMES)
def test_every_format_with_both_engines(files: dict[str, str], fmt: str) -> None:
    for engine in ("compiled", "pyshacl"):
        code, out, _ = invoke(
            files["good.ttl"],
            files["bad.ttl"],
            "--shapes",
            files["shapes.ttl"],
            "--format",
            fmt,
            "--engine",
            engine,
        )
        assert code == 1 and out


def test_input_errors_exit_2_without_traceback(files: dict[str, str]) -> None:
    cases = {
        (files["broken.ttl"],): f"{files['broken.ttl']}:3:",
        (files["data.unknown"],): "cannot tell the RDF format",
        (files["doctype.rdf"],): "DOCTYPE is refused",
        (files["good.ttl"], "--max-input-bytes", "10"): "above the limit",
        ("missing.ttl",): "missing.ttl: cannot read",
        ("-",): "needs --data-format",
    }
    for args, expected in cases.items():
        code, _, err = invoke(*args, "--shapes", files["shapes.ttl"])
        assert code == 2, (args, err)
        assert expected in err, (args, err)
        assert "Traceback" not in err


def test_unknown_profile_exits_2_naming_the_known_ones(files: dict[str, str]) -> None:
    code, _, err = invoke(files["good.ttl"], "--profile", "facility@1.0")
    assert code == 2 and "no profile 'facility'" in err and "gif-facility" in err


def test_usage_errors_exit_2(files: dict[str, str]) -> None:
    assert invoke(files["good.ttl"])[0] == 2  # no --shapes
    assert invoke(files["good.ttl"], "--shapes", files["shapes.ttl"], "--format", "xml")[0] == 2


def test_verdict_and_the_same_document_every_run(files: dict[str, str], tmp_path: Path) -> None:
    """Only warnings is its own verdict (still exit 1: the data does not conform), and blank
    nodes (here the anonymous property shape) are named in order met, not at random."""
    warning_shapes = tmp_path / "warning-shapes.ttl"
    warning_shapes.write_bytes(
        SHAPES.replace(b"minCount 1 ]", b"minCount 1 ; sh:severity sh:Warning ]")
    )
    documents = []
    for _run in range(2):
        code, out, _ = invoke(files["bad.ttl"], "--shapes", str(warning_shapes), "--format", "json")
        assert code == 1
        document = json.loads(out)
        for report in document["report"].values():
            report.pop("stats")  # the run's timings
        documents.append(document)
    assert documents[0] == documents[1]
    assert documents[0]["verdict"] == "warnings"
    assert documents[0]["counts"] == {"Violation": 0, "Warning": 1, "Info": 0}
    assert documents[0]["results"][0]["shape"] == "_:b1"
    assert documents[0]["report"]["en"]["results"][0]["sourceShape"]["value"] == "b1"
    code, out, _ = invoke(files["good.ttl"], "--shapes", files["shapes.ttl"], "--format", "json")
    assert code == 0 and json.loads(out)["verdict"] == "conforms"
