"""A pool of query worker processes shared by the threads of one server process.

A thread checks a worker out, runs its query or store call and gives it back. Workers are
started lazily, up to the pool's size, and a worker whose process timed out or died is
restarted by its next use (:class:`~cityref.sparql.query.QueryWorker` does that). A thread that
leaves a worker in an unknown state (an exception other than the worker's own errors) stops
it, so a late answer to its query can never be read as the answer to the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cityref.errors import Busy, CityrefError
from cityref.sparql.query import QueryWorker, StoreRef
from cityref.text import Bilingual


def new_query_worker(ref_source: Callable[[], StoreRef], memory_mb: int | None) -> QueryWorker:
    """A query worker for the pool, with its memory limit."""
    return QueryWorker(ref_source, memory_mb=memory_mb)


class QueryWorkerPool:
    """Up to ``size`` query workers, each used by one thread at a time."""

    def __init__(self, make_worker: Callable[[], QueryWorker], size: int) -> None:
        self._make_worker = make_worker
        self.size = size
        self._idle: list[QueryWorker] = []
        self._all: list[QueryWorker] = []
        self._condition = threading.Condition()

    @contextmanager
    def worker(self, wait: float) -> Iterator[QueryWorker]:
        """A worker for this thread alone; :class:`Busy` if none is free within ``wait``."""
        worker = self._checkout(wait)
        try:
            yield worker
        except CityrefError:
            raise  # the worker stopped its process itself if it had to
        except BaseException:
            worker.stop()
            raise
        finally:
            with self._condition:
                self._idle.append(worker)
                self._condition.notify()

    def _checkout(self, wait: float) -> QueryWorker:
        deadline = time.monotonic() + wait
        with self._condition:
            while True:
                if self._idle:
                    return self._idle.pop()
                if len(self._all) < self.size:
                    worker = self._make_worker()
                    self._all.append(worker)
                    return worker
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Busy(
                        Bilingual(
                            f"このサーバプロセスのクエリのワーカー {self.size} 個が {wait:g} 秒間"
                            "ふさがっていました",
                            f"all {self.size} query workers of this server process stayed busy "
                            f"for {wait:g} s",
                        ),
                        retry_after=2.0,
                    )
                self._condition.wait(left)

    def warm(self, start: Callable[[QueryWorker], object]) -> None:
        """Start workers up to the pool's size, one at a time, with ``start(worker)`` (a
        first query). A worker being started is not one of the pool's yet, so it holds no
        place: a thread that needs a worker meanwhile takes an idle one or makes its own."""
        while True:
            with self._condition:
                if len(self._all) >= self.size:
                    return
            worker = self._make_worker()
            try:
                start(worker)
            except Exception:
                worker.stop()
                return  # the first real query will say what is wrong
            with self._condition:
                kept = len(self._all) < self.size
                if kept:
                    self._all.append(worker)
                    self._idle.append(worker)
                    self._condition.notify()
            if not kept:
                worker.stop()  # the threads filled the pool meanwhile
                return

    def stop(self) -> None:
        """Stop every worker's process (each starts again at its next use)."""
        with self._condition:
            workers = list(self._all)
        for worker in workers:
            worker.stop()
