"""A remote SPARQL 1.1 engine as the store: Oxigraph server, Virtuoso, or any server speaking
the SPARQL 1.1 Protocol (query and update) and the Graph Store Protocol.

Queries and updates go through SPARQLWrapper (in a query worker on kept-alive connections,
:mod:`cityref.store.remote_http`); graph writes through plain HTTP (the Graph Store
Protocol's PUT and DELETE). The query's form is read by cityref's own SPARQL grammar
(:func:`cityref.sparql.guard.query_form`), never guessed from its text, and decides what is
asked of the server: SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and
DESCRIBE. The answer is then converted into the format the caller wants and cut at its row
limit by the same serialisers as the embedded store's (:mod:`cityref.sparql.results`), so
both stores give the same bytes for the same solutions.

What cityref keeps on the server besides the model's own named graphs, all under
``urn:x-cityref:`` (see :mod:`cityref.store.remote_build` for how a build switches):

- ``urn:x-cityref:current``: the pointer graph: ``<urn:x-cityref:store>`` names the node of
  the current build (``urn:x-cityref:build:<id>``), which gives the build id, its update
  generation, its named graphs, its build record, and whether its switch is complete; while
  a build is on its way, ``<urn:x-cityref:store>`` also names it as the next build;
- ``urn:x-cityref:build:<id>:default``: the build's default graph (the union of the working
  tree's graphs, as the embedded store's copy, :meth:`OxigraphStore.unite_default_graph`).

Every query names its dataset: the build's default graph and the build's named graphs
(SPARQL protocol ``default-graph-uri`` / ``named-graph-uri``), unless the query or the
request names its own. So a server whose default graph is the union of all its graphs
(Virtuoso) answers as the embedded store does, and graphs being loaded by a build are never
seen.

Virtuoso answers a query stopped by its ``timeout`` parameter with the rows found so far and
an ``X-SQL-State`` header: taken here as the time limit, not as an answer.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper

from cityref.errors import QueryTimeout, StoreMissing
from cityref.settings import Settings
from cityref.sparql.guard import pattern_graphs, query_form
from cityref.sparql.results import (
    FormatChoice,
    QueryAnswer,
    answer_from_bindings,
    answer_from_boolean,
    answer_from_triples,
)
from cityref.store.oxigraph import Dataset, Term
from cityref.store.remote_answers import (
    bindings_answer,
    boolean_answer,
    json_document,
    triples_answer,
)
from cityref.store.remote_http import (
    allow_headers,
    graph_store_opener,
    opener_has_credentials,
    send_query,
    server_error,
    unreachable,
)
from cityref.text import Bilingual

NS = "urn:x-cityref:"
POINTER_GRAPH = NS + "current"
STORE_NODE = NS + "store"
BUILD = NS + "build"
GENERATION = NS + "generation"
GRAPH = NS + "graph"
RECORD = NS + "record"
SETTLED = NS + "settled"
CURRENT = NS + "currentBuild"
NEXT = NS + "nextBuild"
#: Bytes of N-Triples per Graph Store Protocol request.
GRAPH_PART_BYTES = 64 * 1024
#: Seconds between looks at a switch in progress.
SWITCH_WAIT_SECONDS = 0.05
#: Seconds after a pointer read during which a reader keeps answers without reading it again
#: (see :meth:`RemoteStore._checked_ask`); a build waits longer than this between naming its
#: next build and switching (:data:`cityref.store.remote_build.SWITCH_NOTICE_SECONDS`).
LEASE_SECONDS = 1.0
#: Seconds the socket waits beyond the query's own limit (the worker is killed at the limit).
SOCKET_GRACE_SECONDS = 5.0
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def build_node(build_id: str) -> str:
    """The node of the pointer graph that describes one build."""
    return f"{NS}build:{build_id}"


def _current(pattern: str) -> str:
    """``pattern`` about ``?build``, the node of the current build in the pointer graph."""
    return f"GRAPH <{POINTER_GRAPH}> {{ <{STORE_NODE}> <{CURRENT}> ?build . {pattern} }}"


def build_graph(build_id: str, part: str) -> str:
    """A graph of one build kept beside the model's graphs: ``default`` or ``staging:<n>``."""
    return f"{NS}build:{build_id}:{part}"


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where the remote store answers, and who cityref is there."""

    query: str
    update: str
    graphs: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteEndpoints | None:
        """The configured remote store, or None for the embedded one."""
        if settings.store_endpoint is None:
            return None
        return cls(
            settings.store_endpoint,
            settings.store_update_endpoint or settings.store_endpoint,
            settings.store_graph_endpoint or settings.store_endpoint,
            settings.store_user,
            settings.store_password,
            settings.store_auth,
        )

    def ports(self) -> tuple[int, ...]:
        """The TCP ports a confined query worker may connect to."""
        ports = set()
        for url in (self.query, self.update, self.graphs):
            parts = urllib.parse.urlsplit(url)
            ports.add(parts.port or (443 if parts.scheme == "https" else 80))
        return tuple(sorted(ports))


@dataclass(frozen=True)
class Pointer:
    """The current build on the server, how many updates it has had, and whether its switch
    is complete (``settled``): on a server that commits each operation of an update apart
    (Virtuoso), the graphs are still being moved while it is not."""

    build_id: str
    generation: int
    settled: bool = True
    #: A build names its successor this long before switching (readers stop leasing).
    switching: bool = False


class RemoteStore:
    """The :class:`cityref.store.oxigraph.Store` protocol over HTTP, reading one build."""

    def __init__(
        self,
        endpoints: RemoteEndpoints,
        build_id: str | None,
        graphs: Sequence[str] = (),
        timeout: float = 10.0,
    ) -> None:
        self.endpoints = endpoints
        self.build_id = build_id
        self._graphs = sorted(graphs)
        self.timeout = timeout
        self._settled = False  # until a pointer read says so, answers are checked
        self._lease_until = 0.0  # time.monotonic() until which answers need no pointer read

    @classmethod
    def open_build(cls, endpoints: RemoteEndpoints, build_id: str, timeout: float) -> RemoteStore:
        """The given build, with its named graphs as the pointer lists them."""
        graphs = cls(endpoints, None, timeout=timeout).listed_graphs()
        return cls(endpoints, build_id, graphs, timeout)

    def listed_graphs(self) -> list[str]:
        """The named graphs of the current build, as the pointer lists them."""
        rows = self.select(
            f"SELECT ?g WHERE {{ {_current(f'?build <{GRAPH}> ?g')} }}",
            dataset=Dataset(),
        )
        return sorted(term_text(r["g"]) for r in rows if "g" in r)

    # -- reading -----------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        result_format: str | FormatChoice,
        max_rows: int,
        dataset: Dataset | None = None,
        timeout: float | None = None,
    ) -> QueryAnswer:
        form = query_form(sparql)
        body, media_type = self._checked_ask(sparql, form, dataset, timeout or self.timeout)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return answer_from_triples(triples_answer(body, media_type), result_format, max_rows)
        doc = json_document(body)
        boolean = boolean_answer(doc, form)
        if boolean is not None:
            return answer_from_boolean(boolean, result_format)
        variables, rows = bindings_answer(doc)
        return answer_from_bindings(variables, rows, result_format, max_rows)

    def select(self, sparql: str, dataset: Dataset | None = None) -> list[dict[str, Term]]:
        body, _media_type = self._checked_ask(sparql, "SELECT", dataset, self.timeout)
        variables, rows = bindings_answer(json_document(body))
        return [
            {name: term for name, term in zip(variables, row, strict=True) if term is not None}
            for row in rows
        ]

    def _checked_ask(
        self, sparql: str, form: str, dataset: Dataset | None, timeout: float
    ) -> tuple[bytes, str]:
        """Ask, then make sure no switch overtook the answer: the request named the graphs
        this store believes current, so an answer is kept only when the pointer, read
        after it, still names this build as settled, and did so before it too. Otherwise
        (a stale graph list, or a switch half done on a server that commits its operations
        one by one) the graph list is read again and the query asked again, waiting while
        the switch moves graphs, until the query's time is up.

        The lease spares that pointer read: an answer received less than LEASE_SECONDS after
        a pointer read *began* that named this build settled with no next build, is kept as
        it is. Why that is safe: a build names its next build in the pointer (one committed
        update, time ``a``) and only then waits SWITCH_NOTICE_SECONDS (> LEASE_SECONDS) before
        its switch touches a graph readers see (:mod:`cityref.store.remote_build`). The read
        began at ``r`` and did not see the notice, so ``a`` > ``r``; the answer arrived at
        ``f`` < ``r`` + LEASE_SECONDS, so the server ran the query before ``a`` +
        SWITCH_NOTICE_SECONDS, before any graph moved, and the old build's default graph
        outlives this one's switch (dropped one build later). A read that sees a next build
        gives no lease: each answer is then checked by a read after it, as without one."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self._ask(sparql, form, dataset, timeout)
            if self.build_id is None or dataset is not None:
                return answer
            if time.monotonic() < self._lease_until:
                return answer
            read_began = time.monotonic()
            pointer = self.pointer()
            if pointer is None:
                raise _no_model(self.endpoints)
            if self._settled and pointer.settled and pointer.build_id == self.build_id:
                if not pointer.switching:
                    self._lease_until = read_began + LEASE_SECONDS
                return answer
            self.build_id, self._graphs = pointer.build_id, self.listed_graphs()
            self._settled = pointer.settled
            if time.monotonic() > deadline:
                raise QueryTimeout(timeout)
            if not pointer.settled:
                time.sleep(SWITCH_WAIT_SECONDS)

    def graphs(self) -> list[str]:
        return list(self._graphs)

    def stats(self) -> dict[str, int]:
        counts = {g: 0 for g in self._graphs}
        for row in self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ):
            graph, count = row["g"], row["n"]
            assert isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal)
            counts[graph.value] = int(count.value)
        return counts

    def pointer(self) -> Pointer | None:
        """The current build as the server says now (None before the first build)."""
        rows = self.select(
            "SELECT ?b ?n ?settled ?next WHERE { "
            + _current(
                f"?build <{BUILD}> ?b ; <{GENERATION}> ?n "
                f"OPTIONAL {{ ?build <{SETTLED}> ?settled }} "
                f"OPTIONAL {{ <{STORE_NODE}> <{NEXT}> ?next }}"
            )
            + " }",
            dataset=Dataset(),
        )
        if not rows:
            return None
        row = rows[0]
        settled, switching = "settled" in row, any("next" in r for r in rows)
        return Pointer(term_text(row["b"]), int(term_text(row["n"])), settled, switching)

    def record(self) -> dict[str, Any] | None:
        """The current build's record (``build.json`` of an embedded build)."""
        rows = self.select(
            f"SELECT ?r WHERE {{ {_current(f'?build <{RECORD}> ?r')} }}",
            dataset=Dataset(),
        )
        if not rows:
            return None
        record: dict[str, Any] = json.loads(term_text(rows[0]["r"]))
        return record

    def _dataset(self, sparql: str, dataset: Dataset | None) -> Dataset:
        """The request's dataset: the caller's, or the build's (Dataset(): the query's own).

        Of the build's named graphs, only those the query's GRAPH patterns can match are
        named: the servers' cost grows with the graphs a request names, used or not, and
        with the Reference Model's 332 it outweighs a small query (docs/benchmarks.md,
        "Remote store requests"). A GRAPH pattern of a graph outside the build
        keeps the whole list: a request naming no named graph at all lets some servers
        (Virtuoso) match any graph they hold."""
        if dataset is not None:
            return dataset
        if self.build_id is None:
            return Dataset()
        default = (build_graph(self.build_id, "default"),)
        needed = pattern_graphs(sparql)
        if needed is None:
            return Dataset(default, tuple(self._graphs))
        named = tuple(g for g in self._graphs if g in needed)
        if needed and not named:
            return Dataset(default, tuple(self._graphs))
        return Dataset(default, named)

    def _ask(
        self, sparql: str, form: str, dataset: Dataset | None, timeout: float
    ) -> tuple[bytes, str]:
        """POST the query; the response's body and media type."""
        wrapper = self._wrapper(self.endpoints.query, timeout)
        wrapper.setQuery(sparql)
        wrapper.queryType = form  # read by the grammar, not by SPARQLWrapper's pattern
        accept = N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON
        wrapper.addCustomHttpHeader("Accept", accept)
        chosen = self._dataset(sparql, dataset)
        for graph in chosen.default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in chosen.named_graphs:
            wrapper.addNamedGraph(graph)
        # The server's own limit where it has one (Virtuoso: milliseconds; others ignore it).
        wrapper.addParameter("timeout", str(max(1, int(timeout * 1000))))
        allow_headers(len(chosen.named_graphs) + len(chosen.default_graphs))
        response = send_query(wrapper, timeout)
        if response.headers.get("X-SQL-State"):  # Virtuoso's partial answer at its limit
            raise QueryTimeout(timeout)
        media_type = response.headers.get_content_type()
        return response.read(), media_type

    # -- writing -----------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update as it is (the caller checked it with the guard)."""
        wrapper = self._wrapper(self.endpoints.update, self.timeout)
        wrapper.setQuery(sparql)
        wrapper.queryType = "INSERT"  # any update form: sent as update=
        send_query(wrapper, self.timeout).read()

    def bump_generation(self) -> None:
        """Count one more update of the current build, so that readers make pages again."""
        graph = f"GRAPH <{POINTER_GRAPH}>"
        self.update(
            f"DELETE {{ {graph} {{ ?build <{GENERATION}> ?n }} }} "
            f"INSERT {{ {graph} {{ ?build <{GENERATION}> ?m }} }} "
            f"WHERE {{ {_current(f'?build <{GENERATION}> ?n')} BIND(?n + 1 AS ?m) }}"
        )

    def load_graph(self, graph_iri: str, data: bytes, rdf_format: ox.RdfFormat) -> int:
        """Replace a named graph on the server (Graph Store Protocol PUT)."""
        triples = [q.triple for q in ox.parse(data, format=rdf_format)]
        return self.put_graph(graph_iri, triples)

    def put_graph(self, graph_iri: str, triples: Sequence[ox.Triple]) -> int:
        """PUT the first part, POST (append) the rest: a server that answers a large body
        with an authentication challenge before reading it (Virtuoso's digest endpoint,
        from about 1 MB) breaks the pipe, so no body is much larger than a part."""
        method = "PUT"
        for body in _parts(triples):
            self._graph_request(method, graph_iri, body)
            method = "POST"
        return len(triples)

    def drop_graph(self, graph_iri: str) -> None:
        """Remove a named graph (Graph Store Protocol DELETE); absent graphs are fine."""
        self._graph_request("DELETE", graph_iri, None)

    def _graph_request(self, method: str, graph_iri: str, body: bytes | None) -> None:
        query = urllib.parse.urlencode({"graph": graph_iri})
        separator = "&" if "?" in self.endpoints.graphs else "?"
        request = urllib.request.Request(
            self.endpoints.graphs + separator + query, data=body, method=method
        )
        if body is not None:
            request.add_header("Content-Type", N_TRIPLES)
        try:
            with graph_store_opener(self.endpoints, request).open(
                request, timeout=self.timeout * 10
            ) as got:
                got.read()
        except urllib.error.HTTPError as exc:
            if method == "DELETE" and exc.code == 404:
                return
            raise server_error(exc.code, exc.read()) from None
        except OSError as exc:
            raise unreachable(self.endpoints.graphs, exc) from None

    def _wrapper(self, endpoint: str, timeout: float) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(endpoint, updateEndpoint=self.endpoints.update)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)  # no format= / output= parameters: Accept says it
        wrapper.setTimeout(int(timeout + SOCKET_GRACE_SECONDS))
        digest = self.endpoints.auth == "digest"
        if digest and endpoint == self.endpoints.query and opener_has_credentials(self.endpoints):
            return wrapper  # SPARQLWrapper would install an opener of its own for Digest
        if self.endpoints.user and self.endpoints.password:
            wrapper.setHTTPAuth(DIGEST if self.endpoints.auth == "digest" else BASIC)
            wrapper.setCredentials(self.endpoints.user, self.endpoints.password)
        return wrapper


def _parts(triples: Sequence[ox.Triple]) -> Iterator[bytes]:
    """N-Triples in parts of about GRAPH_PART_BYTES, cut at line ends (one triple a line);
    at least one part, maybe empty."""
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    start = 0
    while True:
        end = data.find(b"\n", start + GRAPH_PART_BYTES) + 1
        if end <= 0 or end >= len(data):
            yield data[start:]
            return
        yield data[start:end]
        start = end


def current_pointer(endpoints: RemoteEndpoints, timeout: float) -> Pointer:
    """The build the remote store answers with now, or :class:`StoreMissing`."""
    pointer = RemoteStore(endpoints, None, timeout=timeout).pointer()
    if pointer is None:
        raise _no_model(endpoints)
    return pointer


def _no_model(endpoints: RemoteEndpoints) -> StoreMissing:
    return StoreMissing(
        Bilingual(
            f"{endpoints.query} にモデルがありません。先に cityref build を実行してください",
            f"no model at {endpoints.query}: run 'cityref build' first",
        )
    )


def term_text(term: Term) -> str:
    """The lexical value of a term of cityref's own queries (IRIs, literals)."""
    return str(term) if isinstance(term, ox.Triple) else term.value
