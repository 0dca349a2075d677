"""The term page's data: a class or property with its hierarchy, properties, shapes in words,
alignments, examples, releases and neighbourhood graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from cityref.pages.browse import Named, Select, texts_by_key, with_literal
from cityref.pages.shape_words import ConstraintWords, constraint_words
from cityref.text import Bilingual

ALIGNMENTS = {
    "http://www.w3.org/2002/07/owl#equivalentClass": "owl:equivalentClass",
    "http://www.w3.org/2002/07/owl#equivalentProperty": "owl:equivalentProperty",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "rdfs:subClassOf",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "rdfs:subPropertyOf",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "skos:exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "skos:closeMatch",
    "http://www.w3.org/2004/02/skos/core#broadMatch": "skos:broadMatch",
    "http://www.w3.org/2004/02/skos/core#narrowMatch": "skos:narrowMatch",
    "http://www.w3.org/2004/02/skos/core#relatedMatch": "skos:relatedMatch",
}


@dataclass
class PropertyRow:
    prop: Named
    ranges: list[Named]
    inherited_from: Named | None


@dataclass
class ShapeRow:
    shape: str
    profile: Named | None
    path: Named | None
    constraints: list[ConstraintWords]


@dataclass
class TermPage:
    iri: str
    kind: str  # Class, ObjectProperty, DatatypeProperty, ...
    label: Bilingual
    definition: Bilingual
    status: str
    replaced_by: list[Named]
    defined_by: str
    domains: list[Named]
    supers: list[Named]
    supers_inferred: list[Named]
    subs: list[Named]
    subs_inferred: list[Named]
    properties: list[PropertyRow]
    shapes: list[ShapeRow]
    alignments: list[tuple[str, Named]]
    examples: list[str]
    releases: list[str]
    graph: dict[str, list[dict[str, dict[str, str]]]] = field(default_factory=dict)


def _labelled(select: Select, pattern: str, var: str = "x") -> list[Named]:
    rows = select(
        select.prefixes
        + f"""SELECT DISTINCT ?{var} ?label WHERE {{
  {pattern}
  OPTIONAL {{ ?{var} rdfs:label|skos:prefLabel|dcterms:title ?label }}
  FILTER(isIRI(?{var}))
}}"""
    )
    labels = texts_by_key(rows, var, "label")
    found = {row[var].value for row in rows}
    items = [Named(iri, labels.get(iri, Bilingual())) for iri in found]
    for item in items:
        if not (item.label.ja or item.label.en):
            item.label = Bilingual(en=_local_name(item.iri))
    return sorted(items, key=lambda n: n.label.en or n.label.ja)


def labels_of(select: Select, iris: set[str]) -> dict[str, Named]:
    """Each IRI with its label (or its local name)."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    return {n.iri: n for n in _labelled(select, f"VALUES ?x {{ {values} }}")}


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def term_page(select: Select, iri: str) -> TermPage | None:
    """The page of one class or property of ours; ``None`` for anything else."""
    head = select(
        select.prefixes
        + f"""SELECT ?type ?label ?definition ?status ?definedBy ?example WHERE {{
  <{iri}> a ?type .
  FILTER(?type IN (owl:Class, rdfs:Class, owl:ObjectProperty, owl:DatatypeProperty,
                   owl:AnnotationProperty, rdf:Property))
  OPTIONAL {{ <{iri}> rdfs:label ?label }}
  OPTIONAL {{ <{iri}> skos:definition ?definition }}
  OPTIONAL {{ <{iri}> core:status ?status }}
  OPTIONAL {{ <{iri}> rdfs:isDefinedBy ?definedBy }}
  OPTIONAL {{ <{iri}> skos:example ?example }}
}}"""
    )
    if not head:
        return None
    label, definition = Bilingual(), Bilingual()
    for row in head:
        label = with_literal(label, row.get("label"))
        definition = with_literal(definition, row.get("definition"))
    kinds = {row["type"].value.rsplit("#", 1)[-1] for row in head}
    kind = "Class" if kinds & {"Class"} else sorted(kinds)[0]
    first = head[0]
    is_class = kind == "Class"
    sub = "rdfs:subClassOf" if is_class else "rdfs:subPropertyOf"
    page = TermPage(
        iri=iri,
        kind=kind,
        label=label,
        definition=definition,
        status=first["status"].value.rsplit("/", 1)[-1] if "status" in first else "",
        replaced_by=_labelled(select, f"<{iri}> dcterms:isReplacedBy ?x ."),
        defined_by=first["definedBy"].value if "definedBy" in first else "",
        domains=_labelled(select, f"<{iri}> core:domain ?x ."),
        supers=_labelled(
            select,
            f"GRAPH ?g {{ <{iri}> {sub} ?x }} FILTER(?g != <{select.inferred_graph}>)",
        ),
        supers_inferred=_labelled(select, f"<{iri}> {sub}+ ?x . FILTER(?x != <{iri}>)"),
        subs=_labelled(
            select,
            f"GRAPH ?g {{ ?x {sub} <{iri}> }} FILTER(?g != <{select.inferred_graph}>)",
        ),
        subs_inferred=_labelled(select, f"?x {sub}+ <{iri}> . FILTER(?x != <{iri}>)"),
        properties=_properties(select, iri) if is_class else [],
        shapes=_shapes(select, iri, is_class),
        alignments=_alignments(select, iri),
        examples=sorted({row["example"].value for row in head if "example" in row}),
        releases=_releases(select, iri),
    )
    page.graph = _neighbourhood(page)
    return page


