"""A build reads only the sources folder (issue 11, item 15): a symbolic link that leads out
of it is refused before anything is read, and the message never shows the target's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityref.store.build import BuildFailed, build_store
from cityref.store.sources import ModelFiles, SourceOutsideRoot, discover_sources
from tests.conftest import BASE_IRI, RunCli

SECRET = "cityref-test-secret-line that must never be printed"


@pytest.fixture
def outside_file(tmp_path: Path) -> Path:
    """A file outside the sources that is not Turtle: a parse error would quote it."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n", "utf-8")
    return secret


def test_build_refuses_a_link_out_of_the_sources_without_reading_it(
    run_cli: RunCli, cli_env: dict[str, str], toy_sources: Path, outside_file: Path
) -> None:
    assert run_cli("build").exit_code == 0
    (toy_sources / "ontology" / "leak.ttl").symlink_to(outside_file)

    result = run_cli("build")

    assert result.exit_code != 0
    said = result.output + (result.stderr if result.stderr_bytes else "")
    assert "ontology/leak.ttl" in said and "outside the sources folder" in said
    assert SECRET not in said and "root:x" not in said
    assert str(outside_file) not in said  # the target is not named either
    assert "the previous store is unchanged" in said
    # The previous store stays as it was.
    assert (Path(cli_env["CITYREF_STORE"]) / "current").exists()


def test_a_linked_content_folder_that_leads_out_is_refused(
    toy_sources: Path, outside_file: Path, tmp_path: Path
) -> None:
    foreign = outside_file.parent / "registry"
    foreign.mkdir()
    (foreign / "data.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", "utf-8")
    moved = toy_sources / "registry"
    moved.rename(tmp_path / "old-registry")
    moved.symlink_to(foreign, target_is_directory=True)
    with pytest.raises(SourceOutsideRoot, match=r"registry/data\.ttl"):
        discover_sources(toy_sources)
    with pytest.raises(BuildFailed, match="outside the sources folder"):
        build_store(tmp_path / "store", ModelFiles(toy_sources, BASE_IRI))
    assert not (tmp_path / "store" / "current").exists()


def test_links_inside_the_sources_still_work(toy_sources: Path) -> None:
    (toy_sources / "ontology" / "again.ttl").symlink_to(toy_sources / "registry" / "places.ttl")
    found = {str(s.relative_path) for s in discover_sources(toy_sources)}
    assert {"ontology/again.ttl", "registry/places.ttl"} <= found


def test_links_under_examples_are_not_read(toy_sources: Path, outside_file: Path) -> None:
    examples = toy_sources / "shapes" / "examples"
    examples.mkdir()
    (examples / "sample.ttl").symlink_to(outside_file)
    assert all("examples" not in s.relative_path.parts for s in discover_sources(toy_sources))
