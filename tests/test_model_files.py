"""One handle on the model's files: with CITYREF_SOURCES on another tree, every command reads
that tree alone — its profiles, its ontology — and none of the checkout's."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cityref.cli.main import cli
from tests.conftest import BASE_IRI, REPO, RunCli

# A school: a facility only through the toy ontology (School ⊑ Shelter ⊑ Facility).
SCHOOL = b"<https://example.org/toy#s> a <https://example.org/toy#School> .\n"


def test_profiles_lists_the_trees_profiles_only(run_cli: RunCli) -> None:
    listed = run_cli("profiles", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [p["id"] for p in json.loads(listed.stdout)] == ["toy-facility"]
    text = run_cli("profiles")
    assert text.stdout.split()[0] == "toy-facility" and "ods-aed" not in text.stdout
    assert run_cli("profiles", "show", "gif-facility").exit_code == 2  # the checkout's


def test_validation_takes_profile_and_ontology_from_the_tree(
    run_cli: RunCli, tmp_path: Path
) -> None:
    data = tmp_path / "school.ttl"
    data.write_bytes(SCHOOL)
    result = run_cli("validate", str(data), "--profile", "toy-facility", "--format", "json")
    assert result.exit_code == 1, result.output  # the toy ontology makes the school a facility
    report = json.loads(result.stdout)["report"]["en"]
    assert [r["component"] for r in report["results"]] == ["MinCount"]
    assert "operator" in report["results"][0]["message"]
    other = run_cli("validate", str(data), "--profile", "gif-facility")
    assert other.exit_code == 2 and "no profile 'gif-facility'" in other.stderr


def test_context_of_the_trees_profile(run_cli: RunCli) -> None:
    result = run_cli("context", "toy-facility")
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.stdout)["@context"]["operator"]["@id"]
        == "https://example.org/toy#operator"
    )
    assert run_cli("context", "gif-facility").exit_code == 2


def _located(base_iri: str, example: str) -> list[tuple[object, ...]]:
    env = {"CITYREF_SOURCES": str(REPO), "CITYREF_BASE_IRI": base_iri}
    args = ["validate", str(REPO / example), "--profile", "ods-aed", "--format", "json"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["results"]
    return sorted((r["row"], r["column"], r["component"], r["message"]) for r in found)


def test_a_rebased_model_finds_and_locates_what_the_default_does() -> None:
    """The CSV adapter's own findings (unknown columns, extra cells) follow the base too."""
    for example in (
        "shapes/ods-aed/examples/invalid/header.csv",
        "shapes/ods-aed/examples/invalid/rules.csv",
    ):
        default = _located(BASE_IRI, example)
        assert default and default == _located("https://example.org/city/", example)


def test_a_proposal_accepted_under_another_base_is_written_as_the_sources_are(
    tmp_path: Path,
) -> None:
    """The changeset names the served IRIs; the sources keep the written base, so they still
    build under any base."""
    from tests.registry.conftest import complete_sources, copy_sources

    sources = copy_sources(tmp_path / "src")
    env = {"CITYREF_SOURCES": str(sources), "CITYREF_BASE_IRI": "https://example.org/city/"}
    shape = "<https://example.org/city/shapes/gif-corporation/Name>"
    graph = "<https://example.org/city/graph/shapes/gif-corporation/shapes>"
    min_count = "<http://www.w3.org/ns/shacl#minCount>"
    (tmp_path / "del.trig").write_text(f"GRAPH {graph} {{ {shape} {min_count} 1 }}\n")
    (tmp_path / "add.trig").write_text(f"GRAPH {graph} {{ {shape} {min_count} 2 }}\n")

    def cityref(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    cityref(
        "propose", "--kind", "change-shape", "--proposer", "A", "--rationale-ja", "理由",
        "--rationale-en", "why", "--deletions", str(tmp_path / "del.trig"),
        "--additions", str(tmp_path / "add.trig"),
    )  # fmt: skip
    cityref("proposals", "accept", "0001", "--reviewer", "B")
    text = (sources / "shapes" / "gif-corporation" / "shapes.ttl").read_text(encoding="utf-8")
    assert "example.org/city" not in text and "sh:minCount 2" in text
    complete_sources(sources)  # the rest of the model, which the build needs
    built = cityref("query", "--memory", "--format", "json", f"ASK {{ {shape} {min_count} 2 }}")
    assert json.loads(built)["boolean"] is True
