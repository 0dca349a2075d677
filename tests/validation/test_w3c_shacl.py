"""The W3C SHACL test suite (core + sparql), run from its manifests.

Results are compared the way pySHACL's test harness does: the conforms flag and the multiset
of results keyed by focus node, path, value, severity, source shape and source constraint
component. Blank nodes are compared as "some blank node"; complex paths structurally.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from typing import Any

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

SUITE = pathlib.Path("/work/shared/conformance/w3c-shacl-test-suite/tests")
if not SUITE.exists():  # pragma: no cover - a checkout without the shared suites
    SUITE = (
        pathlib.Path(__file__).resolve().parents[3]
        / "shared/conformance/w3c-shacl-test-suite/tests"
    )

rdflib.NORMALIZE_LITERALS = False  # compare lexical forms as written
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")

# The only expected failures of the compiled engine, keyed by test IRI (relative to the
# suite's tests/ folder), each with its reason. Currently none.
EXPECTED_FAILURES: dict[str, str] = {}

# pySHACL's own deviations from the suite (it is the oracle and fallback, not the subject).
_RDFLIB_NORMALISES = "rdflib rewrites ill-formed typed literals' lexical forms when parsing"
_NO_REFUSAL = "pySHACL does not refuse SPARQL that pre-binding cannot support"
PYSHACL_EXPECTED_FAILURES: dict[str, str] = {
    "core/property/datatype-001": _RDFLIB_NORMALISES,
    "core/property/or-datatypes-001": _RDFLIB_NORMALISES,
    "core/property/uniqueLang-002": 'pySHACL treats "1"^^xsd:boolean as true',
    "sparql/node/prefixes-001": "pySHACL does not follow local owl:imports for sh:prefixes",
    "sparql/pre-binding/shapesGraph-001": "pySHACL does not support $shapesGraph",
    "sparql/pre-binding/pre-binding-006": _NO_REFUSAL,
    **{f"sparql/pre-binding/unsupported-sparql-00{i}": _NO_REFUSAL for i in range(1, 7)},
}


def _relative(iri: str) -> str:
    """A test IRI relative to the suite's tests/ folder, e.g. ``core/node/class-001``."""
    return iri.split("/tests/", 1)[-1]


def _entries(
    manifest: pathlib.Path,
) -> list[tuple[str, pathlib.Path, rdflib.Graph, rdflib.term.Node]]:
    g = rdflib.Graph().parse(manifest, format="turtle")
    out = []
    for inc in g.objects(None, MF.include):
        out += _entries(pathlib.Path(str(inc).removeprefix("file://")))
    for head in g.objects(None, MF.entries):
        for entry in Collection(g, head):
            out.append((str(entry), manifest, g, entry))
    return out


def _cases() -> list[Any]:
    cases = []
    for part in ("core", "sparql"):
        for iri, manifest, g, entry in _entries(SUITE / part / "manifest.ttl"):
            cases.append(pytest.param(iri, manifest, g, entry, id=iri.split("/tests/", 1)[-1]))
    return cases


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


def run_case(
    manifest: pathlib.Path, g: rdflib.Graph, entry: rdflib.term.Node, engine: Engine
) -> None:
    action = g.value(entry, MF.action)
    data_iri = str(g.value(action, SHT.dataGraph))
    shapes_iri = str(g.value(action, SHT.shapesGraph))
    data_path = pathlib.Path(data_iri.removeprefix("file://"))
    shapes_path = pathlib.Path(shapes_iri.removeprefix("file://"))
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


@pytest.mark.slow
@pytest.mark.parametrize(("iri", "manifest", "graph", "entry"), _cases())
def test_w3c_compiled(
    iri: str, manifest: pathlib.Path, graph: rdflib.Graph, entry: rdflib.term.Node
) -> None:
    if _relative(iri) in EXPECTED_FAILURES:
        pytest.xfail(EXPECTED_FAILURES[_relative(iri)])
    run_case(manifest, graph, entry, Engine.COMPILED)


@pytest.mark.slow
@pytest.mark.parametrize(("iri", "manifest", "graph", "entry"), _cases())
def test_w3c_pyshacl_engine(
    iri: str, manifest: pathlib.Path, graph: rdflib.Graph, entry: rdflib.term.Node
) -> None:
    """The fallback engine goes through the same API and report model."""
    if _relative(iri) in PYSHACL_EXPECTED_FAILURES:
        pytest.xfail(PYSHACL_EXPECTED_FAILURES[_relative(iri)])
    run_case(manifest, graph, entry, Engine.PYSHACL)


def test_expected_failures_are_few() -> None:
    assert len(EXPECTED_FAILURES) <= 3
