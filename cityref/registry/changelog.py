"""The semantic diff as a Markdown changelog (ja / en), JSON, or an RDF changeset (Turtle);
and the changelog a release is written with (its proposals and the diff)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Triple

from cityref.registry.diff import Change
from cityref.registry.turtle_writer import write_document
from cityref.registry.vocab import PREFIXES, RDF_TYPE, dct, reg

if TYPE_CHECKING:
    from cityref.registry.proposals import Proposal

CHANGELOG_FORMATS = ("markdown", "json", "rdf")
_SECTIONS = (
    ("term-added", "Terms added", "追加された用語"),
    ("term-removed", "Terms removed", "削除された用語"),
    ("term-deprecated", "Terms deprecated", "非推奨になった用語"),
    ("term-changed", "Terms changed", "変更された用語"),
    ("shape-added", "Shapes added", "追加されたシェイプ"),
    ("shape-removed", "Shapes removed", "削除されたシェイプ"),
    ("shape-tightened", "Constraints tightened", "厳格化された制約"),
    ("shape-loosened", "Constraints loosened", "緩和された制約"),
    ("shape-changed", "Constraints changed", "変更された制約"),
)


_TYPED = re.compile(
    r'"([^"]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#(?:integer|decimal|boolean)>'
)
_IRI = re.compile(r"<([^<>\s]+)>")


def pretty(value: str) -> str:
    """A value of the diff for people: numbers bare, IRIs as prefixed names where known."""
    value = _TYPED.sub(lambda m: m.group(1), value)

    def compact(m: re.Match[str]) -> str:
        iri = m.group(1)
        for name, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns) :]}"
        return m.group(0)

    return _IRI.sub(compact, value) or "—"


def _markdown_one(changes: list[Change], old: str, new: str, lang: str) -> list[str]:
    ja = lang == "ja"
    breaking = sum(c.breaking for c in changes)
    lines = [
        f"## {old} → {new}" + (" 変更履歴" if ja else " changelog"),
        "",
        (
            f"{len(changes)} 件の変更、うち {breaking} 件は"
            "データ提供者にとって互換性のない変更です。"
            if ja
            else f"{len(changes)} changes, {breaking} of them breaking for data producers."
        ),
    ]
    for kind, title_en, title_ja in _SECTIONS:
        items = [c for c in changes if c.kind == kind]
        if not items:
            continue
        lines += ["", f"### {title_ja if ja else title_en}", ""]
        for c in items:
            mark = ("**互換性なし** " if ja else "**breaking** ") if c.breaking else ""
            text = c.message.in_language(lang)
            shown = (c.old or c.new) and kind != "term-changed"
            detail = f" (`{pretty(c.old)}` → `{pretty(c.new)}`)" if shown else ""
            lines.append(f"- {mark}{text}{detail}")
    return lines


def to_markdown(changes: list[Change], old: str, new: str, lang: str = "both") -> str:
    """A changelog in ``ja``, ``en`` or ``both`` (English first, then Japanese)."""
    langs = ["en", "ja"] if lang == "both" else [lang]
    lines = [f"# cityref {old} → {new}", ""]
    for i, one in enumerate(langs):
        if i:
            lines.append("")
        lines += _markdown_one(changes, old, new, one)
    return "\n".join(lines) + "\n"


def to_json(changes: list[Change], old: str, new: str) -> str:
    return json.dumps(
        {
            "old": old,
            "new": new,
            "breaking": sum(c.breaking for c in changes),
            "changes": [c.as_dict() for c in changes],
        },
        ensure_ascii=False,
        indent=2,
    )


def to_rdf(changes: list[Change], old: str, new: str, base_iri: str) -> str:
    """A reg:Changeset resource with one reg:Change per difference (Turtle)."""
    iri = NamedNode(f"{base_iri}registry/changeset/{old}..{new}")
    triples = [
        Triple(iri, RDF_TYPE, reg("Changeset")),
        Triple(iri, reg("fromVersion"), Literal(old)),
        Triple(iri, reg("toVersion"), Literal(new)),
    ]
    for c in changes:
        digest = hashlib.sha256(f"{c.kind}|{c.subject}|{c.aspect}".encode()).hexdigest()[:12]
        node = NamedNode(f"{iri.value}/{digest}")
        triples += [
            Triple(iri, reg("change"), node),
            Triple(node, RDF_TYPE, reg("Change")),
            Triple(node, reg("changeKind"), Literal(c.kind)),
            Triple(node, reg("changed"), NamedNode(c.subject.split("|", 1)[0])),
            Triple(node, reg("breaking"), Literal(c.breaking)),
            Triple(node, dct("description"), Literal(c.message.en, language="en")),
            Triple(node, dct("description"), Literal(c.message.ja, language="ja")),
        ]
        if c.aspect:
            triples.append(Triple(node, reg("aspect"), Literal(c.aspect)))
        if c.old:
            triples.append(Triple(node, reg("oldValue"), Literal(c.old)))
        if c.new:
            triples.append(Triple(node, reg("newValue"), Literal(c.new)))
    return write_document(triples, PREFIXES, f"Changes from {old} to {new} (cityref diff).")


def render(changes: list[Change], old: str, new: str, fmt: str, base_iri: str, lang: str) -> str:
    if fmt == "json":
        return to_json(changes, old, new) + "\n"
    if fmt == "rdf":
        return to_rdf(changes, old, new, base_iri)
    return to_markdown(changes, old, new, lang)


def release_changelog(
    version: str, previous: str, changes: list[Change], proposals: list[Proposal], lang: str
) -> str:
    """The changelog written into a release (``lang`` ``ja`` or ``en``): the accepted
    proposals it includes, then the semantic diff from the release before (the first
    release has none to compare with, and says so)."""
    ja = lang == "ja"
    lines = [f"# cityref {version}" + (" 変更履歴" if ja else " changelog"), ""]
    lines += ["## 取り込まれた提案" if ja else "## Accepted proposals", ""]
    for p in proposals:
        why = p.rationale.get(lang) or next(iter(p.rationale.values()), "")
        targets = ", ".join(pretty(f"<{t}>") for t in p.targets)
        lines.append(f"- {p.id} ({p.kind}{': ' + targets if targets else ''}) — {why}")
    if not proposals:
        lines.append("- なし" if ja else "- none")
    lines.append("")
    if not previous:
        lines.append(
            "最初のリリースです。比較する以前のリリースはありません。"
            if ja
            else "The first release: there is no earlier release to compare with."
        )
        return "\n".join(lines) + "\n"
    body = _markdown_one(changes, previous, version, lang)
    return "\n".join([*lines, "#" + body[0], *body[1:]]) + "\n"
