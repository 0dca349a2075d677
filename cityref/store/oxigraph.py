"""The knowledge store: a small interface and its embedded Oxigraph implementation.

The interface is what the CLI, the web app and the registry need: load a graph, query,
update, list graphs, count triples. A remote SPARQL 1.1 engine (Oxigraph server,
Virtuoso, ...) can implement the same protocol later; nothing outside this module touches
pyoxigraph's ``Store`` directly, except to read the terms of results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from cityref.errors import QueryRefused, QuerySyntaxError
from cityref.sparql.results import FormatChoice, QueryAnswer, answer_from_oxigraph
from cityref.store.syntax import query_syntax_error
from cityref.text import Bilingual

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: Named graphs of released snapshots contain this (see cityref.registry.releases).
RELEASE_GRAPHS = "/graph/registry/releases/"


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of one query: the protocol's default-graph-uri and named-graph-uri,
    or the query's own FROM and FROM NAMED."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@runtime_checkable
class Store(Protocol):
    """What cityref needs of a SPARQL 1.1 store."""

    def load_graph(self, graph_iri: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Replace the named graph with the triples parsed from ``data``; return their count."""
        ...

    def query(
        self,
        sparql: str,
        *,
        result_format: str | FormatChoice,
        max_rows: int,
        dataset: Dataset | None = None,
        timeout: float | None = None,
    ) -> QueryAnswer:
        """Run a query and serialise at most ``max_rows`` rows.

        Without ``dataset`` the default graph is the union of all graphs; with one, the
        dataset's graphs (a query's own FROM / FROM NAMED are given as a dataset too).
        ``timeout``: seconds, for a store that can be told (the worker is killed anyway).
        """
        ...

    def select(self, sparql: str) -> list[dict[str, Term]]:
        """Run a SELECT query and return its solutions as dictionaries (for internal use)."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update (refused on read-only stores)."""
        ...

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        ...

    def stats(self) -> dict[str, int]:
        """Triple count of every named graph."""
        ...


