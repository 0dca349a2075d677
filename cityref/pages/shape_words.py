"""SHACL constraints said in words, in Japanese and English, for people reading a term page."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.text import Bilingual
from cityref.validation.compile import COMPONENTS

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class ConstraintWords:
    component: str  # the SHACL parameter, e.g. minCount
    text: Bilingual


#: Parameters whose values are terms (classes, datatypes, shapes, properties), shown by their
#: local names; the values of every other parameter (a pattern, the allowed values) are shown
#: as they are, since a "/" in them is no namespace.
_TERM_PARAMETERS = {
    "class",
    "datatype",
    "nodeKind",
    "node",
    "property",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
}


def _short(iri: str) -> str:
    if iri.startswith(XSD):
        return "xsd:" + iri[len(XSD) :]
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _one(name: str, values: list[str]) -> str:
    if name in _TERM_PARAMETERS:
        return ", ".join(_short(v) for v in sorted(values))
    return ", ".join(values)  # in the order given: sh:in lists its values in the order meant


# parameter: (ja template, en template), from each constraint component's object.
_TEMPLATES: dict[str, tuple[str, str]] = {c.parameter: (c.words.ja, c.words.en) for c in COMPONENTS}
# Parameters that describe rather than constrain, shown elsewhere or not at all.
_SKIPPED = {
    "name",
    "description",
    "message",
    "order",
    "group",
    "severity",
    "deactivated",
    "defaultValue",
    "qualifiedValueShape",
    "qualifiedValueShapesDisjoint",
}


def constraint_words(params: dict[str, list[str]]) -> list[ConstraintWords]:
    """Each constraint of a property shape in both languages (unknown ones by name)."""
    words = []
    for name, values in sorted(params.items()):
        if name in _SKIPPED:
            continue
        ja, en = _TEMPLATES.get(name, (name + ": {v}", name + ": {v}"))
        words.append(ConstraintWords(name, Bilingual(ja, en).format(v=_one(name, values))))
    return words
