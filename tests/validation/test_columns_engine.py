"""The column engine (cityref.tabular) against the compiled SPARQL path: the same located
results and summary on every tabular CSV profile's examples and every real CSV file in
tests/data/real, and one unit test per compiled component kind."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from bench.csv_validate import generate
from cityref.inputs.csv_header import Column as CsvColumn
from cityref.inputs.csv_header import TableSchema
from cityref.inputs.csv_input import convert_csv
from cityref.outcome.data import outcome_data
from cityref.profiles import check_input
from cityref.profiles.detection import NoProfileDetected
from cityref.profiles.registry import Profile, list_profiles
from cityref.tabular import check_csv_columns, compile_table_checks, reading
from cityref.validation import (
    Document,
    Engine,
    Language,
    Result,
    ValidationOptions,
    validate_documents,
)
from cityref.validation.errors import InputTooLarge, ValidationTimeout
from cityref.validation.loading import read_graph
from cityref.validation.progress import Progress, listening
from cityref.validation.shapes import ShapesGraph
from tests.conftest import REPO, REPO_MODEL

REAL = REPO / "tests" / "data" / "real"


def _csv_profiles() -> list[Profile]:
    return [
        p
        for p in list_profiles(REPO_MODEL)
        if p.input_kind == "csv" and len(p.table_schemas()) == 1
    ]


def _examples() -> list[tuple[str, Path]]:
    return [
        (p.id, f)
        for p in _csv_profiles()
        for f in sorted((p.directory / "examples").rglob("*.csv"))
    ]


def _outcome(data: bytes, name: str, profile: str | None, engine: Engine) -> dict[str, Any]:
    options = ValidationOptions(engine=engine, max_results=None)
    outcome = check_input(data, name, profile, options, model=REPO_MODEL)
    assert outcome.report.engine == ("columns" if engine == Engine.COLUMNS else "compiled"), (
        outcome.report.engine
    )
    doc = outcome_data(outcome, Language.EN)
    key = ("file", "row", "column", "severity", "component", "message", "focus", "path", "value")
    results = sorted(json.dumps({k: e[k] for k in key}, ensure_ascii=False) for e in doc["results"])
    summary = doc["summary"]
    shapes = sorted(e["shape"] for e in doc["results"] if not e["shape"].startswith("_:"))
    return {
        "results": results,
        "shapes": shapes,
        "summary": sorted(json.dumps(s, ensure_ascii=False, sort_keys=True) for s in summary),
        "counts": doc["counts"],
        "checked": doc["checked"],
        "verdict": doc["verdict"],
        "profile": doc["profile"],
    }


def _same(data: bytes, name: str, profile: str | None) -> None:
    columns = _outcome(data, name, profile, Engine.COLUMNS)
    compiled = _outcome(data, name, profile, Engine.COMPILED)
    assert columns == compiled


@pytest.mark.parametrize(
    ("profile", "path"), _examples(), ids=lambda v: v if isinstance(v, str) else v.name
)
def test_profile_examples_give_the_same_results(profile: str, path: Path) -> None:
    _same(path.read_bytes(), path.name, profile)


@pytest.mark.parametrize(
    "path", sorted(REAL.rglob("*.csv")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_real_files_give_the_same_results(path: Path) -> None:
    try:
        _same(path.read_bytes(), path.name, None)
    except NoProfileDetected:
        pytest.skip("no CSV profile detected")


# -- one constraint kind at a time, on a small table -----------------------------------------

EX = "http://example.org/t/"
PREFIXES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .
"""
TABLE = TableSchema(
    columns=(
        CsvColumn("name", ("name",), EX + "name"),
        CsvColumn("size", ("size",), EX + "size", "decimal"),
        CsvColumn("count", ("count",), EX + "count", "integer"),
        CsvColumn("start", ("start",), EX + "start", "date"),
        CsvColumn("end", ("end",), EX + "end", "date"),
    ),
    row_class=EX + "Record",
)
CSV = (
    "name,size,count,start,end\n"
    "Abc,10,1,2024-01-01,2024-02-01\n"
    ",10.0,01,2024-03-01,2024-02-01\n"
    "abc,abc,x,2024-02-30,2024-01-01\n"
    "ABCD,-3.5,2,not a date,2024-01-01\n"
    "a b,123456789012345678901,99999999999999999999,2024-01-01,\n"
    ",,,,\n"
    "ｱｲｳ,.5,+3,2023-12-31,2024-01-01\n"
    "x,1.,-0,,2024-01-01\n"
    ",x,y,2024-01-01,2024-01-02\n"
)
CASES = {
    "MinCount": "ex:name sh:minCount 1",
    "MaxCount": "ex:size sh:maxCount 0",
    "Datatype": "ex:size sh:datatype xsd:decimal",
    "Datatype-integer": "ex:count sh:datatype xsd:integer",
    "NodeKind": "ex:name sh:nodeKind sh:IRI",
    "Pattern": 'ex:name sh:pattern "^ab" ; sh:flags "i"',
    "Pattern-unicode": 'ex:name sh:pattern "^[^｡-ﾟ]*$"',
    "MinInclusive": "ex:size sh:minInclusive 10",
    "MaxExclusive": "ex:size sh:maxExclusive 10.0",
    "MinExclusive": "ex:count sh:minExclusive 0",
    "MaxInclusive": "ex:count sh:maxInclusive 2",
    "MinLength": "ex:name sh:minLength 3",
    "MaxLength": "ex:name sh:maxLength 3",
    "In": 'ex:count sh:in ( "1" 2 "x" )',
    "In-strings": 'ex:name sh:in ( "Abc" "x" )',
    "LessThanOrEquals": "ex:start sh:lessThanOrEquals ex:end",
    "LessThan": "ex:size sh:lessThan ex:count",
}
LOGICAL = {
    "Not": """sh:not [ sh:property [ sh:path ex:size ; sh:minInclusive 0 ] ,
                                    [ sh:path ex:count ; sh:minCount 1 ] ]""",
    "Or": """sh:or ( [ sh:property [ sh:path ex:name ; sh:minCount 1 ] ]
                     [ sh:property [ sh:path ex:size ; sh:datatype xsd:decimal ] ] )""",
}


