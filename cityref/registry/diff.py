"""Semantic diff of two trees (releases or the working tree): terms and shapes.

Terms: added, removed, deprecated, changed (labels, definitions, hierarchy, domains and
ranges, alignments, status). Shapes: added, removed, and each constraint parameter tightened,
loosened or changed. Every change says whether it is *breaking for data producers*: data that
conformed before may not conform after (a removed term, a tightened sh:Violation shape).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from cityref.registry.durable import RegistryError
from cityref.registry.lifecycle import CLASS_TYPES, ENDED, PROPERTY_TYPES
from cityref.registry.vocab import (
    OWL,
    OWL_DEPRECATED,
    RDF,
    RDF_TYPE,
    RDFS,
    SH,
    SKOS,
    core_status,
    status_namespace,
)
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

TERM_TYPES = CLASS_TYPES | PROPERTY_TYPES | {NamedNode(SKOS + "Concept")}
ASPECTS: dict[str, tuple[str, ...]] = {
    "labels": (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel"),
    "definitions": (SKOS + "definition", RDFS + "comment"),
    "hierarchy": (RDFS + "subClassOf", RDFS + "subPropertyOf", SKOS + "broader"),
    "domains and ranges": (RDFS + "domain", RDFS + "range"),
    "alignments": (
        OWL + "equivalentClass",
        OWL + "equivalentProperty",
        SKOS + "exactMatch",
        SKOS + "closeMatch",
        SKOS + "broadMatch",
        SKOS + "narrowMatch",
        SKOS + "relatedMatch",
    ),
}
ASPECT_JA = {
    "labels": "ラベル",
    "definitions": "定義",
    "hierarchy": "階層",
    "domains and ranges": "定義域・値域",
    "alignments": "外部語彙との対応",
    "status": "状態",
}
BREAKING_ASPECTS = {"domains and ranges"}
# Parameters that only document a shape.
ANNOTATIONS = {
    SH + p for p in ("message", "name", "description", "order", "group", "defaultValue", "property")
} | {RDFS + "label", RDFS + "comment", RDF + "type"}
TARGETS = {SH + p for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")}
# Numeric parameters: +1 when a larger value is tighter, -1 when a smaller one is.
NUMERIC = {
    SH + "minCount": 1,
    SH + "minLength": 1,
    SH + "minInclusive": 1,
    SH + "minExclusive": 1,
    SH + "qualifiedMinCount": 1,
    SH + "maxCount": -1,
    SH + "maxLength": -1,
    SH + "maxInclusive": -1,
    SH + "maxExclusive": -1,
    SH + "qualifiedMaxCount": -1,
}
# One rendered term inside a rendered list: an IRI or a literal (with spaces, escapes, tags).
_TOKEN = re.compile(r'<[^>]*>|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?')
SEVERITY_RANK = {SH + "Info": 0, SH + "Warning": 1, SH + "Violation": 2}


@dataclass(frozen=True)
class Change:
    """One difference; ``kind`` like ``term-added`` or ``shape-tightened``."""

    kind: str
    subject: str
    aspect: str
    old: str
    new: str
    breaking: bool
    message: Bilingual
    profile: str = ""

    def as_dict(self, lang: str | None = None) -> dict[str, object]:
        """The change as JSON, its message in ``lang`` or in both."""
        return {**asdict(self), "message": self.message.by_language(lang)}


class _Tree:
    """The statements of a tree's ontology/ and shapes/."""

    def __init__(self, folder: Path, base_iri: str) -> None:
        model = ModelFiles(folder, base_iri)
        self.ontology = _load(model, model.ontology_dir)
        self.shapes = _load(model, model.shapes_dir, skip_profile=True)
        self.base_iri = base_iri

    def terms(self) -> dict[str, dict[str, set[str]]]:
        typed = {
            t.subject.value
            for t in self.ontology
            if t.predicate == RDF_TYPE
            and t.object in TERM_TYPES
            and isinstance(t.subject, NamedNode)
        }
        out: dict[str, dict[str, set[str]]] = {s: defaultdict(set) for s in typed}
        for t in self.ontology:
            if isinstance(t.subject, NamedNode) and t.subject.value in out:
                out[t.subject.value][t.predicate.value].add(_render(t.object, []))
        return out

    def shapes_params(self) -> dict[str, dict[str, set[str]]]:
        """Shape id -> parameter -> values (blank nodes rendered as canonical text).

        Named shapes by IRI; blank-node property shapes as ``<parent>|path``.
        """
        by_subject: dict[str, list[Triple]] = defaultdict(list)
        for t in self.shapes:
            by_subject[_key(t.subject)].append(t)
        shapes: dict[str, dict[str, set[str]]] = {}
        for t in self.shapes:
            s = t.subject
            if isinstance(s, NamedNode) and (
                (
                    t.predicate == RDF_TYPE
                    and isinstance(t.object, NamedNode)
                    and t.object.value in (SH + "NodeShape", SH + "PropertyShape")
                )
                or t.predicate.value == SH + "path"
            ):
                shapes.setdefault(s.value, defaultdict(set))
        for ident in list(shapes):
            for t in by_subject[ident]:
                if t.predicate.value == SH + "property" and isinstance(t.object, BlankNode):
                    path = [
                        _render(x.object, self.shapes)
                        for x in by_subject[_key(t.object)]
                        if x.predicate.value == SH + "path"
                    ]
                    child = f"{ident}|{path[0] if path else _key(t.object)}"
                    params = shapes.setdefault(child, defaultdict(set))
                    for x in by_subject[_key(t.object)]:
                        params[x.predicate.value].add(_render(x.object, self.shapes))
        for ident, params in shapes.items():
            if "|" in ident:
                continue
            for t in by_subject[ident]:
                params[t.predicate.value].add(_render(t.object, self.shapes))
        return shapes