def _properties(select: Select, iri: str) -> list[PropertyRow]:
    rows = select(
        select.prefixes
        + f"""SELECT DISTINCT ?p ?owner ?range WHERE {{
  <{iri}> rdfs:subClassOf* ?owner .
  # Stated domains and ranges only: OWL-RL widens every domain to each superclass.
  GRAPH ?dg {{ ?p rdfs:domain ?owner }} FILTER(?dg != <{select.inferred_graph}>)
  OPTIONAL {{ GRAPH ?rg {{ ?p rdfs:range ?range }}
             FILTER(?rg != <{select.inferred_graph}> && ?range NOT IN (owl:Thing, rdfs:Resource)) }}
  FILTER(isIRI(?owner) && ?owner NOT IN (owl:Thing, rdfs:Resource))
}}"""
    )
    names = {n.iri: n for n in _labelled(select, f"<{iri}> rdfs:subClassOf* ?x .")}
    # Labels of just the properties and ranges found: a pattern over every domain would walk
    # the inferred domains of owl:Thing too, which is most of the model (90 ms a page).
    iris = [(row["p"], row.get("range")) for row in rows]
    prop_names = labels_of(select, {p.value for p, _ in iris if p.kind == "iri"})
    range_names = labels_of(select, {r.value for _, r in iris if r and r.kind == "iri"})
    table: dict[str, PropertyRow] = {}
    for row in rows:
        prop = row["p"].value
        owner = row["owner"].value
        entry = table.get(prop)
        if entry is None or owner == iri:
            inherited = None if owner == iri else names.get(owner, Named(owner, Bilingual()))
            entry = PropertyRow(prop_names.get(prop, Named(prop, Bilingual())), [], inherited)
            table[prop] = entry
        if "range" in row and row["range"].value not in {r.iri for r in entry.ranges}:
            entry.ranges.append(
                range_names.get(row["range"].value, Named(row["range"].value, Bilingual()))
            )
    return sorted(
        table.values(),
        key=lambda r: (r.inherited_from is not None, r.prop.label.en or r.prop.label.ja),
    )


