"""Registry pages and API: releases, a diff between two, proposals, systems, badges, tokens."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from cityref.pages.registry_pages import record_view, verdict_words
from cityref.registry.records import ConformanceRecord
from cityref.registry.releases import create_release
from cityref.services.tokens import create_token
from cityref.settings import load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO
from tests.registry.conftest import complete_sources, copy_sources

PARK_LABEL = '"Facility"@en'


@pytest.fixture(scope="module")
def registry_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = copy_sources(tmp_path_factory.mktemp("registry") / "src")
    for part in ("standards", "landscape"):  # the catalogue, and its publishers' names
        shutil.copytree(REPO / "registry" / part, root / "registry" / part)
    create_release(root, "1.0.0", {"ja": "最初の版", "en": "First release"}, BASE_IRI)
    core = root / "ontology" / "core.ttl"
    core.write_text(core.read_text("utf-8").replace(PARK_LABEL, '"Public facility"@en'), "utf-8")
    complete_sources(root)  # the crosswalks name every profile: the build refuses a dangling one
    store = root.parent / "store"
    build_store(store, ModelFiles(root, BASE_IRI))
    settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(root),
            "CITYREF_TOKENS_FILE": str(root.parent / "tokens.json"),
            "CITYREF_RATE_LIMIT": "100000",
        }
    )
    yield create_app(settings, {"TESTING": True})


@pytest.fixture
def client(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()


def test_releases_page_and_api(client: FlaskClient) -> None:
    page = client.get("/registry/releases?lang=en").get_data(as_text=True)
    assert "1.0.0" in page and "working tree" in page
    assert client.get("/api/registry/releases").json[0]["version"] == "1.0.0"  # type: ignore[index]


def test_diff_between_a_release_and_the_working_tree(client: FlaskClient) -> None:
    page = client.get("/registry/diff?old=1.0.0&new=working&lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "core#Facility" in text
    changes = client.get("/api/registry/diff?old=1.0.0&new=working").json
    assert changes and any("Facility" in c["subject"] for c in changes)  # type: ignore[union-attr]
    assert client.get("/registry/diff?old=9.9.9&new=working").status_code == 404
    # Each change's message in both languages, or in the one asked.
    assert all(list(c["message"]) == ["ja", "en"] for c in changes)  # type: ignore[union-attr]
    english = client.get("/api/registry/diff?old=1.0.0&new=working&lang=en").json
    assert [c["message"] for c in english] == [  # type: ignore[union-attr]
        {"en": c["message"]["en"]}
        for c in changes  # type: ignore[union-attr]
    ]


def test_writes_need_a_write_token(client: FlaskClient, registry_app: Flask) -> None:
    system = {
        "id": "bus-app",
        "vendor": "Acme",
        "product": "Bus",
        "version": "1",
        "domains": ["mobility"],
        "claims": ["ods-aed@1.0.0"],
    }
    assert client.post("/api/registry/systems", json=system).status_code == 401
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    reader = create_token(tokens, "reader", "read")
    writer = create_token(tokens, "writer", "write")
    denied = client.post(
        "/api/registry/systems", json=system, headers={"Authorization": f"Bearer {reader}"}
    )
    assert denied.status_code == 403
    created = client.post(
        "/api/registry/systems", json=system, headers={"Authorization": f"Bearer {writer}"}
    )
    assert created.status_code == 201, created.data
    assert any(s["id"] == "bus-app" for s in client.get("/api/registry/systems").json)  # type: ignore[union-attr]
    page = client.get("/registry/systems?lang=en").get_data(as_text=True)
    assert "/registry/systems/bus-app/badge.svg" in page
    badge = client.get("/registry/systems/bus-app/badge.svg")
    assert badge.mimetype == "image/svg+xml" and b"no record" in badge.data


def test_proposal_submitted_with_a_token_is_listed_with_its_patch(
    client: FlaskClient, registry_app: Flask
) -> None:
    ident, _writer = _proposal(client, registry_app, "A place with a purpose")
    page = client.get(f"/registry/proposals/{ident}?lang=en").get_data(as_text=True)
    assert "A place with a purpose" in page and "Complete the definition" in page
    listing = _main(_page(client, "/registry/proposals", "ja"))
    assert f'href="/registry/proposals/{ident}"' in listing and JST_TIME.search(listing)
    assert "レビュー待ち" in listing and "用語の変更" in listing


def test_registry_api_lists_standards_and_profiles(client: FlaskClient) -> None:
    assert isinstance(client.get("/api/registry/standards").json, list)
    profiles = client.get("/api/registry/profiles").json
    assert {p["id"] for p in profiles} >= {"ods-aed", "gif-corporation"}  # type: ignore[union-attr]


def test_validation_recorded_for_a_system_needs_a_write_token(
    client: FlaskClient, registry_app: Flask
) -> None:
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    writer = create_token(tokens, "recorder", "write")
    root = registry_app.config["CITYREF_SETTINGS"].sources
    system = {
        "id": "aed-map",
        "vendor": "V",
        "product": "AED map",
        "version": "2",
        "domains": ["health"],
        "claims": ["ods-aed@1.0.0"],
    }
    auth = {"Authorization": f"Bearer {writer}"}
    assert client.post("/api/registry/systems", json=system, headers=auth).status_code == 201
    sample = next((root / "shapes" / "ods-aed" / "examples" / "valid").glob("*.csv"))
    query = {"profile": "ods-aed@1.0.0", "record": "aed-map"}
    anonymous = client.post(
        "/api/validate", data=sample.read_bytes(), content_type="text/csv", query_string=query
    )
    assert anonymous.status_code == 401
    recorded = client.post(
        "/api/validate",
        data=sample.read_bytes(),
        content_type="text/csv",
        query_string=query,
        headers=auth,
    )
    assert recorded.status_code == 201, recorded.data[:300]
    assert recorded.json["record"]["verdict"] == "pass"  # type: ignore[index]
    assert recorded.json["record"]["model_release"] == "1.0.0"  # type: ignore[index]
    badge = client.get("/registry/systems/aed-map/badge.svg")
    assert b"ods-aed@1.0.0 pass \xc2\xb7 model 1.0.0" in badge.data
    # Without a release named, the working tree (changed since 1.0.0) is what was used, and
    # the record says so rather than borrowing the profile's own version.
    latest = client.post(
        "/api/validate",
        data=sample.read_bytes(),
        content_type="text/csv",
        query_string={"profile": "ods-aed", "record": "aed-map"},
        headers=auth,
    )
    record = latest.json["record"]  # type: ignore[index]
    assert (record["profile"], record["model_release"]) == ("ods-aed@working", "working")
    assert b"model: working tree" in client.get("/registry/systems/aed-map/badge.svg").data


def test_release_paths_give_the_term_as_released(client: FlaskClient) -> None:
    turtle = {"Accept": "text/turtle"}
    facility = rdflib.URIRef("https://w3id.org/cityref/def/core#Facility")

    def english_labels(path: str) -> set[str]:
        response = client.get(path, headers=turtle)
        assert response.status_code == 200, (path, response.data[:200])
        graph = rdflib.Graph().parse(data=response.data, format="turtle")
        return {str(o) for o in graph.objects(facility, rdflib.RDFS.label) if o.language == "en"}

    assert english_labels("/release/1.0.0/def/core%23Facility") == {"Facility"}
    assert english_labels("/release/latest/def/core%23Facility") == {"Facility"}
    assert english_labels("/def/core%23Facility") == {"Public facility"}
    assert client.get("/release/9.9.9/def/core%23Facility", headers=turtle).status_code == 404
    # A shape resolves as released too (its graph is in the release's dataset).
    shape = client.get("/release/1.0.0/shapes/gif-corporation/CorporationShape", headers=turtle)
    assert shape.status_code == 200
    graph = rdflib.Graph().parse(data=shape.data, format="turtle")
    node = rdflib.URIRef("https://w3id.org/cityref/shapes/gif-corporation/CorporationShape")
    assert (node, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape")) in graph


def test_proposal_form_for_token_holders(client: FlaskClient, registry_app: Flask) -> None:
    page = client.get("/registry/proposals?lang=en").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf and 'type="password"' in page
    facility = "https://w3id.org/cityref/def/core#Facility"
    form = {
        "csrf": csrf.group(1),
        "token": "cr_wrong",
        "proposer": "Form user",
        "kind": "change-term",
        "targets": facility,
        "rationale_ja": "定義を補う",
        "rationale_en": "Complete the definition",
        "additions": f'<{facility}> <http://www.w3.org/2000/01/rdf-schema#comment> "x"@en .',
        "deletions": "",
    }
    assert client.post("/registry/proposals", data=form).status_code == 403
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    form["token"] = create_token(tokens, "form-user", "write")
    posted = client.post("/registry/proposals", data=form)
    assert posted.status_code == 303
    assert "Complete the definition" in client.get(
        posted.headers["Location"] + "?lang=en"
    ).get_data(as_text=True)


# -- the registry's pages for people (issue 13) ----------------------------------------------
JST_TIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} JST")
HREF = re.compile(r'href="(/[^"#?]*)')


def _page(client: FlaskClient, path: str, lang: str = "en") -> str:
    """An HTML page that answers 200, as a browser asks for it."""
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.status_code, response.data[:300])
    assert response.mimetype == "text/html", (path, response.mimetype)
    return response.get_data(as_text=True)


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def _record(
    client: FlaskClient,
    registry_app: Flask,
    system: str,
    example: str,
    edit: Callable[[str], str] = lambda text: text,
) -> str:
    """Register ``system`` (once) and record a validation of an ods-aed example (changed by
    ``edit``); the record's IRI."""
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    auth = {"Authorization": f"Bearer {create_token(tokens, f'{system}-{example}', 'write')}"}
    body = {
        "id": system,
        "vendor": "Acme 株式会社",
        "product": "AED マップ",
        "version": "3",
        "domains": ["health"],
        "claims": ["ods-aed@1.0.0"],
    }
    assert client.post("/api/registry/systems", json=body, headers=auth).status_code == 201
    root = registry_app.config["CITYREF_SETTINGS"].sources
    sample = root / "shapes" / "ods-aed" / "examples" / example
    recorded = client.post(
        "/api/validate",
        data=edit(sample.read_text("utf-8")).encode("utf-8"),
        content_type="text/csv",
        query_string={"profile": "ods-aed@1.0.0", "record": system},
        headers=auth,
    )
    assert recorded.status_code == 201, recorded.data[:300]
    return str(recorded.json["record"]["iri"])  # type: ignore[index]


