"""Optional RDFS entailment of the data before validation (like pySHACL's inference="rdfs")."""

from __future__ import annotations

from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store, parse, serialize


def add_rdfs_entailments(store: Store) -> None:
    """Add the RDFS closure (owlrl) of the store's default graph to it."""
    import owlrl
    import rdflib

    nt = serialize(
        store.quads_for_pattern(None, None, None, DefaultGraph()), format=RdfFormat.N_QUADS
    )
    g = rdflib.Graph()
    g.parse(data=nt, format="nquads")
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(g)
    closed = g.serialize(format="nt", encoding="utf-8")
    store.extend(
        [
            Quad(q.subject, q.predicate, q.object, DefaultGraph())
            for q in parse(closed, RdfFormat.N_TRIPLES)
        ]
    )
