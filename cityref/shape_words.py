"""SHACL constraints said in words, in Japanese and English, for people reading a term page."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.text import Bilingual

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


# parameter: (ja template, en template); {v} is the value(s).
_TEMPLATES: dict[str, tuple[str, str]] = {
    "minCount": ("{v} 個以上の値が必要", "at least {v} value(s)"),
    "maxCount": ("値は {v} 個まで", "at most {v} value(s)"),
    "datatype": ("データ型は {v}", "datatype {v}"),
    "class": ("値は {v} のインスタンス", "values are instances of {v}"),
    "nodeKind": ("値の種類は {v}", "node kind {v}"),
    "pattern": ("正規表現 {v} に一致", "matches the pattern {v}"),
    "minLength": ("{v} 文字以上", "at least {v} characters"),
    "maxLength": ("{v} 文字以下", "at most {v} characters"),
    "minInclusive": ("{v} 以上", "at least {v}"),
    "maxInclusive": ("{v} 以下", "at most {v}"),
    "minExclusive": ("{v} より大きい", "greater than {v}"),
    "maxExclusive": ("{v} より小さい", "less than {v}"),
    "hasValue": ("値 {v} を含む", "has the value {v}"),
    "languageIn": ("言語タグは {v} のいずれか", "language tag one of {v}"),
    "uniqueLang": ("言語ごとに値は一つ", "one value per language"),
    "node": ("値はシェイプ {v} に適合", "values conform to the shape {v}"),
    "equals": ("{v} と同じ値", "same values as {v}"),
    "disjoint": ("{v} と共通の値を持たない", "no value in common with {v}"),
    "lessThan": ("{v} より小さい", "less than the values of {v}"),
    "qualifiedMinCount": ("条件に合う値が {v} 個以上", "at least {v} qualifying value(s)"),
    "qualifiedMaxCount": ("条件に合う値は {v} 個まで", "at most {v} qualifying value(s)"),
    "in": ("値は次のいずれか: {v}", "one of: {v}"),
    "or": ("いずれかの条件を満たす", "satisfies one of several conditions"),
    "and": ("すべての条件を満たす", "satisfies all of several conditions"),
    "xone": ("ちょうど一つの条件を満たす", "satisfies exactly one of several conditions"),
    "not": ("条件を満たさない", "does not satisfy a condition"),
    "sparql": ("SPARQL による検査", "checked by a SPARQL constraint"),
}
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
