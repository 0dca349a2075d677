"""The registry's own pages, read from its Turtle records: a release, a registered system, a
conformance record, and a proposal's change said in words.

These records are files under ``registry/`` written by the CLI and the write API; a page reads
them as they are now (no rebuild needed) and says every state, verdict and decision in words
in both languages, never as a bare ``pass`` or ``fail``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from cityref.registry.durable import read_bytes
from cityref.registry.proposals import Proposal
from cityref.registry.records import FOLDER as SYSTEMS
from cityref.registry.records import (
    SYSTEM_ID_PATTERN,
    ConformanceRecord,
    list_records,
    list_systems,
    system_iri,
)
from cityref.registry.release_dataset import read_record, released_graphs
from cityref.registry.releases import Release, list_releases
from cityref.registry.vocab import OWL, RDF_TYPE, reg
from cityref.text import Bilingual

_SYSTEM_ID = re.compile(SYSTEM_ID_PATTERN)
SKOS_CONCEPT = NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
TERM_KINDS = {
    NamedNode(OWL + "Class"): "classes",
    NamedNode(OWL + "ObjectProperty"): "properties",
    NamedNode(OWL + "DatatypeProperty"): "properties",
    SKOS_CONCEPT: "concepts",
}
PROPOSAL_STATES = {
    "open": Bilingual("レビュー待ち", "open, awaiting review"),
    "accepted": Bilingual("採択（ソースに適用済み）", "accepted (applied to the sources)"),
    "rejected": Bilingual("却下", "rejected"),
    "merged": Bilingual("リリースに統合済み", "merged into a release"),
}
DECISIONS = {
    "accept": Bilingual("採択", "accepted"),
    "requestChanges": Bilingual("修正を依頼", "changes requested"),
    "reject": Bilingual("却下", "rejected"),
}
_ACTIONS = {
    "add": Bilingual("追加", "add"),
    "change": Bilingual("変更", "change"),
    "deprecate": Bilingual("非推奨化", "deprecate"),
    "retire": Bilingual("廃止", "retire"),
}
_OBJECTS = {"term": Bilingual("用語", "a term"), "shape": Bilingual("シェイプ", "a shape")}


def verdict_words(verdict: str, warnings: int) -> Bilingual:
    """A record's verdict as a person reads it: warnings alone are not a failure."""
    if verdict != "pass":
        return Bilingual("不適合（違反あり）", "does not conform (violations)")
    if warnings:
        return Bilingual("適合（警告のみ）", "conforms (warnings only)")
    return Bilingual("適合", "conforms")


def proposal_kind_words(kind: str) -> Bilingual:
    """``add-term`` -> 用語の追加 / add a term."""
    action, _, thing = kind.partition("-")
    if action not in _ACTIONS or thing not in _OBJECTS:
        return Bilingual(kind, kind)
    return Bilingual(
        f"{_OBJECTS[thing].ja}の{_ACTIONS[action].ja}",
        f"{_ACTIONS[action].en} {_OBJECTS[thing].en}",
    )


def proposal_state_words(status: str) -> Bilingual:
    return PROPOSAL_STATES.get(status, Bilingual(status, status))


def decision_words(decision: str) -> Bilingual:
    return DECISIONS.get(decision, Bilingual(decision, decision))


# -- systems and conformance records ---------------------------------------------------------
@dataclass
class RecordView:
    """A conformance record with its verdict in words and where its stored report is."""

    record: ConformanceRecord
    verdict: Bilingual
    report_file: str  # path of the stored JSON-LD report under the sources, "" when absent


@dataclass
class SystemPage:
    ident: str
    iri: str
    vendor: str
    product: str
    version: str
    domains: list[str]
    claims: list[str]
    records: list[RecordView] = field(default_factory=list)

    @property
    def latest(self) -> RecordView | None:
        return self.records[-1] if self.records else None


def record_view(root: Path, record: ConformanceRecord) -> RecordView:
    # Only a report kept under registry/systems/ is offered, whatever the record's text says.
    stored = (root / record.report).resolve() if record.report else None
    inside = stored is not None and stored.is_relative_to((root / SYSTEMS).resolve())
    report = record.report if inside and stored is not None and stored.is_file() else ""
    return RecordView(record, verdict_words(record.verdict, record.warnings), report)


def system_pages(root: Path, base_iri: str) -> list[SystemPage]:
    """Every registered system with its records, oldest record first."""
    by_system: dict[str, list[RecordView]] = {}
    for record in list_records(root):
        by_system.setdefault(record.system, []).append(record_view(root, record))
    return [
        SystemPage(
            str(s["id"]),
            system_iri(base_iri, str(s["id"])),
            str(s["vendor"]),
            str(s["product"]),
            str(s["version"]),
            list(s["domains"]),  # type: ignore[call-overload]
            list(s["claims"]),  # type: ignore[call-overload]
            by_system.get(str(s["id"]), []),
        )
        for s in list_systems(root)
    ]


def system_page(root: Path, base_iri: str, ident: str) -> SystemPage | None:
    return next((s for s in system_pages(root, base_iri) if s.ident == ident), None)


