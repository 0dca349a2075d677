"""The W3C SHACL test suite (core + sparql), run from its manifests.

Results are compared the way pySHACL's test harness does: the conforms flag and the multiset
of results keyed by focus node, path, value, severity, source shape and source constraint
component. Blank nodes are compared as "some blank node"; complex paths structurally.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from cityref.validation import (
    Document,
    Engine,
    ValidationError,
    ValidationOptions,
    validate_documents,
)
from cityref.validation.paths import path_sparql
from tests.conftest import DATA, known_failures

# A copy of the W3C suite; its source and licence are in tests/data/README.md.
SUITE = DATA / "w3c-shacl-test-suite"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")


def _file(iri: str) -> pathlib.Path:
    """The file a ``file:`` IRI of the suite names (the manifests' IRIs are relative to them)."""
    return pathlib.Path(url2pathname(urlparse(iri).path))


def _entries(manifest: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    """(entry IRI, the manifest file that holds it) for every entry under ``manifest``.
    Read with pyoxigraph: rdflib would convert (and warn about) the literals of every test."""
    store = ox.Store()
    store.load(path=manifest, format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri())
    out = []
    for (include,) in store.query(f"SELECT ?i {{ ?m <{MF.include}> ?i }}"):
        out += _entries(_file(include.value))
    members = f"SELECT ?e {{ ?m <{MF.entries}>/<{RDF.rest}>*/<{RDF.first}> ?e }}"
    out += [(entry.value, manifest) for (entry,) in store.query(members)]
    return out


def _cases() -> list[Any]:
    """One case per entry, named by its place in the suite, e.g. ``core/node/class-001``."""
    return [
        pytest.param(iri, manifest, id=_file(iri).relative_to(SUITE).as_posix())
        for part in ("core", "sparql")
        for iri, manifest in sorted(_entries(SUITE / part / "manifest.ttl"))
    ]


@pytest.fixture
def literals_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib keeps lexical forms as written (the expected reports name ill-formed literals)."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


def _path_key(g: rdflib.Graph, node: rdflib.term.Node | None) -> str | None:
    """A structural form of a SHACL path in an rdflib graph, like paths.path_sparql."""
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in g:
        return "(" + "/".join(_path_key(g, m) or "" for m in Collection(g, node)) + ")"
    for p, mod in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(node, p)
        if inner is not None:
            return "(" + (_path_key(g, inner) or "") + ")" + mod
    inner = g.value(node, SH.inversePath)
    if inner is not None:
        return "^(" + (_path_key(g, inner) or "") + ")"
    alts = g.value(node, SH.alternativePath)
    if alts is not None:
        return "(" + "|".join(_path_key(g, m) or "" for m in Collection(g, alts)) + ")"
    return "?"


def _term_key(t: Any) -> str | None:
    if t is None:
        return None
    if isinstance(t, rdflib.BNode) or type(t).__name__ == "BlankNode":
        return "_:b"
    if isinstance(t, rdflib.Literal):
        if t.language:
            return f"{t}@{t.language.lower()}"
        return f"{t}^^{t.datatype or 'http://www.w3.org/2001/XMLSchema#string'}"
    if isinstance(t, rdflib.URIRef):
        return str(t)
    if type(t).__name__ == "Literal":
        if t.language:
            return f"{t.value}@{t.language.lower()}"
        return f"{t.value}^^{t.datatype.value}"
    return str(t.value)


def expected_results(
    g: rdflib.Graph, report: rdflib.term.Node
) -> tuple[bool, Counter[tuple[Any, ...]]]:
    conforms = bool(g.value(report, SH.conforms).toPython())  # type: ignore[union-attr]
    keys: Counter[tuple[Any, ...]] = Counter()
    for r in g.objects(report, SH.result):
        keys[
            (
                _term_key(g.value(r, SH.focusNode)),
                _path_key(g, g.value(r, SH.resultPath)),
                _term_key(g.value(r, SH.value)),
                _term_key(g.value(r, SH.resultSeverity)),
                _term_key(g.value(r, SH.sourceShape)),
                _term_key(g.value(r, SH.sourceConstraintComponent)),
            )
        ] += 1
    return conforms, keys


def run_case(iri: str, manifest: pathlib.Path, engine: Engine) -> None:
    g = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    entry = rdflib.URIRef(iri)
    action = g.value(entry, MF.action)
    data_iri = str(g.value(action, SHT.dataGraph))
    shapes_iri = str(g.value(action, SHT.shapesGraph))
    data_path = _file(data_iri)
    shapes_path = _file(shapes_iri)
    data = Document(data_path.read_bytes(), "turtle", str(data_path), base_iri=data_iri)
    shapes = Document(shapes_path.read_bytes(), "turtle", str(shapes_path), base_iri=shapes_iri)
    expected = g.value(entry, MF.result)
    options = ValidationOptions(engine=engine, max_results=None)
    if expected == SHT.Failure:
        with pytest.raises(ValidationError):
            validate_documents([data], shapes, options)
        return
    report = validate_documents([data], shapes, options)
    assert report.engine == engine.value
    conforms, keys = expected_results(g, expected)
    got: Counter[tuple[Any, ...]] = Counter(
        (
            _term_key(r.focus),
            path_sparql(r.path) if r.path is not None else None,
            _term_key(r.value),
            _term_key(r.severity),
            _term_key(r.source_shape),
            _term_key(r.component),
        )
        for r in report.results
    )
    assert report.conforms == conforms
    assert got == keys, f"missing: {keys - got}\nextra: {got - keys}"


# Expected failures of either engine are in tests/known_failures.toml, keyed by test id.
@pytest.mark.slow
@pytest.mark.usefixtures("literals_as_written")
@pytest.mark.parametrize(("iri", "manifest"), _cases())
def test_w3c_compiled(iri: str, manifest: pathlib.Path) -> None:
    run_case(iri, manifest, Engine.COMPILED)


@pytest.mark.slow
@pytest.mark.usefixtures("literals_as_written")
@pytest.mark.parametrize(("iri", "manifest"), _cases())
def test_w3c_pyshacl_engine(iri: str, manifest: pathlib.Path) -> None:
    """The fallback engine goes through the same API and report model."""
    run_case(iri, manifest, Engine.PYSHACL)


def test_the_compiled_engine_has_few_expected_failures() -> None:
    compiled = [test for test in known_failures() if "::test_w3c_compiled[" in test]
    assert len(compiled) <= 3, compiled
