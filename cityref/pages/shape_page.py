"""The page of one SHACL shape, and the shapes of a profile read for its page: what each
shape checks, in words (ja/en), its severity, target or path, and the profile it belongs to.

Shapes are read from the store's working shapes graphs (``<base>graph/shapes/<folder>/…``,
not the release snapshots), statement by statement, so blank-node lists (``sh:in``) and
shapes without an IRI are read as well as named ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cityref.pages.browse import Named, Select, Value, with_literal
from cityref.pages.browse_term import labels_of
from cityref.pages.shape_words import ConstraintWords, constraint_words
from cityref.text import Bilingual

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROF = "http://www.w3.org/ns/dx/prof/"
DCT_TITLE = "http://purl.org/dc/terms/title"
#: What a shape is aimed at, shown beside its words rather than among them.
TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
#: Parameters shown elsewhere on the page (the path, the targets, the property shapes).
_SHOWN_APART = {"path", "property", *TARGETS}
#: The folder of the checks every profile shares (cityref.profiles.registry.COMMON_FOLDER).
COMMON_FOLDER = "common"


class Statements:
    """The triples of some named graphs, by subject and predicate (blank nodes as ``_:id``)."""

    def __init__(self, rows: list[dict[str, Value]]) -> None:
        self._by: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            self._by[row["s"].value][row["p"].value].append(row["o"])

    def predicates(self, subject: str) -> dict[str, list[Value]]:
        return self._by.get(subject, {})

    def values(self, subject: str, predicate: str) -> list[Value]:
        return self.predicates(subject).get(predicate, [])

    def subjects(self, predicate: str, obj: str | None = None) -> list[str]:
        """Subjects with ``predicate`` (to ``obj`` when given), in a stable order."""
        return sorted(
            s
            for s, preds in self._by.items()
            if predicate in preds and (obj is None or any(v.value == obj for v in preds[predicate]))
        )

    def items(self, head: str) -> list[Value]:
        """The members of the RDF list starting at ``head``."""
        found: list[Value] = []
        node = head
        for _ in range(10_000):  # a list that loops is cut, not followed forever
            if node == RDF + "nil" or not self.values(node, RDF + "first"):
                break
            found.append(self.values(node, RDF + "first")[0])
            rest = self.values(node, RDF + "rest")
            if not rest:
                break
            node = rest[0].value
        return found

    def text(self, subject: str, predicate: str) -> Bilingual:
        """The literals of ``predicate`` in Japanese and English."""
        text = Bilingual()
        for value in self.values(subject, predicate):
            text = with_literal(text, value)
        return text


def graph_statements(select: Select, graphs: list[str]) -> Statements:
    """Every triple of the named ``graphs``."""
    if not graphs:
        return Statements([])
    values = " ".join(f"<{g}>" for g in graphs)
    return Statements(
        select(f"SELECT ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    )


def linked_names(select: Select, iris: set[str]) -> dict[str, Named]:
    """Each IRI with its label; an IRI of ours that the model says nothing about (a CSV
    profile's row class, a JSON key's term) keeps its name but loses its IRI (``""``), so
    that no page links to a 404."""
    names = labels_of(select, iris)
    ours = {i for i in iris if i.startswith(select.base_iri)}
    if not ours:
        return names
    values = " ".join(f"<{i}>" for i in sorted(ours))
    rows = select(f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?o }}")
    described = {row["x"].value for row in rows}
    return {
        iri: name if iri in described or iri not in ours else Named("", name.label)
        for iri, name in names.items()
    }


@dataclass(frozen=True)
class RuleWords:
    """One shape said in words: its message and each constraint, with its severity."""

    shape: str  # the shape's IRI ("" for a blank node)
    label: Bilingual
    severity: str  # Violation, Warning or Info
    message: Bilingual
    constraints: list[ConstraintWords]
    path: str  # the sh:path IRI ("" when none or not a single predicate)
    min_count: int  # sh:minCount (0 when none)

    @property
    def only_requires(self) -> bool:
        """True when the shape says no more than that a value must be there."""
        return self.min_count > 0 and [c.component for c in self.constraints] == ["minCount"]


def rule_words(statements: Statements, shape: str) -> RuleWords:
    """The words of the shape ``shape`` (an IRI or ``_:id``)."""
    params: dict[str, list[str]] = {}
    for predicate, values in statements.predicates(shape).items():
        if not predicate.startswith(SH):
            continue
        name = predicate[len(SH) :]
        if name in _SHOWN_APART:
            continue
        if name == "in":
            params[name] = [v.value for head in values for v in statements.items(head.value)]
        else:
            params[name] = ["…" if v.kind == "bnode" else v.value for v in values]
    severity = statements.values(shape, SH + "severity")
    path = statements.values(shape, SH + "path")
    min_count = statements.values(shape, SH + "minCount")
    label = statements.text(shape, RDFS_LABEL)
    return RuleWords(
        shape="" if shape.startswith("_:") else shape,
        label=label if label.ja or label.en else statements.text(shape, SH + "name"),
        severity=severity[0].value.rsplit("#", 1)[-1] if severity else "Violation",
        message=statements.text(shape, SH + "message"),
        constraints=constraint_words(params),
        path=path[0].value if path and path[0].kind == "iri" else "",
        min_count=int(min_count[0].value) if min_count and min_count[0].value.isdigit() else 0,
    )


@dataclass
class ShapePage:
    """A node or property shape: what it checks, where, and in which profile."""

    iri: str
    kind: str  # NodeShape or PropertyShape
    rule: RuleWords
    profile: Named | None  # None for the checks every profile shares
    targets: list[tuple[str, Named]]  # (targetClass …, the term)
    path: Named | None
    parents: list[Named]  # node shapes that hold this property shape
    properties: list[tuple[RuleWords, Named | None]] = field(default_factory=list)


def shapes_graph_prefix(select: Select) -> str:
    return f"{select.base_iri}graph/shapes/"


def _profile_of_folder(select: Select, folder: str) -> Named | None:
    """The profile in ``shapes/<folder>/profile.ttl``, with its title."""
    rows = select(
        f"""SELECT ?p ?title WHERE {{ GRAPH <{shapes_graph_prefix(select)}{folder}/profile> {{
  ?p a <{PROF}Profile> OPTIONAL {{ ?p <{DCT_TITLE}> ?title }} }} }}"""
    )
    if not rows:
        return None
    title = Bilingual()
    for row in rows:
        title = with_literal(title, row.get("title"))
    return Named(rows[0]["p"].value, title)


def shape_page(select: Select, iri: str) -> ShapePage | None:
    """The page of a shape of ours; ``None`` when ``iri`` is no shape in a working graph."""
    prefix = shapes_graph_prefix(select)
    rows = select(
        f"""SELECT DISTINCT ?g ?type WHERE {{ GRAPH ?g {{ <{iri}> a ?type }}
  FILTER(?type IN (<{SH}NodeShape>, <{SH}PropertyShape>) && STRSTARTS(STR(?g), "{prefix}")) }}"""
    )
    if not rows:
        return None
    graph = rows[0]["g"].value
    folder = graph[len(prefix) :].split("/", 1)[0]
    statements = graph_statements(select, [graph])
    rule = rule_words(statements, iri)
    targets = [
        (name, v.value)
        for name in TARGETS
        for v in statements.values(iri, SH + name)
        if v.kind == "iri"
    ]
    parents = statements.subjects(SH + "property", iri)
    children = [v.value for v in statements.values(iri, SH + "property")]
    child_rules = [rule_words(statements, child) for child in children]
    names = linked_names(
        select,
        {t for _, t in targets}
        | ({rule.path} if rule.path else set())
        | {c.path for c in child_rules if c.path},
    )
    parent_rules = [rule_words(statements, p) for p in parents if not p.startswith("_:")]
    return ShapePage(
        iri=iri,
        kind="NodeShape"
        if any(r["type"].value == SH + "NodeShape" for r in rows)
        else "PropertyShape",
        rule=rule,
        profile=None if folder == COMMON_FOLDER else _profile_of_folder(select, folder),
        targets=[(name, names[t]) for name, t in targets if t in names],
        path=names.get(rule.path),
        parents=[
            Named(p.shape, p.label if p.label.ja or p.label.en else Bilingual(en=p.shape))
            for p in parent_rules
        ],
        properties=sorted(
            ((c, names.get(c.path)) for c in child_rules),
            key=lambda pair: (pair[1].label.en if pair[1] else "", pair[0].shape),
        ),
    )
