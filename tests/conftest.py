"""Shared fixtures. Limits are tighter than production so the limit paths run every time."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cityref.build import build_in_memory
from cityref.cli import cli
from cityref.sources import ModelFiles
from cityref.store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
TOY = Path(__file__).resolve().parent / "data" / "toy"
BASE_IRI = "https://w3id.org/cityref/"
#: The repository's own model, as the default settings read it.
REPO_MODEL = ModelFiles(REPO, BASE_IRI)

RunCli = Callable[..., Result]


@pytest.fixture
def toy_sources(tmp_path: Path) -> Path:
    """A private copy of the toy model, free to be broken by the test."""
    target = tmp_path / "sources"
    shutil.copytree(TOY, target)
    return target


@pytest.fixture
def cli_env(tmp_path: Path, toy_sources: Path) -> dict[str, str]:
    return {
        "CITYREF_STORE": str(tmp_path / "store"),
        "CITYREF_SOURCES": str(toy_sources),
        "CITYREF_QUERY_TIMEOUT": "1",
        "CITYREF_MAX_ROWS": "5",
    }


@pytest.fixture
def run_cli(cli_env: dict[str, str]) -> RunCli:
    """Run ``cityref ARGS`` in-process with the test's settings; stdout and stderr apart."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=cli_env, input=input)

    return run


@pytest.fixture(scope="session")
def model_store() -> Iterator[OxigraphStore]:
    """The repository's own Reference Model, built in memory once per test session."""
    store, _record = build_in_memory(REPO_MODEL)
    yield store
