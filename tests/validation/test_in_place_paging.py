"""Validation in place read in focus batches and pages (issue 16, validation at scale).

Every answer is read in one request as it comes, unless the server cuts answers at a row
limit (Virtuoso's ResultSetMaxRows): then in ordered pages of ``page_rows`` (at most that
limit). With ``focus_batch`` set, a targeted shape's IRI focus nodes are named in VALUES
blocks of that many, its blank-node focus nodes keep the target's pattern (they cannot be
named in a later query). Whatever the batch and page sizes, the report must be the one of
no batches and a single page, and the one of exporting the data and validating it here.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store, parse

from bench.city_facilities import generate_city
from cityref.profiles.conformance import check_endpoint_at_release
from cityref.registry.versioned import release_context
from cityref.validation.api import Document, validate_store
from cityref.validation.endpoint import Endpoint, EndpointClient, EndpointError
from cityref.validation.in_place import InPlaceChecker, validate_endpoint
from cityref.validation.loading import read_graph
from cityref.validation.model import Result
from cityref.validation.options import ValidationOptions
from cityref.validation.shapes import ShapesGraph
from tests.sparql_servers import Endpoints, get_graph, put_graph, running_virtuoso
from tests.validation.test_in_place import MODEL, SERVERS, _key

_GRAPHS = itertools.count()
EX = "http://example.org/paging#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
# Every logical component on IRI focus nodes (a class target) and on blank ones (the objects
# of ex:part): sh:or whose members nearly every node fails, sh:xone of two (a node failing
# both violates: the value nodes are listed), sh:not, and sh:and / sh:node on a path.
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:or ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:b ; sh:minCount 1 ]
          [ sh:path ex:never ; sh:minCount 1 ] ) ;
  sh:xone ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:b ; sh:minCount 1 ] ) ;
  sh:not [ sh:path ex:c ; sh:minCount 2 ] ;
  sh:property [ sh:path ex:part ; sh:node ex:PartShape ;
                sh:and ( [ sh:path ex:a ; sh:minCount 1 ] [ sh:path ex:c ; sh:maxCount 1 ] ) ] .
ex:PartShape a sh:NodeShape ; sh:targetObjectsOf ex:part ;
  sh:or ( [ sh:path ex:never ; sh:minCount 1 ] [ sh:path ex:a ; sh:minCount 1 ]
          [ sh:path ex:b ; sh:minCount 1 ] ) ;
  sh:property [ sh:path ex:a ; sh:datatype xsd:integer ] .
"""


def _things(count: int) -> bytes:
    """Things (IRIs, and every fifth a blank node) with a part each, properties by bits."""
    lines: list[str] = []
    for i in range(count):
        thing = f"_:thing{i}" if i % 5 == 4 else f"<{EX}thing{i}>"
        part = f"_:part{i}" if i % 2 else f"<{EX}part{i}>"
        lines.append(f"{thing} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Thing> .")
        lines.append(f"{thing} <{EX}part> {part} .")
        for bit, name in enumerate("abc"):
            if i >> bit & 1:
                lines.append(f'{thing} <{EX}{name}> "{i}"^^<{XSD_INTEGER}> .')
                lines.append(f'{part} <{EX}{name}> "{i}" .')
        if i % 3 == 0:
            lines.append(f'{thing} <{EX}c> "{i + 1000}"^^<{XSD_INTEGER}> .')
    return ("\n".join(lines) + "\n").encode()


def _in_place(
    server: Endpoints,
    graph: str,
    batch: int | None,
    rows: int,
    key: Callable[[Result], str] = _key,
) -> Counter[str]:
    endpoint = Endpoint(server.query, (graph,), page_rows=rows, focus_batch=batch)
    report = validate_endpoint(endpoint, Document(SHAPES.encode(), "turtle"), OPTIONS)
    return Counter(map(key, report.results))


OPTIONS = ValidationOptions(max_results=None)
CUT_AT = 5  # rows of an answer of the Virtuoso that cuts answers


@pytest.fixture(scope="module")
def cutting_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    """A Virtuoso whose answers hold at most CUT_AT rows, as a stock one's hold 10,000."""
    with running_virtuoso(Path(tmp_path_factory.mktemp("cut")), result_rows=CUT_AT) as ep:
        yield ep


