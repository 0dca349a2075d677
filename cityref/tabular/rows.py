"""What the column engine needs besides the checks: the rows it keeps for the report, the
classes whose targets select the rows, and which SPARQL-based components are row-local."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import overload

from pyoxigraph import Literal, NamedNode

from cityref.validation.graph import Graph
from cityref.validation.terms import RDFS, SH, Term, sh

_SUBCLASS_OF = NamedNode(RDFS + "subClassOf")
_VALIDATORS = ("validator", "propertyValidator", "nodeValidator")
# Strings and IRIs first (they may hold anything), then the innermost parentheses, again
# and again, until the group pattern is only keywords.
_STRINGS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|<[^<>\s]*>'
)
_PARENS = re.compile(r"\([^()]*\)")
_ASK = re.compile(r"^\s*(?:PREFIX\s+\S*:\s*''\s*)*ASK\s*(?:WHERE\s*)?\{(.*)\}\s*$", re.S | re.I)


class KeptRows(Sequence[list[str]]):
    """The rows of a file as :class:`cityref.inputs.model.CellTexts` reads them, holding only
    the header and the rows the report needs (any other row reads as having no cells)."""

    def __init__(self, header: list[str], kept: dict[int, list[str]], total: int) -> None:
        self._header = header
        self._kept = kept
        self._total = total  # spreadsheet rows read, the header included

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> list[str]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[list[str]]: ...
    def __getitem__(self, index: int | slice) -> list[str] | Sequence[list[str]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._total))]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        return self._header if index == 0 else self._kept.get(index + 1, [])


def superclasses(cls: str, graphs: Sequence[Graph | None]) -> set[Term]:
    """``cls`` and every class it is an rdfs:subClassOf (transitively) in ``graphs``."""
    found: set[Term] = {NamedNode(cls)}
    todo: list[Term] = [NamedNode(cls)]
    while todo:
        node = todo.pop()
        for g in graphs:
            if g is None:
                continue
            for parent in g.objects(node, _SUBCLASS_OF):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
    return found


def row_local_parameters(graph: Graph) -> dict[NamedNode, bool]:
    """Each parameter of a SPARQL-based constraint component, and whether the component's
    result for a value depends on the value alone: every validator is an ASK whose group is
    BINDs and FILTERs (no triple pattern, so it reads nothing of the data) without $this."""
    out: dict[NamedNode, bool] = {}
    for comp, param in graph.pairs(sh("parameter")):
        if isinstance(comp, NamedNode) and comp.value.startswith(SH):
            continue
        path = graph.one(param, sh("path"))
        if not isinstance(path, NamedNode):
            continue
        validators = [v for local in _VALIDATORS for v in graph.objects(comp, sh(local))]
        local = bool(validators) and all(_value_only_ask(graph, v) for v in validators)
        out[path] = out.get(path, True) and local
    return out


def _value_only_ask(graph: Graph, validator: Term) -> bool:
    ask = graph.one(validator, sh("ask"))
    if not isinstance(ask, Literal) or graph.objects(validator, sh("select")):
        return False
    text = _STRINGS.sub(" '' ", ask.value)
    if re.search(r"[$?](this|shapesGraph|currentShape)\b", text):
        return False
    body = _ASK.match(text)
    if body is None:
        return False
    group = body.group(1)
    while True:
        shorter = _PARENS.sub(" ", group)
        if shorter == group:
            break
        group = shorter
    return all(word.upper() in ("BIND", "FILTER") for word in group.split())
