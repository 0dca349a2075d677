"""Registry commands: bad input gives a clear error (what and where), never a traceback."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from cityref.cli.registry import (
    diff_command,
    proposals_group,
    propose_command,
    records_group,
    release_command,
    releases_command,
    stats_command,
    systems_group,
)
from cityref.registry.records import list_records
from cityref.registry.releases import model_release, profile_at, profile_shapes_at, tree
from cityref.store.build import build_in_memory
from cityref.store.sources import ModelFiles
from tests.registry.conftest import BASE, Run, complete_sources

CORE = "https://w3id.org/cityref/def/core#"


def _notes(tmp_path: Path, text: str = "# ja\n初版\n# en\nFirst\n") -> str:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_release_errors(run: Run, tmp_path: Path) -> None:
    bad = run(release_command, "1.0", "--notes", _notes(tmp_path), code=1)
    assert "not a semantic version" in bad.output and "Traceback" not in bad.output
    one_language = run(release_command, "1.0.0", "--notes", _notes(tmp_path, "# en\nx\n"), code=1)
    assert "missing: ja" in one_language.output
    missing = run(release_command, "1.0.0", "--notes", str(tmp_path / "none.md"), code=1)
    assert "none.md: cannot read" in missing.output
    run(release_command, "1.0.0", "--notes", _notes(tmp_path))
    older = run(release_command, "0.9.0", "--notes", _notes(tmp_path), code=1)
    assert "not newer than the latest, 1.0.0" in older.output
    assert "1.0.0" in run(releases_command).output
    unknown = run(diff_command, "1.0.0", "2.0.0", code=1)
    assert "no release 2.0.0" in unknown.output and "known: 1.0.0" in unknown.output


def test_releases_are_loaded_as_named_graphs(run: Run, tmp_path: Path, sources: Path) -> None:
    run(release_command, "1.0.0", "--notes", _notes(tmp_path))
    # One dataset per release, not a copy of the source folders.
    assert sorted(p.name for p in (sources / "registry/releases").iterdir()) == ["1.0.0.trig"]
    complete_sources(sources)
    _store, record = build_in_memory(ModelFiles(sources, BASE))
    assert f"{BASE}graph/registry/releases/1.0.0/ontology/core" in record.graphs
    assert f"{BASE}graph/registry/releases/1.0.0/release" in record.graphs
    dataset = (sources / "registry/releases/1.0.0.trig").read_text(encoding="utf-8")
    assert "<https://w3id.org/cityref/def/core/1.0.0>" in dataset
    profile = profile_at("1.0.0", "gif-corporation", ModelFiles(sources, BASE))
    assert profile.directory.name == "gif-corporation"
    assert not profile.directory.is_relative_to(sources)  # written out of the dataset
    assert b"ContactPhone" in profile_shapes_at(
        "1.0.0", "gif-corporation", ModelFiles(sources, BASE)
    )
    csv_profile = profile_at("1.0.0", "ods-aed", ModelFiles(sources, BASE))
    assert csv_profile.table_schema() is not None  # the CSVW metadata came along
    assert not (csv_profile.directory / "examples").exists()


def test_the_working_tree_is_the_release_until_it_changes(
    run: Run, tmp_path: Path, sources: Path
) -> None:
    """Validation names the Reference Model release: the latest one while nothing released
    has changed, ``working`` after; ``cityref validate --record`` writes it down."""
    assert model_release(sources) == "working"  # no release yet
    run(release_command, "1.0.0", "--notes", _notes(tmp_path))
    assert model_release(sources) == "1.0.0"
    register = ["register", "corp-app", "--vendor", "V", "--product", "P", "--version", "1"]
    run(systems_group, *register)
    data = tmp_path / "d.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .", encoding="utf-8")
    add = ["add", "corp-app", str(data), "--profile", "gif-corporation@working"]
    assert "recorded" in run(records_group, *add).output
    core = sources / "ontology" / "core.ttl"
    core.write_text(core.read_text("utf-8") + "\n# an edit\n", encoding="utf-8")
    assert model_release(sources) == "working"
    run(records_group, *add)
    first, second = list_records(sources, "corp-app")
    assert (first.profile, first.model_release) == ("gif-corporation@1.0.0", "1.0.0")
    assert (second.profile, second.model_release) == ("gif-corporation@working", "working")


def test_proposal_errors(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.trig"
    broken.write_text("GRAPH <urn:x> { <urn:a> <urn:b> ", encoding="utf-8")
    out = run(
        propose_command,
        "--kind",
        "change-shape",
        "--additions",
        str(broken),
        "--proposer",
        "A",
        "--rationale-ja",
        "理由",
        "--rationale-en",
        "why",
        code=1,
    )
    assert "broken.trig (additions): does not parse" in out.output
    unknown = run(
        propose_command,
        "--deprecate",
        CORE + "noSuchTerm",
        "--proposer",
        "A",
        "--rationale-ja",
        "理由",
        "--rationale-en",
        "why",
        code=1,
    )
    assert "noSuchTerm" in unknown.output
    no_ja = run(
        propose_command,
        "--deprecate",
        CORE + "name",
        "--proposer",
        "A",
        "--rationale-ja",
        " ",
        "--rationale-en",
        "why",
        code=1,
    )
    assert "missing: ja" in no_ja.output
    run(
        propose_command,
        "--deprecate",
        CORE + "name",
        "--proposer",
        "A",
        "--rationale-ja",
        "理由",
        "--rationale-en",
        "why",
    )
    rejected = run(proposals_group, "reject", "0001", "--reviewer", "B", "--comment", "no")
    assert "rejected" in rejected.output
    again = run(proposals_group, "accept", "0001", "--reviewer", "B", code=1)
    assert "is rejected, not open" in again.output
    assert "no proposal 0042" in run(proposals_group, "show", "0042", code=1).output
    shown = run(proposals_group, "show", "0001").output
    assert "review:" in shown and "rejected" in shown


def test_stale_patch_is_refused_and_nothing_written(
    run: Run, tmp_path: Path, sources: Path
) -> None:
    deletions = tmp_path / "del.trig"
    deletions.write_text(
        "<https://w3id.org/cityref/shapes/gif-corporation/Name> "
        "<http://www.w3.org/ns/shacl#minCount> 5 .\n",
        encoding="utf-8",
    )
    run(
        propose_command,
        "--kind",
        "change-shape",
        "--deletions",
        str(deletions),
        "--proposer",
        "A",
        "--rationale-ja",
        "理由",
        "--rationale-en",
        "why",
    )
    before = (sources / "shapes/gif-corporation/shapes.ttl").read_bytes()
    out = run(proposals_group, "accept", "0001", "--reviewer", "B", code=1)
    assert "statement to delete is not there" in out.output
    assert (sources / "shapes/gif-corporation/shapes.ttl").read_bytes() == before
    assert "open" in run(proposals_group, "list").output


def test_records_errors(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .", encoding="utf-8")
    out = run(
        records_group, "add", "nobody", str(data), "--profile", "gif-corporation@working", code=1
    )
    assert "not registered" in out.output
    bad = run(
        systems_group,
        "register",
        "Bad Id",
        "--vendor",
        "V",
        "--product",
        "P",
        "--version",
        "1",
        code=1,
    )
    assert "not a system id" in bad.output
    assert "ID@VERSION" in run(records_group, "check", str(data), "--profile", "x", code=2).output
    assert "records / 記録: 0" in run(stats_command).output


def test_a_release_is_not_read_from_a_cache_others_can_write(
    run: Run, tmp_path: Path, sources: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Releases are written out as files into a per-user cache in the temporary folder; one
    that other users can write to is refused, never read as a release."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    run(release_command, "1.0.0", "--notes", _notes(tmp_path))
    assert tree(sources, "1.0.0").parent == tmp_path / "tmp" / f"cityref-releases-{os.getuid()}"
    (tmp_path / "tmp" / f"cityref-releases-{os.getuid()}").chmod(0o777)
    refused = run(diff_command, "1.0.0", code=1)
    assert "open to other users; not used" in refused.output
