"""The registry pages' data: the standards catalogue, the domains x standards matrix and the
standards implementing each function block of the city OS."""

from __future__ import annotations

from dataclasses import dataclass, field

from cityref.pages.browse import Named, Select, texts_by_key
from cityref.text import Bilingual


@dataclass
class StandardRow:
    iri: str
    title: Bilingual
    publisher: Bilingual
    status: Bilingual
    version: str
    homepage: str
    domains: list[str] = field(default_factory=list)


@dataclass
class BlockRow:
    """A function block of the SCRA city OS with the catalogue's standards implementing it
    (``reg:servesFunctionBlock``); no standards means a gap."""

    iri: str
    group: Named
    label: Bilingual
    standards: list[Named] = field(default_factory=list)


@dataclass
class CoverageMatrix:
    domains: list[Named]
    standards: list[StandardRow]
    # (standard IRI, domain IRI) -> number of our terms and profiles implementing it
    cells: dict[tuple[str, str], int]
    ours: dict[tuple[str, str], list[str]]
    blocks: list[BlockRow] = field(default_factory=list)


def standards(select: Select) -> list[StandardRow]:
    rows = select(
        select.prefixes
        + """PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?s ?title ?publisherLabel ?statusLabel ?version ?homepage ?domain WHERE {
  ?s a dcterms:Standard ; dcterms:title ?title .
  OPTIONAL { ?s dcterms:publisher/(rdfs:label|skos:prefLabel) ?publisherLabel }
  OPTIONAL { ?s adms:status/(skos:prefLabel|rdfs:label) ?statusLabel }
  OPTIONAL { ?s reg:currentVersion/owl:versionInfo ?version }
  OPTIONAL { ?s foaf:homepage ?homepage }
  OPTIONAL { ?s reg:servesDomain ?domain }
}"""
    )
    titles = texts_by_key(rows, "s", "title")
    publishers = texts_by_key(rows, "s", "publisherLabel")
    statuses = texts_by_key(rows, "s", "statusLabel")
    found: dict[str, StandardRow] = {}
    for row in rows:
        iri = row["s"].value
        entry = found.setdefault(
            iri,
            StandardRow(
                iri,
                titles[iri],
                publishers.get(iri, Bilingual()),
                statuses.get(iri, Bilingual()),
                row["version"].value if "version" in row else "",
                row["homepage"].value if "homepage" in row else "",
            ),
        )
        if "domain" in row and row["domain"].value not in entry.domains:
            entry.domains.append(row["domain"].value)
    return sorted(found.values(), key=lambda s: s.title.en or s.title.ja)


def coverage_matrix(select: Select, matrix_query: str) -> CoverageMatrix:
    """The catalogue's standards against the 16 domains, from the coverage-matrix query
    (docs/examples/coverage-matrix.rq), with the count of our implementations per cell; no
    cells when the query is empty (a sources tree without it)."""
    domain_rows = select(
        select.prefixes
        + """SELECT ?d ?label ?table ?pos WHERE {
  ?row landscape:rowDomain ?d ; landscape:tableNumber ?table ; landscape:position ?pos .
  OPTIONAL { ?d skos:prefLabel ?label }
} ORDER BY ?table ?pos"""
    )
    labels = texts_by_key(domain_rows, "d", "label")
    domains: list[Named] = []
    for row in domain_rows:
        if row["d"].value not in {d.iri for d in domains}:
            domains.append(Named(row["d"].value, labels[row["d"].value]))
    cells: dict[tuple[str, str], int] = {}
    ours: dict[tuple[str, str], list[str]] = {}
    for row in select(matrix_query) if matrix_query else []:
        key = (row["standard"].value, row["domain"].value)
        cells[key] = int(row["implementations"].value)
        listed = row["ourTermsAndProfiles"].value if "ourTermsAndProfiles" in row else ""
        ours[key] = sorted(listed.split())
    return CoverageMatrix(domains, standards(select), cells, ours, function_blocks(select))


def function_blocks(select: Select) -> list[BlockRow]:
    """The city OS function blocks by group (in IRI order), each with the standards of the
    catalogue that implement it; laws that set requirements for a block are not standards."""
    rows = select(
        select.prefixes
        + """SELECT ?b ?block ?g ?group ?s ?title WHERE {
  ?b a landscape:CityOSFunctionBlock ; skos:broader ?g ; skos:prefLabel ?block .
  ?g a landscape:CityOSFunctionGroup ; skos:prefLabel ?group .
  OPTIONAL { ?s a dcterms:Standard ; reg:servesFunctionBlock ?b ; dcterms:title ?title }
} ORDER BY ?g ?b ?s"""
    )
    blocks = texts_by_key(rows, "b", "block")
    groups = texts_by_key(rows, "g", "group")
    titles = texts_by_key(rows, "s", "title")
    found: dict[str, BlockRow] = {}
    for row in rows:
        iri, group = row["b"].value, row["g"].value
        entry = found.setdefault(iri, BlockRow(iri, Named(group, groups[group]), blocks[iri]))
        standard = row["s"].value if "s" in row else ""
        if standard and standard not in {s.iri for s in entry.standards}:
            entry.standards.append(Named(standard, titles[standard]))
    return list(found.values())


@dataclass
class ShapeTitle:
    """A shape said in words: the column (or property) it checks and its message."""

    column: Bilingual
    message: Bilingual


def shape_titles(select: Select, shapes: str) -> dict[str, ShapeTitle]:
    """For the space-separated shape IRIs ``shapes``: the label of each one's path and its
    message, so that a conformance record names its failures in words, not by shape id."""
    iris = [s for s in shapes.split() if s.startswith(("http://", "https://")) and ">" not in s]
    if not iris:
        return {}
    values = " ".join(f"<{s}>" for s in iris)
    rows = select(
        select.prefixes
        + f"""PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?shape ?column ?message WHERE {{
  VALUES ?shape {{ {values} }}
  OPTIONAL {{ ?shape sh:path/rdfs:label ?column }}
  OPTIONAL {{ ?shape sh:message ?message }}
}}"""
    )
    columns = texts_by_key(rows, "shape", "column")
    messages = texts_by_key(rows, "shape", "message")
    return {
        s: ShapeTitle(columns.get(s, Bilingual()), messages.get(s, Bilingual()))
        for s in {row["shape"].value for row in rows}
    }
