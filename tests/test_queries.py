"""The architects' questions (tests/queries/NN-name.rq) give their expected answers.

Each question runs on the repository's Turtle (ontology/ and registry/, one named graph per
file) plus the OWL-RL closure of ontology/, the way the built store holds them. The expected
answer sits next to the question as NN-name.expected.csv: a header of variable names, then one
line per solution with lexical values (unbound = empty). Questions fix their own ORDER BY, so
the comparison is line by line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
import rdflib

REPO = Path(__file__).resolve().parents[1]
QUERIES = Path(__file__).resolve().parent / "queries"
BASE = "https://w3id.org/cityref/"
INFERRED = ox.NamedNode(BASE + "graph/inferred")
QUESTIONS = sorted(QUERIES.glob("*.rq"))


def _sources() -> list[Path]:
    return sorted((REPO / "ontology").rglob("*.ttl")) + sorted((REPO / "registry").rglob("*.ttl"))


def _closure_ntriples(ontology: list[Path]) -> bytes:
    """The triples OWL-RL adds to ontology/, as N-Triples (only the new ones).

    owlrl takes seconds on the whole ontology, so the result is kept in the temp directory
    under a digest of the inputs and the owlrl version: a changed file means a fresh closure.
    """
    digest = hashlib.sha256(owlrl.__version__.encode())
    for path in ontology:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    cached = Path(tempfile.gettempdir()) / f"cityref-test-closure-{digest.hexdigest()[:24]}.nt"
    if cached.is_file():
        return cached.read_bytes()
    graph = rdflib.Graph()
    for path in ontology:
        graph.parse(data=path.read_bytes(), format="turtle")
    asserted = set(graph)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    added = rdflib.Graph()
    for s, p, o in graph:
        if (s, p, o) in asserted or isinstance(s, rdflib.Literal):
            continue  # RDF 1.1 has no literal subjects; OWL-RL derives some
        if p == rdflib.OWL.sameAs and s == o:
            continue  # true of everything, and only bloats the store
        added.add((s, p, o))
    data = added.serialize(format="nt", encoding="utf-8")
    partial = cached.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(cached)  # atomic, so a parallel run never reads half a file
    return data


@pytest.fixture(scope="module")
def store() -> Iterator[ox.Store]:
    st = ox.Store()
    for path in _sources():
        graph = ox.NamedNode(BASE + "graph/" + path.relative_to(REPO).as_posix())
        try:
            st.load(path.read_bytes(), format=ox.RdfFormat.TURTLE, to_graph=graph)
        except SyntaxError as err:
            pytest.fail(f"{path.relative_to(REPO)} does not parse: {err}", pytrace=False)
    ontology = [p for p in _sources() if p.relative_to(REPO).parts[0] == "ontology"]
    st.load(_closure_ntriples(ontology), format=ox.RdfFormat.N_TRIPLES, to_graph=INFERRED)
    # An inferred triple that registry/ already states would answer twice in the union graph.
    for quad in list(st.quads_for_pattern(None, None, None, INFERRED)):
        if sum(1 for _ in st.quads_for_pattern(quad.subject, quad.predicate, quad.object)) > 1:
            st.remove(quad)
    yield st


def _lexical(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def answer(st: ox.Store, query: str) -> list[list[str]]:
    """Header and rows of a SELECT, as the expected files hold them."""
    result = st.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions), "questions are SELECT queries"
    names = [v.value for v in result.variables]
    return [names] + [[_lexical(solution[n]) for n in names] for solution in result]


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_there_are_at_least_twenty_questions() -> None:
    assert len(QUESTIONS) >= 20
    for rq in QUESTIONS:
        assert rq.with_suffix(".expected.csv").is_file(), f"{rq.name} has no expected answer"


@pytest.mark.parametrize("rq", QUESTIONS, ids=[q.stem for q in QUESTIONS])
def test_question(rq: Path, store: ox.Store) -> None:
    text = rq.read_text(encoding="utf-8")
    first, second = text.splitlines()[:2]
    assert first.startswith("# ja: ") and second.startswith("# en: "), (
        f"{rq.name} must open with the question in Japanese, then in English"
    )
    assert "ORDER BY" in text, f"{rq.name} needs an ORDER BY to be deterministic"
    expected = rq.with_suffix(".expected.csv").read_text(encoding="utf-8")
    got = answer(store, text)
    assert len(got) > 1, f"{rq.name} has no answer"
    assert to_csv(got) == expected
