"""One long-lived query worker per web server process, following the current build."""

from __future__ import annotations

import atexit
import hashlib
import threading

from flask import current_app

from cityref.build import current_build_dir
from cityref.query import DiskStoreRef, QueryRequest, QueryWorker
from cityref.results import QueryAnswer
from cityref.settings import Settings


class QueryService:
    """Runs queries for the app; a new build is picked up by the next query."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._worker = QueryWorker(self._current_ref)
        self._lock = threading.Lock()  # one query at a time per worker process
        # A query worker left behind would keep the server process from exiting.
        atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the query worker process (it is started again by the next query)."""
        self._worker.stop()

    def _current_ref(self) -> DiskStoreRef:
        return DiskStoreRef(current_build_dir(self.settings.store) / "oxigraph")

    def build_id(self) -> str:
        return current_build_dir(self.settings.store).name

    def etag(self, *parts: str) -> str:
        """An entity tag from the build id and what shapes the answer."""
        digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        return f"{self.build_id()}-{digest}"

    def run(self, request: QueryRequest) -> QueryAnswer:
        with self._lock:
            return self._worker.run(request)


def query_service() -> QueryService:
    service = current_app.extensions["cityref.queries"]
    assert isinstance(service, QueryService)
    return service
