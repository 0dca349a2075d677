"""The page of one ontology module (an ``owl:Ontology`` of ours, e.g. ``def/infrastructure``):
its title, description, version and status, what it imports, and the classes, properties and
concepts its file defines, with their labels and definitions."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.pages.browse import Named, Select, texts_by_key, with_literal
from cityref.text import Bilingual

#: The kinds of term a module defines, in the order the page lists them.
TERM_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "classes",
    "http://www.w3.org/2000/01/rdf-schema#Class": "classes",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "properties",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "properties",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "properties",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "properties",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "schemes",
    "http://www.w3.org/2004/02/skos/core#Concept": "concepts",
}
SECTIONS = ("classes", "properties", "schemes", "concepts")


@dataclass
class ModulePage:
    iri: str
    title: Bilingual
    description: Bilingual
    version: str
    version_iri: str
    status: str
    licence: str
    domains: list[Named]
    imports: list[str]
    terms: dict[str, list[Named]]  # by SECTIONS, each sorted by label


def module_page(select: Select, iri: str) -> ModulePage | None:
    """The page of the module ``iri``; ``None`` when it is not an owl:Ontology of ours."""
    graphs = select(
        select.prefixes
        + f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> a owl:Ontology }}
  FILTER(STRSTARTS(STR(?g), "{select.base_iri}graph/ontology/")) }}"""
    )
    if not graphs:
        return None
    graph = graphs[0]["g"].value
    head = select(
        select.prefixes
        + f"""SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{iri}> ?p ?o }}
  VALUES ?p {{ dcterms:title rdfs:label dcterms:description rdfs:comment owl:versionInfo
              owl:versionIRI core:status dcterms:license owl:imports }} }}"""
    )
    title, description = Bilingual(), Bilingual()
    found: dict[str, list[str]] = {}
    for row in head:
        name = row["p"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if name in ("title", "label"):
            title = with_literal(title, row["o"])
        elif name in ("description", "comment"):
            description = with_literal(description, row["o"])
        else:
            found.setdefault(name, []).append(row["o"].value)
    terms = select(
        select.prefixes
        + f"""SELECT ?x ?type ?label ?definition WHERE {{ GRAPH <{graph}> {{ ?x a ?type
  OPTIONAL {{ ?x rdfs:label|skos:prefLabel ?label }}
  OPTIONAL {{ ?x skos:definition|rdfs:comment ?definition }} }} FILTER(isIRI(?x)) }}"""
    )
    labels = texts_by_key(terms, "x", "label")
    definitions = texts_by_key(terms, "x", "definition")
    sections: dict[str, dict[str, Named]] = {name: {} for name in SECTIONS}
    for row in terms:
        section = TERM_KINDS.get(row["type"].value)
        if section is not None and not any(row["x"].value in s for s in sections.values()):
            term = row["x"].value
            label = labels.get(term) or Bilingual()
            sections[section][term] = Named(
                term,
                label if label.ja or label.en else Bilingual(en=term),
                definitions.get(term) or Bilingual(),
            )
    domains = select(
        select.prefixes
        + f"""SELECT ?d ?label WHERE {{ GRAPH <{graph}> {{ <{iri}> core:domain ?d }}
  OPTIONAL {{ ?d skos:prefLabel|rdfs:label ?label }} }}"""
    )
    domain_labels = texts_by_key(domains, "d", "label")
    return ModulePage(
        iri=iri,
        title=title,
        description=description,
        version=found.get("versionInfo", [""])[0],
        version_iri=found.get("versionIRI", [""])[0],
        status=found.get("status", [""])[0].rsplit("/", 1)[-1],
        licence=found.get("license", [""])[0],
        domains=[Named(d, domain_labels.get(d, Bilingual())) for d in sorted(domain_labels)],
        imports=sorted(found.get("imports", [])),
        terms={
            name: sorted(items.values(), key=lambda n: (n.label.en or n.label.ja).lower())
            for name, items in sections.items()
        },
    )