def test_the_release_link_lands_on_the_release_page(client: FlaskClient) -> None:
    """/registry/release/<version> was a 404 (JSON): the description left out the release
    record's graph with the snapshot's."""
    listing = _page(client, "/registry/releases")
    links = set(re.findall(r'href="(/registry/release/[^"]+)"', listing))
    assert links == {"/registry/release/1.0.0"}
    # The registry's nav (Registry leads here) reaches its other listings.
    assert 'href="/registry/proposals"' in listing and 'href="/registry/systems"' in listing
    page = _main(_page(client, "/registry/release/1.0.0"))
    assert "First release" in page and "1.0.0" in page
    assert "/registry/diff?old=1.0.0&amp;new=working" in page
    assert re.search(r"Classes</dt><dd>[1-9]\d*</dd>", page)
    assert "最初の版" in _page(client, "/registry/release/1.0.0", "ja")
    downloads = re.findall(r'href="(/graph/registry/releases/1\.0\.0/[^"]+)"', page)
    assert downloads and client.get(downloads[0]).status_code == 200
    turtle = client.get("/registry/release/1.0.0?format=turtle")
    assert turtle.status_code == 200 and b"registry#Release" in turtle.data
    # The release's version IRI (owl:versionIRI) and release/latest lead to the page.
    for path in ("/release/1.0.0", "/release/latest"):
        moved = client.get(path, headers={"Accept": "text/html"})
        assert moved.status_code == 303 and moved.headers["Location"].endswith(
            "/registry/release/1.0.0"
        )
    assert client.get("/registry/release/9.9.9", headers={"Accept": "text/html"}).status_code == 404


