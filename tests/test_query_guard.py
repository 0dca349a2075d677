"""The query guard reads tokens: keywords in strings, IRIs, comments or names are not keywords."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityref.errors import QueryRefused
from cityref.query_guard import MAX_NESTING, check_query, check_update, tokens

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


@settings(max_examples=200, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_characters="'\\\n\r"), max_size=40))
def test_any_string_content_is_data_not_keywords(content: str) -> None:
    check_query(f"SELECT * WHERE {{ ?s ?p 'SERVICE {content}' }}", GRAPHS)


@settings(max_examples=200, derandomize=True)
@given(st.text(max_size=200))
def test_tokenizer_never_fails_and_covers_every_line(text: str) -> None:
    found = list(tokens(text))
    assert all(t.line >= 1 and t.column >= 1 for t in found)