def _shapes(select: Select, iri: str, is_class: bool) -> list[ShapeRow]:
    target = (
        f"?shape sh:targetClass <{iri}> . ?shape sh:property ?ps ."
        if is_class
        else f"?ps sh:path <{iri}> . ?shape sh:property ?ps ."
    )
    rows = select(
        "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
        + select.prefixes
        + f"""SELECT ?shape ?ps ?path ?param ?value ?g WHERE {{
  {target}
  OPTIONAL {{ ?ps sh:path ?path FILTER(isIRI(?path)) }}  # a sequence path has no page
  {{ ?ps ?param ?value .
     FILTER(STRSTARTS(STR(?param), "http://www.w3.org/ns/shacl#") && ?param != sh:path
            && !isBlank(?value)) }}
  UNION {{ ?ps sh:in/rdf:rest*/rdf:first ?value BIND(sh:in AS ?param) }}
  UNION {{ ?ps ?param ?list FILTER(?param IN (sh:or, sh:and, sh:xone, sh:not))
           BIND("…" AS ?value) }}
  OPTIONAL {{ GRAPH ?g {{ ?shape sh:property ?ps }} }}
}}"""
    )
    grouped: dict[tuple[str, str], dict[str, list[str]]] = {}
    paths: dict[tuple[str, str], str] = {}
    profiles: dict[str, str] = {}
    shapes_graphs = f"{select.base_iri}graph/shapes/"
    for row in rows:
        if "g" in row and row["g"].value.startswith(shapes_graphs):
            profiles[row["shape"].value] = row["g"].value[len(shapes_graphs) :].split("/")[0]
        key = (row["shape"].value, row["ps"].value)
        params = grouped.setdefault(key, {})
        params.setdefault(row["param"].value.rsplit("#", 1)[-1], []).append(row["value"].value)
        if "path" in row:
            paths[key] = row["path"].value
    result = []
    for (shape, ps), params in sorted(grouped.items()):
        path = paths.get((shape, ps))
        profile_id = profiles.get(shape)
        result.append(
            ShapeRow(
                shape=shape,
                profile=Named(f"{select.base_iri}shapes/{profile_id}/", Bilingual(en=profile_id))
                if profile_id
                else None,
                path=Named(path, Bilingual(en=_local_name(path))) if path else None,
                constraints=constraint_words(params),
            )
        )
    return result


def _alignments(select: Select, iri: str) -> list[tuple[str, Named]]:
    values = " ".join(f"<{p}>" for p in ALIGNMENTS)
    rows = select(
        select.prefixes
        + f"""SELECT ?p ?x ?label WHERE {{
  GRAPH ?g {{ <{iri}> ?p ?x }} VALUES ?p {{ {values} }}
  FILTER(isIRI(?x) && !STRSTARTS(STR(?x), "{select.base_iri}def/")
         && ?g != <{select.inferred_graph}>)
  OPTIONAL {{ ?x rdfs:label ?label }}
}}"""
    )
    labels = texts_by_key(rows, "x", "label")
    seen = {(row["p"].value, row["x"].value) for row in rows}
    return [
        (ALIGNMENTS[p], Named(x, labels.get(x) or Bilingual(en=_local_name(x))))
        for p, x in sorted(seen)
    ]


def _releases(select: Select, iri: str) -> list[str]:
    rows = select(
        f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{select.base_iri}graph/registry/releases/")) }}"""
    )
    prefix = f"{select.base_iri}graph/registry/releases/"
    return sorted({row["g"].value.removeprefix(prefix).split("/", 1)[0] for row in rows})


def _neighbourhood(page: TermPage) -> dict[str, list[dict[str, dict[str, str]]]]:
    """Nodes and edges for cytoscape.js: the term, its direct super- and subclasses, and the
    ranges of its own properties."""
    nodes: dict[str, dict[str, str]] = {
        page.iri: {"id": page.iri, "ja": page.label.ja, "en": page.label.en, "role": "self"}
    }
    edges: list[dict[str, str]] = []

    def node(item: Named, role: str) -> None:
        nodes.setdefault(
            item.iri, {"id": item.iri, "ja": item.label.ja, "en": item.label.en, "role": role}
        )

    for sup in page.supers:
        node(sup, "super")
        edges.append({"source": page.iri, "target": sup.iri, "ja": "上位", "en": "subClassOf"})
    for sub in page.subs:
        node(sub, "sub")
        edges.append({"source": sub.iri, "target": page.iri, "ja": "上位", "en": "subClassOf"})
    for row in page.properties:
        if row.inherited_from is not None:
            continue
        for rng in row.ranges:
            node(rng, "range")
            edges.append(
                {
                    "source": page.iri,
                    "target": rng.iri,
                    "ja": row.prop.label.in_language("ja"),
                    "en": row.prop.label.in_language("en"),
                }
            )
    return {
        "nodes": [{"data": n} for n in nodes.values()],
        "edges": [{"data": e} for e in edges],
    }
