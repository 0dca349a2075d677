"""HTTP caching for readers: validators tied to the build, 304s, private answers, the caches."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import http_date, parse_date

from app import create_app
from app.http_cache import PUBLIC, server_identity
from app.query_service import QueryService
from cityref.settings import Settings, load_settings
from cityref.sparql.answer_cache import AnswerKey, BuildCache
from cityref.sparql.query import QueryRequest
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, TOY

SCHOOLS = "SELECT ?s WHERE { ?s a <https://example.org/toy#School> }"
SCHOOLS_GET = "/sparql?" + urlencode({"query": SCHOOLS})
#: Every kind of answer that depends on the build alone, as a reader asks for it.
BUILD_ONLY = [
    ("/", {}),
    ("/query", {}),
    ("/search?q=park", {}),
    ("/api/search?q=park", {}),
    ("/def/toy/central-park", {"Accept": "text/html"}),
    ("/def/toy/central-park", {"Accept": "text/turtle"}),
    ("/def/toy", {"Accept": "application/ld+json"}),
    ("/graph/registry/places", {"Accept": "application/n-triples"}),
    ("/sparql?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}),
    ("/sparql", {"Accept": "text/turtle"}),
    ("/api/registry/profiles", {}),
    ("/api/registry/standards", {}),
    ("/api/registry/releases", {}),
    ("/api/openapi.json", {}),
    ("/def/context.jsonld", {}),
    ("/registry/releases", {}),
    ("/registry/standards", {}),
]


def _tag(client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, response.data[:300]
    return str(response.headers["ETag"])


def _query_service(app: Flask) -> QueryService:
    service = app.extensions["cityref.queries"]
    assert isinstance(service, QueryService)
    return service


@pytest.mark.parametrize(("path", "headers"), BUILD_ONLY)
def test_every_build_only_answer_has_validators_and_answers_304(
    client: FlaskClient, path: str, headers: dict[str, str]
) -> None:
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")  # strong: the same bytes
    assert first.headers["Cache-Control"] == PUBLIC
    assert "Accept" in first.headers["Vary"]
    modified = first.headers["Last-Modified"]
    assert parse_date(modified) is not None

    again = client.get(path, headers=headers | {"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    assert again.headers["Cache-Control"] == PUBLIC
    assert again.headers["Vary"] == first.headers["Vary"]

    since = client.get(path, headers=headers | {"If-Modified-Since": modified})
    assert since.status_code == 304
    before = http_date(parse_date(modified).timestamp() - 3600)  # type: ignore[union-attr]
    older = client.get(path, headers=headers | {"If-Modified-Since": before})
    assert older.status_code == 200 and older.data == first.data

    stale = client.get(path, headers=headers | {"If-None-Match": '"another-build-0-x"'})
    assert stale.status_code == 200 and stale.data == first.data
    assert stale.headers["ETag"] == tag


def test_the_tag_follows_what_shapes_the_answer(client: FlaskClient) -> None:
    term = "/def/toy/central-park"
    assert _tag(client, term, {"Accept": "text/turtle"}) != _tag(
        client, term, {"Accept": "application/n-triples"}
    )
    # A page's words follow Accept-Language and the language cookie (app.i18n).
    english = _tag(client, "/", {"Accept-Language": "en"})
    assert english != _tag(client, "/", {"Accept-Language": "ja"})
    client.set_cookie("cityref_lang", "en")
    assert _tag(client, "/") != english
    # A query's answer has no words: the reader's language does not change its tag.
    query = "/sparql?query=ASK%7B%7D"
    assert _tag(client, query, {"Accept-Language": "en"}) == _tag(client, query)
    assert _tag(client, query, {"Accept": "application/sparql-results+xml"}) != _tag(client, query)


def test_a_304_by_the_tag_runs_nothing_but_the_rate_limit(web_settings: Settings) -> None:
    app = create_app(web_settings.with_(rate_limit=3), {"TESTING": True})
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.61"  # counts of its own
    tag = _tag(client, SCHOOLS_GET)
    service = _query_service(app)
    service.run = service.run_own = None  # type: ignore[assignment,method-assign]  # no query may run
    statuses = [
        client.get(SCHOOLS_GET, headers={"If-None-Match": tag}).status_code for _ in range(3)
    ]
    assert statuses == [304, 304, 429]


def test_a_repeated_request_is_answered_from_the_kept_answer(web_settings: Settings) -> None:
    app = create_app(web_settings, {"TESTING": True})
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": SCHOOLS})
    service = _query_service(app)
    service.run = service.run_own = None  # type: ignore[assignment,method-assign]  # no query may run
    again = client.get("/sparql", query_string={"query": SCHOOLS})
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]


def test_the_same_query_asked_another_way_comes_from_the_answer_cache(
    web_settings: Settings,
) -> None:
    app = create_app(web_settings, {"TESTING": True})
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": SCHOOLS})
    service = _query_service(app)
    service._run = None  # type: ignore[assignment,method-assign]  # no query may run
    posted = client.post("/sparql", data={"query": f"  {SCHOOLS}\n"})
    assert posted.status_code == 200 and posted.data == first.data


def test_answers_for_a_person_are_never_public(client: FlaskClient) -> None:
    for path in ("/validate", "/registry/proposals"):  # forms with a CSRF cookie
        response = client.get(path)
        assert response.status_code == 200 and response.headers.getlist("Set-Cookie")
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers
    chosen = client.get("/?lang=en")  # sets the language cookie: this reader's answer
    assert chosen.headers.getlist("Set-Cookie")
    assert chosen.headers["Cache-Control"].startswith("private")
    job = client.get("/api/jobs/0123456789abcdef0123456789abcdef")
    assert job.headers["Cache-Control"] == "private, no-store"
    with_token = client.get("/sparql?query=ASK%7B%7D", headers={"Authorization": "Bearer x"})
    assert "public" not in with_token.headers["Cache-Control"]
    assert "ETag" not in with_token.headers
    for path in ("/registry/systems", "/api/registry/systems", "/api/registry/records"):
        written = client.get(path)  # changes with registry writes, not builds
        assert written.status_code == 200 and "ETag" not in written.headers
        assert "public" not in written.headers["Cache-Control"]


def test_a_cookie_is_never_kept_for_others(client: FlaskClient) -> None:
    chosen = client.get("/?lang=en")
    assert chosen.headers.getlist("Set-Cookie")
    other = client.application.test_client().get("/?lang=en")
    assert other.headers.getlist("Set-Cookie")  # made again, not replayed without it


@pytest.fixture
def own_store(tmp_path: Path) -> Iterator[tuple[Path, Flask]]:
    sources = tmp_path / "toy"
    shutil.copytree(TOY, sources)
    store = tmp_path / "store"
    build_store(store, ModelFiles(sources, BASE_IRI))
    settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(sources),
            "CITYREF_RATE_LIMIT": "100000",
        }
    )
    app = create_app(settings, {"TESTING": True})
    yield sources, app
    _query_service(app).stop()


def test_a_new_build_changes_the_tags_and_empties_the_caches(
    own_store: tuple[Path, Flask],
) -> None:
    sources, app = own_store
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": SCHOOLS})
    page = _tag(client, "/")
    school = b"\n<https://example.org/toy#school9> a <https://example.org/toy#School> .\n"
    data = sources / "registry" / "places.ttl"
    data.write_bytes(data.read_bytes() + school)
    build_store(app.config["CITYREF_SETTINGS"].store, ModelFiles(sources, BASE_IRI))

    stale = client.get(
        "/sparql", query_string={"query": SCHOOLS}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert stale.status_code == 200
    assert stale.headers["ETag"] != first.headers["ETag"]
    assert b"school9" in stale.data and b"school9" not in first.data
    assert _tag(client, "/") != page


def test_a_cut_or_failed_answer_is_not_kept(client: FlaskClient) -> None:
    service = _query_service(client.application)  # type: ignore[arg-type]
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7))
        + "}"
    )
    assert client.get("/sparql", query_string={"query": slow}).status_code == 503
    wrong = "SELECT ?x WHERE { ?x ?y }"
    assert client.get("/sparql", query_string={"query": wrong}).status_code == 400
    build = service.build_id()
    settings = service.settings
    for query in (slow, wrong):
        for form in ("json", "xml"):
            request = QueryRequest(query, form, settings.max_rows, settings.query_timeout)
            assert service.answers.get(build, AnswerKey.of(request)) is None
    front = client.application.extensions["cityref.front"]
    assert all(stored.status.startswith("200") for stored in front.answers._values.values())


def _cache(max_bytes: int) -> BuildCache[str, bytes]:
    return BuildCache(max_bytes, lambda key, value: len(key) + len(value))


def test_the_cache_is_bounded_by_bytes_and_keeps_the_recent() -> None:
    cache = _cache(1000)
    for n in range(100):
        cache.get("b1", f"k{n:02}")
        cache.put("b1", f"k{n:02}", b"x" * 97)
        assert cache.bytes <= 1000
    assert len(cache) == 10
    assert cache.get("b1", "k99") == b"x" * 97 and cache.get("b1", "k00") is None
    cache.put("b1", "huge", b"x" * 200)  # more than an eighth of the cache: never kept
    assert cache.get("b1", "huge") is None and len(cache) == 10


def test_the_cache_holds_one_build() -> None:
    cache = _cache(1000)
    cache.get("b1", "k")
    cache.put("b1", "k", b"old")
    assert cache.get("b2", "k") is None and len(cache) == 0  # a new build: emptied
    cache.put("b1", "k", b"old")  # made from the old build while the new one came: dropped
    assert cache.get("b2", "k") is None
    assert _cache(0).bytes == 0
    off = _cache(0)
    off.get("b1", "k")
    off.put("b1", "k", b"v")
    assert off.get("b1", "k") is None


def test_replicas_give_the_same_tags_unless_an_answer_could_differ(
    web_settings: Settings,
) -> None:
    elsewhere = web_settings.with_(port=9123, workers=2, query_cache_bytes=1024)
    assert server_identity(elsewhere) == server_identity(web_settings)
    assert server_identity(web_settings.with_(max_rows=6)) != server_identity(web_settings)


def test_the_badge_is_public_with_a_tag_of_its_bytes(client: FlaskClient) -> None:
    badge = client.get("/registry/systems/no-such-system/badge.svg")
    assert badge.status_code == 200 and badge.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(
        "/registry/systems/no-such-system/badge.svg",
        headers={"If-None-Match": badge.headers["ETag"]},
    )
    assert again.status_code == 304