@dataclass
class OxigraphStore:
    """The embedded store: pyoxigraph on disk or in memory."""

    _store: ox.Store
    read_only: bool = False
    path: Path | None = None
    _defaults: Sequence[ox.NamedNode | ox.BlankNode] | None = field(default=None, repr=False)
    _defaults_known: bool = field(default=False, repr=False)
    _united: bool | None = field(default=None, repr=False)

    @classmethod
    def in_memory(cls) -> OxigraphStore:
        return cls(ox.Store())

    @classmethod
    def open(cls, path: Path) -> OxigraphStore:
        """Open (or create) a writable store; one writer per folder at a time."""
        path.mkdir(parents=True, exist_ok=True)
        return cls(ox.Store(str(path)), path=path)

    @classmethod
    def open_read_only(cls, path: Path) -> OxigraphStore:
        """Open a store that another process may be writing; sees it as of opening."""
        store = cls(ox.Store.read_only(str(path)), read_only=True, path=path)
        store.default_graphs()  # read the graph list now, while the build is surely there
        return store

    # -- writing -----------------------------------------------------------------------
    def load_graph(self, graph_iri: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        return self.load_quads(graph_iri, ox.parse(data, format=rdf_format))

    def load_quads(self, graph_iri: str, triples: Iterable[ox.Triple | ox.Quad]) -> int:
        """Replace a named graph with ``triples`` (their own graph names are ignored)."""
        self._refuse_if_read_only()
        graph = ox.NamedNode(graph_iri)
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        if self._store.contains_named_graph(graph):
            self._store.remove_graph(graph)
        self._store.bulk_extend(quads)
        if self._united_default_graph():
            self.unite_default_graph()  # the copy would miss this graph's new statements
        return len(quads)

    def unite_default_graph(self) -> None:
        """Copy the working tree's graphs (every named graph but released snapshots) into the
        store's own default graph, which queries without a dataset then read.

        Why a copy: with releases in the store the default graph is a list of some 170 named
        graphs, and Oxigraph matches every pattern against each of them (a domain page's
        query: 0.7 s of CPU, against 0.01 s on one graph). Named graphs stay as they are for
        GRAPH and FROM NAMED."""
        self._refuse_if_read_only()
        if self._united_default_graph():
            self._store.clear_graph(ox.DefaultGraph())
        working = [g for g in self._store.named_graphs() if RELEASE_GRAPHS not in str(g)]
        copied = [
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for g in working
            for q in self._store.quads_for_pattern(None, None, None, g)
        ]
        if copied:  # (the bulk loader reserves its buffers even for nothing)
            self._store.bulk_extend(copied)
        self._defaults_known = False
        self._united = bool(copied)

    def _united_default_graph(self) -> bool:
        """True when the default graph holds the copy :meth:`unite_default_graph` made (a
        built store); otherwise queries unite the named graphs themselves."""
        if self.read_only and self._united is not None:
            return self._united
        copy = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        self._united = next(iter(copy), None) is not None
        return self._united

    def update(self, sparql: str) -> None:
        self._refuse_if_read_only()
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise query_syntax_error(exc) from None

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    # -- reading -----------------------------------------------------------------------
    def raw_query(
        self, sparql: str, dataset: Dataset | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The pyoxigraph answer; without a dataset the default graph is the union of the
        working tree's graphs (releases stay in their own named graphs, see
        :meth:`default_graphs`): a built store's copy of it (:meth:`unite_default_graph`)."""
        try:
            if dataset is None and self._united_default_graph():
                return self._store.query(sparql)  # the default graph alone: the copy
            if dataset is None:
                defaults = self.default_graphs()
                if defaults is None:
                    return self._store.query(sparql, use_default_graph_as_union=True)
                return self._store.query(sparql, default_graph=list(defaults))
            return self._store.query(
                sparql,
                default_graph=[ox.NamedNode(g) for g in dataset.default_graphs] or None,
                named_graphs=[ox.NamedNode(g) for g in dataset.named_graphs] or None,
            )
        except SyntaxError as exc:
            raise query_syntax_error(exc) from None

    def query(
        self,
        sparql: str,
        *,
        result_format: str | FormatChoice,
        max_rows: int,
        dataset: Dataset | None = None,
        timeout: float | None = None,
    ) -> QueryAnswer:
        return answer_from_oxigraph(self.raw_query(sparql, dataset), result_format, max_rows)

    def select(self, sparql: str) -> list[dict[str, Term]]:
        answer = self.raw_query(sparql)
        if not isinstance(answer, ox.QuerySolutions):
            raise QuerySyntaxError(Bilingual("SELECT クエリが必要です", "expected a SELECT query"))
        names = [v.value for v in answer.variables]
        rows: list[dict[str, Term]] = []
        for solution in answer:
            row: dict[str, Term] = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_triples(self, graph_iri: str | None) -> list[ox.Triple]:
        """The triples of a named graph, or of the default graph for None."""
        graph = ox.DefaultGraph() if graph_iri is None else ox.NamedNode(graph_iri)
        return [q.triple for q in self._store.quads_for_pattern(None, None, None, graph)]

    def default_graphs(self) -> Sequence[ox.NamedNode | ox.BlankNode] | None:
        """The graphs the default graph unites, or ``None`` for all of them.

        Released snapshots (``…/graph/registry/releases/<version>/…``) repeat the model's
        statements; left in the default graph they would answer every question twice, so
        the default graph is the working tree, and a release is asked for with GRAPH or FROM.
        """
        if self.read_only and self._defaults_known:
            return self._defaults
        graphs = list(self._store.named_graphs())
        releases = [g for g in graphs if RELEASE_GRAPHS in str(g)]
        self._defaults = [g for g in graphs if RELEASE_GRAPHS not in str(g)] if releases else None
        self._defaults_known = True
        return self._defaults

    def stats(self) -> dict[str, int]:
        counts = {g: 0 for g in self.graphs()}
        for row in self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ):
            graph, count = row["g"], row["n"]
            assert isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal)
            counts[graph.value] = int(count.value)
        return counts

    def dump_nquads(self) -> bytes:
        """Every quad as N-Quads, to hand an in-memory store to a worker process."""
        return self._store.dump(format=ox.RdfFormat.N_QUADS) or b""

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise QueryRefused(
                Bilingual("ストアは読み取り専用で開かれています", "the store is open read-only")
            )