def test_the_term_page_links_the_releases_that_hold_it(client: FlaskClient) -> None:
    page = _page(client, "/def/core%23Facility")
    links = re.findall(r'href="(/registry/releases?/[^"]+)"', page)
    assert links == ["/registry/release/1.0.0"]
    _page(client, links[0])


def test_system_and_record_pages_say_the_verdict_in_words(
    client: FlaskClient, registry_app: Flask
) -> None:
    passed = _record(client, registry_app, "aed-records", "valid/full.csv")
    failed = _record(client, registry_app, "aed-records", "invalid/rules.csv")
    systems = _page(client, "/registry/systems", "ja")
    assert 'href="/registry/system/aed-records"' in systems
    system = _page(client, "/registry/system/aed-records", "ja")
    assert "Acme 株式会社" in system and "AED マップ" in system
    for iri in (passed, failed):
        assert f'href="{iri.removeprefix(BASE_IRI[:-1])}"' in system
    # The badge's alt text carries the latest verdict (the failed run).
    assert 'alt="適合性バッジ: ods-aed@1.0.0 不適合（違反あり）"' in system
    english = _page(client, "/registry/system/aed-records", "en")
    assert 'alt="Conformance badge: ods-aed@1.0.0 does not conform (violations)"' in english
    pass_page = _main(_page(client, passed.removeprefix(BASE_IRI[:-1]), "ja"))
    fail_page = _main(_page(client, failed.removeprefix(BASE_IRI[:-1]), "ja"))
    assert "<strong>適合</strong>" in pass_page and "不適合" in fail_page
    for page in (pass_page, fail_page, _main(system)):
        assert "_:" not in page
        assert not re.search(r">\s*(pass|fail)\s*<", page), "a raw verdict shows"
        assert JST_TIME.search(page), "the time is not in Japan time"
        assert "Z<" not in page and "UTC" not in page
    fail_en = _main(_page(client, failed.removeprefix(BASE_IRI[:-1]), "en"))
    assert "does not conform" in fail_en and re.search(
        r"\d{2}:\d{2} JST \(\d{2}:\d{2} UTC\)", fail_en
    )
    # The failures in words: the column's label and the shape's message, not a shape id alone.
    assert "「名称」は必須項目です" in fail_page or "名称" in fail_page
    assert 'href="/shapes/ods-aed"' in fail_page
    assert 'href="/registry/release/1.0.0"' in fail_page
    report = client.get(failed.removeprefix(BASE_IRI[:-1]) + "/report.jsonld")
    assert report.status_code == 200 and report.mimetype == "application/ld+json"
    # The raw statements, one click away, name the failures instead of blank nodes.
    raw = client.get(failed.removeprefix(BASE_IRI[:-1]) + "?format=turtle")
    assert raw.status_code == 200 and b"_:" not in raw.data and b"/failure/1>" in raw.data


