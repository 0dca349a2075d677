"""Fixtures of the registry tests: a private copy of the sources, the CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from cityref.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/cityref/"

Run = Callable[..., Result]


def copy_sources(
    target: Path, profiles: tuple[str, ...] = ("common", "gif-corporation", "ods-aed")
) -> Path:
    """ontology/ and a few profiles of the repository, copied to ``target``."""
    shutil.copytree(REPO / "ontology", target / "ontology")
    for name in profiles:
        shutil.copytree(REPO / "shapes" / name, target / "shapes" / name)
    (target / "registry").mkdir()
    return target


def complete_sources(target: Path) -> None:
    """The rest of the repository's model added to a copy, so that it builds (the build
    refuses a reference to a profile or registry record the copy left out); the files the
    copy has, changed or not, are kept."""
    for folder in ("shapes", "registry"):
        for source in sorted((REPO / folder).rglob("*")):
            copy = target / source.relative_to(REPO)
            if source.is_file() and not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    return copy_sources(tmp_path / "src")


@pytest.fixture
def run(sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke a registry command with the copy as CITYREF_SOURCES; checks the exit code."""
    monkeypatch.chdir(tmp_path)

    def invoke(command: click.Command, *args: str, code: int = 0) -> Result:
        env = {"CITYREF_SOURCES": str(sources), "CITYREF_STORE": str(tmp_path / "store")}
        # As typed: ``cityref COMMAND ARGS`` (the command reads the settings cityref loaded).
        line = list(args) if command is cli else [str(command.name), *args]
        result = CliRunner().invoke(cli, line, env=env, catch_exceptions=False)
        assert result.exit_code == code, (result.output, result.stderr_bytes)
        return result

    return invoke
