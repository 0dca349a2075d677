"""OWL-RL entailments of the ontology graphs, computed with owlrl."""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL

BUILT_IN_NAMESPACES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)


def owl_rl_entailments(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples OWL 2 RL adds to ``triples``, without the trivial ones.

    Trivial: ``x owl:sameAs x``, which OWL-RL states for every resource, and statements about
    the built-in RDF, RDFS, OWL and XSD terms themselves (``xsd:int a rdfs:Datatype``).
    Terms cross between pyoxigraph and rdflib as N-Triples, the one format both read exactly.
    """
    stated = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    graph = rdflib.Graph()
    graph.parse(data=stated, format="nt")
    original = set(graph)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics,
        axiomatic_triples=False,
        datatype_axioms=False,
    ).expand(graph)
    added = rdflib.Graph()
    for s, p, o in graph:
        if (s, p, o) in original or (p == OWL.sameAs and s == o):
            continue
        if isinstance(s, rdflib.URIRef) and str(s).startswith(BUILT_IN_NAMESPACES):
            continue
        if isinstance(s, rdflib.Literal):
            continue  # generalised RDF that a store cannot hold
        added.add((s, p, o))
    if not len(added):
        return []
    data = added.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