def _key(node: object) -> str:
    return f"_:{node.value}" if isinstance(node, BlankNode) else str(getattr(node, "value", node))


def _load(model: ModelFiles, folder: Path, skip_profile: bool = False) -> list[Triple]:
    triples: list[Triple] = []
    if not folder.is_dir():
        return triples
    for path in sorted(folder.rglob("*.ttl")):
        if "examples" in path.relative_to(folder).parts or (
            skip_profile and path.name == "profile.ttl"
        ):
            continue
        try:
            triples += [q.triple for q in parse(model.read(path), RdfFormat.TURTLE)]
        except SyntaxError as exc:
            raise RegistryError(
                Bilingual(f"{path}: 構文解析できません（{exc}）", f"{path}: does not parse: {exc}")
            ) from exc
    return triples


def _render(node: object, graph: list[Triple], depth: int = 0) -> str:
    """Canonical text of a term; blank nodes as their sorted description, lists as (…)."""
    if isinstance(node, NamedNode):
        return f"<{node.value}>"
    if isinstance(node, Literal):
        if node.language:
            return f'"{node.value}"@{node.language}'
        if node.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return f'"{node.value}"'
        return f'"{node.value}"^^<{node.datatype.value}>'
    if isinstance(node, BlankNode) and depth < 12:
        items = _list_items(node, graph)
        if items is not None:
            return "( " + " ".join(_render(i, graph, depth + 1) for i in items) + " )"
        parts = sorted(
            f"<{t.predicate.value}> {_render(t.object, graph, depth + 1)}"
            for t in graph
            if t.subject == node
        )
        return "[ " + " ; ".join(parts) + " ]"
    return "[]"


def _list_items(node: BlankNode, graph: list[Triple]) -> list[object] | None:
    items: list[object] = []
    current: object = node
    for _ in range(10_000):
        if current == NamedNode(RDF + "nil"):
            return items
        firsts = [
            t.object for t in graph if t.subject == current and t.predicate.value == RDF + "first"
        ]
        rests = [
            t.object for t in graph if t.subject == current and t.predicate.value == RDF + "rest"
        ]
        if len(firsts) != 1 or len(rests) != 1:
            return None
        items.append(firsts[0])
        current = rests[0]
    return None


def _short(values: set[str]) -> str:
    return ", ".join(sorted(values))


def _profile_of(shape: str, base_iri: str) -> str:
    prefix = base_iri + "shapes/"
    return shape[len(prefix) :].split("/", 1)[0] if shape.startswith(prefix) else ""


def _is_ended(props: dict[str, set[str]], base_iri: str) -> bool:
    states = status_namespace(base_iri)
    found = props.get(core_status(base_iri).value, set())
    statuses = {s.strip("<>").removeprefix(states) for s in found}
    deprecated = any(v.startswith('"true"') for v in props.get(OWL_DEPRECATED.value, set()))
    return deprecated or bool(statuses & set(ENDED))


def diff_terms(old: _Tree, new: _Tree) -> list[Change]:
    before, after = old.terms(), new.terms()
    status = core_status(new.base_iri).value
    out: list[Change] = []
    for term in sorted(after.keys() - before.keys()):
        out.append(
            Change(
                "term-added",
                term,
                "",
                "",
                "",
                False,
                Bilingual(f"用語 <{term}> を追加。", f"Term <{term}> added."),
            )
        )
    for term in sorted(before.keys() - after.keys()):
        out.append(
            Change(
                "term-removed",
                term,
                "",
                "",
                "",
                True,
                Bilingual(f"用語 <{term}> を削除。", f"Term <{term}> removed."),
            )
        )
    for term in sorted(before.keys() & after.keys()):
        b, a = before[term], after[term]
        if _is_ended(a, new.base_iri) and not _is_ended(b, new.base_iri):
            repl = _short(a.get("http://purl.org/dc/terms/isReplacedBy", set())) or "none / なし"
            out.append(
                Change(
                    "term-deprecated",
                    term,
                    "status",
                    _short(b.get(status, set())),
                    _short(a.get(status, set())),
                    False,
                    Bilingual(
                        f"用語 <{term}> を非推奨化。代替: {repl}。",
                        f"Term <{term}> deprecated; replacement: {repl}.",
                    ),
                )
            )
        for aspect, predicates in ASPECTS.items():
            ov = set().union(*(b.get(p, set()) for p in predicates))
            nv = set().union(*(a.get(p, set()) for p in predicates))
            if ov != nv:
                breaking = aspect in BREAKING_ASPECTS or (aspect == "hierarchy" and bool(ov - nv))
                out.append(
                    Change(
                        "term-changed",
                        term,
                        aspect,
                        _short(ov),
                        _short(nv),
                        breaking,
                        Bilingual(
                            f"用語 <{term}> の{ASPECT_JA[aspect]}を変更。",
                            f"Term <{term}>: {aspect} changed.",
                        ),
                    )
                )
    return out