def test_a_warnings_only_record_is_not_a_failure() -> None:
    assert verdict_words("pass", 3).ja == "適合（警告のみ）"
    assert verdict_words("pass", 0).en == "conforms"
    assert verdict_words("fail", 0).ja.startswith("不適合")


def test_standard_pages_say_what_a_standard_is(client: FlaskClient) -> None:
    """Standard pages were resource.html, a raw triple dump."""
    listing = _page(client, "/registry/standards")
    standards = sorted(set(re.findall(r'href="(/registry/standard/[^"]+)"', listing)))
    assert "/registry/standard/gtfs-jp" in standards
    for path in standards:
        page = _main(_page(client, path))
        assert "Publisher" in page and "Raw statements" in page, path
        assert '<th scope="col">Property</th>' not in page, f"{path} is a triple dump"
    gtfs = _main(_page(client, "/registry/standard/gtfs-jp", "ja"))
    assert "国土交通省" in gtfs and "第3版" in gtfs and "2021年7月30日" in gtfs
    assert "stops.platform_code" in gtfs and 'href="/def/mobility%23platformCode"' in gtfs
    aed = _main(_page(client, "/registry/standard/municipal-standard-dataset"))
    assert 'href="/shapes/ods-aed"' in aed
    assert client.get("/registry/standard/gtfs-jp?format=jsonld").status_code == 200
    edition = client.get("/registry/standard-version/gtfs-jp-3", headers={"Accept": "text/html"})
    assert edition.status_code == 303
    assert edition.headers["Location"].endswith("/registry/standard/gtfs-jp#gtfs-jp-3")


