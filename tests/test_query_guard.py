"""The query guard reads tokens: keywords in strings, IRIs, comments or names are not keywords."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityref.errors import QueryRefused, QuerySyntaxError
from cityref.sparql.guard import (
    MAX_EXPRESSION_DEPTH,
    MAX_LIST_ITEMS,
    MAX_NESTING,
    MAX_PATH_STEPS,
    MAX_PATTERN_OPERATORS,
    MAX_TRIPLE_PATTERNS,
    MAX_UNARY_CHAIN,
    check_query,
    check_update,
    pattern_graphs,
    tokens,
)

GRAPHS = {"https://w3id.org/cityref/graph/ontology/core"}


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> LOAD <http://y/>",
        "SELECT ?SERVICE ?load WHERE { ?SERVICE <http://e/SERVICE> ?load }",
        "PREFIX ex: <http://e/>\nSELECT * WHERE { ?s ex:LOAD '''two\nlines SERVICE''' }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        "PREFIX g: <https://w3id.org/cityref/graph/>\nSELECT * FROM g:ontology\\/core WHERE {}",
        "BASE <https://w3id.org/cityref/graph/>\nSELECT * FROM NAMED <ontology/core> WHERE {}",
    ],
)
def test_allowed(query: str) -> None:
    check_query(query, GRAPHS)


@pytest.mark.parametrize(
    ("query", "line", "says"),
    [
        ("select * where { service <http://x/> { ?s ?p ?o } }", 1, "SERVICE"),
        ("SELECT *\nWHERE {\n  SERVICE SILENT ?endpoint { ?s ?p ?o } }", 3, "SERVICE"),
        ("PREFIX e: <http://evil/>\nSELECT * FROM e:x WHERE {}", 2, "FROM <http://evil/x>"),
        ("BASE <file:///etc/>\nSELECT * FROM <passwd> WHERE {}", 2, "file:///etc/passwd"),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/> WHERE {}", 1, "FROM NAMED"),
        ("SELECT * WHERE " + "{" * (MAX_NESTING + 1), 1, "nests deeper"),
        ("SELECT * FROM undeclared:g WHERE {}", 1, "undeclared prefix"),
    ],
)
def test_refused_with_position(query: str, line: int, says: str) -> None:
    with pytest.raises(QueryRefused) as caught:
        check_query(query, GRAPHS)
    assert f"line {line}," in str(caught.value)
    assert says in str(caught.value)


def test_updates_with_load_or_service_are_refused() -> None:
    for update in ("LOAD <http://x/>", "INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> {} }"):
        with pytest.raises(QueryRefused):
            check_update(update)
    check_update("INSERT DATA { <http://a> <http://b> 'LOAD' }")


def test_dataset_clauses_are_reported() -> None:
    plan = check_query(
        "SELECT * FROM <https://w3id.org/cityref/graph/ontology/core> WHERE {}", GRAPHS
    )
    assert plan.from_graphs == ("https://w3id.org/cityref/graph/ontology/core",)
    assert plan.has_dataset


@pytest.mark.parametrize(
    ("query", "graphs"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", frozenset()),
        ("PREFIX g: <urn:g:> SELECT * WHERE { GRAPH g:a { ?s ?p ?o } }", frozenset({"urn:g:a"})),
        ("BASE <urn:g:> ASK { FILTER EXISTS { GRAPH <b> { ?s ?p ?o } } }", None),
        ("BASE <http://x.org/g/> ASK { GRAPH <b> { ?s ?p ?o } }", frozenset({"http://x.org/g/b"})),
        ("SELECT * WHERE { GRAPH <urn:g:a> {} GRAPH ?g { ?s ?p ?o } }", None),
        ('SELECT * WHERE { ?s ?p "GRAPH ?g {}" } # GRAPH ?h {}', frozenset()),
        # CONSTRUCT WHERE's short form matches its GRAPH blocks as patterns too.
        ("CONSTRUCT WHERE { GRAPH <urn:g:a> { ?s ?p ?o } }", frozenset({"urn:g:a"})),
        ("CONSTRUCT WHERE { GRAPH ?g { ?s ?p ?o } }", None),
    ],
)
def test_graphs_of_graph_patterns_are_reported(query: str, graphs: frozenset[str] | None) -> None:
    """A remote store names in its request only the named graphs a query can match."""
    assert pattern_graphs(query) == graphs


@settings(max_examples=200, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_characters="'\\\n\r"), max_size=40))
def test_any_string_content_is_data_not_keywords(content: str) -> None:
    check_query(f"SELECT * WHERE {{ ?s ?p 'SERVICE {content}' }}", GRAPHS)


@settings(max_examples=200, derandomize=True)
@given(st.text(max_size=200))
def test_tokenizer_never_fails_and_covers_every_line(text: str) -> None:
    found = list(tokens(text))
    assert all(t.line >= 1 and t.column >= 1 for t in found)


# -- the engine's own lexical rules (issue 11) ---------------------------------------------
SERVICE_DISGUISES = {
    "comment ended by CR": "SELECT * WHERE { #x\rSERVICE SILENT <http://127.0.0.1:9/x> { } }",
    "comment ended by CRLF": "SELECT * WHERE { #x\r\nSERVICE <http://127.0.0.1:9/x> { } }",
    "form feed inside a comment": "SELECT * WHERE { #x\f\rSERVICE <http://127.0.0.1:9/x> { } }",
    "lower case": "select * where { service <http://127.0.0.1:9/x> { } }",
    "no word boundary": "SELECT * WHERE { SERVICESILENT <http://127.0.0.1:9/x> { } }",
    "escaped IRI": "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:9/\\U00000078> { } }",
    "prefixed name": "PREFIX c: <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE c:x { } }",
    "BASE": "BASE <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE <x> { } }",
    "sub-select": "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://h/> { } } } }",
    "EXISTS": "SELECT * WHERE { FILTER EXISTS { SERVICE <http://h/> { } } }",
    "NOT EXISTS in BIND": "SELECT * WHERE { BIND(NOT EXISTS { SERVICE <http://h/> { } } AS ?x) }",
    "OPTIONAL": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://h/> { } } }",
    "MINUS": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://h/> { } } }",
    "UNION": "SELECT * WHERE { {} UNION { SERVICE <http://h/> { } } }",
    "GRAPH": "SELECT * WHERE { GRAPH ?g { SERVICE <http://h/> { } } }",
    "after a path": "SELECT * WHERE { ?s <http://e/p>/^<http://e/q>* ?o . SERVICE <http://h/> {} }",
    "ex:a.b.SERVICE": "PREFIX ex: <http://e/>\nSELECT * { ?s ?p ex:a.b.SERVICE <http://h/> {} }",
    "ASK": "ASK { SERVICE <http://h/> { } }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://h/> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", list(SERVICE_DISGUISES))
def test_service_is_found_however_it_is_written(name: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE is refused"):
        check_query(SERVICE_DISGUISES[name], GRAPHS)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT * FROM <http://e/\\u0078> WHERE {}", "FROM <http://e/x>"),
        ("SELECT * FROM <\\U00000068ttp://127.0.0.1:9/> WHERE {}", "FROM <http://127.0.0.1:9/>"),
        ("SELECT * FROM NAMED <file:///etc/\\u0070asswd> WHERE {}", "file:///etc/passwd"),
        ("SELECT * #\rFROM <http://127.0.0.1:9/> WHERE {}", "FROM <http://127.0.0.1:9/>"),
        ("SELECT * FROM <http://e/\\x> WHERE {}", "malformed IRI"),
        ("SELECT * FROM <http://e/\\u0020> WHERE {}", "holds the character ' '"),
        ("SELECT * FROM <relative> WHERE {}", "relative IRI"),
    ],
)
def test_dataset_iris_are_read_after_their_escapes(query: str, says: str) -> None:
    with pytest.raises(QueryRefused) as caught:
        check_query(query, GRAPHS)
    assert says in str(caught.value)


def test_an_escaped_from_iri_naming_a_store_graph_is_allowed() -> None:
    escaped = "https://w3id.org/cityref/graph/ontology/\\u0063ore"
    plan = check_query(f"SELECT * FROM <{escaped}> WHERE {{}}", GRAPHS)
    assert plan.from_graphs == ("https://w3id.org/cityref/graph/ontology/core",)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE {\f?s ?p ?o }",  # form feed is no space to the engine
        "SELECT * WHERE {\u00a0?s ?p ?o }",
        "SELECT * WHERE { SERVI\\u0043E <http://h/> {} }",  # no escapes in keywords
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:a\\u0041 }",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1 junk",
        "SELECT * WHERE { ?s ?p ?o FILTER(made_up(?o)) }",
        "SELECT * WHERE { ?s ?p <<( ?a ?b ?c )>> }",  # SPARQL 1.2: stricter than the engine
    ],
)
def test_what_the_reader_cannot_place_is_refused_with_a_position(query: str) -> None:
    """A refusal (the engine never sees it) reported as the syntax error it is."""
    with pytest.raises(QueryRefused) as caught:
        check_query(query, GRAPHS)
    assert isinstance(caught.value, QuerySyntaxError)
    assert caught.value.line is not None and caught.value.column is not None
    english, japanese = caught.value.text.en, caught.value.text.ja
    assert english.startswith(f"SPARQL syntax error: line {caught.value.line}, column")
    assert japanese.startswith(f"SPARQL の構文エラー: {caught.value.line} 行 ")


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/x>",
        "load silent <http://h/> into graph <http://e/g>",
        "CLEAR ALL ; #x\rLOAD <http://h/>",
        "PREFIX c: <http://h/> LOAD c:x",
        "INSERT { ?s ?p ?o } WHERE { OPTIONAL { SERVICE <http://h/> { ?s ?p ?o } } }",
        "DELETE WHERE { ?s ?p ?o } ; LOADSILENT <http://h/>",
    ],
)
def test_updates_refuse_load_and_service_anywhere(update: str) -> None:
    with pytest.raises(QueryRefused, match=r"LOAD is refused|SERVICE is refused"):
        check_update(update)


def test_ordinary_updates_pass() -> None:
    for update in (
        "PREFIX ex: <http://e/> INSERT DATA { GRAPH ex:g { ex:a ex:b 'LOAD', 1 } } ;",
        "WITH <http://e/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 2 } USING <http://e/g> "
        "WHERE { ?s ?p ?o }",
        "CREATE SILENT GRAPH <http://e/g> ; DROP DEFAULT ; COPY DEFAULT TO <http://e/h> ;"
        " MOVE GRAPH <http://e/h> TO <http://e/i> ; ADD <http://e/i> TO DEFAULT",
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
        "",
    ):
        check_update(update)


# -- limits below the sizes that crashed or stalled the engine ------------------------------
def _chain(operator: str, count: int) -> str:
    return f"SELECT * WHERE {{ BIND({operator.join(['1'] * count)} AS ?x) }}"


@pytest.mark.parametrize(
    ("within", "beyond", "says"),
    [
        (
            "SELECT * WHERE { FILTER(" + "!" * MAX_UNARY_CHAIN + "true) }",
            "SELECT * WHERE { FILTER(" + "!" * (MAX_UNARY_CHAIN + 1) + "true) }",
            f"more than {MAX_UNARY_CHAIN} prefix operators",
        ),
        (
            _chain(" + ", MAX_EXPRESSION_DEPTH),
            _chain(" + ", MAX_EXPRESSION_DEPTH + 2),
            f"deeper than {MAX_EXPRESSION_DEPTH} operators",
        ),
        (
            _chain(" || ", MAX_EXPRESSION_DEPTH),
            _chain(" || ", MAX_EXPRESSION_DEPTH + 2),
            f"deeper than {MAX_EXPRESSION_DEPTH} operators",
        ),
        (
            "SELECT * WHERE { FILTER(" + "(" * 60 + "1" + ")" * 60 + ") }",
            "SELECT * WHERE { FILTER(" + "(" * MAX_NESTING + "1" + ")" * MAX_NESTING + ") }",
            f"nests deeper than {MAX_NESTING}",
        ),
        (
            "SELECT * WHERE { BIND(" + "STR(" * 60 + "1" + ")" * 60 + " AS ?x) }",
            "SELECT * WHERE { BIND(" + "STR(" * 70 + "1" + ")" * 70 + " AS ?x) }",
            f"nests deeper than {MAX_NESTING}",
        ),
        (
            "SELECT * WHERE { " + " UNION ".join(["{}"] * (MAX_PATTERN_OPERATORS + 1)) + " }",
            "SELECT * WHERE { " + " UNION ".join(["{}"] * (MAX_PATTERN_OPERATORS + 2)) + " }",
            f"more than {MAX_PATTERN_OPERATORS} UNION, OPTIONAL or MINUS",
        ),
        (
            "SELECT * WHERE { " + "OPTIONAL {} " * MAX_PATTERN_OPERATORS + "}",
            "SELECT * WHERE { " + "MINUS {} " * (MAX_PATTERN_OPERATORS + 1) + "}",
            f"more than {MAX_PATTERN_OPERATORS} UNION, OPTIONAL or MINUS",
        ),
        (
            "SELECT * WHERE { ?s ?p " + ", ".join(["1"] * MAX_TRIPLE_PATTERNS) + " }",
            "SELECT * WHERE { ?s ?p " + ", ".join(["1"] * (MAX_TRIPLE_PATTERNS + 1)) + " }",
            f"more than {MAX_TRIPLE_PATTERNS} triple patterns",
        ),
        (
            "SELECT * WHERE { ?s ?p (" + " 1" * (MAX_TRIPLE_PATTERNS // 2 - 1) + ") }",
            "SELECT * WHERE { ?s ?p (" + " 1" * (MAX_TRIPLE_PATTERNS // 2) + ") }",
            f"more than {MAX_TRIPLE_PATTERNS} triple patterns",
        ),
        (
            "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * (MAX_PATH_STEPS + 1)) + " ?o }",
            "SELECT * WHERE { ?s " + "|".join(["<http://e/p>"] * (MAX_PATH_STEPS + 2)) + " ?o }",
            f"more than {MAX_PATH_STEPS} property path steps",
        ),
        (
            "SELECT * WHERE { VALUES ?x { " + "1 " * MAX_LIST_ITEMS + "} }",
            "SELECT * WHERE { VALUES ?x { " + "1 " * (MAX_LIST_ITEMS + 1) + "} }",
            f"more than {MAX_LIST_ITEMS} values",
        ),
    ],
)
def test_limits_refuse_just_past_them_and_name_the_limit(
    within: str, beyond: str, says: str
) -> None:
    check_query(within, GRAPHS)
    with pytest.raises(QueryRefused) as caught:
        check_query(beyond, GRAPHS)
    assert re.match(r"line 1, column \d+: ", caught.value.text.en)
    assert re.match(r"1 行 \d+ 列: ", caught.value.text.ja)
    assert says in caught.value.text.en
    with pytest.raises(QueryRefused, match=re.escape(says)):
        check_update(f"INSERT {{ <http://e/a> <http://e/b> 1 }} WHERE {{ {beyond[16:-1]} }}")


# -- differential: what the guard lets through, the engine reads the same way --------------
_SOUP = [
    "SELECT", "*", "WHERE", "{", "}", "SERVICE", "sErViCe", "<http://127.0.0.1:9/>", "?s",
    "?p", "?o", ".", ";", ",", "OPTIONAL", "FILTER", "(", ")", "EXISTS", "NOT", "#x\r",
    "#x\n", "#x", "\r", "\n", "\f", "ex:a.b.", "ex:a", "a", "UNION", "MINUS", "GRAPH", "?g",
    "1", "'s'", "<", ">", "!", "&&", "true", "ex:SERVICE", "?SERVICE", "\\u0053",
]  # fmt: skip


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(
    st.lists(st.sampled_from(_SOUP), max_size=14),
    st.lists(st.sampled_from(["", " ", "\r", "\n", "\t"]), min_size=14, max_size=14),
)
def test_what_the_guard_accepts_the_engine_parses_without_service(
    words: list[str], spaces: list[str]
) -> None:
    body = "".join(word + space for word, space in zip(words, spaces, strict=False))
    query = f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ {body} }}"
    try:
        check_query(query, GRAPHS)
    except QueryRefused:
        return
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/a"), ox.Literal("1")))
    try:
        result = store.query(query)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except SyntaxError as error:
        pytest.fail(f"the guard accepted what the engine cannot parse: {query!r}: {error}")
    except OSError as error:  # the engine refuses port 9 before connecting
        pytest.fail(f"the guard accepted a query the engine sent out: {query!r}: {error}")


def test_triple_limit_counts_patterns_not_data_or_templates() -> None:
    data = " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(MAX_TRIPLE_PATTERNS * 4))
    check_update(f"INSERT DATA {{ {data} }}")
    check_query(f"CONSTRUCT {{ {data} }} WHERE {{}}", GRAPHS)
    pattern = " ".join(f"?s{i} <http://e/p> {i} ." for i in range(MAX_TRIPLE_PATTERNS + 1))
    with pytest.raises(QueryRefused, match="triple patterns"):
        check_update(f"DELETE WHERE {{ {pattern} }}")
    with pytest.raises(QueryRefused, match="triple patterns"):
        check_query(f"CONSTRUCT WHERE {{ {pattern} }}", GRAPHS)


def test_using_names_graphs_of_the_store_and_with_may_name_a_new_one() -> None:
    core = "https://w3id.org/cityref/graph/ontology/core"
    check_update(
        f"WITH <http://e/new> INSERT {{ ?s ?p 1 }} USING <{core}> WHERE {{ ?s ?p ?o }}", GRAPHS
    )
    with pytest.raises(QueryRefused, match=r"USING <http://127.0.0.1:9/x> is refused"):
        check_update(
            "INSERT { ?s ?p 1 } USING NAMED <http://127.0.0.1:9/\\u0078> WHERE { ?s ?p ?o }",
            GRAPHS,
        )


def test_functions_named_by_iri_must_be_the_engines() -> None:
    check_query(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "SELECT (xsd:integer('1') AS ?n) (<http://www.w3.org/2001/XMLSchema#dateTime>(?d) AS ?t)"
        " WHERE { ?s ?p ?d FILTER(xsd:boolean(?d)) } ORDER BY xsd:string(?s)",
        GRAPHS,
    )
    with pytest.raises(QuerySyntaxError, match="unknown function <http://e/f>") as caught:
        check_query("SELECT * WHERE {\n  ?s ?p ?o FILTER(<http://e/f>(?o)) }", GRAPHS)
    assert (caught.value.line, caught.value.column) == (2, 19)