def _shapes(case: str) -> bytes:
    if case in LOGICAL:
        body = f"ex:S a sh:NodeShape ; sh:targetClass ex:Record ; {LOGICAL[case]} ."
    else:
        path, _, rest = CASES[case].partition(" ")
        body = (
            "ex:S a sh:NodeShape ; sh:targetClass ex:Record ; sh:property ex:P .\n"
            f"ex:P a sh:PropertyShape ; sh:path {path} ; {rest} ."
        )
    return (PREFIXES + body).encode()


def _terms(results: Sequence[Result]) -> list[tuple[str, ...]]:
    """Results as text, blank nodes as ``_:b`` (each parse of the shapes labels them anew)."""
    rows = (
        (
            str(r.focus),
            str(r.path),
            str(r.value),
            str(r.component),
            str(r.source_shape),
            *tuple(v for _, v in r.detail),
        )
        for r in results
    )
    return sorted(tuple(re.sub(r"_:\w+", "_:b", t) for t in row) for row in rows)


def _both_engines(shapes: Document) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The results of the SPARQL path and of the column engine on CSV, as text."""
    options = ValidationOptions(max_results=None)
    converted = convert_csv(CSV.encode(), "t.csv", TABLE)
    rdf = Document(converted.ntriples, "ntriples", canonical=True)
    expected = validate_documents([rdf], shapes, options).results
    columns = replace(options, engine=Engine.COLUMNS)
    report, _ = check_csv_columns(CSV.encode(), "t.csv", TABLE, shapes, columns, model=REPO_MODEL)
    return _terms(expected), _terms(report.results)


@pytest.mark.parametrize("case", [*CASES, *LOGICAL])
def test_each_compiled_component_matches_the_sparql_path(case: str) -> None:
    shapes = Document(_shapes(case), "turtle", "<test shapes>")
    expected, found = _both_engines(shapes)
    assert expected, "the case must break its constraint somewhere"
    assert found == expected
    # The constraint is a column expression (numbers past 15 digits aside), not the engine's.
    graph = ShapesGraph(read_graph(shapes.data, "turtle"))
    positions = {c.property_url: i for i, c in enumerate(TABLE.columns)}
    checks = compile_table_checks(graph, TABLE, positions, {NamedNode(EX + "Record")}, {})
    component = case.split("-")[0]
    assert any(
        c.component.value.endswith(f"#{component}ConstraintComponent") for c in checks.checks
    )
    assert all(u.only_rows is not None for u in checks.engine_units)


def test_a_row_local_sparql_component_is_asked_once_per_distinct_value() -> None:
    shapes = (
        PREFIXES
        + """
ex:Even a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:even ] ;
    sh:validator [ a sh:SPARQLAskValidator ;
        sh:ask "ASK { FILTER(STRLEN(STR($value)) - 2 * FLOOR(STRLEN(STR($value)) / 2) = 0) }" ] .
