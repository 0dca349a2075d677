"""Proposals: reviewed changes to the Reference Model, kept as RDF records.

One file per proposal, ``registry/proposals/<id>.ttl``, IRI ``<base>registry/proposal/<id>``.
It holds the proposer, the date, the kind (add, change, deprecate or retire; of a term or a
shape), the targets, the patch (TriG additions and deletions, see changeset), the rationale in
Japanese and English, the evidence, the status (open, accepted, rejected, merged) and the
reviews. Accepting applies the patch to the Turtle sources and records the act in PROV-O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from cityref.registry.changeset import Changeset, apply_changeset
from cityref.registry.durable import RegistryError, read_bytes, registry_lock, write_atomic
from cityref.registry.lifecycle import deprecation_patch
from cityref.registry.turtle_writer import patch_text, write_document
from cityref.registry.vocab import (
    CORE_STATUS,
    FOAF,
    PREFIXES,
    PROV,
    RDF_TYPE,
    RDFS,
    XSD,
    dct,
    prov,
    reg,
)
from cityref.text import Bilingual

FOLDER = Path("registry") / "proposals"
ACTIONS = ("add", "change", "deprecate", "retire")
OBJECTS = ("term", "shape")
KINDS = tuple(f"{a}-{o}" for a in ACTIONS for o in OBJECTS)
STATES = ("open", "accepted", "rejected", "merged")


@dataclass(frozen=True)
class Review:
    reviewer: str
    decision: str
    comment: str
    date: str


@dataclass
class Proposal:
    """A proposal as read from its record."""

    id: str
    iri: str
    kind: str
    proposer: str
    created: str
    status: str
    targets: list[str]
    rationale: dict[str, str]
    evidence: list[str]
    changeset: Changeset
    reviews: list[Review] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    merged_into: str = ""  # the IRI of the release that includes it, once merged

    def as_dict(self) -> dict[str, object]:
        additions, deletions = self.changeset.to_trig()
        return {
            "id": self.id,
            "iri": self.iri,
            "kind": self.kind,
            "proposer": self.proposer,
            "created": self.created,
            "status": self.status,
            "targets": self.targets,
            "rationale": self.rationale,
            "evidence": self.evidence,
            "additions": additions,
            "deletions": deletions,
            "reviews": [r.__dict__ for r in self.reviews],
            "changed_files": self.changed_files,
        }


def _now() -> Literal:
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Literal(stamp, datatype=NamedNode(XSD + "dateTime"))


def proposal_iri(base_iri: str, ident: str) -> str:
    return f"{base_iri}registry/proposal/{ident}"


def _path(root: Path, ident: str) -> Path:
    if not ident.isalnum() and not ident.replace("-", "").isalnum():
        raise RegistryError(
            Bilingual(f"{ident!r} は提案 ID ではありません", f"{ident!r} is not a proposal id")
        )
    return root / FOLDER / f"{ident}.ttl"


def _iri(text: str, what: str) -> NamedNode:
    """``text`` as a named node, or a :class:`RegistryError` that says which value is wrong."""
    try:
        return NamedNode(text)
    except ValueError as exc:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise RegistryError(
            Bilingual(
                f"{what} {shown!r} は絶対 IRI ではありません",
                f"{what} {shown!r} is not an absolute IRI ({exc})",
            )
        ) from None


def _evidence_term(item: str) -> NamedNode | Literal:
    """A web address is kept as a link (so it must be a valid IRI); anything else as text."""
    if item.startswith(("http://", "https://")):
        return _iri(item, "evidence")
    return Literal(item)


def _text_in(lang: str, text: str) -> Literal:
    try:
        return Literal(text.strip(), language=lang)
    except ValueError:
        raise RegistryError(
            Bilingual(
                f"{lang!r} は言語タグではありません", f"{lang!r} is not a language tag (use ja, en)"
            )
        ) from None


def create_proposal(
    root: Path,
    base_iri: str,
    *,
    kind: str,
    proposer: str,
    changeset: Changeset,
    rationale: dict[str, str],
    evidence: list[str],
    targets: list[str] | None = None,
) -> Proposal:
    """Write a new open proposal; its id is the next number (0001, 0002, …)."""
    if kind not in KINDS:
        raise RegistryError(
            Bilingual(
                f"種別 {kind!r} が不正です（{', '.join(KINDS)} のいずれか）",
                f"kind {kind!r} is not one of {', '.join(KINDS)}",
            )
        )
    missing = [lang for lang in ("ja", "en") if not rationale.get(lang, "").strip()]
    if missing:
        raise RegistryError(
            Bilingual(
                f"提案理由は日本語と英語の両方が必要です（ないもの: {', '.join(missing)}）",
                f"the rationale needs Japanese and English text; missing: {', '.join(missing)}",
            )
        )
    if not proposer.strip():
        raise RegistryError(Bilingual("提案者が空です", "the proposer is empty"))
    if changeset.is_empty():
        raise RegistryError(Bilingual("パッチが空です", "the patch adds and deletes nothing"))
    target_nodes = [_iri(t, "target") for t in targets or []]
    evidence_terms = [_evidence_term(item) for item in evidence]
    rationale_texts = [_text_in(lang, text) for lang, text in sorted(rationale.items())]
    with registry_lock(root):
        folder = root / FOLDER
        numbers = [int(p.stem) for p in folder.glob("*.ttl") if p.stem.isdigit()]
        ident = f"{max(numbers, default=0) + 1:04d}"
        iri = proposal_iri(base_iri, ident)
        s = NamedNode(iri)
        additions, deletions = changeset.to_trig()
        triples = [
            Triple(s, RDF_TYPE, reg("Proposal")),
            Triple(s, dct("identifier"), Literal(ident)),
            Triple(s, reg("kind"), Literal(kind)),
            Triple(s, dct("creator"), Literal(proposer)),
            Triple(s, dct("created"), _now()),
            Triple(s, reg("proposalStatus"), reg("open")),
            Triple(s, reg("additions"), Literal(additions)),
            Triple(s, reg("deletions"), Literal(deletions)),
        ]
        target_nodes = target_nodes or [NamedNode(t) for t in changeset.subjects]
        triples += [Triple(s, reg("target"), node) for node in target_nodes]
        triples += [Triple(s, reg("rationale"), text) for text in rationale_texts]
        triples += [Triple(s, reg("evidence"), term) for term in evidence_terms]
        comment = f"Proposal {ident} (written by cityref propose)."
        write_atomic(_path(root, ident), write_document(triples, PREFIXES, comment).encode())
    return read_proposal(root, ident)


def read_proposal(root: Path, ident: str) -> Proposal:
    path = _path(root, ident)
    if not path.is_file():
        raise RegistryError(
            Bilingual(f"提案 {ident} はありません", f"no proposal {ident} ({path})")
        )
    try:
        triples = [q.triple for q in parse(read_bytes(path), RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise RegistryError(
            Bilingual(f"{path}: 構文解析できません（{exc}）", f"{path}: does not parse: {exc}")
        ) from exc
    subjects = [
        t.subject for t in triples if t.predicate == RDF_TYPE and t.object == reg("Proposal")
    ]
    if not subjects:
        raise RegistryError(
            Bilingual(f"{path}: 提案レコードがありません", f"{path}: no reg:Proposal in it")
        )
    s = subjects[0]

    def values(p: NamedNode, subject: NamedNode | BlankNode = s) -> list[NamedNode | Literal]:
        return [
            t.object
            for t in triples
            if t.subject == subject
            and t.predicate == p
            and isinstance(t.object, NamedNode | Literal)
        ]

    def one(p: NamedNode, subject: NamedNode | BlankNode = s) -> str:
        found = values(p, subject)
        return found[0].value if found else ""

    reviews = []
    for node in values(reg("review")):
        if isinstance(node, NamedNode | BlankNode):
            reviews.append(
                Review(
                    one(reg("reviewer"), node),
                    one(reg("decision"), node).rsplit("#", 1)[-1],
                    one(NamedNode(RDFS + "comment"), node),
                    one(dct("date"), node),
                )
            )
    reviews.sort(key=lambda r: r.date)
    name = str(path)
    return Proposal(
        id=ident,
        iri=s.value,
        kind=one(reg("kind")),
        proposer=one(dct("creator")),
        created=one(dct("created")),
        status=one(reg("proposalStatus")).rsplit("#", 1)[-1],
        targets=sorted(v.value for v in values(reg("target"))),
        rationale={
            v.language or "": v.value for v in values(reg("rationale")) if isinstance(v, Literal)
        },
        evidence=sorted(v.value for v in values(reg("evidence"))),
        changeset=Changeset.from_trig(
            one(reg("additions")).encode(), one(reg("deletions")).encode(), name
        ),
        reviews=reviews,
        changed_files=sorted(v.value for v in values(reg("changedFile"))),
        merged_into=one(reg("mergedInto")),
    )


def list_proposals(root: Path, status: str | None = None) -> list[Proposal]:
    folder = root / FOLDER
    found = [read_proposal(root, p.stem) for p in sorted(folder.glob("*.ttl"))]
    return [p for p in found if status is None or p.status == status]


def _review_triples(
    proposal: Proposal, reviewer: str, decision: str, comment: str
) -> tuple[NamedNode, list[Triple]]:
    s = NamedNode(proposal.iri)
    node = NamedNode(f"{proposal.iri}/review/{len(proposal.reviews) + 1}")
    triples = [
        Triple(s, reg("review"), node),
        Triple(node, RDF_TYPE, reg("Review")),
        Triple(node, reg("reviewer"), Literal(reviewer)),
        Triple(node, reg("decision"), reg(decision)),
        Triple(node, dct("date"), _now()),
    ]
    if comment:
        triples.append(Triple(node, NamedNode(RDFS + "comment"), Literal(comment)))
    return node, triples


def _set_status(proposal: Proposal, status: str) -> tuple[list[Triple], list[Triple]]:
    s = NamedNode(proposal.iri)
    return (
        [Triple(s, reg("proposalStatus"), reg(status))],
        [Triple(s, reg("proposalStatus"), reg(proposal.status))],
    )


def _rewrite(
    root: Path, proposal: Proposal, additions: list[Triple], deletions: list[Triple]
) -> None:
    path = _path(root, proposal.id)
    text = read_bytes(path).decode("utf-8")
    write_atomic(path, patch_text(text, str(path), additions, deletions).encode("utf-8"))


def _require_open(proposal: Proposal) -> None:
    if proposal.status != "open":
        raise RegistryError(
            Bilingual(
                f"提案 {proposal.id} は未決（open）ではありません（{proposal.status}）",
                f"proposal {proposal.id} is {proposal.status}, not open",
            )
        )


def accept_proposal(
    root: Path, base_iri: str, ident: str, reviewer: str, comment: str = ""
) -> Proposal:
    """Apply the patch to the sources, mark the proposal accepted, record PROV-O."""
    with registry_lock(root):
        proposal = read_proposal(root, ident)
        _require_open(proposal)
        changed = apply_changeset(root, proposal.changeset, base_iri)
        review, additions = _review_triples(proposal, reviewer, "accept", comment)
        status_add, status_del = _set_status(proposal, "accepted")
        s = NamedNode(proposal.iri)
        activity = NamedNode(f"{proposal.iri}/acceptance")
        agent = NamedNode(f"{proposal.iri}/acceptance/agent")
        additions += status_add
        additions += [
            Triple(activity, RDF_TYPE, prov("Activity")),
            Triple(activity, prov("used"), s),
            Triple(activity, prov("wasAssociatedWith"), agent),
            Triple(activity, prov("endedAtTime"), _now()),
            Triple(activity, reg("review"), review),
            Triple(agent, RDF_TYPE, prov("Agent")),
            Triple(agent, NamedNode(FOAF + "name"), Literal(reviewer)),
        ]
        for path in changed:
            graph = NamedNode(f"{base_iri}graph/{path.with_suffix('').as_posix()}")
            additions += [
                Triple(activity, prov("generated"), graph),
                Triple(graph, prov("wasDerivedFrom"), s),
                Triple(s, reg("changedFile"), Literal(str(path))),
            ]
        _rewrite(root, proposal, additions, status_del)
    return read_proposal(root, ident)


def reject_proposal(root: Path, ident: str, reviewer: str, comment: str) -> Proposal:
    """Mark the proposal rejected with the reviewer's reason; the sources are untouched."""
    if not comment.strip():
        raise RegistryError(Bilingual("却下には理由が必要です", "a rejection needs a comment"))
    with registry_lock(root):
        proposal = read_proposal(root, ident)
        _require_open(proposal)
        _review, additions = _review_triples(proposal, reviewer, "reject", comment)
        status_add, status_del = _set_status(proposal, "rejected")
        _rewrite(root, proposal, additions + status_add, status_del)
    return read_proposal(root, ident)


