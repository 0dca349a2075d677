"""The architects' questions (tests/queries) give their expected answers on every store.

The repository's model is built in memory once per session (``model_build``: ``cityref
build``'s parsing, checks and OWL-RL) and asked as it is (the embedded store); Oxigraph server
and Virtuoso get it through the remote build (``build_configured``: staging graphs, the switch,
the pointer), whose in-memory step is handed that same build instead of making it once more
(some 20 s of a core each). Each question is asked through the store as cityref asks it (CSV
of lexical values, the row cap far above the answers), then compared with
NN-name.expected.csv line by line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cityref.settings import load_settings
from cityref.store import remote_build
from cityref.store.build import BuildRecord, Progress
from cityref.store.oxigraph import OxigraphStore, Store
from cityref.store.remote import RemoteEndpoints, RemoteStore, current_pointer
from cityref.store.remote_build import build_configured
from cityref.store.sources import ModelFiles, SourceFile
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
    model_build: tuple[OxigraphStore, BuildRecord],
) -> Iterator[Store]:
    if request.param == "embedded":
        yield model_build[0]
        return
    fixture = "oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server"
    env = remote_environment(request.getfixturevalue(fixture))
    env["CITYREF_STORE"] = str(tmp_path_factory.mktemp("questions") / "store")
    settings = load_settings(env)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(remote_build, "populate", _populated_as(model_build))
        build_configured(settings, ModelFiles(REPO, BASE_IRI), force=True)
    endpoints = RemoteEndpoints.from_settings(settings)
    assert endpoints is not None
    pointer = current_pointer(endpoints, 30)
    yield RemoteStore.open_build(endpoints, pointer.build_id, 60)


def _populated_as(built: tuple[OxigraphStore, BuildRecord]) -> Callable[..., dict[str, int]]:
    """A stand-in for :func:`cityref.store.build.populate` that fills the remote build's
    in-memory store with the session's build of the same sources (every quad, the default
    graph's copy too) and answers its triples per graph, as populate would."""
    model, record = built

    def populate(store: OxigraphStore, sources: list[SourceFile], model_files: ModelFiles,
                 progress: Progress | None = None) -> dict[str, int]:  # fmt: skip
        assert model_files.root == REPO and [s.sha256 for s in sources] == [
            s["sha256"] for s in record.sources
        ], "the session's build is of other sources"
        store._store.bulk_extend(model._store)
        return dict(record.graphs)

    return populate


def _rows(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data)))


@pytest.mark.parametrize("rq", QUESTIONS, ids=[q.stem for q in QUESTIONS])
def test_question_on_every_store(rq: Path, store: Store) -> None:
    answer = store.query(rq.read_text(encoding="utf-8"), result_format="csv", max_rows=100_000)
    expected = rq.with_suffix(".expected.csv").read_text(encoding="utf-8")
    assert _rows(answer.data.decode("utf-8")) == _rows(expected)
