"""``cityref build`` into a remote store switches readers at once, and never half-way.

On Oxigraph server and Virtuoso (started once per session, tests/sparql_servers.py): a build
that fails on a source, or is killed while it loads the server, leaves the old model
answering; the next build drops what a killed one left; readers asking during builds that
alternate between two models see one model or the other in every answer, never a mix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.query_service import QueryService
from cityref.settings import Settings, load_settings
from cityref.sparql.query import QueryRequest
from cityref.store.oxigraph import Dataset
from cityref.store.remote import (
    LEASE_SECONDS,
    NEXT,
    NS,
    POINTER_GRAPH,
    SETTLED,
    STORE_NODE,
    RemoteEndpoints,
    RemoteStore,
    term_text,
)
from cityref.store.remote_build import SWITCH_NOTICE_SECONDS, build_configured
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, RunCli
from tests.sparql_servers import Endpoints, remote_environment

BACKENDS = ["oxigraph-server", "virtuoso"]
#: Counts every statement of the model: default graph and named graphs together.
EVERYTHING = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
EXTRA_FILES = 150


@pytest.fixture(params=BACKENDS)
def remote_env(request: pytest.FixtureRequest, cli_env: dict[str, str]) -> dict[str, str]:
    """``cli_env`` (the toy model, a store folder of its own) on a remote server."""
    fixture = "oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server"
    cli_env |= remote_environment(request.getfixturevalue(fixture))
    return cli_env


def _settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


def _store(settings: Settings) -> RemoteStore:
    endpoints = RemoteEndpoints.from_settings(settings)
    assert endpoints is not None
    pointer = RemoteStore(endpoints, None).pointer()
    assert pointer is not None
    return RemoteStore.open_build(endpoints, pointer.build_id, 30)


def _count(store: RemoteStore) -> int:
    rows = store.select(EVERYTHING)
    return int(term_text(rows[0]["n"]))


def _grow(sources: Path) -> None:
    """Many more graphs (one registry file each), so that loading them takes a while."""
    folder = sources / "registry" / "extra"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(EXTRA_FILES):
        lines = [
            f'<urn:x:extra:{n}:{i}> <http://www.w3.org/2000/01/rdf-schema#label> "{i}"@en .'
            for i in range(20)
        ]
        (folder / f"extra-{n:03}.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _built(env: dict[str, str], run_cli: RunCli) -> tuple[Settings, RemoteStore, int]:
    """``cityref build --force`` done: the settings, the build it made, its triple count."""
    assert run_cli("build", "--force").exit_code == 0
    settings = _settings(env)
    store = _store(settings)
    return settings, store, _count(store)


def test_failed_build_leaves_the_old_model_answering(
    remote_env: dict[str, str], run_cli: RunCli, toy_sources: Path
) -> None:
    settings, before, count = _built(remote_env, run_cli)
    (toy_sources / "ontology" / "broken.ttl").write_text("<urn:x:a> <urn:x:b> .\n")
    result = run_cli("build", "--force")
    assert result.exit_code != 0
    assert "previous store is unchanged" in result.stderr
    after = _store(settings)
    assert after.build_id == before.build_id
    assert _count(after) == count
    query = run_cli("query", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert query.exit_code == 0, query.output
    assert query.stdout.splitlines()[1].isdigit()
    info = run_cli("info")
    assert info.exit_code == 0, info.output
    assert f"build:        {before.build_id}" in info.stdout
    assert settings.store_endpoint and settings.store_endpoint in info.stdout


def test_killed_build_leaves_the_old_model_and_the_next_build_cleans_up(
    remote_env: dict[str, str], run_cli: RunCli, toy_sources: Path
) -> None:
    settings, before, count = _built(remote_env, run_cli)
    _grow(toy_sources)
    env = os.environ | remote_env
    process = subprocess.Popen(
        [sys.executable, "-m", "cityref", "build", "--force"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(b"OWL-RL"):  # the model is made; loading the server begins
            break
    staging_seen = _wait_for_staging(before)
    process.kill()
    process.wait()
    assert staging_seen, "the build was killed before it wrote to the server"
    after = _store(settings)
    assert after.build_id == before.build_id
    assert _count(after) == count
    assert run_cli("build", "--force").exit_code == 0
    rebuilt = _store(settings)
    kept = (str(before.build_id), str(rebuilt.build_id))
    assert _build_graphs(rebuilt)
    assert all(any(build in g for build in kept) for g in _build_graphs(rebuilt))


def _wait_for_staging(store: RemoteStore) -> bool:
    """True once a build's staging graph is on the server."""
    for _ in range(200):
        if any(":staging:" in g for g in _build_graphs(store)):
            return True
        threading.Event().wait(0.02)
    return False


