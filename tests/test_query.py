"""``cityref query``: every output format parses back to the same answer; limits hold."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result

from cityref.sparql.query import DumpStoreRef, QueryRequest, QueryWorker
from tests.conftest import RunCli
from tests.security.canary import canary_server

TOY = "https://example.org/toy#"
SELECT = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?school ?label WHERE {{
  ?school a <{TOY}School> ; rdfs:label ?label
}} ORDER BY ?school ?label
"""
CONSTRUCT = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?school rdfs:label ?label }}
WHERE {{ ?school a <{TOY}School> ; rdfs:label ?label }}
"""
# A cross product far too large to finish within the tests' one-second limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + "}"


def _expected_rows() -> set[tuple[rdflib.term.Node, ...]]:
    def ref(name: str) -> rdflib.URIRef:
        return rdflib.URIRef(TOY + name)

    return {
        (ref("school1"), rdflib.Literal("第一小学校", lang="ja")),
        (ref("school1"), rdflib.Literal("First Elementary School", lang="en")),
        (ref("school2"), rdflib.Literal('Tab\tand "quotes", commas', lang="en")),
    }


@pytest.fixture
def built(run_cli: RunCli) -> RunCli:
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    return run_cli


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_formats_parse_back_to_the_same_answer(built: RunCli, fmt: str) -> None:
    result = built("query", SELECT, "--format", fmt)
    assert result.exit_code == 0, result.output
    parsed = Result.parse(io.BytesIO(result.stdout_bytes), format=fmt)
    assert [str(v) for v in parsed.vars or []] == ["school", "label"]
    assert {tuple(row) for row in parsed} == _expected_rows()  # type: ignore[arg-type]


def test_csv_keeps_lexical_forms_only(built: RunCli) -> None:
    result = built("query", SELECT, "--format", "csv")
    assert result.exit_code == 0
    parsed = Result.parse(io.BytesIO(result.stdout_bytes), format="csv")
    # SPARQL CSV drops language tags and datatypes by design (W3C note, section 3.2).
    assert {tuple(str(t) for t in row) for row in parsed} == {  # type: ignore[union-attr]
        tuple(str(t) for t in row) for row in _expected_rows()
    }


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_in_every_result_format(built: RunCli, fmt: str) -> None:
    result = built("query", f"ASK {{ ?s a <{TOY}School> }}", "--format", fmt)
    assert result.exit_code == 0
    if fmt in ("json", "xml"):
        assert Result.parse(io.BytesIO(result.stdout_bytes), format=fmt).askAnswer is True
    else:
        assert result.stdout.split() == ["_askResult", "true"]


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")],
)
def test_construct_formats_parse_back_to_the_same_graph(
    built: RunCli, fmt: str, rdflib_format: str
) -> None:
    result = built("query", CONSTRUCT, "--format", fmt)
    assert result.exit_code == 0, result.output
    got = rdflib.Graph().parse(data=result.stdout_bytes, format=rdflib_format)
    expected = rdflib.Graph()
    for school, label in _expected_rows():
        expected.add((school, rdflib.RDFS.label, label))
    assert isomorphic(got, expected)


def test_default_format_off_a_terminal_is_json_or_turtle(built: RunCli) -> None:
    assert "results" in json.loads(built("query", SELECT).stdout)
    turtle = built("query", CONSTRUCT).stdout_bytes
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) == 3


def test_table_shows_rows_and_count(built: RunCli) -> None:
    result = built("query", SELECT, "--format", "table")
    assert "第一小学校@ja" in result.stdout
    assert "3 rows" in result.stdout


def test_query_from_file_and_stdin(built: RunCli, tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text(SELECT, encoding="utf-8")
    from_file = built("query", "-f", str(query_file), "--format", "json")
    from_stdin = built("query", "--format", "json", input=SELECT)
    from_dash = built("query", "-", "--format", "json", input=SELECT)
    assert from_file.exit_code == from_stdin.exit_code == from_dash.exit_code == 0
    assert from_file.stdout == from_stdin.stdout == from_dash.stdout


def test_syntax_error_exits_2_with_line_and_column(built: RunCli) -> None:
    result = built("query", "SELECT *\nWHERE { ?s ?p }")
    assert result.exit_code == 2
    assert re.search(r"line 2, column \d+", result.stderr), result.stderr
    assert "Traceback" not in result.output


def test_format_that_does_not_fit_the_query_form_is_refused(built: RunCli) -> None:
    result = built("query", CONSTRUCT, "--format", "csv")
    assert result.exit_code == 2
    assert "does not fit" in result.stderr


def test_query_over_the_time_limit_is_stopped_and_reported(built: RunCli) -> None:
    result = built("query", SLOW)
    assert result.exit_code == 3
    assert "time limit of 1 s" in result.stderr


def test_timeout_option_overrides_the_setting(built: RunCli) -> None:
    result = built("query", SLOW, "--timeout", "0.5")
    assert result.exit_code == 3
    assert "0.5 s" in result.stderr


def test_row_cap_cuts_and_says_so(built: RunCli) -> None:
    result = built("query", "SELECT * WHERE { ?s ?p ?o }", "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 5  # CITYREF_MAX_ROWS
    assert "cut at 5 rows" in result.stderr
    construct = built("query", "CONSTRUCT WHERE { ?s ?p ?o }", "--max-rows", "2")
    assert len(rdflib.Graph().parse(data=construct.stdout_bytes, format="turtle")) == 2


def test_no_store_is_a_clear_error(run_cli: RunCli) -> None:
    result = run_cli("query", "ASK {}")
    assert result.exit_code == 1
    assert "cityref build" in result.stderr


def test_memory_store_answers_without_writing(run_cli: RunCli, cli_env: dict[str, str]) -> None:
    result = run_cli("query", "--memory", SELECT, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 3
    assert not Path(cli_env["CITYREF_STORE"]).exists()


GRAPH = "https://w3id.org/cityref/graph/"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SERVICE"),
        (
            "PREFIX x: <http://127.0.0.1:1/>\n"
            "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT x:q { ?a ?b ?c } } }",
            "SERVICE",
        ),
        ("SELECT * FROM <http://127.0.0.1:1/data.ttl> WHERE { ?s ?p ?o }", "FROM <http"),
        ("SELECT * FROM NAMED <http://127.0.0.1:1/x> WHERE { ?s ?p ?o }", "FROM NAMED"),
    ],
)
def test_network_reaching_queries_are_refused_by_parsing(
    built: RunCli, query: str, says: str
) -> None:
    result = built("query", query)
    assert result.exit_code == 2
    assert says in result.stderr
    assert "refused" in result.stderr


def test_from_a_graph_of_the_store_restricts_the_dataset(built: RunCli) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <%s> WHERE { ?s ?p ?o }"
    places = built("query", query % (GRAPH + "registry/places"), "--format", "json")
    assert places.exit_code == 0, places.output
    assert json.loads(places.stdout)["results"]["bindings"][0]["n"]["value"] == "5"
    named = built(
        "query",
        f"SELECT DISTINCT ?g FROM NAMED <{GRAPH}shapes/facility> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "csv",
    )
    assert named.stdout.split() == ["g", GRAPH + "shapes/facility"]


def test_cli_refuses_service_behind_a_cr_comment_and_nothing_goes_out(built: RunCli) -> None:
    with canary_server() as canary:
        query = f"SELECT * WHERE {{ #x\rSERVICE SILENT <{canary.url}/x> {{ ?s ?p ?o }} }}"
        result = built("query", query)
        escaped = built("query", f"SELECT * FROM <{canary.url}/\\u0078> WHERE {{ ?s ?p ?o }}")
        assert canary.hits == []
    assert result.exit_code == 2 and "SERVICE is refused" in result.stderr
    assert escaped.exit_code == 2 and f"FROM <{canary.url}/x>" in escaped.stderr


def test_cli_refuses_what_would_crash_the_engine_with_the_limit_and_place(
    built: RunCli,
) -> None:
    result = built("query", "SELECT * WHERE {\n  FILTER(" + "!" * 10_000 + "true) }")
    assert result.exit_code == 2
    assert "line 2, column" in result.stderr and "prefix operators" in result.stderr


def test_cli_worker_runs_confined_under_the_memory_limit() -> None:
    """The CLI's worker (run_query) is the server's: same guard, sandbox and memory cap."""
    worker = QueryWorker(lambda: DumpStoreRef(b""), memory_mb=128)
    try:
        answer = worker.run(QueryRequest("ASK {}", "json", 5, 10.0))
        assert b"true" in answer.data
        assert worker.confinement is not None and worker.confinement.seccomp
    finally:
        worker.stop()
