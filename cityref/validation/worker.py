"""Validation under limits: a worker process with a memory limit, killed when its time passes.

:func:`run_limited` runs any function of the validation in a forked child: the child's
address space is capped (RLIMIT_AS), and the parent waits at most ``time_limit`` seconds,
then kills it. A child that dies says how (memory limit, signal) instead of leaving the
caller with "stopped unexpectedly". Validation jobs of the server use the same limits in
their own processes (:mod:`cityref.services.job_queue`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import resource
import signal
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cityref.errors import CityrefError
from cityref.text import Bilingual
from cityref.validation.errors import ValidationError, ValidationTimeout
from cityref.validation.options import ValidationOptions
from cityref.validation.report import Report

if TYPE_CHECKING:
    from cityref.validation.api import Document

T = TypeVar("T")


class ValidationMemoryLimit(ValidationError):
    """Validation needed more memory than its worker may use."""

    def __init__(self, megabytes: int | None) -> None:
        limit = f" of {megabytes} MiB" if megabytes else ""
        limit_ja = f"（{megabytes} MiB）" if megabytes else ""
        super().__init__(
            Bilingual(
                f"検証がメモリの上限{limit_ja}を超えたため停止しました",
                f"validation stopped: it needed more than the memory limit{limit}",
            )
        )
        self.megabytes = megabytes

    def __reduce__(self) -> tuple[type[ValidationMemoryLimit], tuple[int | None]]:
        return (type(self), (self.megabytes,))


def limit_memory(megabytes: int | None, *, beyond_current: bool = False) -> None:
    """Cap this process's address space (so that allocations fail instead of the machine).

    ``beyond_current`` allows ``megabytes`` on top of what the process maps already: a
    child forked from a web worker inherits its threads' stacks and arenas, which are not
    the validation's to pay for."""
    if not megabytes:
        return
    size = megabytes * 1024 * 1024
    if beyond_current:
        size += _mapped_bytes()
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def _mapped_bytes() -> int:
    """The address space this process maps now (VmSize), 0 when /proc cannot tell."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _child(
    conn: multiprocessing.connection.Connection,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    memory_mb: int | None,
) -> None:
    try:
        limit_memory(memory_mb, beyond_current=True)
        conn.send(("ok", function(*args)))
    except CityrefError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("error", ValidationMemoryLimit(memory_mb)))
    except RecursionError:
        too_deep = Bilingual(
            "入力の入れ子が深すぎて読めません", "the input is nested too deeply to read"
        )
        conn.send(("error", ValidationError(too_deep)))
    except Exception as exc:  # a bug: still report it to the parent, not as a hang
        text = f"{type(exc).__name__}: {exc}"
        internal = Bilingual(f"内部エラー: {text}", f"internal error: {text}")
        conn.send(("error", ValidationError(internal)))
    finally:
        conn.close()


def _ended(exitcode: int | None, memory_mb: int | None) -> ValidationError:
    """Why a worker ended without an answer, from its exit code."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        if number == signal.SIGABRT and memory_mb:  # Rust aborts when an allocation fails
            return ValidationMemoryLimit(memory_mb)
        return ValidationError(
            Bilingual(
                f"検証プロセスが予期せず停止しました（シグナル {name}）",
                f"the validation worker stopped unexpectedly (signal {name})",
            )
        )
    return ValidationError(
        Bilingual(
            f"検証プロセスが予期せず停止しました（終了コード {exitcode}）",
            f"the validation worker stopped unexpectedly (exit code {exitcode})",
        )
    )


def run_limited(
    function: Callable[..., T],
    args: tuple[Any, ...],
    *,
    time_limit: float,
    memory_mb: int | None = None,
) -> T:
    """``function(*args)`` in a child process with the limits; its errors are re-raised
    here, :class:`ValidationTimeout` at the time limit, :class:`ValidationMemoryLimit` when
    it ran out of memory."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, function, args, memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(time_limit):
            raise ValidationTimeout(time_limit)
        try:
            status, payload = parent.recv()
        except EOFError:
            proc.join(5)
            raise _ended(proc.exitcode, memory_mb) from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status == "error":
        assert isinstance(payload, CityrefError)
        raise payload
    return payload  # type: ignore[no-any-return]


def run_with_time_limit(
    data: list[Document],
    shapes: Document,
    options: ValidationOptions,
    ontology: Document | None = None,
) -> Report:
    """Validate in a child process; kill it and raise :class:`ValidationTimeout` at the limit."""
    assert options.time_limit is not None
    inner = replace(options, time_limit=None)
    report = run_limited(_validate, (data, shapes, inner, ontology), time_limit=options.time_limit)
    assert isinstance(report, Report)
    return report


def _validate(
    data: list[Document], shapes: Document, options: ValidationOptions, ontology: Document | None
) -> Report:
    from cityref.validation.api import validate_documents

    return validate_documents(data, shapes, options, ontology=ontology)
