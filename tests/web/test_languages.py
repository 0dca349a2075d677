"""The API answers in the language asked (?lang= or Accept-Language), in both by default.

Every text of an answer is an object keyed by language: ``{"ja": …, "en": …}`` when no
language is asked, ``{"ja": …}`` or ``{"en": …}`` when one is.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.body import ReadBodyFirst
from cityref.pages.search import MAX_QUERY_CHARS
from tests.conftest import REPO

TOO_LONG = "x" * (MAX_QUERY_CHARS + 1)
AED_RULES = REPO / "shapes" / "ods-aed" / "examples" / "invalid" / "rules.csv"


def _error(client: FlaskClient, query: dict[str, str], headers: dict[str, str]) -> Any:
    response = client.get("/api/search", query_string={"q": TOO_LONG, **query}, headers=headers)
    assert response.status_code == 400 and response.json is not None
    return response.json["error"]


def test_an_api_error_is_in_both_languages_without_a_preference(client: FlaskClient) -> None:
    error = _error(client, {}, {})
    assert list(error) == ["ja", "en"]
    assert f"{MAX_QUERY_CHARS} 文字を超えています" in error["ja"]
    assert f"longer than {MAX_QUERY_CHARS} characters" in error["en"]


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ({"lang": "ja"}, {}, "ja"),
        ({"lang": "en"}, {}, "en"),
        ({}, {"Accept-Language": "en-GB,en;q=0.9"}, "en"),
        ({}, {"Accept-Language": "fr, ja;q=0.5"}, "ja"),
        ({"lang": "ja"}, {"Accept-Language": "en"}, "ja"),  # the parameter wins
    ],
)
def test_an_api_error_in_the_language_asked(
    client: FlaskClient, query: dict[str, str], headers: dict[str, str], language: str
) -> None:
    error = _error(client, query, headers)
    assert list(error) == [language]
    assert ("文字" in error[language]) == (language == "ja")


@pytest.mark.parametrize("accept_language", ["*", "fr, de", ""])
def test_a_header_naming_neither_language_gives_both(
    client: FlaskClient, accept_language: str
) -> None:
    assert list(_error(client, {}, {"Accept-Language": accept_language})) == ["ja", "en"]


def test_a_plain_text_error_has_a_line_per_language_asked(client: FlaskClient) -> None:
    both = client.get("/api/search", query_string={"q": TOO_LONG}, headers={"Accept": "text/plain"})
    first, second = both.get_data(as_text=True).splitlines()
    assert "文字" in first and "characters" in second
    japanese = client.get(
        "/api/search", query_string={"q": TOO_LONG, "lang": "ja"}, headers={"Accept": "text/plain"}
    )
    assert japanese.get_data(as_text=True).splitlines() == [first]


def test_a_sparql_syntax_error_keeps_its_position_in_either_language(client: FlaskClient) -> None:
    query = "SELECT * WHERE {\n ?s ?p }"
    english = client.get("/sparql", query_string={"query": query, "lang": "en"}).json
    japanese = client.get("/sparql", query_string={"query": query, "lang": "ja"}).json
    assert english is not None and japanese is not None
    assert english["error"]["en"].startswith("SPARQL syntax error: line 2")
    assert japanese["error"]["ja"].startswith("SPARQL の構文エラー: 2 行")
    assert (english["line"], english["column"]) == (japanese["line"], japanese["column"])


def test_an_error_before_the_app_reads_the_body_answers_in_the_language_asked() -> None:
    def never(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise AssertionError("the body is over the cap: the app is never called")

    app = ReadBodyFirst(never, max_bytes=10, timeout=5)
    for environ, keys in (
        ({"QUERY_STRING": "lang=ja"}, ["ja"]),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, ["en"]),
        ({}, ["ja", "en"]),
    ):
        environ.update({"CONTENT_LENGTH": "11", "wsgi.input": io.BytesIO(b"x" * 11)})
        body = b"".join(app(environ, lambda status, headers: None))  # type: ignore[arg-type]
        assert list(json.loads(body)["error"]) == keys


def _validate(model_client: FlaskClient, query: str, headers: dict[str, str]) -> Any:
    response = model_client.post(
        f"/api/validate?profile=ods-aed{query}",
        data=AED_RULES.read_bytes(),
        content_type="text/csv",
        headers=headers,
    )
    assert response.status_code == 200, response.data[:400]
    assert response.json is not None and response.json["conforms"] is False
    return response.json


def test_validation_results_in_both_languages_without_a_preference(
    model_client: FlaskClient,
) -> None:
    body = _validate(model_client, "", {})
    assert body["results"] and all(list(r["message"]) == ["ja", "en"] for r in body["results"])
    assert all(r["message"]["ja"] != r["message"]["en"] for r in body["results"])
    assert all(list(f["example"]) == ["ja", "en"] for f in body["summary"])
    assert set(body["report"]) == {"ja", "en"}


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [("&lang=ja", {}, "ja"), ("&lang=en", {}, "en"), ("", {"Accept-Language": "en-US"}, "en")],
)
def test_validation_results_in_the_language_asked(
    model_client: FlaskClient, query: str, headers: dict[str, str], language: str
) -> None:
    both = _validate(model_client, "", {})
    body = _validate(model_client, query, headers)
    assert [r["message"] for r in body["results"]] == [
        {language: r["message"][language]} for r in both["results"]
    ]
    assert [f["example"] for f in body["summary"]] == [
        {language: f["example"][language]} for f in both["summary"]
    ]
    assert list(body["report"]) == [language]
    # Only the texts differ: the same results, in the same order, at the same places.
    where = ("file", "row", "column", "severity", "component", "focus", "shape", "path", "value")
    assert [[r[k] for k in where] for r in body["results"]] == [
        [r[k] for k in where] for r in both["results"]
    ]
