"""References between files checked as anti-joins (cityref.tabular.references)
give the results the compiled engine gives for the same sh:class shapes on the same nodes."""

from __future__ import annotations

from urllib.parse import quote

import polars as pl
from pyoxigraph import NamedNode

from cityref.tabular.references import (
    NAME,
    ROW,
    VALUE,
    Link,
    Minting,
    Naming,
    compile_references,
    dangling,
    key_frame,
)
from cityref.validation import Document, validate_documents
from cityref.validation.graph import Graph
from cityref.validation.loading import read_graph
from cityref.validation.shapes import ShapesGraph

EX = "https://example.org/g#"
FEED = "urn:test:feed.zip"
SH = "http://www.w3.org/ns/shacl#"
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <{EX}> .
ex:Station rdfs:subClassOf ex:Stop .
ex:StopTimeShape a sh:NodeShape ; sh:targetClass ex:StopTime ;
  sh:property ex:stopRef , ex:tripRef , ex:seqRequired .
ex:stopRef sh:path ex:stop ; sh:class ex:Stop ; sh:message "no such stop"@en .
ex:tripRef sh:path ex:trip ; sh:class ex:Trip ; sh:severity sh:Warning .
ex:seqRequired sh:path ex:seq ; sh:minCount 1 .
ex:TripShape a sh:NodeShape ; sh:targetClass ex:Trip ; sh:property ex:serviceRef .
ex:serviceRef sh:path ex:service ; sh:class ex:Service .
ex:OddShape a sh:NodeShape ; sh:targetNode ex:x ; sh:property ex:oddRef .
ex:oddRef sh:path ex:other ; sh:class ex:Stop .
"""

MINT = Minting(
    node=lambda prefix, key: f"{FEED}{prefix}{quote(key, safe='')}",
    row=lambda file, row: f"{FEED}/{file}#row={row}",
)
LINKS = [
    Link("stop_times.txt", "stop_id", EX + "stop", "#stop=", EX + "StopTime"),
    Link("stop_times.txt", "trip_id", EX + "trip", "#trip=", EX + "StopTime"),
    Link("trips.txt", "service_id", EX + "service", "#service=", EX + "Trip", "#trip="),
]
NAMINGS = [
    Naming("stops.txt", "stop_id", "#stop=", frozenset({EX + "Stop"})),
    Naming("stations.txt", "station_id", "#stop=", frozenset({EX + "Station"})),
    Naming("trips.txt", "trip_id", "#trip=", frozenset({EX + "Trip"})),
    Naming("calendar_dates.txt", "service_id", "#service=", frozenset({EX + "Service"})),
    Naming("routes.txt", "route_id", "#route=", frozenset({EX + "Stop"})),  # other prefix
]
KEYS = {
    ("stops.txt", "stop_id"): ["S1", "S 2"],
    ("stations.txt", "station_id"): ["P1"],
    ("trips.txt", "trip_id"): ["T1", "T2"],
    ("calendar_dates.txt", "service_id"): ["weekday", "weekday"],
    ("routes.txt", "route_id"): ["S9"],
}
# stop_times.txt: row, trip_id, stop_id (S 2 has a space; S9 is a route, not a stop).
STOP_TIMES = [(2, "T1", "S1"), (3, "T1", "P1"), (4, "T3", "S 2"), (5, "T1", "S9"), (7, "T2", "x/y")]
# trips.txt: row, trip_id (named by the first row only), service_id.
TRIPS = [(2, "T1", "weekday"), (3, "T2", "holiday"), (4, "T2", "sunday")]


def _turtle_data() -> bytes:
    """The nodes the GTFS adapter would make of the same cells."""
    lines: list[str] = []
    for (file, column), keys in KEYS.items():
        naming = next(n for n in NAMINGS if (n.file, n.column) == (file, column))
        for key in keys:
            for cls in naming.classes:
                lines.append(f"<{MINT.node(naming.prefix, key)}> a <{cls}> .")
    for row, trip, stop in STOP_TIMES:
        focus = MINT.row("stop_times.txt", row)
        lines.append(f"<{focus}> a <{EX}StopTime> ; <{EX}seq> 1 .")
        lines.append(f"<{focus}> <{EX}trip> <{MINT.node('#trip=', trip)}> .")
        lines.append(f"<{focus}> <{EX}stop> <{MINT.node('#stop=', stop)}> .")
    named: set[str] = set()
    for row, trip, service in TRIPS:
        focus = MINT.node("#trip=", trip) if trip not in named else MINT.row("trips.txt", row)
        named.add(trip)
        lines.append(
            f"<{focus}> a <{EX}Trip> ; <{EX}service> <{MINT.node('#service=', service)}> ."
        )
    return "\n".join(lines).encode()


def _by_joins(shapes: ShapesGraph) -> list[object]:
    checks, covered = compile_references(shapes, LINKS, NAMINGS, [Graph()])
    assert {c.value for c in covered} == {EX + "stopRef", EX + "tripRef", EX + "serviceRef"}
    frames = {
        "stop_times.txt": {
            "stop_id": pl.DataFrame(
                {
                    ROW: [r for r, _, _ in STOP_TIMES],
                    NAME: [None] * 5,
                    VALUE: [s for *_, s in STOP_TIMES],
                },
                schema={ROW: pl.Int64, NAME: pl.String, VALUE: pl.String},
            ),
            "trip_id": pl.DataFrame(
                {
                    ROW: [r for r, _, _ in STOP_TIMES],
                    NAME: [None] * 5,
                    VALUE: [t for _, t, _ in STOP_TIMES],
                },
                schema={ROW: pl.Int64, NAME: pl.String, VALUE: pl.String},
            ),
        },
        "trips.txt": {
            "service_id": pl.DataFrame(
                {ROW: [2, 3, 4], NAME: ["T1", "T2", None], VALUE: [s for *_, s in TRIPS]}
            )
        },
    }
    results: list[object] = []
    for check in checks:
        keys = key_frame(pl.Series(KEYS[(n.file, n.column)]) for n in check.sources)
        cells = frames[check.link.file][check.link.column]
        results += [r for _, r in dangling(check, cells, keys, MINT)]
    return results


def test_anti_joins_give_the_compiled_engines_results() -> None:
    shapes_bytes = SHAPES.encode()
    shapes = ShapesGraph(read_graph(shapes_bytes, "turtle"))
    report = validate_documents(
        [Document(_turtle_data(), "turtle")], Document(shapes_bytes, "turtle")
    )
    references = [r for r in report.results if r.component_name == "Class"]
    joined = _by_joins(shapes)
    assert sorted(map(repr, joined)) == sorted(map(repr, references))
    assert len(joined) == 5  # T3, S9, x/y; holiday; and sunday on the duplicate trip's row
    focus = {r.focus for r in joined if r.value == NamedNode(MINT.node("#service=", "sunday"))}
    assert focus == {NamedNode(MINT.row("trips.txt", 4))}


def test_a_shape_that_says_more_than_sh_class_is_left_to_the_sparql_path() -> None:
    more = SHAPES + f"<{EX}stopRef> <{SH}nodeKind> <{SH}IRI> .\n"
    shapes = ShapesGraph(read_graph(more.encode(), "turtle"))
    checks, covered = compile_references(shapes, LINKS, NAMINGS)
    assert NamedNode(EX + "stopRef") not in covered
    assert {c.shape.node for c in checks} == {
        NamedNode(EX + "tripRef"),
        NamedNode(EX + "serviceRef"),
    }
