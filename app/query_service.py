"""Query workers for the app: a pool per web server process, following the current build.

The threads of a web process share ``query_workers`` worker processes: a thread checks one
out per query, so one client's heavy queries (at most ``client_concurrency`` of them, see
:mod:`app.fairness`) leave workers free for everybody else's cheap ones.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import current_app

from app.errors import ApiError
from app.fairness import expensive_work
from cityref.errors import Busy
from cityref.pages.page_data import page_data
from cityref.pages.search import Entry, SearchIndex
from cityref.pages.search_sources import make_index
from cityref.settings import Settings
from cityref.sparql.answer_cache import AnswerKey, answer_cache
from cityref.sparql.query import (
    DiskStoreRef,
    QueryRequest,
    RemoteStoreRef,
    StoreCall,
    store_graph_names,
)
from cityref.sparql.results import QueryAnswer
from cityref.sparql.worker_pool import QueryWorkerPool, new_query_worker
from cityref.store.build import BuildRecord, current_build_dir, current_build_link
from cityref.store.remote import Pointer, RemoteEndpoints, current_pointer
from cityref.store.sources import ModelFiles
from cityref.store.update import GENERATION_FILE, generation, run_remote_update, run_update
from cityref.text import Bilingual

T = TypeVar("T")
MEMO_LIMIT = 20_000
# Page data are the model's own queries, not a visitor's: the search index reads every label
# and, while two workers warm up at once on a slow machine, can outlast a query's limit. They
# get this much more time, which keeps them inside gunicorn's worker timeout (limit + 30 s).
PAGE_DATA_EXTRA_SECONDS = 20.0
#: How long the web process keeps the remote store's build pointer (see _remote_pointer).
POINTER_SECONDS = 0.25


class QueryService:
    """Runs queries for the app; a new build is picked up by the next query."""

    def __init__(self, settings: Settings, model: ModelFiles) -> None:
        self.settings = settings
        self.model = model  # the one handle on the model's files, made by create_app
        self._remote = RemoteEndpoints.from_settings(settings)  # None: the embedded store
        self._pointer: tuple[float, Pointer] | None = None  # when read, and what
        self._pointer_lock = threading.Lock()
        self._pointer_reading = threading.Lock()  # one read of the server at a time
        self._first_seen: dict[str, datetime] = {}
        self._pool = QueryWorkerPool(
            lambda: new_query_worker(self._current_ref, settings.query_memory_mb),
            settings.query_workers,
        )
        self.answers = answer_cache(settings.query_cache_bytes)  # shared by the threads
        self._update_lock = threading.Lock()  # one update at a time per web process
        self._memo_lock = threading.Lock()
        self._memo: dict[str, object] = {}
        self._memo_build = ""
        self._making: dict[str, threading.Lock] = {}  # one maker per key, the others wait
        # A query worker left behind would keep the server process from exiting.
        atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the query worker processes (each is started again by its next query)."""
        self._pool.stop()

    def _current_ref(self) -> DiskStoreRef | RemoteStoreRef:
        if self._remote is not None:
            pointer = self._remote_pointer()
            limit = self.settings.query_timeout + PAGE_DATA_EXTRA_SECONDS
            return RemoteStoreRef(self._remote, pointer.build_id, pointer.generation, limit)
        build = current_build_dir(self.settings.store)
        return DiskStoreRef(build / "oxigraph", generation(build))

    def last_modified(self) -> datetime:
        """When the current build was made or last updated, to the second: the
        Last-Modified of the answers made from it."""
        if self._remote is not None:
            return self._remote_last_modified(self._remote_pointer())
        folder = current_build_dir(self.settings.store)
        created = datetime.fromisoformat(BuildRecord.read(folder / "build.json").created)
        if created.tzinfo is None:  # the records write UTC
            created = created.replace(tzinfo=UTC)
        try:
            updated = datetime.fromtimestamp((folder / GENERATION_FILE).stat().st_mtime, UTC)
        except FileNotFoundError:
            updated = created
        return max(created, updated).replace(microsecond=0)

    def _remote_last_modified(self, pointer: Pointer) -> datetime:
        # A build id starts with its UTC time (cityref.store.remote_build). The time of an
        # update is not on the server: it is when this process first saw that generation.
        try:
            made = datetime.strptime(pointer.build_id[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            made = None
        if made is not None and pointer.generation == 0:
            return made
        key = f"{pointer.build_id}.{pointer.generation}"
        with self._pointer_lock:
            if len(self._first_seen) > 100:
                self._first_seen.clear()
            return self._first_seen.setdefault(key, datetime.now(UTC).replace(microsecond=0))

    def _remote_pointer(self) -> Pointer:
        """The remote store's current build, as the server said at most POINTER_SECONDS ago:
        one request asks for it several times (worker, memo, ETag). Answers do not depend on
        it: the worker checks each against the pointer it reads after the answer
        (:meth:`cityref.store.remote.RemoteStore._checked_ask`); only the build id that keys
        the page memo and the ETag may lag a switch by that long. When it is due, one thread
        reads it and the others wait for that read, rather than all asking the server."""
        assert self._remote is not None
        known = self._fresh_pointer()
        if known is not None:
            return known
        with self._pointer_reading:
            known = self._fresh_pointer()  # read by another thread meanwhile
            if known is not None:
                return known
            now = time.monotonic()
            pointer = current_pointer(self._remote, self.settings.query_timeout)
            with self._pointer_lock:
                self._pointer = (now, pointer)
            return pointer

    def _fresh_pointer(self) -> Pointer | None:
        with self._pointer_lock:
            known = self._pointer
        if known is not None and time.monotonic() - known[0] < POINTER_SECONDS:
            return known[1]
        return None

    def build_id(self) -> str:
        """The current build and its update generation: what answers depend on."""
        if self._remote is not None:
            pointer = self._remote_pointer()
            return f"{pointer.build_id}.{pointer.generation}"
        build = current_build_link(self.settings.store)
        return f"{build.name}.{generation(build)}"

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update on the current build (the caller checked the token)."""
        with self._update_lock:
            if self._remote is not None:
                run_remote_update(self._remote, sparql, self.settings.query_timeout)
                with self._pointer_lock:  # this process's next answers come from the update
                    self._pointer = None
                return
            run_update(current_build_dir(self.settings.store), sparql, self.settings.query_timeout)

    def run(self, request: QueryRequest) -> QueryAnswer:
        """A visitor's query: answered from the cache of repeated queries, else run holding
        one of the client's places for expensive work (:func:`app.fairness.expensive_work`;
        429 when the client has none left)."""
        return self._cached(request, expensive_work)

    def run_own(self, request: QueryRequest) -> QueryAnswer:
        """A query of the app's own (IRI lookups): bounded, so it takes no client place."""
        return self._cached(request, nullcontext)

    def _cached(
        self, request: QueryRequest, holding: Callable[[], AbstractContextManager[None]]
    ) -> QueryAnswer:
        build = self.build_id()
        key = AnswerKey.of(request)
        answer = self.answers.get(build, key)
        if answer is not None:
            return answer
        with holding():
            answer = self._run(request)
        # Only an answer known to come from ``build`` is kept for it (a time limit or an
        # error raised above: nothing is kept then).
        if self.build_id() == build:
            self.answers.put(build, key, answer)
        return answer

    def _run(self, request: QueryRequest) -> QueryAnswer:
        try:
            with self._pool.worker(self._pool_wait()) as worker:
                return worker.run(request)
        except Busy as exc:  # only the pool raises it: every worker stayed busy
            raise _pool_busy(exc) from None

    def _pool_wait(self) -> float:
        # Every query ends by its time limit, so a worker is free again by then.
        return self.settings.query_timeout + PAGE_DATA_EXTRA_SECONDS

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """``make()`` once per build and process: page data depends on the build alone.

        Threads asking for the same key while it is being made wait for that one answer.
        """
        build = self.build_id()
        with self._memo_lock:
            if self._memo_build != build:
                self._memo, self._memo_build, self._making = {}, build, {}
            if key in self._memo:
                return cast(T, self._memo[key])
            maker = self._making.setdefault(key, threading.Lock())
        with maker:
            with self._memo_lock:
                if self._memo_build == build and key in self._memo:
                    return cast(T, self._memo[key])
            try:
                value = make()
            finally:
                with self._memo_lock:
                    if self._making.get(key) is maker:
                        del self._making[key]
            with self._memo_lock:
                if self._memo_build == build:
                    if len(self._memo) >= MEMO_LIMIT:
                        self._memo.clear()  # bounded: any URL can add an entry
                    self._memo[key] = value
            return value

    def page(self, kind: str, *args: str) -> Any:
        """The data of a page (see cityref.pages.page_data), made in a query worker once per
        build and process."""
        limit = self.settings.query_timeout + PAGE_DATA_EXTRA_SECONDS
        call = StoreCall(page_data, (self.model.base_iri, kind, *args), limit)
        return self.memo(f"{kind} {args}", lambda: self._call(call))

    def named_graphs(self) -> frozenset[str]:
        """The store's named graphs, once per build and process."""
        limit = self.settings.query_timeout + PAGE_DATA_EXTRA_SECONDS
        call = StoreCall(store_graph_names, (), limit)
        return self.memo("named graphs", lambda: frozenset(cast(list[str], self._call(call))))

    def _call(self, call: StoreCall) -> object:
        try:
            with self._pool.worker(self._pool_wait()) as worker:
                return worker.call(call)
        except Busy as exc:
            raise _pool_busy(exc) from None

    def search_index(self) -> SearchIndex:
        """The search index of the current build: its terms, made in a query worker, and the
        columns of the profiles, read from their folders."""
        return self.memo(
            "search-index",
            lambda: make_index(cast(list[Entry], self.page("search-index")), self.model),
        )

    def warm_up(self) -> None:
        """Start this process's other query workers (each opens the store), one at a time,
        so that the first visitors do not wait for them; visitors are served meanwhile."""
        request = QueryRequest("ASK {}", "json", 1, self.settings.query_timeout)
        self._pool.warm(lambda worker: worker.run(request))


def _pool_busy(error: Busy) -> ApiError:
    seconds = int(error.retry_after)
    return ApiError(
        503,
        Bilingual(
            f"サーバが混み合っています。{seconds} 秒後に再試行してください",
            f"the server is busy: {error.text.en}; retry in {seconds} s",
        ),
        headers={"Retry-After": str(seconds)},
    )


def query_service() -> QueryService:
    service = current_app.extensions["cityref.queries"]
    assert isinstance(service, QueryService)
    return service
