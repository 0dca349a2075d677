"""Queries run in a worker process that is killed at the time limit.

Oxigraph cannot interrupt a running query from Python, so the only sure limit is a separate
process. The worker opens the store itself (read-only on disk, or from an N-Quads dump for an
in-memory store), checks each query with :mod:`cityref.query_guard`, runs it, serialises the
answer and sends the bytes back through a pipe. A :class:`QueryWorker` keeps one such process
for many queries (the web server); :func:`run_query` uses one for a single query (the CLI).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import pyoxigraph as ox

from cityref.errors import CityrefError, QueryRefused, QuerySyntaxError, QueryTimeout
from cityref.query_guard import check_query
from cityref.results import FormatChoice, QueryAnswer
from cityref.store import Dataset, OxigraphStore

#: How long a worker may take to open the store before the query's own clock starts.
STORE_OPEN_SECONDS = 120.0


@dataclass(frozen=True)
class DiskStoreRef:
    """A built store on disk, opened read-only by the worker."""

    oxigraph_path: Path
    generation: int = 0  # bumped by each SPARQL Update, so workers reopen the store

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
    """One query: its text, output format, row cap, time limit and protocol dataset."""

    sparql: str
    result_format: str | FormatChoice
    max_rows: int
    timeout: float
    dataset: Dataset | None = None


def _group_by_graph(quads: Iterable[ox.Quad]) -> list[tuple[str, list[ox.Quad]]]:
    groups: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            groups.setdefault(quad.graph_name.value, []).append(quad)
    return list(groups.items())


def answer_request(store: OxigraphStore, graphs: set[str], request: QueryRequest) -> QueryAnswer:
    """Check and run one request on an open store (the worker's side)."""
    plan = check_query(request.sparql, graphs)
    dataset = request.dataset
    if dataset is None and plan.has_dataset:
        dataset = Dataset()  # no union: Oxigraph applies the query's own FROM / FROM NAMED
    return store.query(
        request.sparql,
        result_format=request.result_format,
        max_rows=request.max_rows,
        dataset=dataset,
    )


def _serve(ref: StoreRef, conn: Connection) -> None:
    """The worker's loop: open the store once, answer requests until told to stop."""
    try:
        store = ref.open()
        graphs = set(store.graphs())
    except Exception as exc:
        conn.send(("error", f"cannot open the store: {type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            if isinstance(request, StoreCall):
                conn.send(("ok", request.function(store, *request.args)))
            else:
                conn.send(("ok", answer_request(store, graphs, request)))
        except QuerySyntaxError as exc:
            conn.send(("syntax", (exc.message, exc.line, exc.column)))
        except QueryRefused as exc:
            conn.send(("refused", str(exc)))
        except Exception as exc:  # reported to the caller, not lost with the process
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _receive(conn: Connection, wait: float, stage: str) -> tuple[str, object]:
    if not conn.poll(wait):
        raise (
            QueryTimeout(wait)
            if stage == "answering"
            else CityrefError(f"the query worker took over {wait:g} s {stage}")
        )
    try:
        status, payload = conn.recv()
    except EOFError:
        raise CityrefError(f"the query worker ended without an answer while {stage}") from None
    return str(status), payload


@dataclass(frozen=True)
class StoreCall:
    """A function of cityref's own to run in the worker on the open store, e.g. the queries
    behind one web page: one round trip instead of one per query. ``function`` must be
    importable by name (module level); its queries are ours, never a user's."""

    function: Callable[..., object]
    args: tuple[object, ...]
    timeout: float


def _unpack_any(status: str, payload: object) -> object:
    if status == "ok":
        return payload
    return _unpack(status, payload)


def _unpack(status: str, payload: object) -> QueryAnswer:
    if status == "ok":
        assert isinstance(payload, QueryAnswer)
        return payload
    if status == "syntax":
        assert isinstance(payload, tuple)
        raise QuerySyntaxError(*payload)
    if status == "refused":
        raise QueryRefused(str(payload))
    raise CityrefError(str(payload))  # "error": the worker's own exception, as text


class QueryWorker:
    """A long-lived worker process; replaced after a timeout or when the store changes."""

    def __init__(self, ref_source: Callable[[], StoreRef]) -> None:
        """``ref_source`` says which store to use now; a change restarts the worker."""
        self._ref_source = ref_source
        self._ref: StoreRef | None = None
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def run(self, request: QueryRequest) -> QueryAnswer:
        return _unpack(*self._exchange(request, request.timeout))

    def call(self, call: StoreCall) -> object:
        """Run ``call.function(store, *call.args)`` in the worker and return its result."""
        return _unpack_any(*self._exchange(call, call.timeout))

    def _exchange(self, message: object, timeout: float) -> tuple[str, object]:
        conn = self._ensure_started()
        conn.send(message)
        try:
            return _receive(conn, timeout, "answering")
        except CityrefError:
            self.stop()  # a worker still busy with a query must not answer the next one
            raise

    def stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn, self._ref = None, None, None

    def _ensure_started(self) -> Connection:
        ref = self._ref_source()
        alive = self._process is not None and self._process.is_alive()
        if alive and ref == self._ref and self._conn is not None:
            return self._conn
        self.stop()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cityref.query"])
        parent, child = context.Pipe(duplex=True)
        process = context.Process(target=_serve, args=(ref, child), daemon=True)
        process.start()
        child.close()
        self._process, self._conn, self._ref = process, parent, ref
        try:
            status, payload = _receive(parent, STORE_OPEN_SECONDS, "opening the store")
        except CityrefError:
            self.stop()
            raise
        if status != "ready":
            self.stop()
            raise CityrefError(str(payload))
        return parent


def run_query(ref: StoreRef, request: QueryRequest) -> QueryAnswer:
    """Run one request in a fresh worker that is gone afterwards."""
    worker = QueryWorker(lambda: ref)
    try:
        return worker.run(request)
    finally:
        worker.stop()