def test_standards_page_shows_each_city_os_block_with_its_standards_or_a_gap(
    client: FlaskClient,
) -> None:
    """The coverage matrix shows the SCRA blocks (issue 17): standards per block, gaps marked."""
    for lang, gap in (("en", "No standard (gap)"), ("ja", "標準なし（ギャップ）")):
        page = _main(_page(client, "/registry/standards", lang))
        section = page.split('<section aria-labelledby="blocks">', 1)[1].split("</section>", 1)[0]
        rows = {
            re.search(r'<th scope="row"><a href="([^"]+)"', row).group(1): row  # type: ignore[union-attr]
            for row in section.split("<tr>")[2:]
        }
        assert len(rows) >= 17  # every group has blocks
        assert "/registry/standard/ngsi-v2" in rows["/def/scra/data-brokering"]
        assert "/registry/standard/openid-connect" in rows["/def/scra/identity-federation"]
        assert 'class="gap"' in rows["/def/scra/system-management"]
        assert gap in rows["/def/scra/system-management"]
        assert 'href="/def/scra/operation"' in rows["/def/scra/system-management"]


def _proposal(
    client: FlaskClient, registry_app: Flask, comment: str = "Reviewed"
) -> tuple[str, str]:
    """A new open proposal adding ``comment`` to core:Facility, and a write token; (its id,
    the token)."""
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    writer = create_token(tokens, f"reviewer-{uuid.uuid4().hex}", "write")
    facility = "https://w3id.org/cityref/def/core#Facility"
    body = {
        "kind": "change-term",
        "proposer": "Yaizu city",
        "rationale": {"ja": "定義を補う", "en": "Complete the definition"},
        "evidence": [],
        "targets": [facility],
        "additions": f"<{BASE_IRI}graph/ontology/core> {{ <{facility}> "
        f'<http://www.w3.org/2000/01/rdf-schema#comment> "{comment}"@en . }}',
        "deletions": "",
    }
    made = client.post(
        "/api/registry/proposals", json=body, headers={"Authorization": f"Bearer {writer}"}
    )
    assert made.status_code == 201, made.data
    return str(made.json["id"]), writer  # type: ignore[index]


def test_the_review_form_shows_only_to_a_write_token_holder(
    client: FlaskClient, registry_app: Flask
) -> None:
    ident, writer = _proposal(client, registry_app)
    path = f"/registry/proposals/{ident}"
    anonymous = _main(_page(client, path))
    assert "review-form" not in anonymous and "Holders of a write token" in anonymous
    assert "Change a term" in anonymous or "change a term" in anonymous
    assert "open, awaiting review" in anonymous and "Reviewed" in anonymous
    tokens = registry_app.config["CITYREF_SETTINGS"].tokens_file
    reader = create_token(tokens, f"reader-{ident}", "read")
    as_reader = client.get(path, headers={"Authorization": f"Bearer {reader}"})
    assert "review-form" not in as_reader.get_data(as_text=True)
    # A visitor types the token once; the page shows the form and never the token.
    csrf = re.search(r'name="csrf" value="([^"]+)"', anonymous)
    assert csrf
    signed = client.post(
        "/registry/reviewer", data={"csrf": csrf.group(1), "token": writer, "next": path}
    )
    assert signed.status_code == 303 and signed.headers["Location"].endswith(path)
    assert "HttpOnly" in signed.headers["Set-Cookie"]
    page = _page(client, path)
    assert "review-form" in page and writer not in page
    client.post("/registry/reviewer/sign-out", data={"csrf": csrf.group(1), "next": path})
    assert "review-form" not in _page(client, path)


