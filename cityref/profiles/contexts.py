"""JSON-LD @contexts made from the model: one per profile, one for the whole vocabulary.

A profile's context names what its shapes talk about: columns (tabular), fields (GTFS),
the properties and classes of its shapes (RDF), with the datatype or ``@id`` coercion the
shapes require, so that JSON written with it gives the triples the Turtle examples have.
NGSI-LD profiles use the NGSI-LD core context itself (shipped, never fetched).
"""

from __future__ import annotations

import functools
from typing import Any

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store

from cityref.inputs import input_format
from cityref.profiles.registry import Profile
from cityref.store.sources import ModelFiles

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
_PREFIXES = {
    "xsd": XSD,
    "sosa": "http://www.w3.org/ns/sosa/",
    "qudt": "http://qudt.org/schema/qudt/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}


def _local(iri: str) -> str:
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def _xsd(datatype: str) -> str | None:
    if datatype in ("", "string"):
        return None
    return "xsd:" + datatype


def profile_context(profile: Profile) -> dict[str, Any]:
    """The canonical JSON-LD context document of a profile."""
    fixed = input_format(profile.input_kind).context
    if fixed is not None:  # the format's own context (NGSI-LD's core context)
        return {"@context": fixed()}
    ctx: dict[str, Any] = {"@version": 1.1, "xsd": XSD}
    tables = profile.table_schemas()
    if tables:
        for table in tables:
            stem = (table.url or "").removesuffix(".txt")
            if table.row_class:
                ctx[_local(table.row_class)] = table.row_class
            for col in table.columns:
                term = f"{stem}.{col.name}" if stem else col.title
                entry: dict[str, str] = {"@id": col.property_url}
                coerce = "@id" if col.value_url else _xsd(col.datatype)
                if coerce:
                    entry["@type"] = coerce
                ctx[term] = entry
        return {"@context": ctx}
    ctx.update(_shapes_terms(profile))
    return {"@context": ctx}


def _shapes_terms(profile: Profile) -> dict[str, Any]:
    store = Store()
    for path in profile.shapes_files:
        store.load(profile.model.read(path), format=RdfFormat.TURTLE)
    terms: dict[str, Any] = {}
    for q in store.quads_for_pattern(None, NamedNode(SH + "targetClass"), None):
        if isinstance(q.object, NamedNode):
            terms.setdefault(_local(q.object.value), q.object.value)
    coercion: dict[str, str] = {}
    predicates: set[str] = set()
    for q in store.quads_for_pattern(None, NamedNode(SH + "path"), None):
        shape = q.subject
        for p in _path_predicates(store, q.object):
            predicates.add(p)
            if isinstance(shape, (NamedNode, BlankNode)):
                kind = _coercion(store, shape)
                if kind:
                    coercion.setdefault(p, kind)
    object_properties = _object_properties(profile.model)
    prefixes = {**_PREFIXES, "core": profile.model.term_iri("def/core#")}
    for p in sorted(predicates):
        entry: dict[str, str] = {"@id": p}
        if p in coercion:
            entry["@type"] = coercion[p]
        elif p in object_properties:
            entry["@type"] = "@id"
        name = _local(p)
        terms[name if name not in terms else _prefixed(p, prefixes)] = entry
    return terms


@functools.lru_cache(maxsize=4)
def _object_properties(model: ModelFiles) -> frozenset[str]:
    """Object properties declared in ontology/ (ours and the external terms declared locally):
    their values are nodes, so a JSON string value is an IRI."""
    found: set[str] = set()
    for path in sorted(model.ontology_dir.rglob("*.ttl")):
        store = Store()
        try:
            store.load(model.read(path), format=RdfFormat.TURTLE)
        except SyntaxError:
            continue  # another module being edited must not break contexts
        for q in store.quads_for_pattern(
            None, NamedNode(RDF + "type"), NamedNode(OWL + "ObjectProperty")
        ):
            if isinstance(q.subject, NamedNode):
                found.add(q.subject.value)
    return frozenset(found)


def _prefixed(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, ns in prefixes.items():
        if iri.startswith(ns):
            return f"{prefix}_{iri[len(ns) :]}"
    return iri


def _path_predicates(store: Store, node: Any) -> list[str]:
    if isinstance(node, NamedNode):
        return [node.value]
    out: list[str] = []
    # a sequence path is an RDF list of predicates
    while isinstance(node, BlankNode):
        firsts = list(store.quads_for_pattern(node, NamedNode(RDF + "first"), None))
        if not firsts:
            break
        if isinstance(firsts[0].object, NamedNode):
            out.append(firsts[0].object.value)
        rests = list(store.quads_for_pattern(node, NamedNode(RDF + "rest"), None))
        node = rests[0].object if rests else None
    return out


def _coercion(store: Store, shape: NamedNode | BlankNode) -> str | None:
    for q in store.quads_for_pattern(shape, NamedNode(SH + "datatype"), None):
        if isinstance(q.object, NamedNode) and q.object.value.startswith(XSD):
            return "xsd:" + q.object.value[len(XSD) :]
    for param in ("nodeKind", "class"):
        for q in store.quads_for_pattern(shape, NamedNode(SH + param), None):
            if param == "class" or q.object == NamedNode(SH + "IRI"):
                return "@id"
    return None


def vocabulary_context(model: ModelFiles) -> dict[str, Any]:
    """The context of the whole cityref vocabulary: a prefix per module, core terms by name."""
    base = model.ontology_dir
    ours = model.term_iri("def/")
    store = Store()
    for path in sorted(base.glob("*.ttl")) + sorted((base / "domains").glob("*.ttl")):
        store.load(model.read(path), format=RdfFormat.TURTLE)
    ctx: dict[str, Any] = {"@version": 1.1, "xsd": XSD}
    kinds = {
        OWL + "Class": None,
        OWL + "ObjectProperty": "@id",
        OWL + "DatatypeProperty": "",
    }
    for cls, coerce in kinds.items():
        for q in store.quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(cls)):
            iri = q.subject
            if not isinstance(iri, NamedNode) or not iri.value.startswith(ours):
                continue
            ns, _, local = iri.value.rpartition("#")
            if not local:
                continue
            module = ns[len(ours) :]
            ctx.setdefault(module, ns + "#")
            if module != "core":
                continue
            if coerce is None:
                ctx[local] = iri.value
                continue
            entry: dict[str, str] = {"@id": iri.value}
            if coerce == "@id":
                entry["@type"] = "@id"
            else:
                for r in store.quads_for_pattern(iri, NamedNode(RDFS + "range"), None):
                    rng = r.object.value if isinstance(r.object, NamedNode) else ""
                    if rng.startswith(XSD) and rng != XSD + "string":
                        entry["@type"] = "xsd:" + rng[len(XSD) :]
            ctx[local] = entry
    return {
        "@context": dict(
            sorted(ctx.items(), key=lambda kv: (kv[0].startswith("@") is False, kv[0]))
        )
    }