@pytest.mark.parametrize("server", [*SERVERS, "cutting_virtuoso"])
def test_every_batch_and_page_size_gives_the_report_of_the_export(
    server: str, request: pytest.FixtureRequest
) -> None:
    endpoints: Endpoints = request.getfixturevalue(server)
    graph = f"urn:cityref:test:in-place-paging:{next(_GRAPHS)}"
    put_graph(endpoints, graph, _things(24))
    cut = server == "cutting_virtuoso"  # its export is cut too: the data itself is validated
    exported = Store()  # parse keeps the server's blank node labels (Store.load would not)
    exported.extend(parse(_things(24) if cut else get_graph(endpoints, graph), RdfFormat.N_TRIPLES))
    local = validate_store(exported, Document(SHAPES.encode(), "turtle"), OPTIONS)
    key = _key_of_any_blank_node if cut else _key
    expected = Counter(map(key, local.results))
    components = {r.component_name for r in local.results}
    assert {"Or", "Xone", "Not", "And", "Node", "Datatype"} <= components
    one = _in_place(endpoints, graph, None, 5_000, key)  # no batches, one page
    assert one == expected
    for batch, rows in ((1, 1_000), (5, 3), (7, 1)):
        assert _in_place(endpoints, graph, batch, rows, key) == expected, (batch, rows)


def _key_of_any_blank_node(r: Result) -> str:
    """A result's key, any blank node alike (the server labels them otherwise)."""
    return re.sub(r"<BlankNode value=[^>]*>", "<BlankNode>", _key(r))


@pytest.mark.parametrize(
    ("server", "one_request_each"), [(SERVERS[0], True), ("cutting_virtuoso", False)]
)
def test_an_answer_is_read_in_pages_only_where_the_server_cuts_it(
    server: str, one_request_each: bool, request: pytest.FixtureRequest
) -> None:
    endpoints: Endpoints = request.getfixturevalue(server)
    graph = f"urn:cityref:test:in-place-paging:{next(_GRAPHS)}"
    put_graph(endpoints, graph, _things(24))
    endpoint = Endpoint(endpoints.query, (graph,), page_rows=2)
    report = validate_endpoint(endpoint, Document(SHAPES.encode(), "turtle"), OPTIONS)
    # One request per query, and one for the data's class hierarchy; pages beyond.
    one_each = report.stats["requests"] == report.stats["queries"] + 1
    assert one_each == one_request_each, report.stats


def test_iri_focus_nodes_are_named_in_batches_and_the_rest_keeps_the_pattern(
    oxigraph_server: Endpoints,
) -> None:
    graph = f"urn:cityref:test:in-place-paging:{next(_GRAPHS)}"
    put_graph(oxigraph_server, graph, _things(24))
    client = EndpointClient(Endpoint(oxigraph_server.query, (graph,), focus_batch=5))
    shapes = ShapesGraph(read_graph(SHAPES.encode(), "turtle"))
    checker = InPlaceChecker(client, shapes, hierarchy=[])
    batches = {s.node.value: checker.focus_batches(s) for s in shapes.targeted_shapes()}
    things, parts = batches[EX + "ThingShape"], batches[EX + "PartShape"]
    # 24 things, of which 4 blank: 20 IRIs in 4 VALUES blocks, then the blank ones' pattern.
    assert [f.pattern.startswith("VALUES") for f in things] == [True] * 4 + [False]
    assert "!(isIRI(?this) && !isBlank(?this))" in things[-1].pattern
    # 12 IRI parts in 3 blocks, then the 12 blank ones.
    assert [f.pattern.startswith("VALUES") for f in parts] == [True] * 3 + [False]


def test_generated_city_in_small_batches_equals_one_batch(oxigraph_server: Endpoints) -> None:
    graph = f"urn:cityref:test:in-place-paging:{next(_GRAPHS)}"
    put_graph(oxigraph_server, graph, b"".join(generate_city(3_000, defect_every=5)))
    release = release_context("gif-facility", MODEL)
    options = ValidationOptions(max_results=None, base_iri=MODEL.base_iri)

    def report(batch: int | None, rows: int) -> Counter[str]:
        endpoint = Endpoint(oxigraph_server.query, (graph,), page_rows=rows, focus_batch=batch)
        found = check_endpoint_at_release(endpoint, release, options, model=MODEL).report
        return Counter(map(_key, found.results))

    whole = report(None, 5_000)  # no batches, one page
    assert sum(whole.values()) >= 20
    assert report(9, 4) == whole
    assert report(1, 1) == whole


@pytest.mark.parametrize("setting", ["page_rows", "focus_batch"])
def test_a_batch_or_page_below_one_is_refused(setting: str) -> None:
    with pytest.raises(EndpointError, match=f"{setting} must be at least 1"):
        Endpoint("http://localhost:1/query", **{setting: 0})  # type: ignore[arg-type]