def test_a_review_is_recorded_with_its_decision_in_words(
    client: FlaskClient, registry_app: Flask
) -> None:
    ident, writer = _proposal(client, registry_app)
    path = f"/registry/proposals/{ident}"
    page = _page(client, path)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    form = {
        "csrf": csrf.group(1),
        "decision": "request-changes",
        "comment": "Say it in Japanese too",
    }
    assert client.post(f"{path}/review", data=form).status_code == 403  # no token
    bearer = {"Authorization": f"Bearer {writer}"}
    assert (
        client.post(f"{path}/review", data={**form, "csrf": "x"}, headers=bearer).status_code == 403
    )
    asked = client.post(f"{path}/review", data=form, headers=bearer)
    assert asked.status_code == 303
    page = _main(_page(client, path, "ja"))
    assert "修正を依頼" in page and "Say it in Japanese too" in page and "レビュー待ち" in page
    assert JST_TIME.search(page)
    form = {"csrf": csrf.group(1), "decision": "reject", "comment": "Out of scope"}
    assert client.post(f"{path}/review", data=form, headers=bearer).status_code == 303
    page = _main(_page(client, path))
    assert "rejected" in page and "review-form" not in page
    assert client.get(f"/api/registry/proposals/{ident}").json["status"] == "rejected"  # type: ignore[index]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_registry_page_linked_from_the_registry_answers_a_page(
    client: FlaskClient, registry_app: Flask, lang: str
) -> None:
    """Walk the links the registry's listings make to registry pages: each answers 200 HTML
    with words in it (no JSON error, no triple dump)."""
    _record(client, registry_app, f"walked-{lang}", "valid/full.csv")
    _proposal(client, registry_app)
    listings = ["/registry/releases", "/registry/systems", "/registry/proposals"]
    listings += ["/registry/standards", "/registry/diff"]
    linked = {
        href
        for path in listings
        for href in HREF.findall(_page(client, path, lang))
        if href.startswith(("/registry/", "/release/")) and not href.endswith(".svg")
    }
    assert any(h.startswith("/registry/system/") for h in linked)
    assert any(h.startswith("/registry/proposals/") for h in linked)
    for href in sorted(linked - set(listings)):
        response = client.get(f"{href}?lang={lang}", headers={"Accept": "text/html"})
        if response.status_code == 303:  # an IRI whose page lives at another address
            response = client.get(response.headers["Location"], headers={"Accept": "text/html"})
        assert response.status_code == 200, (href, response.data[:200])
        main = _main(response.get_data(as_text=True))
        assert re.search(r"<h1>[^<]*\w", main) and "_:" not in main, href
    moved = client.get("/registry/proposal/0001", headers={"Accept": "text/html"})
    assert moved.status_code == 303 and moved.headers["Location"] == "/registry/proposals/0001"


def _approved(client: FlaskClient, registry_app: Flask, comment: str) -> str:
    """Open a proposal adding ``comment`` and approve it from the review form; its page."""
    ident, writer = _proposal(client, registry_app, comment)
    path = f"/registry/proposals/{ident}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', _page(client, path))
    assert csrf
    form = {"csrf": csrf.group(1), "decision": "accept", "comment": ""}
    bearer = {"Authorization": f"Bearer {writer}"}
    assert client.post(f"{path}/review", data=form, headers=bearer).status_code == 303
    return path


def test_an_approval_from_the_form_applies_the_patch(
    client: FlaskClient, registry_app: Flask
) -> None:
    path = _approved(client, registry_app, "Approved from the form")
    page = _main(_page(client, path))
    assert "accepted (applied to the sources)" in page and "ontology/core.ttl" in page
    core = registry_app.config["CITYREF_SETTINGS"].sources / "ontology" / "core.ttl"
    assert "Approved from the form" in core.read_text("utf-8")


def test_a_publisher_is_a_page_in_words(client: FlaskClient) -> None:
    """The standard page links its publisher: a page with its name and what it publishes."""
    gtfs = _main(_page(client, "/registry/standard/gtfs-jp", "ja"))
    publisher = re.search(r'href="(/registry/landscape/agency/[^"]+)"', gtfs)
    assert publisher
    page = _main(_page(client, publisher.group(1), "ja"))
    assert "<h1>国土交通省" in page and "静的バス情報フォーマット" in page
    assert "これを発行者とするもの" in page
    assert '<th scope="col">属性</th>' not in page, "a triple dump"
    english = _main(_page(client, "/registry/organisation/mobilitydata"))
    assert "is publisher of" in english and "GTFS Realtime" in english