ex:S a sh:NodeShape ; sh:targetClass ex:Record ; sh:property [ sh:path ex:name ; ex:even true ] .
"""
    )
    expected, found = _both_engines(Document(shapes.encode(), "turtle", "<test shapes>"))
    assert expected
    assert found == expected


# -- reading: the same rows, row numbers and cells as the CSV adapter ------------------------


def _tricky(quoted: bool) -> bytes:
    """The benchmark's facilities (with their defects) and blank rows, short and long rows,
    whitespace-only rows and (``quoted``) a quoted cell with a comma and a line break."""
    lines = generate(300, REPO_MODEL).decode("cp932").splitlines()
    header, rows = lines[0], lines[1:]
    rows[2:2] = ["", ",,,", " ,\u3000,\x1c", rows[0] + ",,extra,", rows[1].rsplit(",", 5)[0]]
    if quoted:
        rows.insert(4, rows[3].replace(",", ',"a, ""b""\nc",', 1))
    return ("\r\n".join([header, *rows]) + "\r\n").encode("cp932", errors="replace")


@pytest.mark.parametrize("quoted", [False, True], ids=["split-by-polars", "python-csv"])
@pytest.mark.parametrize("chunk_rows", [2, 50_000])
def test_tricky_rows_in_small_chunks(
    quoted: bool, chunk_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "CHUNK_ROWS", chunk_rows)
    data = _tricky(quoted)
    assert (b'"' in data) == quoted
    _same(data, "tricky.csv", "ods-public-facility")
    _same(b"\xef\xbb\xbf" + data.decode("cp932").encode(), "tricky.csv", "ods-public-facility")


def test_the_limits_of_a_run_hold() -> None:
    shapes = Document(_shapes("MinCount"), "turtle", "<test shapes>")
    timed = ValidationOptions(engine=Engine.COLUMNS, time_limit=1e-9)
    with pytest.raises(ValidationTimeout):
        check_csv_columns(CSV.encode(), "t.csv", TABLE, shapes, timed, model=REPO_MODEL)
    small = ValidationOptions(engine=Engine.COLUMNS, max_input_bytes=len(CSV) - 1)
    with pytest.raises(InputTooLarge):
        check_csv_columns(CSV.encode(), "t.csv", TABLE, shapes, small, model=REPO_MODEL)


LEFT_TO_SPARQL = {
    "unique": '''ex:S a sh:NodeShape ; sh:targetClass ex:Record ;
        sh:sparql [ sh:select """SELECT $this ?value WHERE { $this ex:end ?value .
            ?other ex:end ?value . FILTER(?other != $this) }""" ;
            sh:prefixes ex:Prefixes ] .
        ex:Prefixes sh:declare [ sh:prefix "ex" ;
            sh:namespace "http://example.org/t/"^^xsd:anyURI ] .''',
    "subjects-of": """ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:size ;
        sh:property [ sh:path ex:name ; sh:minCount 1 ] .""",
    "class": "ex:S a sh:NodeShape ; sh:targetClass ex:Record ; sh:property "
    "[ sh:path ex:name ; sh:class ex:Record ] .",
    "deactivated": """ex:S a sh:NodeShape ; sh:targetClass ex:Record ; sh:deactivated true ;
        sh:property [ sh:path ex:name ; sh:minCount 1 ] .""",
}


@pytest.mark.parametrize("case", LEFT_TO_SPARQL)
def test_shapes_left_to_the_sparql_engine_see_the_rows(case: str) -> None:
    shapes = Document((PREFIXES + LEFT_TO_SPARQL[case]).encode(), "turtle", "<test shapes>")
    expected, found = _both_engines(shapes)
    assert bool(expected) == (case != "deactivated")
    assert found == expected


def test_a_cut_report_keeps_the_results_of_the_first_rows() -> None:
    shapes = Document(_shapes("Pattern"), "turtle", "<test shapes>")
    options = ValidationOptions(engine=Engine.COLUMNS, max_results=1)
    report, _ = check_csv_columns(CSV.encode(), "t.csv", TABLE, shapes, options, model=REPO_MODEL)
    _, every = _both_engines(shapes)
    assert report.truncated and len(every) > 1
    assert [str(r.focus.value) for r in report.results] == ["urn:cityref:input:t.csv#row=6"]


def test_progress_is_reported_per_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "CHUNK_ROWS", 100)
    seen: list[Progress] = []
    with listening(seen.append):
        _outcome(generate(250, REPO_MODEL), "f.csv", "ods-public-facility", Engine.COLUMNS)
    checks = [(p.done, p.total) for p in seen if p.stage == "check"]
    assert [done for done, _ in checks] == [100, 200, 250]
    assert checks[-1] == (250, 250)  # the estimate of the total is exact at the end
