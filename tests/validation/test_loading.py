"""Loading data into the validation store keeps every term exactly (see terms.py)."""

from __future__ import annotations

import pyoxigraph
import pytest

from cityref.validation import loading
from cityref.validation.terms import decode, encode_quad

TTL = b"""@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _rows(n: int) -> bytes:
    lines = []
    for i in range(n):
        lines.append(
            f'ex:s{i} ex:p "0{i}"^^xsd:integer , {i} , "{i}"^^xsd:int , "{i}.50"^^xsd:decimal , '
            f'"{i}.25"^^xsd:decimal , "1"^^xsd:boolean , "a \\" b {i}" , "x"@en-GB , '
            f'"2020-01-0{i % 9 + 1}"^^xsd:date , "1.5E{i}"^^xsd:double , "abc"^^xsd:int , '
            f'"> \\" {i}"^^xsd:integer , "{i}"^^xsd:string , "a\\"b"^^xsd:decimal .'
        )
    return TTL + "\n".join(lines).encode()


@pytest.mark.parametrize("quads", [7, 1 << 20])
def test_fast_path_equals_the_per_quad_path(monkeypatch: pytest.MonkeyPatch, quads: int) -> None:
    data = _rows(300)
    monkeypatch.setattr(loading, "_QUADS_PER_CHUNK", quads)
    fast = loading.load_store([(data, "turtle", "a.ttl")])
    slow = pyoxigraph.Store()
    slow.extend([encode_quad(q) for q in pyoxigraph.parse(data, pyoxigraph.RdfFormat.TURTLE)])
    assert set(fast) == set(slow)
    # ... and decoding gives back the data exactly as written.
    written = {
        (q.subject, q.predicate, q.object)
        for q in pyoxigraph.parse(data, pyoxigraph.RdfFormat.TURTLE)
    }
    assert {(q.subject, q.predicate, decode(q.object)) for q in fast} == written


@pytest.mark.parametrize("quads", [1, 1 << 20])
def test_blank_nodes_become_iris_and_come_back(monkeypatch: pytest.MonkeyPatch, quads: int) -> None:
    monkeypatch.setattr(loading, "_QUADS_PER_CHUNK", quads)
    data = TTL + b'_:a ex:p _:b , [ ex:q "_:c ." ] .\n_:b ex:p "ends _:x" .'
    store = loading.load_store([(data, "turtle", "a.ttl")])
    triples = list(store)
    assert all(
        not isinstance(t, pyoxigraph.BlankNode) for q in triples for t in (q.subject, q.object)
    )
    objects = {decode(q.object) for q in triples}
    assert pyoxigraph.Literal("_:c .") in objects and pyoxigraph.Literal("ends _:x") in objects
    assert sum(isinstance(decode(q.subject), pyoxigraph.BlankNode) for q in triples) == 4
    # _:b is one node even when its two triples come in different batches.
    b = next(q.subject for q in triples if q.object == pyoxigraph.Literal("ends _:x"))
    assert any(q.object == b for q in triples)


@pytest.mark.parametrize("chunk", [64, 1 << 20])
def test_canonical_ntriples_load_as_the_round_trip_does(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Adapters' N-Triples skip the parse round trip and give the very same store."""
    monkeypatch.setattr(loading, "_CHUNK", chunk)
    data = _rows(50)
    nt = pyoxigraph.serialize(
        pyoxigraph.parse(data, pyoxigraph.RdfFormat.TURTLE), format=pyoxigraph.RdfFormat.N_TRIPLES
    )
    assert nt is not None
    direct = loading.load_store([(nt, "ntriples", "a.nt")], canonical=True)
    round_trip = loading.load_store([(data, "turtle", "a.ttl")])
    assert set(direct) == set(round_trip)


def test_canonical_ntriples_are_still_checked() -> None:
    with pytest.raises(loading.RdfSyntaxError):
        loading.load_store([(b"<a> <b> broken .\n", "ntriples", "a.nt")], canonical=True)
