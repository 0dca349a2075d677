"""Query workers for the app: a pool per web server process, following the current build.

The threads of a web process share ``query_workers`` worker processes: a thread checks one
out per query, so one client's heavy queries (at most ``client_concurrency`` of them, see
:mod:`app.fairness`) leave workers free for everybody else's cheap ones.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app

from app.errors import ApiError
from app.fairness import expensive_work
from cityref.errors import Busy
from cityref.pages.page_data import page_data
from cityref.pages.search import Entry, SearchIndex
from cityref.pages.search_sources import make_index
from cityref.settings import Settings
from cityref.sparql.query import DiskStoreRef, QueryRequest, StoreCall
from cityref.sparql.results import QueryAnswer
from cityref.sparql.worker_pool import QueryWorkerPool, new_query_worker
from cityref.store.build import current_build_dir
from cityref.store.sources import ModelFiles
from cityref.store.update import generation, run_update
from cityref.text import Bilingual

T = TypeVar("T")
MEMO_LIMIT = 20_000
# Page data are the model's own queries, not a visitor's: the search index reads every label
# and, while two workers warm up at once on a slow machine, can outlast a query's limit. They
# get this much more time, which keeps them inside gunicorn's worker timeout (limit + 30 s).
PAGE_DATA_EXTRA_SECONDS = 20.0


class QueryService:
    """Runs queries for the app; a new build is picked up by the next query."""

    def __init__(self, settings: Settings, model: ModelFiles) -> None:
        self.settings = settings
        self.model = model  # the one handle on the model's files, made by create_app
        self._pool = QueryWorkerPool(
            lambda: new_query_worker(self._current_ref, settings.query_memory_mb),
            settings.query_workers,
        )
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

    def _current_ref(self) -> DiskStoreRef:
        build = current_build_dir(self.settings.store)
        return DiskStoreRef(build / "oxigraph", generation(build))

    def build_id(self) -> str:
        """The current build and its update generation: what answers depend on."""
        build = current_build_dir(self.settings.store)
        return f"{build.name}.{generation(build)}"

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update on the current build (the caller checked the token)."""
        with self._update_lock:
            run_update(current_build_dir(self.settings.store), sparql, self.settings.query_timeout)

    def etag(self, *parts: str) -> str:
        """An entity tag from the build id and what shapes the answer."""
        digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        return f"{self.build_id()}-{digest}"

    def run(self, request: QueryRequest) -> QueryAnswer:
        """A visitor's query: it holds one of the client's places for expensive work
        (:func:`app.fairness.expensive_work`; 429 when the client has none left)."""
        with expensive_work():
            return self.run_own(request)

    def run_own(self, request: QueryRequest) -> QueryAnswer:
        """A query of the app's own (IRI lookups): bounded, so it takes no client place."""
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

        def make() -> object:
            try:
                with self._pool.worker(self._pool_wait()) as worker:
                    return worker.call(call)
            except Busy as exc:
                raise _pool_busy(exc) from None

        return self.memo(f"{kind} {args}", make)

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
