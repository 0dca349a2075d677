"""Queries run in a worker process that is killed at the time limit.

Oxigraph cannot interrupt a running query from Python, so the only sure limit is a separate
process. The worker first confines itself (:mod:`cityref.services.sandbox`: no network, no files but
the store's and the interpreter's; done before the store opens, as RocksDB's threads must
inherit it), caps its memory (``RLIMIT_DATA``: an allocation past it aborts the worker), opens
the store (read-only on disk, or from an N-Quads dump for an in-memory store), checks each
query with :mod:`cityref.sparql.guard`, runs it, serialises the answer and sends the bytes
back through a pipe. A worker that dies is an answer too: :class:`QueryResourceLimit` when
its memory limit was the cause, :class:`QueryWorkerCrashed` otherwise; the next query starts
a new one. A :class:`QueryWorker` keeps one such process for many queries (the web server);
:func:`run_query` uses one for a single query (the CLI).

``RLIMIT_DATA`` rather than ``RLIMIT_AS``: RocksDB reserves address space for its threads,
so an address-space cap low enough to matter stops the store from opening; the data cap
counts the heap and private mappings, which is where a query's memory goes.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox

from cityref.errors import (
    CityrefError,
    QueryRefused,
    QueryResourceLimit,
    QuerySyntaxError,
    QueryTimeout,
    QueryWorkerCrashed,
)
from cityref.services.sandbox import Confinement, confine
from cityref.sparql.guard import check_query
from cityref.sparql.results import FormatChoice, QueryAnswer
from cityref.store.oxigraph import Dataset, OxigraphStore, Store
from cityref.store.remote import RemoteEndpoints, RemoteStore
from cityref.store.remote_http import keep_connections_alive, resolver_files
from cityref.text import Bilingual

#: How long a worker may take to open the store before the query's own clock starts.
STORE_OPEN_SECONDS = 120.0
#: How often the parent looks at a busy worker (alive? resident memory?).
POLL_SECONDS = 0.2
#: The parent kills a worker whose resident memory passes its limit by this factor (a belt:
#: the worker's own RLIMIT_DATA normally stops it first).
RSS_BELT_FACTOR = 1.25


@dataclass(frozen=True)
class DiskStoreRef:
    """A built store on disk, opened read-only by the worker."""

    oxigraph_path: Path
    generation: int = 0  # bumped by each SPARQL Update, so workers reopen the store

    def open(self) -> OxigraphStore:
        return OxigraphStore.open_read_only(self.oxigraph_path)

    def readable(self) -> Sequence[Path]:
        """What the confined worker must read: the store (read-only needs no write)."""
        return [self.oxigraph_path]

    def connect_ports(self) -> Sequence[int]:
        return ()


@dataclass(frozen=True)
class DumpStoreRef:
    """An in-memory store handed over as N-Quads."""

    nquads: bytes

    def open(self) -> OxigraphStore:
        store = OxigraphStore.in_memory()
        for graph, quads in _group_by_graph(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS)):
            store.load_quads(graph, quads)
        store.unite_default_graph()
        return store

    def readable(self) -> Sequence[Path]:
        return []

    def connect_ports(self) -> Sequence[int]:
        return ()


@dataclass(frozen=True)
class RemoteStoreRef:
    """A build on a remote SPARQL server; the worker may connect to the server's ports only.
    ``timeout`` bounds each query the worker's own code sends (page data)."""

    endpoints: RemoteEndpoints
    build_id: str
    generation: int = 0
    timeout: float = 10.0

    def open(self) -> RemoteStore:
        """The build, its queries sent on kept-alive connections (the worker only queries)."""
        keep_connections_alive(self.endpoints)
        return RemoteStore.open_build(self.endpoints, self.build_id, self.timeout)

    def readable(self) -> Sequence[Path]:
        return resolver_files()

    def connect_ports(self) -> Sequence[int]:
        return self.endpoints.ports()


StoreRef = DiskStoreRef | DumpStoreRef | RemoteStoreRef


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


def answer_request(store: Store, graphs: set[str], request: QueryRequest) -> QueryAnswer:
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
        timeout=request.timeout,
    )


def _serve(ref: StoreRef, conn: Connection, memory_mb: int | None = None) -> None:
    """The worker's loop: confine, cap memory, open the store once, answer requests until
    told to stop."""
    confinement = confine(ref.readable(), [], ref.connect_ports())
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no copy of its memory
    if memory_mb:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    try:
        store = ref.open()
        graphs = set(store.graphs())
    except Exception as exc:
        conn.send(("error", f"cannot open the store: {type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", confinement))
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
            conn.send(("refused", exc.text))
        except MemoryError:  # Python's side of the RLIMIT_DATA cap (the engine aborts)
            conn.send(("memory", memory_mb))
        except QueryTimeout as exc:  # a remote store's own limit: the same answer as ours
            conn.send(("timeout", exc.seconds))
        except Exception as exc:  # reported to the caller, not lost with the process
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


