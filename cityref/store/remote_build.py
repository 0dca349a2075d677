"""``cityref build`` into a remote store: load beside the old model, then switch in one update.

How readers switch at once, and why this way:

1. The model is built and checked in memory first, exactly as for the embedded store
   (:func:`cityref.store.build.populate`: parsing, integrity, OWL-RL, the default graph's
   copy). A source that fails stops the build before the server is touched.
2. Each named graph is written (Graph Store Protocol PUT) to a staging graph of its own,
   ``urn:x-cityref:build:<id>:staging:<n>``, and the default graph to
   ``urn:x-cityref:build:<id>:default``. Readers never see them: every query cityref sends
   names its dataset (the current build's default graph and named graphs, see
   :mod:`cityref.store.remote`), and the guard refuses FROM of graphs the build does not list.
3. Before its first write, a build that replaces another names itself in the pointer graph
   as the next build (``<urn:x-cityref:store> <urn:x-cityref:nextBuild> <node>``), and the
   switch waits until SWITCH_NOTICE_SECONDS have passed since: readers keep answers without
   reading the pointer for LEASE_SECONDS after a read that saw no next build
   (:meth:`cityref.store.remote.RemoteStore._checked_ask` gives the proof), so by the time
   the switch moves graphs, no reader still trusts a read made before the notice. A build
   that fails takes its notice back; one that is killed leaves it, and readers check every
   answer (two requests instead of one) until the next build's switch removes it.
4. One SPARQL update request then moves every staging graph onto its real name, drops the
   graphs the new build no longer has, and rewrites the pointer graph
   (``urn:x-cityref:current``: build id, generation, graph list, build record). A SPARQL
   update request is one transaction on Oxigraph server (and on Virtuoso, whose readers see
   the last committed state): a query sees the old graphs or the new ones, never some of
   each. Queries on the default graph name the build's own copy, which no update ever
   changes, so they see exactly one build even across the switch.
5. Then graphs of builds older than the previous one are dropped (the previous build's
   default graph stays one more round, for readers that started before the switch), and so
   are the staging graphs of builds that were killed.

Why not graph names carrying the build id for the model's named graphs too: the names of
named graphs are data that queries see (``GRAPH ?g``, ``STR(?g)``), and answers must be the
same on every store; only the default graph's name is never visible, so only it is kept per
build. Why not one big ``INSERT DATA``: servers cap the size of an update's text (Virtuoso
compiles it into SQL), while the Graph Store Protocol streams any size.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from cityref.errors import CityrefError
from cityref.services.shared_state import Lease, LockBusy, connect, held_lock
from cityref.settings import Settings
from cityref.store.build import (
    BuildOutcome,
    BuildRecord,
    Progress,
    build_lock,
    build_store,
    discover,
    fingerprint,
    new_record,
    populate,
)
from cityref.store.oxigraph import Dataset, OxigraphStore
from cityref.store.remote import (
    BUILD,
    CURRENT,
    GENERATION,
    GRAPH,
    LEASE_SECONDS,
    NEXT,
    NS,
    POINTER_GRAPH,
    RECORD,
    SETTLED,
    STORE_NODE,
    RemoteEndpoints,
    RemoteStore,
    build_graph,
    build_node,
    term_text,
)
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

#: Seconds a single graph write or the switch may take (they are not visitors' queries).
WRITE_TIMEOUT = 600.0
#: Seconds between naming the next build and switching to it: longer than a reader's lease,
#: twice over so that no difference between two machines' clocks can matter.
SWITCH_NOTICE_SECONDS = 2 * LEASE_SECONDS


def build_configured(
    settings: Settings, model: ModelFiles, *, force: bool = False, progress: Progress | None = None
) -> BuildOutcome:
    """Build into the store the settings name: the remote one if configured, else the folder."""
    endpoints = RemoteEndpoints.from_settings(settings)
    if endpoints is None:
        return build_store(settings.store, model, force=force, progress=progress)
    return build_remote(
        endpoints, settings.store, model, force=force, progress=progress, state=settings.state
    )


def remote_record(store: RemoteStore) -> BuildRecord | None:
    """The record of the build the server answers with now."""
    record = store.record()
    return BuildRecord(**record) if record is not None else None


def build_remote(
    endpoints: RemoteEndpoints,
    lock_folder: Path,
    model: ModelFiles,
    *,
    force: bool = False,
    progress: Progress | None = None,
    state: str | None = None,
) -> BuildOutcome:
    """Load the model into the remote store and switch readers to it; skip when unchanged.
    ``state``: the shared state service, whose lock keeps builds on other machines out."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    sources = discover(model.root)
    lock_folder.mkdir(parents=True, exist_ok=True)
    remote = RemoteStore(endpoints, None, timeout=WRITE_TIMEOUT)
    with build_lock(lock_folder), _shared_build_lock(state, endpoints) as shared:
        previous = remote_record(remote)
        if not force and previous and previous.fingerprint == fingerprint(sources, model.base_iri):
            return BuildOutcome(previous, skipped=True)
        local = OxigraphStore.in_memory()
        counts = populate(local, sources, model, progress)
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        graphs = sorted(counts)
        try:
            noticed = _give_notice(remote, build_id) if previous else None
            for index, graph in enumerate(graphs):
                remote.put_graph(
                    build_graph(build_id, f"staging:{index}"), local.graph_triples(graph)
                )
            remote.put_graph(build_graph(build_id, "default"), local.graph_triples(None))
            say(f"loaded {len(graphs)} graphs into the remote store")
            record = new_record(sources, model, counts, time.perf_counter() - started, build_id)
            old_graphs = remote.listed_graphs()
            if noticed is not None:
                time.sleep(max(0.0, noticed + SWITCH_NOTICE_SECONDS - time.monotonic()))
            shared.check()  # fencing: a build whose lease lapsed switches nothing
            remote.update(_switch(build_id, graphs, old_graphs, record, previous))
        except BaseException:
            _take_notice_back(remote, build_id)
            _drop_quietly(
                remote, [build_graph(build_id, f"staging:{i}") for i in range(len(graphs))]
            )
            _drop_quietly(remote, [build_graph(build_id, "default")])
            raise
        say(f"switched readers to build {build_id}")
        keep = {build_id, *([previous.build_id] if previous else [])}
        _drop_quietly(remote, _stale_graphs(remote, keep))
        return BuildOutcome(record, skipped=False)


