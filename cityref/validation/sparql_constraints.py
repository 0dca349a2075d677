"""SHACL-SPARQL (spec section 5/6): placeholder until the SPARQL constraints land."""

from __future__ import annotations

from cityref.validation.model import CheckFn
from cityref.validation.shapes import Shape, ShapesGraph


def checks(shape: Shape, shapes: ShapesGraph) -> list[CheckFn]:
    """Checks for sh:sparql constraints and SPARQL-based constraint components."""
    return []
