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


def _short(iri: str) -> str:
    if iri.startswith(XSD):
        return "xsd:" + iri[len(XSD) :]
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _one(values: list[str]) -> str:
    return ", ".join(_short(v) for v in sorted(values))


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
        words.append(ConstraintWords(name, Bilingual(ja, en).format(v=_one(values))))
    return words
