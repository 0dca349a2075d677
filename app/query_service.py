"""One long-lived query worker per web server process, following the current build."""

from __future__ import annotations

import atexit
import hashlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app

from cityref.build import current_build_dir
from cityref.page_data import page_data
from cityref.query import DiskStoreRef, QueryRequest, QueryWorker, StoreCall
from cityref.results import QueryAnswer
from cityref.search import Entry
from cityref.settings import Settings
from cityref.update import generation, run_update

T = TypeVar("T")
MEMO_LIMIT = 20_000
# Page data are the model's own queries, not a visitor's: the search index reads every label
# and, while two workers warm up at once on a slow machine, can outlast a query's limit. They
# get this much more time, which keeps them inside gunicorn's worker timeout (limit + 30 s).
PAGE_DATA_EXTRA_SECONDS = 20.0


class QueryService:
    """Runs queries for the app; a new build is picked up by the next query."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._worker = QueryWorker(self._current_ref)
        self._lock = threading.Lock()  # one query at a time per worker process
        self._memo: dict[str, object] = {}
        self._memo_build = ""
        # A query worker left behind would keep the server process from exiting.
        atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the query worker process (it is started again by the next query)."""
        self._worker.stop()

    def _current_ref(self) -> DiskStoreRef:
        build = current_build_dir(self.settings.store)
        return DiskStoreRef(build / "oxigraph", generation(build))

    def build_id(self) -> str:
        """The current build and its update generation: what answers depend on."""
        build = current_build_dir(self.settings.store)
        return f"{build.name}.{generation(build)}"

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update on the current build (the caller checked the token)."""
        with self._lock:
            run_update(current_build_dir(self.settings.store), sparql, self.settings.query_timeout)

    def etag(self, *parts: str) -> str:
        """An entity tag from the build id and what shapes the answer."""
        digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        return f"{self.build_id()}-{digest}"

    def run(self, request: QueryRequest) -> QueryAnswer:
        with self._lock:
            return self._worker.run(request)

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """``make()`` once per build and process: page data depends on the build alone."""
        build = self.build_id()
        if self._memo_build != build:
            self._memo, self._memo_build = {}, build
        if key not in self._memo:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()  # bounded: any URL can add an entry
            self._memo[key] = make()
        return cast(T, self._memo[key])

    def page(self, kind: str, *args: str) -> Any:
        """The data of a page (see cityref.page_data), made in the query worker once per
        build and process."""
        limit = self.settings.query_timeout + PAGE_DATA_EXTRA_SECONDS
        call = StoreCall(page_data, (kind, *args), limit)

        def make() -> object:
            with self._lock:
                return self._worker.call(call)

        return self.memo(f"{kind} {args}", make)

    def search_index(self) -> list[Entry]:
        """The search index of the current build."""
        return cast(list[Entry], self.page("search-index"))


def query_service() -> QueryService:
    service = current_app.extensions["cityref.queries"]
    assert isinstance(service, QueryService)
    return service