def test_a_merged_proposal_links_its_release_which_says_what_changed(
    client: FlaskClient, registry_app: Flask
) -> None:
    path = _approved(client, registry_app, "Merged into a release")
    ident = path.rsplit("/", 1)[-1]
    root = registry_app.config["CITYREF_SETTINGS"].sources
    create_release(root, "1.1.0", {"ja": "二つ目の版", "en": "Second release"}, BASE_IRI)
    page = _main(_page(client, path))
    assert "merged into a release" in page and 'href="/registry/release/1.1.0"' in page
    release = _main(_page(client, "/registry/release/1.1.0"))
    assert "Second release" in release
    assert re.search(r"\d+ changes since 1\.0\.0, \d+ of them breaking", release)
    assert "/registry/diff?old=1.0.0&amp;new=1.1.0" in release
    assert f'href="/registry/proposal/{ident}"' in release
    # The changelog written with the release: the proposal, then the semantic diff.
    changelog = release.split('class="changelog"', 1)[1]
    assert f"- {ident} (" in changelog and "## 1.0.0 → 1.1.0 changelog" in changelog
    assert "Terms changed" in changelog
    assert "取り込まれた提案" in _page(client, "/registry/release/1.1.0", "ja")


def test_a_record_with_warnings_only_conforms(client: FlaskClient, registry_app: Flask) -> None:
    """No violation with warnings is not a failure: the page and the badge say so."""

    def without_ids(text: str) -> str:  # ID is a recommended column: a warning per row
        return re.sub(r"(?m)^(131016),[^,]*,", r"\1,,", text)

    _record(client, registry_app, "aed-warned", "valid/full.csv", without_ids)
    system = _page(client, "/registry/system/aed-warned", "ja")
    assert "適合（警告のみ）" in system and "不適合" not in _main(system)
    assert 'alt="適合性バッジ: ods-aed@1.0.0 適合（警告のみ）"' in system
    badge = client.get("/registry/systems/aed-warned/badge.svg")
    assert b"ods-aed@1.0.0 pass (warnings)" in badge.data


def test_a_record_offers_no_report_outside_the_registry(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not a report", "utf-8")
    record = ConformanceRecord(
        "x", "s", "r", "2026-12-03T00:00:00Z", "p@1", "e", "pass", 0, 0, 0, [], "../secret.txt"
    )
    root = tmp_path / "src"
    assert record_view(root, record).report_file == ""


def test_the_validate_and_profile_pages_tell_a_release_from_a_profile_version(
    client: FlaskClient,
) -> None:
    """The validate page showed only the profile's own @1.0.0: it names the Reference Model
    release it validates with (here the working tree, changed since 1.0.0) and says how a
    release differs from a profile's version, in both languages."""
    for path in ("/validate", "/shapes/ods-aed/"):
        english = _main(_page(client, path, "en"))
        assert "Reference Model release" in english
        # 1.0.0 with changes since, or 1.1.0 itself when the test that cuts it ran first (the
        # app is the module's, and that release holds the working tree as it is).
        latest = re.search(
            r"(?:unreleased changes since its latest release, "
            r"|uses the profiles and vocabulary of Reference Model release )(1\.[01]\.0)",
            english,
        )
        assert latest and f'href="/registry/release/{latest[1]}"' in english
        assert "A profile&#39;s version" in english or "A profile's version" in english
        japanese = _main(_page(client, path, "ja"))
        assert "参照モデルのリリース" in japanese and "プロファイルの版" in japanese


def test_the_first_release_changelog_says_there_is_nothing_before(client: FlaskClient) -> None:
    page = _main(_page(client, "/registry/release/1.0.0"))
    assert "The first release: there is no earlier release to compare with." in page
    assert "最初のリリースです" in _page(client, "/registry/release/1.0.0", "ja")