def _compare_param(
    param: str, ov: set[str], nv: set[str], severity: str
) -> tuple[str, bool] | None:
    """(kind, breaking) for one parameter, or None when only documentation changed."""
    if ov == nv or param in ANNOTATIONS:
        return None
    violation = SEVERITY_RANK.get(severity, 2) == 2
    if param == SH + "severity":
        o = max((SEVERITY_RANK.get(v.strip("<>"), 2) for v in ov), default=2)
        n = max((SEVERITY_RANK.get(v.strip("<>"), 2) for v in nv), default=2)
        return ("shape-tightened", n == 2) if n > o else ("shape-loosened", False)
    if param == SH + "deactivated":
        on = any(v.startswith('"true"') for v in nv)
        return ("shape-loosened", False) if on else ("shape-tightened", violation)
    if not ov:
        if param == SH + "minCount" and nv == {'"0"^^<http://www.w3.org/2001/XMLSchema#integer>'}:
            return None
        return ("shape-tightened", violation)
    if not nv:
        return ("shape-loosened", False)
    if param in NUMERIC and len(ov) == 1 and len(nv) == 1:
        try:
            lo = float(next(iter(ov)).split('"')[1])
            hi = float(next(iter(nv)).split('"')[1])
        except (IndexError, ValueError):
            return ("shape-changed", violation)
        tighter = (hi - lo) * NUMERIC[param] > 0
        return ("shape-tightened", violation) if tighter else ("shape-loosened", False)
    if param == SH + "in" and len(ov) == 1 and len(nv) == 1:
        o_items = set(_TOKEN.findall(next(iter(ov))))
        n_items = set(_TOKEN.findall(next(iter(nv))))
        if n_items < o_items:
            return ("shape-tightened", violation)
        if n_items > o_items:
            return ("shape-loosened", False)
    if param in TARGETS:
        if nv > ov:
            return ("shape-tightened", violation)
        if nv < ov:
            return ("shape-loosened", False)
    return ("shape-changed", violation)


_KIND_TEXT = {
    "shape-tightened": ("tightened", "厳格化"),
    "shape-loosened": ("loosened", "緩和"),
    "shape-changed": ("changed", "変更"),
}


def diff_shapes(old: _Tree, new: _Tree) -> list[Change]:
    before, after = old.shapes_params(), new.shapes_params()
    base = new.base_iri
    old_profiles = {_profile_of(s, base) for s in before}
    out: list[Change] = []
    for shape in sorted(after.keys() - before.keys()):
        profile = _profile_of(shape, base)
        severity = next(iter(after[shape].get(SH + "severity", {f"<{SH}Violation>"}))).strip("<>")
        constrains = any(p not in ANNOTATIONS and p != SH + "path" for p in after[shape])
        breaking = profile in old_profiles and constrains and SEVERITY_RANK.get(severity, 2) == 2
        out.append(
            Change(
                "shape-added",
                shape,
                "",
                "",
                "",
                breaking,
                Bilingual(f"シェイプ <{shape}> を追加。", f"Shape <{shape}> added."),
                profile,
            )
        )
    for shape in sorted(before.keys() - after.keys()):
        out.append(
            Change(
                "shape-removed",
                shape,
                "",
                "",
                "",
                False,
                Bilingual(f"シェイプ <{shape}> を削除。", f"Shape <{shape}> removed."),
                _profile_of(shape, base),
            )
        )
    for shape in sorted(before.keys() & after.keys()):
        b, a = before[shape], after[shape]
        severity = next(iter(a.get(SH + "severity", {f"<{SH}Violation>"}))).strip("<>")
        for param in sorted(b.keys() | a.keys()):
            verdict = _compare_param(param, b.get(param, set()), a.get(param, set()), severity)
            if verdict is None:
                continue
            kind, breaking = verdict
            en, ja = _KIND_TEXT[kind]
            name = param.removeprefix(SH)
            out.append(
                Change(
                    kind,
                    shape,
                    param,
                    _short(b.get(param, set())),
                    _short(a.get(param, set())),
                    breaking,
                    Bilingual(
                        f"シェイプ <{shape}> の sh:{name} を{ja}。",
                        f"Shape <{shape}>: sh:{name} {en}.",
                    ),
                    _profile_of(shape, base),
                )
            )
    return out


def semantic_diff(old_folder: Path, new_folder: Path, base_iri: str) -> list[Change]:
    """Every change from the tree at ``old_folder`` to the tree at ``new_folder``."""
    old, new = _Tree(old_folder, base_iri), _Tree(new_folder, base_iri)
    return diff_terms(old, new) + diff_shapes(old, new)
