"""What the web pages show, as SPARQL over the model and plain data: the landscape, a domain.

The functions take a :class:`Select` (run a SELECT, return rows of :class:`Value`; it knows
the model's base IRI), so the web app can run them in its time-limited query worker and the
tests on an in-memory store.
Every text comes in both languages as a :class:`cityref.text.Bilingual`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from cityref.store.oxigraph import Store
from cityref.store.sources import INFERRED_GRAPH
from cityref.text import Bilingual

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX core: <{base}def/core#>
PREFIX landscape: <{base}def/landscape#>
PREFIX reg: <{base}def/registry#>
"""
STATEMENT_KINDS = ("TargetState", "DataLinkageStatus", "Pilot", "Challenge")


@dataclass(frozen=True)
class Value:
    """One binding: its lexical value, language tag and datatype (or ``iri`` / ``bnode``)."""

    value: str
    kind: str = "literal"
    lang: str = ""
    datatype: str = ""


Row = dict[str, Value]


@dataclass(frozen=True)
class Select:
    """Runs a SELECT over the model served under ``base_iri``; rows of :class:`Value`."""

    run: Callable[[str], list[Row]]
    base_iri: str

    def __call__(self, sparql: str) -> list[Row]:
        return self.run(sparql)

    @property
    def prefixes(self) -> str:
        """The PREFIX lines the page queries use (core:, landscape:, reg: under the base)."""
        return _PREFIXES.format(base=self.base_iri)

    @property
    def inferred_graph(self) -> str:
        return self.base_iri + INFERRED_GRAPH


def with_literal(text: Bilingual, value: Value | None) -> Bilingual:
    """``text`` with ``value`` as its Japanese or English where that is still empty (the first
    literal of each language wins; a literal without an English tag counts as Japanese)."""
    if value is None:
        return text
    if value.lang.startswith("en"):
        return text if text.en else Bilingual(text.ja, value.value)
    return text if text.ja else Bilingual(value.value, text.en)


def store_select(store: Store, base_iri: str) -> Select:
    """A :class:`Select` over an open store (pages computed in the query worker)."""

    def select(sparql: str) -> list[Row]:
        rows: list[Row] = []
        for solution in store.select(sparql):
            row: Row = {}
            for name, term in solution.items():
                if isinstance(term, ox.NamedNode):
                    row[name] = Value(term.value, "iri")
                elif isinstance(term, ox.Literal):
                    row[name] = Value(
                        term.value, "literal", term.language or "", term.datatype.value
                    )
                else:
                    row[name] = Value(str(term), "bnode")
            rows.append(row)
        return rows

    return Select(select, base_iri)


def texts_by_key(rows: Iterable[Row], key: str, text: str) -> dict[str, Bilingual]:
    """Collect ``text`` bindings in both languages per value of ``key``."""
    found: dict[str, Bilingual] = {}
    for row in rows:
        if key in row:
            name = row[key].value
            found[name] = with_literal(found.get(name, Bilingual()), row.get(text))
    return found


@dataclass
class Statement:
    iri: str
    kind: str
    position: int
    text: Bilingual
    sub_items: list[Statement] = field(default_factory=list)


@dataclass
class LandscapeRow:
    iri: str
    domain: str
    slug: str
    table: int
    position: int
    field_cell: str
    area_cell: str
    label: Bilingual
    statements: dict[str, list[Statement]]


@dataclass
class Named:
    """Something with an IRI, a bilingual label and an optional note."""

    iri: str
    label: Bilingual
    note: Bilingual = field(default_factory=Bilingual)
    position: int = 0


def _int(value: Value | None) -> int:
    try:
        return int(value.value) if value else 0
    except ValueError:
        return 0


