"""From a validation result back to the input: file, row and column, or a JSON pointer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from pyoxigraph import Literal, NamedNode

from cityref.inputs.model import INPUT_BASE, Converted, Location
from cityref.validation import Report, Result
from cityref.validation.paths import PredicatePath
from cityref.validation.terms import decode


@dataclass(frozen=True)
class LocatedResult:
    """A validation result with the place in the input it is about."""

    result: Result
    location: Location | None


def _split(iri: str) -> tuple[str, str] | None:
    if not iri.startswith(INPUT_BASE):
        return None
    path, _, fragment = iri[len(INPUT_BASE) :].partition("#")
    return unquote(path), unquote(fragment)


def _escape(key: str) -> str:
    """A JSON object key as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def node_location(iri: str, converted: Converted) -> Location | None:
    """Where a node minted by an adapter comes from."""
    known = converted.subjects.get(iri)
    if known is not None:
        return known
    parts = _split(iri)
    if parts is None:
        return None
    file, fragment = parts
    if fragment.startswith("row="):
        try:
            return Location(file, row=int(fragment[4:]))
        except ValueError:
            return Location(file)
    if fragment.startswith("/") or fragment == "":
        return Location(file, pointer=fragment)
    return Location(file)


def locate(
    result: Result, converted: Converted, shape_columns: Mapping[str, str] | None = None
) -> Location | None:
    """The location of one result: the focus node's row or pointer, the path's column."""
    focus = decode(result.focus)
    if not isinstance(focus, NamedNode):
        return None
    base = node_location(focus.value, converted)
    if base is None or not (
        base.file == converted.name or base.file.startswith(converted.name + "/")
    ):
        return None
    column: str | None = None
    if isinstance(result.path, PredicatePath):
        predicate = result.path.iri.value
        value = decode(result.value) if result.value is not None else None
        if base.pointer is not None:
            # JSON: the node's pointer plus the key the predicate came from, if any.
            key = converted.columns.get(predicate)
            pointer = base.pointer + ("/" + _escape(key) if key else "")
            return Location(base.file, pointer=pointer)
        if predicate in converted.findings_naming_column and isinstance(value, Literal):
            column = value.value.split(" → ")[0]
        else:
            column = converted.columns.get(predicate)
    if column is None and shape_columns:
        shape = decode(result.source_shape)
        if isinstance(shape, NamedNode):
            column = shape_columns.get(shape.value)
    if base.pointer is not None:
        return base
    return Location(base.file, row=base.row, column=column)


def locate_report(
    report: Report,
    converted: Sequence[Converted],
    shape_columns: Mapping[str, str] | None = None,
) -> list[LocatedResult]:
    """Every result of a report with its location (``None`` when it names no input node)."""
    out: list[LocatedResult] = []
    for r in report.results:
        where: Location | None = None
        for conv in converted:
            where = locate(r, conv, shape_columns)
            if where is not None:
                break
        out.append(LocatedResult(r, where))
    return out
