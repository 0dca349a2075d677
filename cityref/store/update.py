"""SPARQL Update on the served store, for holders of a write token when updates are enabled.

The update runs in a worker process (killed at the time limit) that confines itself
(:mod:`cityref.services.sandbox`: no network, files only beneath the build, which it may
write), reads
the update with the guard (LOAD and SERVICE refused wherever the grammar places them, sizes
that would crash the engine refused), opens the current build writable, applies the update
and bumps the build's generation number, so that query workers reopen the store and page
data is made again. The changes last until the next ``cityref build``: the sources change
only through reviewed proposals.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from multiprocessing.connection import Connection
from pathlib import Path

from cityref.errors import (
    CityrefError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryWorkerCrashed,
)
from cityref.services.sandbox import confine
from cityref.sparql.guard import check_update, update_on_named_default
from cityref.store.oxigraph import OxigraphStore
from cityref.store.remote import (
    NS,
    RemoteEndpoints,
    RemoteStore,
    build_graph,
    current_pointer,
)
from cityref.text import Bilingual

GENERATION_FILE = "generation"


def generation(build_dir: Path) -> int:
    """How many updates the build has had (0 for a fresh build)."""
    try:
        return int((build_dir / GENERATION_FILE).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _bump(build_dir: Path) -> None:
    temporary = build_dir / f".{GENERATION_FILE}.{uuid.uuid4().hex[:8]}"
    temporary.write_text(str(generation(build_dir) + 1))
    os.replace(temporary, build_dir / GENERATION_FILE)


def _apply(build_dir: Path, sparql: str, conn: Connection) -> None:
    try:
        confine([], [build_dir])  # before the store opens: RocksDB's threads inherit it
        check_update(sparql)  # LOAD and SERVICE refused before the store is even opened
        store = OxigraphStore.open(build_dir / "oxigraph")
        check_update(sparql, set(store.graphs()))  # USING only graphs of the store
        store.update(sparql)
        store.flush()
        del store
        _bump(build_dir)
        conn.send(("ok", None))
    except QuerySyntaxError as exc:
        conn.send(("syntax", (exc.message, exc.line, exc.column)))
    except QueryRefused as exc:
        conn.send(("refused", exc.text))
    except Exception as exc:  # e.g. another update holding the store: reported, not lost
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def run_remote_update(endpoints: RemoteEndpoints, sparql: str, timeout: float) -> None:
    """Apply ``sparql`` to the remote store's current build, read by the guard first (the
    web process sends it: the server, not a local worker, runs it), then count it."""
    check_update(sparql)
    store = RemoteStore(endpoints, None, timeout=timeout)
    pointer = current_pointer(endpoints, timeout)
    graphs = store.listed_graphs()
    check_update(sparql, set(graphs))
    default = build_graph(pointer.build_id, "default")
    store.update(update_on_named_default(sparql, default, graphs, reserved=NS))
    store.bump_generation()


def run_update(build_dir: Path, sparql: str, timeout: float) -> None:
    """Apply ``sparql`` to the build in ``build_dir``; raise what went wrong."""
    context = multiprocessing.get_context("forkserver")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_apply, args=(build_dir, sparql, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(timeout)
        status, payload = receiver.recv()
    except EOFError:
        process.join(5)
        code = process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"status {code}"
        raise QueryWorkerCrashed(
            Bilingual(
                f"更新のワーカーが停止しました（{how}）", f"the update worker stopped with {how}"
            )
        ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "syntax":
        raise QuerySyntaxError(*payload)
    if status == "refused":
        raise QueryRefused(payload)
    if status == "error":
        raise CityrefError(Bilingual(f"更新できませんでした: {payload}", str(payload)))