@dataclass(frozen=True)
class StoreCall:
    """A function of cityref's own to run in the worker on the open store, e.g. the queries
    behind one web page: one round trip instead of one per query. ``function`` must be
    importable by name (module level); its queries are ours, never a user's."""

    function: Callable[..., object]
    args: tuple[object, ...]
    timeout: float


def store_graph_names(store: Store) -> list[str]:
    """The store's named graphs (a :class:`StoreCall`): asked of the store, not by a query,
    since servers differ on ``GRAPH ?g {}`` (Virtuoso matches no graph)."""
    return store.graphs()


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
        assert isinstance(payload, Bilingual)
        raise QueryRefused(payload)
    if status == "memory":
        assert isinstance(payload, int)
        raise QueryResourceLimit(payload)
    if status == "timeout":
        assert isinstance(payload, float | int)
        raise QueryTimeout(payload)
    # "error": the worker's own exception, as text
    raise CityrefError(Bilingual(f"クエリのワーカーのエラー: {payload}", str(payload)))


def _resident_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


class QueryWorker:
    """A long-lived worker process; replaced after a timeout, a crash, or when the store
    changes. With ``memory_mb``, the worker may use that much memory and no more."""

    def __init__(self, ref_source: Callable[[], StoreRef], memory_mb: int | None = None) -> None:
        """``ref_source`` says which store to use now; a change restarts the worker."""
        self._ref_source = ref_source
        self.memory_mb = memory_mb
        self._ref: StoreRef | None = None
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self.confinement: Confinement | None = None

    @property
    def pid(self) -> int | None:
        """The worker process's id, while it runs."""
        return self._process.pid if self._process is not None else None

    def run(self, request: QueryRequest) -> QueryAnswer:
        return _unpack(*self._exchange(request, request.timeout))

    def call(self, call: StoreCall) -> object:
        """Run ``call.function(store, *call.args)`` in the worker and return its result."""
        return _unpack_any(*self._exchange(call, call.timeout))

    def _exchange(self, message: object, timeout: float) -> tuple[str, object]:
        conn = self._ensure_started()
        try:
            conn.send(message)
            return self._receive(timeout, "answering")
        except (BrokenPipeError, ConnectionResetError):
            self._raise_death()
        except CityrefError:
            self.stop()  # a worker still busy with a query must not answer the next one
            raise

    def _receive(self, wait: float, stage: str) -> tuple[str, object]:
        """The worker's answer; a timeout, a death or a memory overrun raises (and the
        caller stops the worker)."""
        assert self._conn is not None and self._process is not None
        deadline = time.monotonic() + wait
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if stage == "answering":
                    raise QueryTimeout(wait)
                raise CityrefError(
                    Bilingual(
                        f"クエリのワーカーが {wait:g} 秒以内に応答しませんでした（{stage}）",
                        f"the query worker took over {wait:g} s {stage}",
                    )
                )
            if self._conn.poll(min(POLL_SECONDS, remaining)):
                try:
                    status, payload = self._conn.recv()
                except (EOFError, ConnectionResetError):
                    self._raise_death()
                return str(status), payload
            if not self._process.is_alive():
                self._raise_death()
            pid = self._process.pid
            if self.memory_mb and pid and _resident_mb(pid) > self.memory_mb * RSS_BELT_FACTOR:
                self.stop()
                raise QueryResourceLimit(self.memory_mb)

    def _raise_death(self) -> NoReturn:
        """The worker ended without answering: say why, and forget it."""
        process = self._process
        code = None
        if process is not None:
            process.join(5)
            code = process.exitcode
        self.stop()
        if self.memory_mb and code == -signal.SIGABRT:
            raise QueryResourceLimit(self.memory_mb)  # Rust aborts when an allocation fails
        if code is not None and code < 0:
            raise QueryWorkerCrashed(
                Bilingual(
                    f"クエリのワーカーがシグナル {-code} で停止しました",
                    f"the query worker stopped with signal {-code}",
                )
            )
        raise QueryWorkerCrashed(
            Bilingual(
                f"クエリのワーカーが終了しました（終了コード {code}）",
                f"the query worker ended with status {code}",
            )
        )

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
        context.set_forkserver_preload(["cityref.sparql.query"])
        parent, child = context.Pipe(duplex=True)
        process = context.Process(target=_serve, args=(ref, child, self.memory_mb), daemon=True)
        process.start()
        child.close()
        self._process, self._conn, self._ref = process, parent, ref
        try:
            status, payload = self._receive(STORE_OPEN_SECONDS, "opening the store")
        except CityrefError:
            self.stop()
            raise
        if status != "ready":
            self.stop()
            raise CityrefError(
                Bilingual(f"クエリのワーカーを起動できません: {payload}", str(payload))
            )
        if isinstance(payload, Confinement):
            self.confinement = payload
        return parent


def run_query(ref: StoreRef, request: QueryRequest, memory_mb: int | None) -> QueryAnswer:
    """Run one request in a fresh worker that is gone afterwards, using at most ``memory_mb``
    MiB (the ``query_memory_mb`` setting; None: no limit)."""
    worker = QueryWorker(lambda: ref, memory_mb)
    try:
        return worker.run(request)
    finally:
        worker.stop()
