"""The architects' questions (tests/queries) give their expected answers on every store.

The repository's model is built once per backend (``cityref build``'s code: the embedded
store in memory, Oxigraph server and Virtuoso through the remote build) and each question is
asked through the store as cityref asks it (CSV of lexical values, the row cap far above the
answers), then compared with NN-name.expected.csv line by line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityref.settings import load_settings
from cityref.store.oxigraph import OxigraphStore, Store
from cityref.store.remote import RemoteEndpoints, RemoteStore, current_pointer
from cityref.store.remote_build import build_configured
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO
from tests.sparql_servers import remote_environment

QUESTIONS = sorted((REPO / "tests" / "queries").glob("*.rq"))


@pytest.fixture(
    scope="module",
    params=["embedded", "oxigraph-server", "virtuoso"],
)
def store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    model_store: OxigraphStore,
) -> Iterator[Store]:
    if request.param == "embedded":
        yield model_store
        return
    fixture = "oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server"
    env = remote_environment(request.getfixturevalue(fixture))
    env["CITYREF_STORE"] = str(tmp_path_factory.mktemp("questions") / "store")
    settings = load_settings(env)
    build_configured(settings, ModelFiles(REPO, BASE_IRI), force=True)
    endpoints = RemoteEndpoints.from_settings(settings)
    assert endpoints is not None
    pointer = current_pointer(endpoints, 30)
    yield RemoteStore.open_build(endpoints, pointer.build_id, 60)


def _rows(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data)))


@pytest.mark.parametrize("rq", QUESTIONS, ids=[q.stem for q in QUESTIONS])
def test_question_on_every_store(rq: Path, store: Store) -> None:
    answer = store.query(rq.read_text(encoding="utf-8"), result_format="csv", max_rows=100_000)
    expected = rq.with_suffix(".expected.csv").read_text(encoding="utf-8")
    assert _rows(answer.data.decode("utf-8")) == _rows(expected)
