"""Default result messages in Japanese and English, and label lookup.

Each message names the property by its label (from the shapes graph, the data or the
ontology labels passed in) and says what was expected and what was found. A shape's own
sh:message always wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import BlankNode, Literal, NamedNode

from cityref.text import Bilingual
from cityref.validation.model import Result, show
from cityref.validation.options import Language
from cityref.validation.paths import PredicatePath, path_text
from cityref.validation.terms import Term

# component local name -> (en, ja); placeholders: {prop} {expected} {found} {value} {other}
TEMPLATES: dict[str, tuple[str, str]] = {
    "Class": (
        "{prop} should be an instance of {expected}; found {value}.",
        "{prop} は {expected} のインスタンスであるべきですが、{value} でした。",
    ),
    "Datatype": (
        "{prop} should be a well-formed literal of datatype {expected}; found {value}.",
        "{prop} はデータ型 {expected} の正しいリテラルであるべきですが、{value} でした。",
    ),
    "NodeKind": (
        "{prop} should be of node kind {expected}; found {value}.",
        "{prop} のノード種別は {expected} であるべきですが、{value} でした。",
    ),
    "MinCount": (
        "{prop} needs at least {expected} value(s); found {found}.",
        "{prop} には少なくとも {expected} 個の値が必要ですが、{found} 個でした。",
    ),
    "MaxCount": (
        "{prop} allows at most {expected} value(s); found {found}.",
        "{prop} の値は最大 {expected} 個までですが、{found} 個ありました。",
    ),
    "MinExclusive": (
        "{prop} should be greater than {expected}; found {value}.",
        "{prop} は {expected} より大きい値であるべきですが、{value} でした。",
    ),
    "MinInclusive": (
        "{prop} should be at least {expected}; found {value}.",
        "{prop} は {expected} 以上であるべきですが、{value} でした。",
    ),
    "MaxExclusive": (
        "{prop} should be less than {expected}; found {value}.",
        "{prop} は {expected} 未満であるべきですが、{value} でした。",
    ),
    "MaxInclusive": (
        "{prop} should be at most {expected}; found {value}.",
        "{prop} は {expected} 以下であるべきですが、{value} でした。",
    ),
    "MinLength": (
        "{prop} should be at least {expected} characters long; found {value}.",
        "{prop} は {expected} 文字以上であるべきですが、{value} でした。",
    ),
    "MaxLength": (
        "{prop} should be at most {expected} characters long; found {value}.",
        "{prop} は {expected} 文字以下であるべきですが、{value} でした。",
    ),
    "Pattern": (
        "{prop} should match the pattern {expected}; found {value}.",
        "{prop} はパターン {expected} に一致するべきですが、{value} でした。",
    ),
    "LanguageIn": (
        "{prop} should have one of the languages {expected}; found {value}.",
        "{prop} の言語は {expected} のいずれかであるべきですが、{value} でした。",
    ),
    "UniqueLang": (
        "{prop} should have at most one value per language; language {found} is repeated.",
        "{prop} は言語ごとに値が一つまでですが、言語 {found} が重複しています。",
    ),
    "Equals": (
        "{prop} should have the same values as {other}; {value} is in only one of them.",
        "{prop} は {other} と同じ値を持つべきですが、{value} は片方にしかありません。",
    ),
    "Disjoint": (
        "{prop} should share no value with {other}; found {value} in both.",
        "{prop} は {other} と値を共有してはいけませんが、{value} が両方にあります。",
    ),
    "LessThan": (
        "{prop} should be less than every value of {other}; found {value}.",
        "{prop} は {other} のすべての値より小さいべきですが、{value} でした。",
    ),
    "LessThanOrEquals": (
        "{prop} should be at most every value of {other}; found {value}.",
        "{prop} は {other} のすべての値以下であるべきですが、{value} でした。",
    ),
    "Not": (
        "{prop} should not conform to {expected}; {value} does.",
        "{prop} は {expected} に適合してはいけませんが、{value} は適合しています。",
    ),
    "And": (
        "{prop} should conform to all of the listed shapes; {value} does not.",
        "{prop} は列挙されたすべてのシェイプに適合するべきですが、{value} は適合しません。",
    ),
    "Or": (
        "{prop} should conform to at least one of the listed shapes; {value} conforms to none.",
        "{prop} は列挙されたシェイプのいずれかに適合するべきですが、"
        "{value} はどれにも適合しません。",
    ),
    "Xone": (
        "{prop} should conform to exactly one of the listed shapes; {value} does not.",
        "{prop} は列挙されたシェイプのちょうど一つに適合するべきですが、"
        "{value} はそうではありません。",
    ),
    "Node": (
        "{prop} should conform to {expected}; {value} does not.",
        "{prop} は {expected} に適合するべきですが、{value} は適合しません。",
    ),
    "QualifiedMinCount": (
        "{prop} needs at least {expected} value(s) of the qualified shape; found {found}.",
        "{prop} には条件付きシェイプに適合する値が少なくとも {expected} 個必要ですが、"
        "{found} 個でした。",
    ),
    "QualifiedMaxCount": (
        "{prop} allows at most {expected} value(s) of the qualified shape; found {found}.",
        "{prop} の条件付きシェイプに適合する値は最大 {expected} 個までですが、"
        "{found} 個ありました。",
    ),
    "Closed": (
        "The node uses the property {found}, which the closed shape does not allow "
        "(value {value}).",
        "閉じたシェイプでは使えないプロパティ {found} が使われています（値 {value}）。",
    ),
    "HasValue": (
        "{prop} should include the value {expected}; it is missing.",
        "{prop} には値 {expected} が含まれるべきですが、ありません。",
    ),
    "In": (
        "{prop} should be one of {expected}; found {value}.",
        "{prop} は {expected} のいずれかであるべきですが、{value} でした。",
    ),
    "SPARQL": (
        "{prop} violates a SPARQL constraint (value {value}).",
        "{prop} が SPARQL 制約に違反しています（値 {value}）。",
    ),
}
TEMPLATES = {k: (en, ja.replace("{prop} ", "{prop}")) for k, (en, ja) in TEMPLATES.items()}
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
    template = TEMPLATES.get(result.component_name, _FALLBACK)[ja]
    value = show(result.value) if result.value is not None else _NONE[ja]
    return template.format(
        prop=property_label(result, labels, language),
        expected=detail.get("expected", "?"),
        found=detail.get("found", "?"),
        other=detail.get("other", "?"),
        value=value,
        component=result.component_name,
    )