def request_changes(root: Path, ident: str, reviewer: str, comment: str) -> Proposal:
    """Record a review asking the proposer for changes; the proposal stays open."""
    if not comment.strip():
        raise RegistryError(
            Bilingual(
                "修正の依頼には、何を直すかのコメントが必要です",
                "a request for changes needs a comment saying what to change",
            )
        )
    with registry_lock(root):
        proposal = read_proposal(root, ident)
        _require_open(proposal)
        _review, additions = _review_triples(proposal, reviewer, "requestChanges", comment)
        _rewrite(root, proposal, additions, [])
    return read_proposal(root, ident)


def mark_merged(root: Path, release: str) -> list[str]:
    """Accepted proposals become merged into ``release``. The caller holds the lock."""
    merged: list[str] = []
    for proposal in list_proposals(root, "accepted"):
        add, delete = _set_status(proposal, "merged")
        add.append(Triple(NamedNode(proposal.iri), reg("mergedInto"), NamedNode(release)))
        _rewrite(root, proposal, add, delete)
        merged.append(proposal.iri)
    return merged


def term_lifecycle_changeset(
    root: Path, base_iri: str, term: str, replacement: str | None, state: str
) -> Changeset:
    """The patch that deprecates or retires ``term`` in the ontology file defining it."""
    from pyoxigraph import DefaultGraph, Quad

    current: str | None = None
    found = False
    for path in sorted((root / "ontology").rglob("*.ttl")):
        for q in parse(read_bytes(path), RdfFormat.TURTLE):
            if q.subject == NamedNode(term):
                found = True
                if q.predicate == CORE_STATUS and isinstance(q.object, NamedNode):
                    current = q.object.value
    if not found:
        raise RegistryError(
            Bilingual(
                f"<{term}> は {root / 'ontology'} にありません",
                f"<{term}> is not described under {root / 'ontology'}",
            )
        )
    additions, deletions = deprecation_patch(term, replacement, state, current)
    graph = DefaultGraph()
    return Changeset(
        [Quad(t.subject, t.predicate, t.object, graph) for t in additions],
        [Quad(t.subject, t.predicate, t.object, graph) for t in deletions],
    )


__all__ = [
    "KINDS",
    "PROV",
    "STATES",
    "Proposal",
    "Review",
    "accept_proposal",
    "create_proposal",
    "list_proposals",
    "read_proposal",
    "reject_proposal",
    "request_changes",
    "term_lifecycle_changeset",
]
