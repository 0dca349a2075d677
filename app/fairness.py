"""Per-client limits on expensive work: SPARQL queries, searches and validations.

Every worker process and thread of the server shares one set of places per client address
(:class:`cityref.services.slots.ClientSlots`, lock files under ``<store>/runtime/slots/``): at most
``client_concurrency`` run at once, at most ``client_queue`` more wait (each up to the query
time limit), and the rest are answered 429 with ``Retry-After``. Cheap requests (pages from
the memo, static files) never take a place.

Use :func:`expensive_work` around the work (or :func:`expensive` on a view)::

    with expensive_work():
        run_the_validation()

Nested uses in one request take one place only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, g, has_request_context, request

from app.errors import ApiError
from cityref.errors import Busy
from cityref.services.slots import ClientSlots
from cityref.settings import Settings
from cityref.text import Bilingual

P = ParamSpec("P")
R = TypeVar("R")
EXTENSION = "cityref.client_slots"


def init_app(app: Flask) -> None:
    settings: Settings = app.config["CITYREF_SETTINGS"]
    app.extensions[EXTENSION] = ClientSlots(
        settings.store / "runtime" / "slots",
        settings.client_concurrency,
        settings.client_queue,
    )


def client_address() -> str:
    """The address the limits are kept for (the socket's peer: no proxy is trusted)."""
    return request.remote_addr or "unknown"


@contextmanager
def expensive_work() -> Iterator[None]:
    """Hold one of this client's places while the block runs; 429 when none is to be had.

    Outside a request (CLI, warm-up) and inside a block already holding a place, nothing
    is taken.
    """
    if not has_request_context() or g.get("cityref_slot_held"):
        yield
        return
    slots: ClientSlots = current_app.extensions[EXTENSION]
    settings: Settings = current_app.config["CITYREF_SETTINGS"]
    try:
        slot = slots.acquire(client_address(), settings.query_timeout)
    except Busy as exc:
        raise busy_answer(exc, slots) from None
    g.cityref_slot_held = True
    try:
        yield
    finally:
        g.cityref_slot_held = False
        slot.release()


def expensive(view: Callable[P, R]) -> Callable[P, R]:
    """A view decorator: the whole view runs inside :func:`expensive_work`."""

    @functools.wraps(view)
    def limited(*args: P.args, **kwargs: P.kwargs) -> R:
        with expensive_work():
            return view(*args, **kwargs)

    return limited


def busy_answer(error: Busy, slots: ClientSlots) -> ApiError:
    seconds = int(error.retry_after)
    return ApiError(
        429,
        Bilingual(
            f"重い処理（クエリ・検索・検証）の同時実行は 1 クライアントあたり"
            f" {slots.concurrency} 件、待機は {slots.queue} 件までです。"
            f"{seconds} 秒後に再試行してください",
            f"too many expensive requests at once: {error.text.en}; retry in {seconds} s",
        ),
        headers={"Retry-After": str(seconds)},
    )
