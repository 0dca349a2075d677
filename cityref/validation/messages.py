"""Result messages in Japanese and English, and label lookup.

The default message of each constraint component is part of its object in
:data:`cityref.validation.compile.COMPONENTS`.

Each message names the property by its label (from the shapes graph, the data or the
ontology labels passed in) and says what was expected and what was found. A shape's own
sh:message always wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import BlankNode, Literal, NamedNode

from cityref.text import Bilingual
from cityref.validation.compile import COMPONENTS_BY_NAME
from cityref.validation.model import Result, show
from cityref.validation.options import Language
from cityref.validation.paths import PredicatePath, path_text
from cityref.validation.terms import Term

_FALLBACK = (
    "{prop} violates the constraint {component} (value {value}).",
    "{prop} が制約 {component} に違反しています（値 {value}）。",
)
_THE_NODE = ("The node", "このノード")
_NONE = ("(none)", "（なし）")


def pick(literals: tuple[Literal, ...] | list[Literal], language: Language) -> Literal | None:
    """The literal in ``language``, else one without a language, else English, else any."""
    if not literals:
        return None
    for wanted in (language.value, None, "en"):
        for lit in literals:
            tag = lit.language.split("-")[0].lower() if lit.language else None
            if tag == wanted:
                return lit
    return literals[0]


def label(term: Term, labels: Mapping[Term, tuple[Literal, ...]], language: Language) -> str:
    """The term's label in ``language`` or a short form of the term."""
    found = pick(labels.get(term, ()), language)
    if found is not None:
        return found.value
    if isinstance(term, NamedNode):
        local = term.value.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
        return local or term.value
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return show(term)


def property_label(
    result: Result, labels: Mapping[Term, tuple[Literal, ...]], language: Language
) -> str:
    """How the result's path is named in messages."""
    ja = language == Language.JA
    if result.path is None:
        return _THE_NODE[ja]
    if isinstance(result.path, PredicatePath):
        return (
            f"「{label(result.path.iri, labels, language)}」"
            if ja
            else (f"'{label(result.path.iri, labels, language)}'")
        )
    return path_text(result.path)


def message_text(result: Result, labels: Mapping[Term, tuple[Literal, ...]]) -> Bilingual:
    """The result's message in both languages (see :func:`message`)."""
    return Bilingual(message(result, labels, Language.JA), message(result, labels, Language.EN))


def message(result: Result, labels: Mapping[Term, tuple[Literal, ...]], language: Language) -> str:
    """The result's message: its sh:message in ``language`` if any, else the default one."""
    own = pick(result.messages, language)
    if own is not None:
        return own.value
    ja = language == Language.JA
    detail = dict(result.detail)
    known = COMPONENTS_BY_NAME.get(result.component_name)
    if known is not None:
        template = known.message.ja if ja else known.message.en
    else:  # a SPARQL-based component the shapes declare, without a message of its own
        template = _FALLBACK[ja]
    value = show(result.value) if result.value is not None else _NONE[ja]
    return template.format(
        prop=property_label(result, labels, language),
        expected=detail.get("expected", "?"),
        found=detail.get("found", "?"),
        other=detail.get("other", "?"),
        value=value,
        component=result.component_name,
    )
