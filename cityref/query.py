"""Queries run in a worker process that is killed at the time limit.

Oxigraph cannot interrupt a running query from Python, so the only sure limit is a separate
process. The worker opens the store itself (read-only on disk, or from an N-Quads dump for an
in-memory store), serialises the answer and sends the bytes back through a pipe.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from cityref.errors import CityrefError, QueryRefused, QuerySyntaxError, QueryTimeout
from cityref.results import QueryAnswer
from cityref.store import OxigraphStore


@dataclass(frozen=True)
class DiskStoreRef:
    """A built store on disk, opened read-only by the worker."""

    oxigraph_path: Path

    def open(self) -> OxigraphStore:
        return OxigraphStore.open_read_only(self.oxigraph_path)


@dataclass(frozen=True)
class DumpStoreRef:
    """An in-memory store handed over as N-Quads."""

    nquads: bytes

    def open(self) -> OxigraphStore:
        store = OxigraphStore.in_memory()
        for graph, quads in _group_by_graph(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS)):
            store.load_quads(graph, quads)
        return store


StoreRef = DiskStoreRef | DumpStoreRef


@dataclass(frozen=True)
class QueryRequest:
    sparql: str
    result_format: str
    max_rows: int
    timeout: float


def _group_by_graph(quads: Iterable[ox.Quad]) -> list[tuple[str, list[ox.Quad]]]:
    groups: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            groups.setdefault(quad.graph_name.value, []).append(quad)
    return list(groups.items())


def _worker(ref: StoreRef, request: QueryRequest, conn: Connection) -> None:
    try:
        store = ref.open()
        conn.send(("ready", None))
        answer = store.query(
            request.sparql, result_format=request.result_format, max_rows=request.max_rows
        )
        conn.send(("ok", answer))
    except QuerySyntaxError as exc:
        conn.send(("syntax", (exc.message, exc.line, exc.column)))
    except QueryRefused as exc:
        conn.send(("refused", str(exc)))
    except Exception as exc:  # anything else is reported, not lost with the process
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


#: How long a worker may take to open the store before the query's own clock starts.
STORE_OPEN_SECONDS = 120.0


def _receive(receiver: Connection, wait: float, stage: str) -> tuple[str, object]:
    if wait and not receiver.poll(wait):
        raise CityrefError(f"the query worker took over {wait:g} s {stage}")
    try:
        status, payload = receiver.recv()
    except EOFError:
        raise CityrefError(f"the query worker ended without an answer while {stage}") from None
    return str(status), payload


def run_query(ref: StoreRef, request: QueryRequest) -> QueryAnswer:
    """Run ``request`` in a fresh worker; raise :class:`QueryTimeout` when it runs too long."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["cityref.query"])
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(ref, request, sender), daemon=True)
    process.start()
    sender.close()
    try:
        # The clock starts once the store is open, so the limit measures the query alone.
        status, payload = _receive(receiver, STORE_OPEN_SECONDS, "opening the store")
        if status == "ready":
            if not receiver.poll(request.timeout):
                raise QueryTimeout(request.timeout)
            status, payload = _receive(receiver, 0, "answering")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "ok":
        assert isinstance(payload, QueryAnswer)
        return payload
    if status == "syntax":
        assert isinstance(payload, tuple)
        raise QuerySyntaxError(*payload)
    if status == "refused":
        raise QueryRefused(str(payload))
    raise CityrefError(str(payload))  # "error": the worker's own exception, as text