def record_page(root: Path, base_iri: str, system: str, run_id: str) -> RecordView | None:
    page = system_page(root, base_iri, system)
    if page is None:
        return None
    return next((r for r in page.records if r.record.run_id == run_id), None)


def system_statements(root: Path, base_iri: str, path: str) -> list[Triple]:
    """The statements of a system (``registry/system/<id>``) or of one of its records with
    the record's failures and samples (``…/record/<run>``), read from the files: a record
    written since the last build is not in the store yet, and its page links here."""
    parts = path.split("/")
    if len(parts) not in (3, 5) or parts[:2] != ["registry", "system"]:
        return []
    ident = parts[2]
    if not _SYSTEM_ID.fullmatch(ident):
        return []
    iri = f"{base_iri}{path}"
    file = root / SYSTEMS / (f"{ident}.ttl" if len(parts) == 3 else f"{ident}/records.ttl")
    if not file.is_file():
        return []
    found = []
    for q in parse(read_bytes(file), RdfFormat.TURTLE):
        subject = str(getattr(q.subject, "value", ""))
        if subject == iri or (len(parts) == 5 and subject.startswith(iri + "/")):
            found.append(q.triple)
    return found


# -- releases --------------------------------------------------------------------------------
@dataclass
class ReleasePage:
    release: Release
    title: Bilingual
    notes: Bilingual
    changelog: Bilingual  # Markdown, written with the release
    previous: str  # the version before, "" for the first release
    counts: dict[str, int]  # modules, profiles, classes, properties, concepts, proposals
    parts: list[str]  # the IRIs of the release's named graphs (dcterms:hasPart)
    proposals: list[str]


def release_page(root: Path, version: str) -> ReleasePage | None:
    """What ``registry/releases/<version>.trig`` holds; ``None`` when there is no such release."""
    releases = list_releases(root)
    found = [i for i, r in enumerate(releases) if r.version == version]
    if not found:
        return None
    index = found[0]
    release = releases[index]
    title, notes, changelog = Bilingual(), Bilingual(), Bilingual()
    parts: list[str] = []
    proposals: list[str] = []
    for t in read_record(release.dataset, version):
        value = t.object
        if t.predicate == NamedNode("http://purl.org/dc/terms/title") and isinstance(
            value, Literal
        ):
            title = _with(title, value)
        elif t.predicate == reg("notes") and isinstance(value, Literal):
            notes = _with(notes, value)
        elif t.predicate == reg("changelog") and isinstance(value, Literal):
            changelog = _with(changelog, value)
        elif t.predicate == NamedNode("http://purl.org/dc/terms/hasPart"):
            parts.append(str(getattr(value, "value", "")))
        elif t.predicate == reg("includesProposal"):
            proposals.append(str(getattr(value, "value", "")))
    graphs = released_graphs(release.dataset, version)
    counts = _term_counts(
        [t for path, ts in graphs.items() if path.parts[0] == "ontology" for t in ts]
    )
    counts["modules"] = sum(1 for path in graphs if path.parts[0] == "ontology")
    counts["profiles"] = sum(
        1 for path in graphs if path.name == "profile.ttl" and path.parent.name != "common"
    )
    counts["proposals"] = len(proposals)
    previous = releases[index - 1].version if index else ""
    return ReleasePage(
        release, title, notes, changelog, previous, counts, sorted(parts), sorted(proposals)
    )


def _with(text: Bilingual, literal: Literal) -> Bilingual:
    if (literal.language or "").startswith("en"):
        return Bilingual(text.ja, text.en or literal.value)
    return Bilingual(text.ja or literal.value, text.en)


def _term_counts(ontology: list[Triple]) -> dict[str, int]:
    """How many classes, properties and concepts the released ontology defines."""
    seen: dict[str, set[str]] = {"classes": set(), "properties": set(), "concepts": set()}
    for t in ontology:
        kind = TERM_KINDS.get(t.object) if isinstance(t.object, NamedNode) else None
        if kind and t.predicate == RDF_TYPE and isinstance(t.subject, NamedNode):
            seen[kind].add(t.subject.value)
    return {kind: len(iris) for kind, iris in seen.items()}


# -- proposals -------------------------------------------------------------------------------
@dataclass
class ChangeLine:
    """One statement a proposal adds or removes, in words."""

    added: bool
    subject: str
    predicate: str
    value: str
    value_is_iri: bool
    language: str


def change_lines(proposal: Proposal) -> list[ChangeLine]:
    """The proposal's patch, statement by statement: removals first, then additions."""

    def line(q: Quad, added: bool) -> ChangeLine:
        obj = q.object
        language = (obj.language or "") if isinstance(obj, Literal) else ""
        return ChangeLine(
            added,
            str(getattr(q.subject, "value", q.subject)),
            q.predicate.value,
            str(getattr(obj, "value", obj)),
            isinstance(obj, NamedNode),
            language,
        )

    changes = proposal.changeset
    return [line(q, False) for q in changes.deletions] + [line(q, True) for q in changes.additions]