def statements(select: Select, domain: str | None = None) -> dict[str, list[Statement]]:
    """The landscape statements per row IRI, in seed order, with their sub-items."""
    where = f"?s core:domain <{domain}> ." if domain else ""
    rows = select(
        select.prefixes
        + f"""SELECT ?s ?row ?kind ?pos ?label ?parent WHERE {{
  ?s a ?kind ; rdfs:label ?label .
  {where}
  VALUES ?kind {{ {" ".join(f"landscape:{k}" for k in STATEMENT_KINDS)} }}
  OPTIONAL {{ ?s landscape:position ?pos }}
  OPTIONAL {{ ?s landscape:inRow ?row }}
  OPTIONAL {{ ?s landscape:subItemOf ?parent }}
}}"""
    )
    labels = texts_by_key(rows, "s", "label")
    by_iri: dict[str, Statement] = {}
    parents: dict[str, str] = {}
    rows_of: dict[str, str] = {}
    for row in rows:
        iri = row["s"].value
        if iri not in by_iri:
            kind = row["kind"].value.rsplit("#", 1)[-1]
            by_iri[iri] = Statement(iri, kind, _int(row.get("pos")), labels[iri])
        if "parent" in row:
            parents[iri] = row["parent"].value
        if "row" in row:
            rows_of[iri] = row["row"].value
    per_row: dict[str, list[Statement]] = defaultdict(list)
    for iri, statement in by_iri.items():
        if iri in parents and parents[iri] in by_iri:
            by_iri[parents[iri]].sub_items.append(statement)
        elif iri in rows_of:
            per_row[rows_of[iri]].append(statement)
    for statement in by_iri.values():
        statement.sub_items.sort(key=lambda s: s.position)
    return {row: sorted(items, key=lambda s: s.position) for row, items in per_row.items()}


def landscape(select: Select) -> list[LandscapeRow]:
    """The 16 rows of the seed's domain tables with their statements by kind."""
    rows = select(
        select.prefixes
        + """SELECT ?row ?domain ?table ?pos ?field ?area ?label WHERE {
  ?row a landscape:LandscapeRow ; landscape:rowDomain ?domain .
  OPTIONAL { ?row landscape:tableNumber ?table }
  OPTIONAL { ?row landscape:position ?pos }
  OPTIONAL { ?row landscape:fieldCell ?field }
  OPTIONAL { ?row landscape:areaCell ?area }
  OPTIONAL { ?domain skos:prefLabel ?label }
}"""
    )
    labels = texts_by_key(rows, "row", "label")
    by_row = statements(select)
    result: dict[str, LandscapeRow] = {}
    for row in rows:
        iri = row["row"].value
        if iri in result:
            continue
        items = by_row.get(iri, [])
        result[iri] = LandscapeRow(
            iri=iri,
            domain=row["domain"].value,
            slug=row["domain"].value.rsplit("/", 1)[-1],
            table=_int(row.get("table")),
            position=_int(row.get("pos")),
            field_cell=row["field"].value if "field" in row else "",
            area_cell=row["area"].value if "area" in row else "",
            label=labels[iri],
            statements={k: [s for s in items if s.kind == k] for k in STATEMENT_KINDS},
        )
    return sorted(result.values(), key=lambda r: (r.table, r.position))


def named_things(select: Select, class_name: str, note: str = "rdfs:comment") -> list[Named]:
    """Instances of a landscape class with labels and a note, e.g. principles and layers."""
    rows = select(
        select.prefixes
        + f"""SELECT ?x ?label ?note ?pos WHERE {{
  ?x a landscape:{class_name} .
  OPTIONAL {{ ?x rdfs:label ?label }}
  OPTIONAL {{ ?x skos:prefLabel ?label }}
  OPTIONAL {{ ?x {note} ?note }}
  OPTIONAL {{ ?x landscape:position ?pos }}
}}"""
    )
    labels = texts_by_key(rows, "x", "label")
    notes = texts_by_key(rows, "x", "note")
    seen: dict[str, Named] = {}
    for row in rows:
        iri = row["x"].value
        if iri not in seen:
            seen[iri] = Named(iri, labels[iri], notes.get(iri, Bilingual()), _int(row.get("pos")))
    return sorted(seen.values(), key=lambda n: (n.position, n.label.en))


@dataclass
class DomainPage:
    iri: str
    label: Bilingual
    definition: Bilingual
    rows: list[LandscapeRow]
    related: dict[str, list[Named]]  # agencies, programmes, platforms, laws, data kinds
    classes: list[Named]
    profiles: list[Named]
    standards: list[Named]


