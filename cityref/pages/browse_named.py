"""The page of any other named thing of the registry: an agency, an organisation, a programme,
a law or plan, a platform of the landscape; a publisher of standards.

Such a thing is said in words: its name, what kind of thing it is, its description, its links
out, and what it is related to in both directions (a domain row that names an agency, the
standards an organisation publishes), each relation with its label, never as bare statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cityref.pages.browse import Named, Row, Select, texts_by_key, with_literal
from cityref.text import Bilingual

#: Related things shown per relation, at most (a busy agency is named by many rows).
MAX_RELATED = 60
_NAME = "rdfs:label|skos:prefLabel|dcterms:title"
_DESCRIPTION = "dcterms:description|rdfs:comment|skos:definition"
_LINKS = "foaf:homepage|foaf:page|rdfs:seeAlso"
_DCT = "http://purl.org/dc/terms/"
#: Words for the properties of outside vocabularies, which the model does not label.
PROPERTY_WORDS = {
    f"{_DCT}publisher": Bilingual("発行者", "publisher"),
    f"{_DCT}source": Bilingual("出典", "source"),
    f"{_DCT}references": Bilingual("参照", "reference"),
}


@dataclass
class Relation:
    """Things related to the page's subject by one property, in one direction."""

    label: Bilingual
    inverse: bool
    things: list[Named] = field(default_factory=list)


@dataclass
class NamedPage:
    iri: str
    name: Bilingual
    other_names: list[str]
    kinds: list[Named]
    description: Bilingual
    links: list[str]
    relations: list[Relation]


def _text(rows: list[Row], name: str) -> Bilingual:
    text = Bilingual()
    for row in rows:
        text = with_literal(text, row.get(name))
    return text


def named_page(select: Select, iri: str) -> NamedPage | None:
    """What the model says about ``iri`` in words; ``None`` when it has no name."""
    prefixes = select.prefixes + "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
    head = select(
        prefixes
        + f"""SELECT ?name ?alt ?description ?link WHERE {{
  <{iri}> {_NAME} ?name .
  OPTIONAL {{ <{iri}> skos:altLabel|dcterms:alternative ?alt }}
  OPTIONAL {{ <{iri}> {_DESCRIPTION} ?description }}
  OPTIONAL {{ <{iri}> {_LINKS} ?link FILTER(isIRI(?link)) }}
}}"""
    )
    if not head:
        return None
    kinds = select(
        prefixes
        + f"""SELECT ?x ?label WHERE {{ <{iri}> a ?x .
  OPTIONAL {{ ?x rdfs:label|skos:prefLabel ?label }} }}"""
    )
    kind_labels = texts_by_key(kinds, "x", "label")
    return NamedPage(
        iri=iri,
        name=_text(head, "name"),
        other_names=sorted({r["alt"].value for r in head if "alt" in r}),
        kinds=[Named(k, v) for k, v in sorted(kind_labels.items()) if v.ja or v.en],
        description=_text(head, "description"),
        links=sorted({r["link"].value for r in head if "link" in r}),
        relations=_relations(select, iri, inverse=False) + _relations(select, iri, inverse=True),
    )


def _relations(select: Select, iri: str, *, inverse: bool) -> list[Relation]:
    """The named things ``iri`` links to (or, ``inverse``, that link to it), by property."""
    pattern = f"?x ?p <{iri}>" if inverse else f"<{iri}> ?p ?x"
    rows = select(
        select.prefixes
        + f"""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?p ?plabel ?x ?label WHERE {{
  {pattern} . FILTER(isIRI(?x) && ?p != rdf:type)
  ?x {_NAME} ?label .
  OPTIONAL {{ ?p rdfs:label ?plabel }}
}}"""
    )
    property_labels = texts_by_key(rows, "p", "plabel")
    labels = texts_by_key(rows, "x", "label")
    by_property: dict[str, set[str]] = {}
    for row in rows:
        by_property.setdefault(row["p"].value, set()).add(row["x"].value)
    relations = []
    for p, things in sorted(by_property.items()):
        named = sorted(
            (Named(x, labels[x]) for x in things), key=lambda n: n.label.ja or n.label.en
        )
        label = property_labels.get(p, Bilingual())
        if not (label.ja or label.en):
            local = p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            label = PROPERTY_WORDS.get(p, Bilingual(local, local))
        relations.append(Relation(label, inverse, named[:MAX_RELATED]))
    return relations
