"""A SHACL constraint component as one object: its compiler, its result message in Japanese
and English, and its words for the term pages.

Each ``core_*.py`` module (named after the spec section) defines the components of its
section; :data:`cityref.validation.compile.COMPONENTS` lists them all, and a test fails when
one lacks a part or when a component of the SHACL Core list is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode

from cityref.text import Bilingual
from cityref.validation.model import CheckFn, ValueCheck
from cityref.validation.shapes import Shape, ShapesGraph
from cityref.validation.terms import Term, sh

#: A class and its subclasses in the data (store-encoded), when the engine knows them.
SubclassesFn = Callable[[Term], list[Term]]


@dataclass(frozen=True)
class CompileContext:
    """What a compiler may need beyond the shape: the shapes graph, the class hierarchy, and
    whether queries may call cityref's own functions (not at an endpoint: numbers.py)."""

    shapes: ShapesGraph
    subclasses: SubclassesFn | None = None
    custom_functions: bool = True


@dataclass(frozen=True)
class NestedShape:
    """A shape whose own checks apply to the value nodes (sh:property)."""

    node: Term


#: A compiled piece: a per-value condition (batched per shape), a query check, a nested shape.
Compiled = ValueCheck | CheckFn | NestedShape
Compiler = Callable[[Shape, CompileContext], Sequence[Compiled]]


@dataclass(frozen=True)
class ConstraintComponent:
    """One constraint component, ``sh:<name>ConstraintComponent``.

    ``parameter`` is the sh: parameter that switches it on, whose value the page words show.
    Messages may use ``{prop}`` (the path's label), ``{expected}``, ``{found}``, ``{other}``
    and ``{value}``; the words use ``{v}`` (the parameter's values).
    """

    name: str
    parameter: str
    compile: Compiler
    message: Bilingual
    words: Bilingual

    @property
    def iri(self) -> NamedNode:
        return sh(self.name + "ConstraintComponent")
