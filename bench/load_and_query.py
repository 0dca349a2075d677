"""Load and query: rdflib against pyoxigraph on the same generated city data, in one run.

Usage: python bench/load_and_query.py [--triples N] [--markdown]

The data: facilities with bilingual names, coordinates, municipality codes and operators, the
shape of the standard open data sets. The query: facilities per municipality with a name in
both languages, the kind of question the Reference Model's users ask.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import rdflib

QUERY = """
PREFIX ex: <https://example.org/city#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?code (COUNT(?f) AS ?n) WHERE {
  ?f a ex:Facility ; ex:municipality ?code ; rdfs:label ?ja, ?en .
  FILTER(LANG(?ja) = "ja" && LANG(?en) = "en")
} GROUP BY ?code ORDER BY ?code
"""


def generate(triples: int, seed: int = 7) -> bytes:
    """Turtle with about ``triples`` triples (7 per facility)."""
    rng = random.Random(seed)
    lines = [
        "@prefix ex: <https://example.org/city#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for i in range(triples // 7):
        code = f"{rng.randrange(1, 48):02d}{rng.randrange(100, 999)}0"
        lines.append(
            f'ex:f{i} a ex:Facility ; rdfs:label "施設{i}"@ja, "Facility {i}"@en ; '
            f'ex:municipality "{code}" ; ex:lat "{rng.uniform(24, 46):.5f}"^^xsd:decimal ; '
            f'ex:lon "{rng.uniform(122, 154):.5f}"^^xsd:decimal ; ex:operator ex:org{i % 500} .'
        )
    return "\n".join(lines).encode()


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def run(triples: int) -> list[tuple[str, float, float, int]]:
    data = generate(triples)
    rows: list[tuple[str, float, float, int]] = []

    def rdflib_load() -> rdflib.Graph:
        return rdflib.Graph().parse(data=data, format="turtle")

    load_s, graph = timed(rdflib_load)
    query_s, answer = timed(lambda: list(graph.query(QUERY)))
    rows.append(("rdflib", load_s, query_s, len(answer)))

    def oxigraph_load() -> ox.Store:
        store = ox.Store()
        store.bulk_load(data, format=ox.RdfFormat.TURTLE)
        return store

    load_s, store = timed(oxigraph_load)
    query_s, answer = timed(lambda: list(store.query(QUERY)))
    rows.append(("pyoxigraph", load_s, query_s, len(answer)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=100_000)
    args = parser.parse_args()
    rows = run(args.triples)
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, rdflib {rdflib.__version__}, "
        f"pyoxigraph {ox.__version__}"
    )
    print(f"triples: {args.triples}")
    print("| engine | load (s) | query (s) | rows |")
    print("| --- | ---: | ---: | ---: |")
    for name, load_s, query_s, count in rows:
        print(f"| {name} | {load_s:.2f} | {query_s:.3f} | {count} |")


if __name__ == "__main__":
    main()
