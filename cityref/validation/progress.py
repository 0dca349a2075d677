"""Progress of long validation work, reported by whoever does the work to whoever listens.

The engines and input adapters call :func:`report` as they go (rows read, rows checked); a
caller that wants to show progress wraps the work in :func:`listening` with a listener (the
CLI's terminal line, a job's progress file). Without a listener a report costs one context
variable lookup, so engines may report every chunk without asking who listens. A listener
that fails is not called again, and its failure never fails the work it watches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """Where long work stands: ``done`` of ``total`` units (``None`` when not known yet) in
    ``stage`` (``"read"``, ``"check"``, …), ``seconds`` since that stage began (so that the
    pace of a stage is not diluted by the stages before it). A stage begins at the report
    before its first one (or when listening began): work reports ``done=0`` as it starts a
    stage, so that its clock does not count what came between."""

    stage: str
    done: int
    total: int | None
    unit: str
    seconds: float

    @property
    def per_second(self) -> float | None:
        return self.done / self.seconds if self.seconds > 0 and self.done else None

    @property
    def remaining_seconds(self) -> float | None:
        """Estimated seconds left at the pace so far (``None`` when it cannot be told)."""
        rate = self.per_second
        if rate is None or self.total is None or self.total < self.done:
            return None
        return (self.total - self.done) / rate


ProgressListener = Callable[[Progress], None]


@dataclass
class _Listening:
    """A listener, the stage its reports are in and when that stage and the last report were."""

    listener: ProgressListener
    stage: str = ""
    stage_started: float = 0.0
    last_report: float = 0.0
    failed: bool = False


_LISTENER: ContextVar[_Listening | None] = ContextVar("cityref_progress_listener", default=None)


@contextmanager
def listening(listener: ProgressListener) -> Iterator[None]:
    """Send every :func:`report` made inside the block (in this thread) to ``listener``."""
    started = time.monotonic()
    token = _LISTENER.set(_Listening(listener, stage_started=started, last_report=started))
    try:
        yield
    finally:
        _LISTENER.reset(token)


@contextmanager
def unreported() -> Iterator[None]:
    """Run a part of larger work without its own reports: the column engine's small SPARQL
    parts would otherwise show "loading" between two "checking" lines."""
    token = _LISTENER.set(None)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def report(stage: str, done: int, total: int | None = None, unit: str = "rows") -> None:
    """Tell the current listener, if any, that ``done`` of ``total`` ``unit`` are through."""
    current = _LISTENER.get()
    if current is None or current.failed:
        return
    now = time.monotonic()
    if stage != current.stage:
        current.stage, current.stage_started = stage, current.last_report
    current.last_report = now
    try:
        current.listener(Progress(stage, done, total, unit, now - current.stage_started))
    except Exception:  # showing progress is never worth failing the work for
        current.failed = True
        _LOG.warning("progress listener failed; no more progress is shown", exc_info=True)
