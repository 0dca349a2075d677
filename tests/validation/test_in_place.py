"""Validation in place equals exporting the data and validating it here (issue 16, item 2).

Each case puts RDF data into a named graph of a real server on loopback (Oxigraph server and
Virtuoso 7, tests/sparql_servers.py), validates it in place (the compiled queries run at the
server), exports the graph (Graph Store Protocol GET) and validates the export locally with
the same shapes and vocabulary: both reports must hold the same results. The data: every RDF
example of the profiles whose data is RDF (their JSON-LD and NGSI-LD JSON through the input
adapters), and generated city facilities with injected defects (bench/city_facilities.py),
paged in pages smaller than the result sets. What Virtuoso answers differently and cannot be
fixed with certainty is an expected failure below, with its reason.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, RdfFormat, Store, parse, serialize

from bench.city_facilities import generate_city
from cityref.inputs import InputLimits, Upload, input_format
from cityref.profiles.conformance import check_endpoint_at_release, profile_shapes
from cityref.profiles.registry import Profile, list_profiles
from cityref.registry.versioned import release_context
from cityref.store.sources import ModelFiles
from cityref.validation.api import validate_store
from cityref.validation.endpoint import Endpoint
from cityref.validation.loading import rdf_format
from cityref.validation.model import Result
from cityref.validation.options import ValidationOptions
from tests.conftest import REPO
from tests.sparql_servers import Endpoints, get_graph, put_graph

SERVERS = ("oxigraph_server", "virtuoso_server")
PAGE_ROWS = 7  # smaller than several result sets: paging runs
_GRAPHS = itertools.count()
MODEL = ModelFiles(REPO, "https://w3id.org/cityref/")


def _rdf_profiles() -> list[Profile]:
    return [p for p in list_profiles(MODEL) if p.input_kind in ("rdf", "ngsi-ld")]


def _examples() -> list[tuple[str, str]]:
    cases = []
    for profile in _rdf_profiles():
        for path in sorted((profile.directory / "examples").glob("*/*")):
            # examples/jsonld/ holds JSON without a @context (the web surface supplies it):
            # its RDF is the Turtle example's.
            if path.parent.name == "jsonld" or ".expected." in path.name:
                continue
            if path.suffix in (".ttl", ".json", ".jsonld"):
                cases.append((profile.id, path.relative_to(REPO / "shapes").as_posix()))
    return cases


def _as_ntriples(profile: Profile, path: Path) -> bytes:
    """The example's RDF as the profile's input adapter reads it, as N-Triples."""
    read = input_format(profile.input_kind).read(
        Upload(path.read_bytes(), path.name, None), [], InputLimits()
    )
    doc = read.rebased(MODEL).document
    quads = parse(doc.data, rdf_format(doc.format), base_iri=doc.base_iri)
    return serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES) or b""


def _key(r: Result) -> str:
    """A result's fields; a shape that is a blank node is relabelled in every parse."""
    shape = "_:shape" if isinstance(r.source_shape, BlankNode) else r.source_shape
    return repr((r.focus, r.path, r.value, r.component, shape, r.severity))


def _compare(server: Endpoints, profile_id: str, ntriples: bytes) -> tuple[int, int]:
    """Validate in place and by export; assert the same results; (results, focus nodes)."""
    graph = f"urn:cityref:test:in-place:{next(_GRAPHS)}"
    put_graph(server, graph, ntriples)
    release = release_context(profile_id, MODEL)
    options = ValidationOptions(max_results=None, base_iri=MODEL.base_iri)
    endpoint = Endpoint(server.query, (graph,), page_rows=PAGE_ROWS)
    in_place = check_endpoint_at_release(endpoint, release, options, model=MODEL).report
    exported = Store()  # Store.load would relabel the blank nodes: parse keeps the server's
    exported.extend(parse(get_graph(server, graph), RdfFormat.N_TRIPLES))
    assert release.profile is None
    shapes = profile_shapes(release_profile(profile_id), release.deprecations)
    local = validate_store(exported, shapes, options, ontology=release.ontology)
    assert Counter(map(_key, in_place.results)) == Counter(map(_key, local.results))
    assert in_place.stats["focus_nodes"] == local.stats["focus_nodes"]
    return len(in_place.results), int(in_place.stats["focus_nodes"])


def release_profile(profile_id: str) -> Profile:
    return next(p for p in _rdf_profiles() if p.id == profile_id)


def _cases() -> list[object]:
    cases: list[object] = []
    for server in SERVERS:
        for profile_id, example in _examples():
            # Where Virtuoso differs: tests/known_failures.toml.
            cases.append(pytest.param(server, profile_id, example))
    return cases


@pytest.mark.parametrize(("server", "profile_id", "example"), _cases())
def test_examples_in_place_equal_export(
    server: str, profile_id: str, example: str, request: pytest.FixtureRequest
) -> None:
    endpoints: Endpoints = request.getfixturevalue(server)
    ntriples = _as_ntriples(release_profile(profile_id), REPO / "shapes" / example)
    _compare(endpoints, profile_id, ntriples)


@pytest.mark.parametrize("server", SERVERS)
def test_generated_city_in_place_equals_export(server: str, request: pytest.FixtureRequest) -> None:
    endpoints: Endpoints = request.getfixturevalue(server)
    data = b"".join(generate_city(6_000, defect_every=10))
    results, focus_nodes = _compare(endpoints, "gif-facility", data)
    # Every seventh defect kind per ten facilities, ~285 facilities: the defects are found.
    assert results >= 25 and focus_nodes > 500


def test_every_rdf_profile_has_an_example() -> None:
    covered = {profile_id for profile_id, _ in _examples()}
    assert covered == {p.id for p in _rdf_profiles() if p.id != "quality"}


def test_progress_is_reported_as_checks_are_done(oxigraph_server: Endpoints) -> None:
    from cityref.validation.progress import Progress, listening

    graph = f"urn:cityref:test:in-place:{next(_GRAPHS)}"
    put_graph(oxigraph_server, graph, b"".join(generate_city(500, defect_every=5)))
    seen: list[Progress] = []
    endpoint = Endpoint(oxigraph_server.query, (graph,), page_rows=PAGE_ROWS)
    with listening(seen.append):
        check_endpoint_at_release(
            endpoint, release_context("gif-facility", MODEL), ValidationOptions(), model=MODEL
        )
    checks = [p for p in seen if p.stage == "check"]
    assert checks[0].done == 0 and checks[-1].done == checks[-1].total > 10
