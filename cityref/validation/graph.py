"""A small in-memory, lossless triple index for the shapes graph.

The shapes graph is small and read many times while compiling; keeping it in plain Python
dicts preserves every literal exactly (see terms.py for why the Oxigraph store would not).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from cityref.validation.terms import RDF, Subject, Term

RDF_FIRST = NamedNode(RDF + "first")
RDF_REST = NamedNode(RDF + "rest")
RDF_NIL = NamedNode(RDF + "nil")


class Graph:
    """Triples indexed by subject-predicate and predicate-object."""

    def __init__(self, quads: Iterable[Quad | Triple] = ()) -> None:
        self._sp: dict[tuple[Subject, NamedNode], list[Term]] = defaultdict(list)
        self._po: dict[tuple[NamedNode, Term], list[Subject]] = defaultdict(list)
        self._by_p: dict[NamedNode, list[tuple[Subject, Term]]] = defaultdict(list)
        self._seen: set[tuple[Subject, NamedNode, Term]] = set()
        for q in quads:
            s, p, o = q.subject, q.predicate, q.object
            if isinstance(s, Triple) or isinstance(o, Triple):
                continue
            self.add(s, p, o)

    def add(self, s: Subject, p: NamedNode, o: Term) -> None:
        """Add one triple (duplicates are ignored)."""
        key = (s, p, o)
        if key in self._seen:
            return
        self._seen.add(key)
        self._sp[(s, p)].append(o)
        self._po[(p, o)].append(s)
        self._by_p[p].append((s, o))

    def __len__(self) -> int:
        return len(self._seen)

    def triples(self) -> Iterator[tuple[Subject, NamedNode, Term]]:
        """Every triple, in insertion order of predicates."""
        for p, pairs in self._by_p.items():
            for s, o in pairs:
                yield s, p, o

    def objects(self, s: Term, p: NamedNode) -> list[Term]:
        """The objects of ``s p ?o``."""
        if isinstance(s, Literal):
            return []
        return list(self._sp.get((s, p), ()))

    def one(self, s: Term, p: NamedNode) -> Term | None:
        """One object of ``s p ?o`` or None."""
        found = self.objects(s, p)
        return found[0] if found else None

    def subjects(self, p: NamedNode, o: Term) -> list[Subject]:
        """The subjects of ``?s p o``."""
        return list(self._po.get((p, o), ()))

    def pairs(self, p: NamedNode) -> list[tuple[Subject, Term]]:
        """Every (subject, object) with predicate ``p``."""
        return list(self._by_p.get(p, ()))

    def rdf_list(self, head: Term) -> list[Term]:
        """The members of the RDF collection starting at ``head`` (cycles stop the walk)."""
        items: list[Term] = []
        seen: set[Term] = set()
        node: Term | None = head
        while node is not None and node != RDF_NIL and node not in seen:
            seen.add(node)
            first = self.one(node, RDF_FIRST)
            if first is None:
                break
            items.append(first)
            node = self.one(node, RDF_REST)
        return items

    def is_list(self, node: Term) -> bool:
        """True for rdf:nil and for nodes with rdf:first."""
        return node == RDF_NIL or (
            isinstance(node, NamedNode | BlankNode) and self.one(node, RDF_FIRST) is not None
        )