def _build_graphs(store: RemoteStore) -> set[str]:
    rows = store.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{NS}build:")) }}',
        dataset=Dataset(),
    )
    return {term_text(r["g"]) for r in rows}


def test_readers_during_builds_see_one_model_or_the_other(
    remote_env: dict[str, str], tmp_path: Path, toy_sources: Path
) -> None:
    grown = tmp_path / "grown"
    shutil.copytree(toy_sources, grown)
    _grow(grown)
    settings = _settings(remote_env).with_(query_timeout=30)
    small, large = ModelFiles(toy_sources, BASE_IRI), ModelFiles(grown, BASE_IRI)
    build_configured(settings, large, force=True)
    large_count = _count(_store(settings))
    build_configured(settings, small, force=True)
    small_count = _count(_store(settings))
    assert small_count < large_count
    service = QueryService(settings, small)
    seen: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            answer = service.run_own(QueryRequest(EVERYTHING, "csv", 10, 30))
            seen.append(int(answer.data.split(b"\r\n")[1]))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for model in (large, small, large, small):
            build_configured(settings, model, force=True)
    finally:
        stop.set()
        reader.join()
        service.stop()
    assert seen and set(seen) <= {small_count, large_count}


def test_the_switch_waits_out_the_notice_and_readers_stop_leasing_once_given_it(
    oxigraph_server: Endpoints,
    cli_env: dict[str, str],
    toy_sources: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lease's guarantee (RemoteStore._checked_ask) rests on two things the other build
    tests cannot see, since loading the full model outlasts a lease anyway: the switch comes
    no sooner than SWITCH_NOTICE_SECONDS after the server had the notice, and a reader that
    sees the notice keeps no answer unchecked. On the toy model, loading takes well under that."""
    settings = _settings(cli_env | remote_environment(oxigraph_server)).with_(query_timeout=30)
    model = ModelFiles(toy_sources, BASE_IRI)
    build_configured(settings, model, force=True)
    reader = _store(settings)
    _count(reader)  # a checked answer: the pointer said settled, no next build, so a lease
    assert reader._lease_until > 0
    events: list[tuple[str, float]] = []
    update = RemoteStore.update

    def watched(store: RemoteStore, text: str, *args: object, **kwargs: object) -> object:
        kind = (
            "notice"
            if f"INSERT DATA {{ GRAPH <{POINTER_GRAPH}> {{ <{STORE_NODE}> <{NEXT}>" in text
            else ("switch" if f"<{SETTLED}> true" in text else "other")
        )
        if kind == "switch":
            events.append(("switch sent", time.monotonic()))
        answer = update(store, text, *args, **kwargs)
        if kind == "notice":
            events.append(("notice had", time.monotonic()))
            # The reader now sees a next build: once its lease ends, no answer goes unchecked.
            time.sleep(max(0.0, reader._lease_until - time.monotonic()))
            _count(reader)
            leased_until = reader._lease_until
            assert leased_until <= time.monotonic(), "a reader took a lease during the notice"
            events.append(("reader checked", leased_until))
        return answer

    monkeypatch.setattr(RemoteStore, "update", watched)
    started = time.monotonic()
    build_configured(settings, model, force=True)
    when = dict(events)
    assert list(when) == ["notice had", "reader checked", "switch sent"], events
    assert when["switch sent"] - when["notice had"] >= SWITCH_NOTICE_SECONDS > LEASE_SECONDS
    # The wait is what made the gap: the toy model loads in well under the notice.
    assert when["switch sent"] - started < SWITCH_NOTICE_SECONDS + 5
    reader_after = _store(settings)
    _count(reader_after)
    assert reader_after._lease_until > 0, "after the switch the notice is gone: leases resume"
