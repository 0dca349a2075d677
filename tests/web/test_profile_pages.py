"""Profile pages as a clerk meets them: every profile's columns (or files, or properties) in a
table, the template and example downloads, the raw statements one click away, every link on
the page answering, and the profile's history across releases."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from cityref.pages.profile_page import profile_history
from cityref.profiles import Profile, list_profiles
from cityref.registry.releases import create_release
from cityref.settings import load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO_MODEL
from tests.registry.conftest import complete_sources, copy_sources

PROFILES = list_profiles(REPO_MODEL)
SH_PATH = ox.NamedNode("http://www.w3.org/ns/shacl#path")
SH_PROPERTY = ox.NamedNode("http://www.w3.org/ns/shacl#property")


class _ProfileTables(HTMLParser):
    """The name cell of each row of each table section, every link, and the element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[str]] = []
        self.links: list[tuple[str, bool]] = []  # (href, is a download)
        self.ids: set[str] = set()
        self._in_name = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "section" and values.get("class") == "profile-table":
            self.tables.append([])
        elif tag == "th" and values.get("scope") == "row" and self.tables:
            self._in_name = True
            self.tables[-1].append("")
        elif tag == "small":
            self._in_name = False  # the English label follows the column's own name
        elif tag == "a" and values.get("href"):
            self.links.append((html.unescape(str(values["href"])), "download" in values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_name = False

    def handle_data(self, data: str) -> None:
        if self._in_name:
            self.tables[-1][-1] += data.strip()


def _page(client: FlaskClient, profile: Profile, lang: str = "ja") -> tuple[str, _ProfileTables]:
    response = client.get(f"/shapes/{profile.id}/?lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    parsed = _ProfileTables()
    parsed.feed(text)
    return text, parsed


def _href(iri: str) -> str:
    return "/" + iri[len(BASE_IRI) :].replace("#", "%23") if iri.startswith(BASE_IRI) else iri


def _shapes_graph(profile: Profile) -> ox.Store:
    """The profile's own shapes files, as the model serves them."""
    graph = ox.Store()
    for path in profile.shapes_files:
        graph.load(profile.model.read(path), format=ox.RdfFormat.TURTLE)
    return graph


def _paths(profile: Profile) -> set[str]:
    """The predicate paths of the property shapes the profile's own node shapes hold
    (conditions inside sh:or lists are said by their shape's message, not one by one)."""
    graph = _shapes_graph(profile)
    held = {
        q.object
        for q in graph.quads_for_pattern(None, SH_PROPERTY, None)
        if isinstance(q.subject, ox.NamedNode)  # not a condition inside sh:or or sh:not
    }
    return {
        q.object.value
        for q in graph.quads_for_pattern(None, SH_PATH, None)
        if q.subject in held and isinstance(q.object, ox.NamedNode)
    }


@pytest.mark.parametrize("profile", PROFILES, ids=[p.id for p in PROFILES])
def test_every_profile_has_a_page_listing_all_its_columns(
    model_client: FlaskClient, profile: Profile
) -> None:
    text, page = _page(model_client, profile)
    assert profile.title["ja"] in html.unescape(text)
    tables = profile.table_schemas()
    if tables:  # one table, or one per file of a feed: every column, in the file's order
        assert page.tables == [[c.title for c in t.columns] for t in tables]
        for table in tables:
            if table.url:
                assert f"<code>{table.url}</code>" in text
    else:  # the properties its shapes check, each linked to its term
        hrefs = {href for href, _ in page.links}
        names = {name for table in page.tables for name in table}
        for path in _paths(profile):
            # Linked to its page; a term the model says nothing about is named, not linked.
            local = path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            assert _href(path) in hrefs or local in names, path
        assert any(page.tables) and all(all(names) for names in page.tables)
        assert "<tbody></tbody>" not in text


def _unconfirmed(profile: Profile) -> dict[str, tuple[str, str]]:
    """Column title -> its unconfirmed note (ja, en), read from csv-metadata.json as written."""
    path = profile.directory / "csv-metadata.json"
    if not path.is_file():
        return {}
    metadata = json.loads(path.read_text(encoding="utf-8"))
    note = f"{BASE_IRI}shapes/common/unconfirmed"
    found = {}
    for table in metadata.get("tables", [metadata]):
        for column in table["tableSchema"]["columns"]:
            if note in column:
                texts = {t["@language"]: t["@value"] for t in column[note]}
                titles = column["titles"]  # {"ja": [...]} for open data, a string for GTFS
                title = titles if isinstance(titles, str) else next(iter(titles.values()))[0]
                found[title] = (texts["ja"], texts["en"])
    return found


SOURCED = [p for p in PROFILES if p.edition or _unconfirmed(p)]


def test_some_profiles_say_what_no_published_source_confirms() -> None:
    assert any(_unconfirmed(p) for p in PROFILES)


@pytest.mark.parametrize("profile", SOURCED, ids=[p.id for p in SOURCED])
def test_the_page_names_the_edition_its_sources_and_each_unconfirmed_column(
    model_client: FlaskClient, profile: Profile
) -> None:
    notes = _unconfirmed(profile)
    for lang, index in (("ja", 0), ("en", 1)):
        text = html.unescape(_page(model_client, profile, lang)[0])
        facts = text.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
        assert profile.edition[lang] in facts
        for source in profile.sources:
            assert source in facts
        schema = profile.table_schema()  # one table: a title names one row
        rows = text.split("<tbody>", 1)[1] if notes else ""
        for title in [c.title for c in schema.columns] if schema and notes else []:
            row = rows.split(f'<span lang="ja">{title}</span>', 1)[1].split("</tr>", 1)[0]
            marked = 'class="unconfirmed"' in row
            assert marked == (title in notes), title
            if marked:
                assert notes[title][index] in row, (lang, title)


SH_PATTERN = ox.NamedNode("http://www.w3.org/ns/shacl#pattern")


def _patterns(profile: Profile) -> dict[str, str]:
    """Path -> one sh:pattern its property shapes hold."""
    graph = _shapes_graph(profile)
    found: dict[str, str] = {}
    for quad in graph.quads_for_pattern(None, SH_PATTERN, None):
        for path_quad in graph.quads_for_pattern(quad.subject, SH_PATH, None):
            if isinstance(path_quad.object, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                found.setdefault(path_quad.object.value, quad.object.value)
    return found


@pytest.mark.parametrize("profile", [p for p in PROFILES if p.input_kind == "csv"])
def test_a_row_says_requirement_type_rule_and_example(
    model_client: FlaskClient, profile: Profile
) -> None:
    schema = profile.table_schema()
    assert schema is not None
    example = profile.directory / "examples" / "valid" / "full.csv"
    rows = list(csv.reader(io.StringIO(profile.model.read(example).decode("utf-8-sig"))))
    values = dict(zip(rows[0], rows[1], strict=True))
    patterns = _patterns(profile)
    # A required column when the profile has one; profiles whose required flags are
    # unconfirmed (ods-garbage-sorting, …) have none, and the row then says optional.
    column = next(
        c
        for c in sorted(schema.columns, key=lambda c: not c.required)
        if values[c.title] and c.property_url in patterns
    )
    text = html.unescape(_page(model_client, profile, "en")[0])
    row = text.split(f'<span lang="ja">{column.title}</span>', 1)[1].split("</tr>", 1)[0]
    assert (">required<" if column.required else ">optional<") in row
    assert ">text<" in row or "number" in row or "date" in row
    assert f"matches the pattern {patterns[column.property_url]}" in row
    assert f"<code>{values[column.title]}</code>" in row
    # The pattern's severity as its shape says (the kana rule is a warning, most a violation).
    assert re.search(r'class="severity severity-(violation|warning)"', row)


@pytest.mark.parametrize(
    "profile",
    [p for p in PROFILES if p.table_schemas()],
    ids=[p.id for p in PROFILES if p.table_schemas()],
)
def test_template_download_is_the_header_of_the_columns(
    model_client: FlaskClient, profile: Profile
) -> None:
    _, page = _page(model_client, profile)
    templates = [href for href, download in page.links if download and "/template." in href]
    assert len(templates) == 1
    response = model_client.get(templates[0])
    assert response.status_code == 200
    tables = profile.table_schemas()
    if templates[0].endswith(".csv"):
        assert response.mimetype == "text/csv"
        assert response.data.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert header == [c.title for c in tables[0].columns]
    else:
        assert response.mimetype == "application/zip"
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            assert sorted(archive.namelist()) == sorted(str(t.url) for t in tables)
            for table in tables:
                member = archive.read(str(table.url)).decode("utf-8")
                assert next(csv.reader(io.StringIO(member))) == [c.title for c in table.columns]
    assert "attachment" in response.headers["Content-Disposition"]


MEDIA_TYPES = {
    ".csv": "text/csv",
    ".ttl": "text/turtle",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
}


@pytest.mark.parametrize("profile", PROFILES, ids=[p.id for p in PROFILES])
def test_example_downloads_give_the_example_files(
    model_client: FlaskClient, profile: Profile
) -> None:
    _, page = _page(model_client, profile)
    examples = [href for href, download in page.links if download and "/examples/" in href]
    has_examples = (profile.directory / "examples").is_dir()
    assert bool(examples) == has_examples
    for href in examples:
        response = model_client.get(href)
        assert response.status_code == 200, href
        source = profile.directory / href.split(f"/shapes/{profile.id}/", 1)[1]
        if source.is_dir():  # a GTFS feed, zipped
            assert response.mimetype == "application/zip"
            with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
                assert sorted(archive.namelist()) == sorted(p.name for p in source.glob("*.txt"))
        else:
            assert response.mimetype == MEDIA_TYPES[source.suffix]
            assert response.data == profile.model.read(source)


def test_only_listed_examples_are_served(model_client: FlaskClient) -> None:
    for path in (
        "/shapes/ods-aed/examples/%2e%2e/profile.ttl",
        "/shapes/ods-aed/examples/invalid/rules.expected.json",
        "/shapes/ods-aed/examples/nothing.csv",
        "/shapes/no-such-profile/template.csv",
        "/shapes/gtfs-jp/template.csv",  # a feed's template is a zip
    ):
        assert model_client.get(path).status_code == 404, path


@pytest.mark.parametrize("kind", sorted({p.input_kind for p in PROFILES}))
def test_every_link_on_a_profile_page_answers(model_client: FlaskClient, kind: str) -> None:
    """One profile of each input kind: term, shape, standard, download and raw links."""
    profile = next(p for p in PROFILES if p.input_kind == kind and p.is_data_profile)
    text, page = _page(model_client, profile, "en")
    internal = sorted({href for href, _ in page.links if href.startswith("/")})
    assert any("?format=turtle" in h for h in internal) and any(
        "format=jsonld" in h for h in internal
    )
    for href in internal:
        response = model_client.get(href, follow_redirects=True)
        assert response.status_code == 200, href
    assert f'href="/validate?profile={profile.id}"' in text


def test_raw_statements_are_one_click_away_not_the_default(model_client: FlaskClient) -> None:
    page = model_client.get("/shapes/ods-aed/", headers={"Accept": "text/html"})
    assert "<h1><code>" not in page.get_data(as_text=True)
    turtle = model_client.get("/shapes/ods-aed/?format=turtle")
    assert turtle.mimetype == "text/turtle" and b"/prof/" in turtle.data
    assert model_client.get("/shapes/ods-aed/?format=jsonld").mimetype == "application/ld+json"


def test_profile_iri_without_its_slash_and_column_iris_lead_to_the_page(
    model_client: FlaskClient,
) -> None:
    bare = model_client.get("/shapes/ods-aed?lang=en", headers={"Accept": "text/html"})
    assert bare.status_code == 301 and bare.headers["Location"] == "/shapes/ods-aed/?lang=en"
    profile = next(p for p in PROFILES if p.id == "ods-aed")
    schema = profile.table_schema()
    assert schema is not None
    column = schema.columns[3]
    response = model_client.get(_href(column.property_url), headers={"Accept": "text/html"})
    assert response.status_code == 303
    location, _, anchor = response.headers["Location"].partition("#")
    assert location == "/shapes/ods-aed/"
    _, page = _page(model_client, profile)
    assert unquote(anchor) in page.ids
    machine = model_client.get(_href(column.property_url), headers={"Accept": "text/turtle"})
    assert machine.status_code == 200 and machine.mimetype == "text/turtle"


def test_validate_form_comes_with_the_profile_chosen(model_client: FlaskClient) -> None:
    page = model_client.get("/validate?profile=ods-aed").get_data(as_text=True)
    assert '<option value="ods-aed" selected>' in page
    assert page.count(" selected>") == 1


@pytest.fixture(scope="module")
def released_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Path]]:
    """ods-aed in release 1.0.0, changed in 1.1.0 (a new version and a tighter rule)."""
    root = copy_sources(tmp_path_factory.mktemp("history") / "src", ("common", "ods-aed"))
    create_release(root, "1.0.0", {"ja": "最初の版", "en": "First release"}, BASE_IRI)
    folder = root / "shapes" / "ods-aed"
    profile_ttl = folder / "profile.ttl"
    profile_ttl.write_text(
        profile_ttl.read_text("utf-8").replace('"1.0.0"', '"1.1.0"'), encoding="utf-8"
    )
    shapes = folder / "shapes.ttl"
    shapes.write_text(
        shapes.read_text("utf-8").replace("sh:severity sh:Warning", "sh:severity sh:Violation", 1),
        encoding="utf-8",
    )
    create_release(root, "1.1.0", {"ja": "規則を強化", "en": "A rule tightened"}, BASE_IRI)
    complete_sources(root)  # the build refuses references to what a partial copy lacks
    store = root.parent / "store"
    build_store(store, ModelFiles(root, BASE_IRI))
    settings = load_settings(
        {"CITYREF_STORE": str(store), "CITYREF_SOURCES": str(root), "CITYREF_RATE_LIMIT": "100000"}
    )
    yield create_app(settings, {"TESTING": True}), root


def test_history_names_the_releases_and_links_their_changes(
    released_app: tuple[Flask, Path],
) -> None:
    app, root = released_app
    history = profile_history(ModelFiles(root, BASE_IRI), "ods-aed")
    assert [(h.release, h.profile_version, h.change, h.previous) for h in history] == [
        ("1.0.0", "1.0.0", "added", ""),
        ("1.1.0", "1.1.0", "changed", "1.0.0"),
        ("working", "1.1.0", "unchanged", "1.1.0"),
    ]
    page = app.test_client().get("/shapes/ods-aed/?lang=en").get_data(as_text=True)
    assert 'href="/registry/diff?old=1.0.0&amp;new=1.1.0"' in page
    assert ">1.1.0</a>" in page and "working tree" in page


def test_each_column_links_the_term_it_maps_to(model_client: FlaskClient) -> None:
    """The term column names the Reference Model term (common:term), linked to its page, and
    the table's rows are named by their class (common:termClass)."""
    profile = next(p for p in PROFILES if p.id == "legacy-aed")
    text = html.unescape(_page(model_client, profile, "en")[0])
    row = text.split('<span lang="ja">設置位置</span>', 1)[1].split("</tr>", 1)[0]
    assert f'href="{_href(BASE_IRI + "def/core#installationPosition")}"' in row
    kana = text.split('<span lang="ja">名称_カナ</span>', 1)[1].split("</tr>", 1)[0]
    assert f'href="{_href(BASE_IRI + "def/core#nameKana")}"' in kana
    assert f'href="{_href(BASE_IRI + "def/core#Facility")}"' in text
    response = model_client.get(_href(BASE_IRI + "def/core#installationPosition"))
    assert response.status_code == 200
