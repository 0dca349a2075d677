"""The page of one standard of the catalogue (``<base>registry/standard/<id>``).

What a person asks of a standard: its name, who publishes it, which edition is current, what
it covers, which of our profiles implement it and which Reference Model terms are aligned to
it (the crosswalk entries, ``reg:CrosswalkEntry``), and where to read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cityref.pages.browse import Named, Row, Select, texts_by_key, with_literal
from cityref.text import Bilingual

SKOS = "http://www.w3.org/2004/02/skos/core#"
#: How close one of our terms is to the standard's element, in words.
MATCH_WORDS = {
    f"{SKOS}exactMatch": Bilingual("同等", "equivalent"),
    f"{SKOS}closeMatch": Bilingual("ほぼ同等", "close"),
    f"{SKOS}narrowMatch": Bilingual("より詳しい", "narrower"),
    f"{SKOS}broadMatch": Bilingual("より広い", "broader"),
    f"{SKOS}relatedMatch": Bilingual("関連", "related"),
}


@dataclass
class StandardEdition:
    iri: str
    version: str
    issued: str
    status: Bilingual
    note: Bilingual
    current: bool


@dataclass
class Alignment:
    """One crosswalk entry: our resource, the standard's element it matches, and how."""

    iri: str
    ours: Named
    element: str
    match: Bilingual
    note: Bilingual


@dataclass
class ProfileLink:
    """A profile implementing the standard, linked by its id (``/shapes/<id>``)."""

    ident: str
    iri: str
    title: Bilingual


@dataclass
class StandardPage:
    iri: str
    title: Bilingual
    alternative: list[str]
    description: Bilingual
    publisher: Named | None
    status: Bilingual
    homepage: str
    pages: list[str]
    editions: list[StandardEdition]
    domains: list[Named]
    function_groups: list[Named]
    references: list[Named]
    referenced_by: list[Named]
    profiles: list[ProfileLink] = field(default_factory=list)
    terms: list[Alignment] = field(default_factory=list)


def _value(row: Row, name: str) -> str:
    return row[name].value if name in row else ""


def _linked(select: Select, iri: str, path: str) -> list[Named]:
    """The things ``<iri> path ?x`` names, with their labels (titles for standards)."""
    rows = select(
        select.prefixes
        + f"""SELECT ?x ?label WHERE {{ <{iri}> {path} ?x .
  OPTIONAL {{ ?x rdfs:label|skos:prefLabel|dcterms:title ?label }} }}"""
    )
    labels = texts_by_key(rows, "x", "label")
    found = {row["x"].value for row in rows if row["x"].kind == "iri"}
    return sorted(
        (Named(x, labels.get(x) or Bilingual(en=x)) for x in found),
        key=lambda n: n.label.en or n.label.ja,
    )


def standard_page(select: Select, iri: str) -> StandardPage | None:
    """Everything the catalogue says about the standard ``iri``; ``None`` if it is not one."""
    head = select(
        select.prefixes
        + f"""PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?title ?alternative ?description ?statusLabel ?homepage ?page WHERE {{
  <{iri}> a dcterms:Standard ; dcterms:title ?title .
  OPTIONAL {{ <{iri}> dcterms:alternative ?alternative }}
  OPTIONAL {{ <{iri}> dcterms:description ?description }}
  OPTIONAL {{ <{iri}> adms:status/(skos:prefLabel|rdfs:label) ?statusLabel }}
  OPTIONAL {{ <{iri}> foaf:homepage ?homepage }}
  OPTIONAL {{ <{iri}> foaf:page ?page }}
}}"""
    )
    if not head:
        return None
    publishers = _linked(select, iri, "dcterms:publisher")
    return StandardPage(
        iri=iri,
        title=_text(head, "title"),
        alternative=sorted({_value(r, "alternative") for r in head} - {""}),
        description=_text(head, "description"),
        publisher=publishers[0] if publishers else None,
        status=_text(head, "statusLabel"),
        homepage=next((_value(r, "homepage") for r in head if "homepage" in r), ""),
        pages=sorted({_value(r, "page") for r in head} - {""}),
        editions=_editions(select, iri),
        domains=_linked(select, iri, "reg:servesDomain"),
        function_groups=_linked(select, iri, "reg:servesFunctionGroup"),
        references=_linked(select, iri, "dcterms:references"),
        referenced_by=_linked(select, iri, "^dcterms:references"),
        profiles=_profiles(select, iri),
        terms=_terms(select, iri),
    )


