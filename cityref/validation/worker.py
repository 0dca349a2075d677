"""Validation under a time limit: a worker process that is killed when the limit passes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cityref.validation.errors import ValidationError, ValidationTimeout
from cityref.validation.options import ValidationOptions
from cityref.validation.report import Report

if TYPE_CHECKING:
    from cityref.validation.api import Document


def _child(
    conn: multiprocessing.connection.Connection,
    data: list[Document],
    shapes: Document,
    options: ValidationOptions,
    ontology: Document | None,
) -> None:
    from cityref.validation.api import validate_documents

    try:
        conn.send(("ok", validate_documents(data, shapes, options, ontology=ontology)))
    except ValidationError as exc:
        conn.send(("error", exc))
    except Exception as exc:  # a bug: still report it to the parent, not as a hang
        conn.send(("error", ValidationError(f"internal error: {type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def run_with_time_limit(
    data: list[Document],
    shapes: Document,
    options: ValidationOptions,
    ontology: Document | None = None,
) -> Report:
    """Validate in a child process; kill it and raise :class:`ValidationTimeout` at the limit."""
    assert options.time_limit is not None
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    inner = replace(options, time_limit=None)
    proc = ctx.Process(target=_child, args=(child, data, shapes, inner, ontology), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(options.time_limit):
            raise ValidationTimeout(options.time_limit)
        try:
            status, payload = parent.recv()
        except EOFError:
            raise ValidationError("the validation worker stopped unexpectedly") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status == "error":
        assert isinstance(payload, ValidationError)
        raise payload
    assert isinstance(payload, Report)
    return payload
