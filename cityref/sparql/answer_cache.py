"""Repeated queries answered from memory: the serialised answers of one build, bounded by bytes.

A query's answer depends on the build, the query text, the format asked, the protocol dataset
and the row limit: that is the key. The cache holds the answers of one build only; the first
lookup under another build (a new build, or an update, which bumps the build's generation)
empties it. Only complete answers are put in: a query stopped by its time limit or an error
raises and leaves nothing behind. An answer cut at the row limit is complete for that limit,
which is in the key.

The threads of a web worker share one cache; least recently used answers make room. The
same :class:`BuildCache` keeps whole answers of build-only pages (:mod:`app.http_cache`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from cityref.sparql.query import QueryRequest
from cityref.sparql.results import QueryAnswer

K = TypeVar("K")
V = TypeVar("V")
#: One answer may take at most this share of the cache: a huge answer would push out many.
LARGEST_SHARE = 8
#: What an entry costs beyond its bytes (the key, the answer object, the dictionary's slot).
ENTRY_OVERHEAD = 256


@dataclass(frozen=True)
class AnswerKey:
    """What a query's answer depends on, besides the build."""

    sparql: str
    result_format: str
    dataset: str
    max_rows: int

    @classmethod
    def of(cls, request: QueryRequest) -> AnswerKey:
        # Only the whitespace around the query is dropped: inside, a space may be part of
        # a string, and reading the query to know would cost what the cache saves.
        return cls(
            request.sparql.strip(" \t\r\n"),
            repr(request.result_format),
            repr(request.dataset),
            request.max_rows,
        )

    def size(self) -> int:
        return len(self.sparql) + len(self.result_format) + len(self.dataset) + ENTRY_OVERHEAD


class BuildCache(Generic[K, V]):
    """Values made from the current build, at most ``max_bytes`` of them by ``size`` (0 turns
    the cache off). Threads share it; the least recently used values make room."""

    def __init__(self, max_bytes: int, size: Callable[[K, V], int]) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[K, V] = OrderedDict()
        self._build = ""
        self._bytes = 0

    @property
    def bytes(self) -> int:
        """The bytes the cached values and their keys take, as counted against the bound."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._values)

    def get(self, build: str, key: K) -> V | None:
        with self._lock:
            if build != self._build:
                self._empty(build)
                return None
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, build: str, key: K, value: V) -> None:
        """Keep ``value`` (complete, made from ``build``), unless it is too large to."""
        size = self._size(key, value)
        if size > self.max_bytes // LARGEST_SHARE:
            return
        with self._lock:
            if build != self._build:
                return  # a newer build came meanwhile (the miss before this put saw ``build``)
            previous = self._values.pop(key, None)
            if previous is not None:
                self._bytes -= self._size(key, previous)
            while self._values and self._bytes + size > self.max_bytes:
                old_key, old = self._values.popitem(last=False)
                self._bytes -= self._size(old_key, old)
            self._values[key] = value
            self._bytes += size

    def _empty(self, build: str) -> None:
        self._values.clear()
        self._bytes = 0
        self._build = build


def answer_cache(max_bytes: int) -> BuildCache[AnswerKey, QueryAnswer]:
    """The cache of repeated queries' answers."""
    return BuildCache(max_bytes, _cost)


def _cost(key: AnswerKey, answer: QueryAnswer) -> int:
    return key.size() + len(answer.data)