class _NoLock:
    """The shared build lock when no state service is configured: the local file lock alone
    orders the builds (of one machine)."""

    def check(self) -> None:
        return None


@contextmanager
def _shared_build_lock(state: str | None, endpoints: RemoteEndpoints) -> Iterator[Lease | _NoLock]:
    """Hold the store's build lock in the shared state service, if there is one. Two builds
    into one server at once would not be safe: each drops what it takes for leftovers of
    killed builds (:func:`_stale_graphs`), which includes the other's staging graphs."""
    if state is None:
        yield _NoLock()
        return
    client = connect(state)
    try:
        with held_lock(client, f"build:{endpoints.update}", wait_seconds=0) as lease:
            yield lease
    except LockBusy:
        raise CityrefError(
            Bilingual(
                f"{endpoints.update} への別のビルドが（このマシンか別のマシンで）実行中です",
                f"another build into {endpoints.update} is running (on this machine or another)",
            )
        ) from None
    finally:
        client.close()


def _give_notice(remote: RemoteStore, build_id: str) -> float:
    """Name ``build_id`` as the next build; when the server had it (``time.monotonic()``
    after the update's answer, which comes after its commit)."""
    pointer = f"GRAPH <{POINTER_GRAPH}>"
    remote.update(
        f"DELETE WHERE {{ {pointer} {{ <{STORE_NODE}> <{NEXT}> ?next }} }} ;\n"
        f"INSERT DATA {{ {pointer} {{ <{STORE_NODE}> <{NEXT}> <{build_node(build_id)}> }} }}"
    )
    return time.monotonic()


def _take_notice_back(remote: RemoteStore, build_id: str) -> None:
    """Remove a failed build's notice, so that readers lease again; a failure here leaves
    them checking every answer until the next build."""
    notice = f"GRAPH <{POINTER_GRAPH}> {{ <{STORE_NODE}> <{NEXT}> <{build_node(build_id)}> }}"
    try:
        remote.update(f"DELETE DATA {{ {notice} }}")
    except Exception:  # the build's own failure is what the caller must see
        return


def _switch(
    build_id: str,
    graphs: list[str],
    old_graphs: list[str],
    record: BuildRecord,
    previous: BuildRecord | None,
) -> str:
    """The one update that puts the new build in place of the old. The new build's node
    goes into the pointer graph, the pointer turns to it, the graphs move, and the node is
    marked settled last: on a server that commits each operation apart, readers that see the
    new build unsettled wait (:meth:`RemoteStore._checked_ask`); the pointer always names
    one build (a server may not match OPTIONAL in an update's WHERE: Virtuoso)."""
    node = build_node(build_id)
    document = json.dumps(asdict(record), ensure_ascii=False)
    described = [
        f"<{node}> <{BUILD}> {ox.Literal(build_id)} .",
        f"<{node}> <{GENERATION}> 0 .",
        f"<{node}> <{RECORD}> {ox.Literal(document)} .",
        *(f"<{node}> <{GRAPH}> <{g}> ." for g in graphs),
    ]
    pointer = f"GRAPH <{POINTER_GRAPH}>"
    turn = f"{pointer} {{ <{STORE_NODE}> <{CURRENT}> <{node}> }}"
    operations = [f"INSERT DATA {{ {pointer} {{\n" + "\n".join(described) + "\n} }"]
    if previous is None:
        operations.append(f"INSERT DATA {{ {turn} }}")
    else:
        was = f"{pointer} {{ <{STORE_NODE}> <{CURRENT}> ?was }}"
        operations.append(f"DELETE {{ {was} }} INSERT {{ {turn} }} WHERE {{ {was} }}")
    operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(set(old_graphs) - set(graphs))]
    operations += [
        f"MOVE SILENT GRAPH <{build_graph(build_id, f'staging:{i}')}> TO GRAPH <{g}>"
        for i, g in enumerate(graphs)
    ]
    operations.append(f"INSERT DATA {{ {pointer} {{ <{node}> <{SETTLED}> true }} }}")
    operations.append(f"DELETE WHERE {{ {pointer} {{ <{STORE_NODE}> <{NEXT}> ?next }} }}")
    if previous is not None:
        operations.append(
            f"DELETE WHERE {{ {pointer} {{ <{build_node(previous.build_id)}> ?p ?o }} }}"
        )
    return " ;\n".join(operations)


def _stale_graphs(remote: RemoteStore, keep: set[str]) -> list[str]:
    """Graphs of builds other than ``keep``: older builds' and killed builds' leftovers."""
    prefix = NS + "build:"
    rows = remote.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}',
        dataset=Dataset(),
    )
    stale = []
    for row in rows:
        graph = term_text(row["g"])
        if graph[len(prefix) :].split(":", 1)[0] not in keep:
            stale.append(graph)
    return sorted(stale)


def _drop_quietly(remote: RemoteStore, graphs: list[str]) -> None:
    """Drop leftovers; a failure here leaves them for the next build to drop."""
    for graph in graphs:
        try:
            remote.drop_graph(graph)
        except Exception:  # the build's own outcome is what matters
            continue
