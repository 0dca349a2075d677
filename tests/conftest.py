"""Shared fixtures. Limits are tighter than production so the limit paths run every time."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cityref.cli.main import cli
from cityref.store.build import BuildRecord, build_in_memory
from cityref.store.oxigraph import OxigraphStore
from cityref.store.sources import ModelFiles

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
TOY = DATA / "toy"
#: Real files as their publishers published them; sources and licences in tests/data/README.md.
REAL_DATA = DATA / "real"
BASE_IRI = "https://w3id.org/cityref/"
#: The repository's own model, as the default settings read it.
REPO_MODEL = ModelFiles(REPO, BASE_IRI)

RunCli = Callable[..., Result]

KNOWN_FAILURES = REPO / "tests" / "known_failures.toml"


def known_failures() -> dict[str, str]:
    """Test id -> why it fails, from tests/known_failures.toml."""
    with KNOWN_FAILURES.open("rb") as file:
        table: dict[str, str] = tomllib.load(file)["known_failures"]
    return table


@pytest.hookimpl(tryfirst=True)  # before -k, -m and --deselect drop items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each known failure as a strict xfail; an entry that names no test fails the run."""
    table = known_failures()
    for item in items:
        if item.nodeid in table:
            item.add_marker(pytest.mark.xfail(reason=table[item.nodeid], strict=True))
    stale = [
        test_id
        for test_id in sorted(set(table) - {item.nodeid for item in items})
        if _whole_file_collected(test_id.split("::", 1)[0], config, items)
    ]
    if stale:
        raise pytest.UsageError(
            f"{KNOWN_FAILURES.name} names tests that do not exist: {', '.join(stale)}"
        )


def _whole_file_collected(file: str, config: pytest.Config, items: list[pytest.Item]) -> bool:
    """Whether every test of ``file`` (relative to the repository) was collected in this run:
    true for a file that does not exist, false when the command line picked tests inside it."""
    path = (config.rootpath / file).resolve()
    if not path.is_file():
        return True
    picked = (a.split("::", 1)[0] for a in config.args if "::" in a)
    if any((config.invocation_params.dir / a).resolve() == path for a in picked):
        return False
    return any(item.nodeid.startswith(file + "::") for item in items)


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
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout's store, built once per session by ``cityref build`` with the default
    settings; servers and apps of the repository's model start from a copy of it (a build
    takes some 20 s of a core, a copy well under one)."""
    # Imported here: tests.security.conftest imports helpers that import this module.
    from tests.security.conftest import build_store_once

    return build_store_once(tmp_path_factory.mktemp("built"))


@pytest.fixture(scope="session")
def model_build() -> tuple[OxigraphStore, BuildRecord]:
    """The repository's own Reference Model, built in memory once per test session (some
    20 s of a core), and its build record (triples per graph)."""
    return build_in_memory(REPO_MODEL)


@pytest.fixture(scope="session")
def model_store(model_build: tuple[OxigraphStore, BuildRecord]) -> OxigraphStore:
    """The repository's own Reference Model, built in memory once per test session."""
    return model_build[0]


# Real SPARQL servers on loopback (Oxigraph server, Virtuoso 7), once per session.
from tests.sparql_servers import oxigraph_server, virtuoso_server  # noqa: E402, F401