_MENTIONS = {
    "agencies": "landscape:namesAgency|landscape:relatedAgency|landscape:responsibleAgency",
    "programmes": "landscape:namesProgramme",
    "organisations": "landscape:namesOrganisation",
    "platforms": "landscape:namesPlatform",
    "laws": "landscape:namesLaw",
    "data_kinds": "landscape:concernsDataKind",
}


def _named(select: Select, query: str, note: str | None = None) -> list[Named]:
    rows = select(select.prefixes + query)
    labels = texts_by_key(rows, "x", "label")
    notes = texts_by_key(rows, "x", note) if note else {}
    return sorted(
        (Named(iri, labels[iri], notes.get(iri, Bilingual())) for iri in labels),
        key=lambda n: n.label.en or n.label.ja,
    )


def domain_page(select: Select, domain: str) -> DomainPage | None:
    """Everything the model says about one domain row concept; ``None`` if it is not one."""
    head = select(
        select.prefixes
        + f"""SELECT ?label ?definition WHERE {{
  ?row landscape:rowDomain <{domain}> .
  OPTIONAL {{ <{domain}> skos:prefLabel ?label }}
  OPTIONAL {{ <{domain}> skos:definition ?definition }}
}}"""
    )
    if not head:
        return None
    label, definition = Bilingual(), Bilingual()
    for row in head:
        label = with_literal(label, row.get("label"))
        definition = with_literal(definition, row.get("definition"))
    rows = [r for r in landscape(select) if r.domain == domain]
    related = {
        name: _named(
            select,
            f"""SELECT DISTINCT ?x ?label WHERE {{
  ?s core:domain <{domain}> ; {path} ?x .
  ?x rdfs:label|skos:prefLabel ?label .
}}""",
        )
        for name, path in _MENTIONS.items()
    }
    classes = _named(
        select,
        f"""SELECT ?x ?label ?definition WHERE {{
  ?x a owl:Class ; core:domain <{domain}> ; rdfs:label ?label .
  OPTIONAL {{ ?x skos:definition ?definition }}
}}""",
        "definition",
    )
    profiles = _named(
        select,
        f"""SELECT ?x ?label WHERE {{
  ?x a <http://www.w3.org/ns/dx/prof/Profile> ; dcterms:title ?label .
  {{ ?x core:domain <{domain}> }} UNION {{ ?x dcterms:subject <{domain}> }}
}}""",
    )
    standards = _named(
        select,
        f"""SELECT ?x ?label WHERE {{
  ?x reg:servesDomain <{domain}> ; dcterms:title ?label .
}}""",
    )
    return DomainPage(domain, label, definition, rows, related, classes, profiles, standards)


@dataclass
class Funding:
    iri: str
    label: Bilingual
    kind: str
    agency: Bilingual
    amount_jpy: int
    fiscal_year: str


def funding(select: Select) -> list[Funding]:
    """The funding schemes with their FY amounts, in the seed's order."""
    rows = select(
        select.prefixes
        + """SELECT ?x ?kind ?label ?agencyLabel ?amount ?year ?pos WHERE {
  ?x a ?kind ; rdfs:label ?label ; landscape:hasBudget ?b .
  VALUES ?kind { landscape:Grant landscape:FiscalInvestmentAndLoan }
  ?b landscape:amountJPY ?amount ; landscape:fiscalYear ?year .
  OPTIONAL { ?x landscape:position ?pos }
  OPTIONAL { ?x landscape:responsibleAgency/rdfs:label ?agencyLabel }
}"""
    )
    labels = texts_by_key(rows, "x", "label")
    agencies = texts_by_key(rows, "x", "agencyLabel")
    seen: dict[str, tuple[int, Funding]] = {}
    for row in rows:
        iri = row["x"].value
        if iri in seen:
            continue
        kind = row["kind"].value.rsplit("#", 1)[-1]
        amount = int(float(row["amount"].value))
        item = Funding(
            iri, labels[iri], kind, agencies.get(iri, Bilingual()), amount, row["year"].value
        )
        seen[iri] = (_int(row.get("pos")), item)
    return [f for _, f in sorted(seen.values(), key=lambda p: (p[1].kind != "Grant", p[0]))]
