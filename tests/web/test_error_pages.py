"""No dead end: the errors a browser meets are pages in its language that say what happened
and what to do next; API clients keep their JSON. Also the links every page builds to itself
(language switch, other formats) and the site's icon."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response

from app import create_app
from app.errors import ApiError
from app.i18n import MESSAGES
from cityref.settings import Settings
from cityref.text import Bilingual
from tests.conftest import BASE_IRI
from tests.web.test_i18n import _interface_texts

#: What Firefox and Chromium send when a person opens a page.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _is_error_page(response: Response, status: int, lang: str) -> str:
    """The page's HTML, after checking it is a whole page of ``status`` in ``lang``, whose
    interface words are all of that language, with the ways on."""
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<!doctype html>"), html[:200]
    assert f'<html lang="{lang}">' in html
    kind = status if f"error.title.{status}" in MESSAGES else "other"
    title = MESSAGES[f"error.title.{kind}"].in_language(lang)
    assert f"<title>{title} — cityref</title>" in html
    assert escape(MESSAGES[f"error.advice.{kind}"].in_language(lang)) in html
    for way in ('href="/"', 'href="/search"', 'href="/validate"'):
        assert way in html
    other = "en" if lang == "ja" else "ja"
    texts = _interface_texts(html, lang)
    leaked = [
        text.in_language(other)
        for key, text in MESSAGES.items()
        if text.ja != text.en and text.in_language(other) in texts and key != "nav.language"
    ]
    assert not leaked, leaked
    return html


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", ["/no/such/page", "/def/NoSuchTerm", "/def/toy%23NoSuchTerm"])
def test_a_404_in_a_browser_is_a_page_that_offers_a_search(
    client: FlaskClient, path: str, lang: str
) -> None:
    response = client.get(f"{path}?lang={lang}", headers={"Accept": BROWSER})
    html = _is_error_page(response, 404, lang)
    name = re.split(r"[/#]", unquote(path))[-1]
    assert f'href="/search?q={name}"' in html  # a search for what was not found


def test_the_error_page_follows_the_cookie_and_accept_language(client: FlaskClient) -> None:
    english = client.get("/no/such", headers={"Accept": BROWSER, "Accept-Language": "en"})
    _is_error_page(english, 404, "en")
    client.get("/?lang=ja")  # the choice of another page sticks (cookie)
    japanese = client.get("/no/such", headers={"Accept": BROWSER, "Accept-Language": "en"})
    _is_error_page(japanese, 404, "ja")


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "text/html;q=0.5, application/json"]
)
def test_api_clients_keep_the_json_error(client: FlaskClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/def/NoSuchTerm", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert body["status"] == 404 and set(body["error"]) == {"ja", "en"}
    assert "Accept" in response.headers["Vary"]
    job = client.get("/api/jobs/0123456789abcdef0123456789abcdef", headers=headers)
    assert job.status_code == 404 and job.mimetype == "application/json"
    query = client.get("/sparql", query_string={"query": "SELECT WHERE"}, headers=headers)
    assert query.status_code == 400 and query.json is not None and query.json["line"]


def test_a_query_error_in_a_browser_says_where(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "SELECT WHERE", "lang": "en"}, headers={"Accept": BROWSER}
    )
    html = _is_error_page(response, 400, "en")
    assert re.search(r"Where: line \d+, column \d+", html)


def test_405_page_keeps_allow_and_410_page_links_the_replacement(client: FlaskClient) -> None:
    wrong_method = client.delete("/validate?lang=en", headers={"Accept": BROWSER})
    _is_error_page(wrong_method, 405, "en")
    assert "POST" in wrong_method.headers["Allow"]
    retired = client.get("/def/toy%23Garden?lang=en", headers={"Accept": BROWSER})
    html = _is_error_page(retired, 410, "en")
    assert "successor-version" in retired.headers["Link"]
    assert 'href="/def/toy%23Park">Open its replacement</a>' in html


@pytest.mark.parametrize("status", [400, 403, 408, 413, 415, 422, 429, 500, 503, 409])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_status_has_its_words_and_keeps_its_headers(
    app: Flask, status: int, lang: str
) -> None:
    message = Bilingual("何かが起きました", "something happened")
    error = ApiError(status, message, headers={"Retry-After": "7"})
    headers = {"Accept": BROWSER, "Referer": "http://localhost/search?q=x"}
    with app.test_request_context(f"/somewhere?lang={lang}", headers=headers):
        response = error.to_response()
    html = _is_error_page(response, status, lang)
    assert message.in_language(lang) in html
    assert response.headers["Retry-After"] == "7"
    assert 'href="http://localhost/search?q=x"' in html  # the way back, on this site only


def test_the_way_back_is_never_another_site(app: Flask) -> None:
    error = ApiError(400, Bilingual("だめ", "no"))
    headers = {"Accept": BROWSER, "Referer": "https://elsewhere.example/page"}
    with app.test_request_context("/x", headers=headers):
        html = error.to_response().get_data(as_text=True)
    assert "elsewhere.example" not in html


def test_an_unexpected_failure_is_a_500_page(web_settings: Settings) -> None:
    failing = create_app(web_settings, {"TESTING": True, "PROPAGATE_EXCEPTIONS": False})

    @failing.route("/broken")
    def _broken() -> str:
        raise RuntimeError("a bug")

    client = failing.test_client()
    page = client.get("/broken?lang=en", headers={"Accept": BROWSER})
    html = _is_error_page(page, 500, "en")
    assert "a bug" not in html  # the page says what to do, not the server's insides
    answer = client.get("/broken")
    assert answer.status_code == 500 and answer.json is not None
    assert answer.json["status"] == 500


def test_a_body_refused_before_the_app_is_a_page_for_a_browser(web_settings: Settings) -> None:
    small = create_app(web_settings.with_(max_upload_bytes=2000), {"TESTING": True})
    client = small.test_client()
    big = {"file": (io.BytesIO(b"a,b\n" * 2000), "big.csv")}
    page = client.post("/validate?lang=en", data=big, headers={"Accept": BROWSER})
    html = _is_error_page(page, 413, "en")
    assert "2000 bytes" in html
    big = {"file": (io.BytesIO(b"a,b\n" * 2000), "big.csv")}
    api = client.post("/api/validate", data=big)
    assert api.status_code == 413 and api.mimetype == "application/json"


# --- the validation form -----------------------------------------------------------------


def _form(client: FlaskClient, lang: str) -> str:
    page = client.get(f"/validate?lang={lang}").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    return token.group(1)


def _form_again(response: TestResponse, status: int) -> tuple[str, str]:
    """The form page shown again: its HTML and the error it says."""
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<form method="post" action="/validate"' in html
    said = re.search(r'<p class="error" role="alert" id="form-error">([^<]+)</p>', html)
    assert said, html
    assert "--profile" not in html
    return html, said.group(1)


#: Forms refused, the status and, in each language, words of what the page says is wrong.
REFUSED_FORMS = [
    ({"text": "  "}, 400, "ja", "ファイルを選ぶか、データを貼り付けてください"),
    ({"text": "  "}, 400, "en", "choose a file or paste the data"),
    ({"text": "a,b\n1,2\n", "filename": "mine.csv"}, 422, "ja", "「プロファイル」の一覧から選んで"),
    ({"text": "a,b\n1,2\n", "filename": "mine.csv"}, 422, "en", "choose its profile in the list"),
]


@pytest.mark.parametrize(("fields", "status", "lang", "words"), REFUSED_FORMS)
def test_a_refused_form_comes_back_saying_why(
    client: FlaskClient, fields: dict[str, str], status: int, lang: str, words: str
) -> None:
    token = _form(client, lang)
    sent = client.post(
        "/validate", data={"csrf": token, "profile": "", **fields}, headers={"Accept": BROWSER}
    )
    html, said = _form_again(sent, status)
    assert words in said
    if "filename" in fields:  # what was sent is kept, to choose a profile and send again
        assert said.startswith("mine.csv: ")
        assert f"{fields['text']}</textarea>" in html and 'value="mine.csv"' in html


def test_a_png_comes_back_with_why_in_the_page_language(client: FlaskClient) -> None:
    token = _form(client, "en")
    sent = client.post(
        "/validate",
        data={"csrf": token, "file": (io.BytesIO(PNG), "map.png")},
        content_type="multipart/form-data",
    )
    _html, said = _form_again(sent, 422)
    assert "map.png" in said and "cannot tell what kind of data" in said
    named = re.findall(r"\.\w+", said.split("(", 1)[1])
    assert named and len(named) == len(set(named)), named  # each readable suffix once


def test_an_expired_form_comes_back_ready_to_send_again(client: FlaskClient) -> None:
    client.get("/validate")  # the visitor's token cookie
    sent = client.post("/validate?lang=en", data={"csrf": "stale", "text": "a,b\n1,2\n"})
    html, said = _form_again(sent, 403)
    assert "open the page again" in said
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    assert token and token.group(1) != "stale"


def test_pasted_text_beyond_the_form_limit_comes_back(client: FlaskClient, app: Flask) -> None:
    token = _form(client, "en")
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    sent = client.post(
        "/validate",
        data={"csrf": token, "text": "a,b\n" * (limit // 4 + 10), "filename": "big.csv"},
        content_type="multipart/form-data",
    )
    _html, said = _form_again(sent, 413)
    assert f"at most {limit} bytes" in said and "as a file" in said


def test_the_api_names_the_profile_parameter_not_the_cli_flag(client: FlaskClient) -> None:
    answer = client.post("/api/validate", data=b"a,b\n1,2\n", content_type="text/csv")
    assert answer.status_code == 422 and answer.json is not None
    assert answer.json["error"]["en"].endswith("give ?profile=ID")
    assert "?profile=ID" in answer.json["error"]["ja"]
    assert "--profile" not in answer.get_data(as_text=True)


# --- links a page makes to itself --------------------------------------------------------

#: Pages of several kinds, most of them of a hash IRI (whose ``#`` travels as ``%23``).
SELF_LINKED = [
    ("/def/core%23Facility", 200),  # a class
    ("/def/core%23name", 200),  # a property
    ("/def/core", 200),  # a module
    ("/search?q=%E9%81%BF%E9%9B%A3", 200),  # keeps its query
    ("/def/core%23NoSuchTerm", 404),  # an error page
]


@pytest.mark.parametrize(("path", "status"), SELF_LINKED)
def test_the_language_switch_keeps_the_page(
    model_client: FlaskClient, path: str, status: int
) -> None:
    page = model_client.get(path, headers={"Accept": BROWSER, "Accept-Language": "ja"})
    assert page.status_code == status
    found = re.search(r'<a href="([^"]+)"\s+hreflang="en"', page.get_data(as_text=True))
    assert found, "no language switch"
    href = found.group(1).replace("&amp;", "&")
    assert "#" not in href, href  # a query after '#' would be part of the fragment
    asked = urlsplit(path)
    link = urlsplit(href)
    assert link.path == asked.path
    assert dict(parse_qsl(link.query)) == {**dict(parse_qsl(asked.query)), "lang": "en"}
    switched = model_client.get(href, headers={"Accept": BROWSER})
    assert switched.status_code == status
    assert '<html lang="en">' in switched.get_data(as_text=True)


@pytest.mark.parametrize(("fmt", "syntax"), [("turtle", "TURTLE"), ("jsonld", "JSON_LD")])
def test_a_term_page_links_its_own_statements(
    model_client: FlaskClient, fmt: str, syntax: str
) -> None:
    page = model_client.get("/def/core%23Facility?lang=en", headers={"Accept": BROWSER})
    found = re.search(rf'<a href="([^"]+format={fmt})"', page.get_data(as_text=True))
    assert found
    href = found.group(1).replace("&amp;", "&")
    assert "#" not in href and urlsplit(href).path == "/def/core%23Facility"
    answer = model_client.get(href)
    assert answer.status_code == 200
    assert answer.mimetype == getattr(ox.RdfFormat, syntax).media_type  # not the module's page
    quads = list(ox.parse(answer.data, format=getattr(ox.RdfFormat, syntax)))
    facility = ox.NamedNode(f"{BASE_IRI}def/core#Facility")
    assert any(q.subject == facility and q.predicate.value.endswith("#type") for q in quads)


def test_the_site_has_an_icon(client: FlaskClient) -> None:
    home = client.get("/").get_data(as_text=True)
    found = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', home)
    assert found
    for path in (found.group(1), "/favicon.ico"):
        icon = client.get(path)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert ElementTree.fromstring(icon.data).tag == "{http://www.w3.org/2000/svg}svg"
