"""Optional RDFS entailment of the data before validation (like pySHACL's inference="rdfs")."""

from __future__ import annotations

from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    serialize,
)


def _term(t: Any) -> NamedNode | BlankNode | Literal:
    import rdflib

    if isinstance(t, rdflib.URIRef):
        return NamedNode(str(t))
    if isinstance(t, rdflib.BNode):
        return BlankNode(str(t))
    if t.language:
        return Literal(str(t), language=t.language)
    return Literal(str(t), datatype=NamedNode(str(t.datatype)) if t.datatype else None)


def add_rdfs_entailments(store: Store) -> None:
    """Add the RDFS closure (owlrl) of the store's default graph to it.

    The store's terms are already encoded (terms.py), which RDFS reasoning does not mind:
    it only combines IRIs. Entailed triples with a literal subject (generalised RDF) are
    dropped.
    """
    import owlrl
    import rdflib

    nq = serialize(
        store.quads_for_pattern(None, None, None, DefaultGraph()), format=RdfFormat.N_QUADS
    )
    g = rdflib.Graph()
    g.parse(data=nq, format="nquads")
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(g)
    store.extend(
        [
            Quad(_term(s), _term(p), _term(o), DefaultGraph())  # type: ignore[arg-type]
            for s, p, o in g
            if not isinstance(s, rdflib.Literal) and isinstance(p, rdflib.URIRef)
        ]
    )