def _text(rows: list[Row], name: str) -> Bilingual:
    """The ``name`` bindings of ``rows`` as one bilingual text."""
    text = Bilingual()
    for row in rows:
        text = with_literal(text, row.get(name))
    return text


def _editions(select: Select, iri: str) -> list[StandardEdition]:
    rows = select(
        select.prefixes
        + f"""PREFIX adms: <http://www.w3.org/ns/adms#>
SELECT ?v ?version ?issued ?statusLabel ?note ?current WHERE {{
  <{iri}> dcterms:hasVersion ?v .
  OPTIONAL {{ ?v owl:versionInfo ?version }}
  OPTIONAL {{ ?v dcterms:issued ?issued }}
  OPTIONAL {{ ?v adms:status/(skos:prefLabel|rdfs:label) ?statusLabel }}
  OPTIONAL {{ ?v rdfs:comment ?note }}
  BIND(EXISTS {{ <{iri}> reg:currentVersion ?v }} AS ?current)
}}"""
    )
    statuses = texts_by_key(rows, "v", "statusLabel")
    notes = texts_by_key(rows, "v", "note")
    found: dict[str, StandardEdition] = {}
    for row in rows:
        v = row["v"].value
        found.setdefault(
            v,
            StandardEdition(
                v,
                _value(row, "version") or v.rsplit("/", 1)[-1],
                _value(row, "issued"),
                statuses.get(v, Bilingual()),
                notes.get(v, Bilingual()),
                _value(row, "current") == "true",
            ),
        )
    return sorted(found.values(), key=lambda e: (e.issued or "9999", e.version))


def _profiles(select: Select, iri: str) -> list[ProfileLink]:
    """Profiles that say they profile the standard, or that a crosswalk entry names."""
    rows = select(
        select.prefixes
        + f"""PREFIX prof: <http://www.w3.org/ns/dx/prof/>
SELECT ?p ?ident ?title WHERE {{
  {{ ?p prof:isProfileOf <{iri}> }} UNION {{ ?x reg:ofStandard <{iri}> ; reg:ourResource ?p }}
  ?p a prof:Profile ; dcterms:identifier ?ident .
  OPTIONAL {{ ?p dcterms:title ?title }}
}}"""
    )
    titles = texts_by_key(rows, "p", "title")
    found = {row["p"].value: row["ident"].value for row in rows}
    return sorted(
        (ProfileLink(ident, p, titles.get(p, Bilingual(en=ident))) for p, ident in found.items()),
        key=lambda p: p.ident,
    )


def _terms(select: Select, iri: str) -> list[Alignment]:
    """The crosswalk entries of the standard that align one of our terms (not a profile)."""
    rows = select(
        select.prefixes
        + f"""PREFIX prof: <http://www.w3.org/ns/dx/prof/>
SELECT ?x ?ours ?label ?element ?match ?note WHERE {{
  ?x reg:ofStandard <{iri}> ; reg:ourResource ?ours .
  FILTER NOT EXISTS {{ ?ours a prof:Profile }}
  OPTIONAL {{ ?x reg:standardElementName ?element }}
  OPTIONAL {{ ?x reg:matchKind ?match }}
  OPTIONAL {{ ?x rdfs:comment ?note }}
  OPTIONAL {{ ?ours rdfs:label|skos:prefLabel ?label }}
}}"""
    )
    labels = texts_by_key(rows, "ours", "label")
    notes = texts_by_key(rows, "x", "note")
    found: dict[str, Alignment] = {}
    for row in rows:
        x, ours = row["x"].value, row["ours"].value
        match = _value(row, "match")
        found.setdefault(
            x,
            Alignment(
                x,
                Named(ours, labels.get(ours) or Bilingual(en=ours.rsplit("/", 1)[-1])),
                _value(row, "element"),
                MATCH_WORDS.get(match, Bilingual(match, match)),
                notes.get(x, Bilingual()),
            ),
        )
    return sorted(found.values(), key=lambda a: (a.element, a.ours.iri))


def standard_of(select: Select, iri: str) -> str | None:
    """The standard an edition (``reg:StandardVersion``) or a crosswalk entry belongs to."""
    rows = select(
        select.prefixes
        + f"""SELECT ?s WHERE {{ <{iri}> dcterms:isVersionOf|reg:ofStandard ?s .
  ?s a dcterms:Standard }} LIMIT 1"""
    )
    return rows[0]["s"].value if rows else None
