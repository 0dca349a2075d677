"""The home page says what the site is for; the query page opens on an example question and
lists the questions by subject, with plain links that work without JavaScript (issue 13)."""

from __future__ import annotations

import re
import shutil
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.i18n import MESSAGES
from cityref.pages.questions import QUESTION_GROUPS, questions, read_question
from cityref.settings import load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO, TOY

QUESTIONS = sorted((REPO / "tests" / "queries").glob("[0-9]*.rq"))


class _Links(HTMLParser):
    """The ``href`` of every link inside the element with ``id``'s section (by
    ``aria-labelledby``), with the text of the headings there."""

    def __init__(self, section: str) -> None:
        super().__init__()
        self.section = section
        self.depth = 0  # > 0 while inside the section
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.depth:
            if tag == "section":
                self.depth += 1
            if tag == "a" and values.get("href"):
                self.links.append(str(values["href"]))
        elif tag == "section" and values.get("aria-labelledby") == self.section:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "section":
            self.depth -= 1


def _links_in(html: str, section: str) -> list[str]:
    parser = _Links(section)
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_home_says_what_the_site_is_for_and_every_link_answers(
    client: FlaskClient, lang: str
) -> None:
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    for key in ("home.purpose", "home.uses", "home.architects", "home.vendors", "home.maintainers"):
        assert str(MESSAGES[key].in_language(lang)) in html, key
    # The audiences come before the landscape.
    assert html.index('id="uses"') < html.index('id="landscape"') < html.index("<table")
    links = _links_in(html, "uses")
    for needed in ("/query", "/validate", "/registry/proposals", "/registry/releases"):
        assert needed in links
    assert "/shapes/toy-facility/" in links  # the profiles a file can be checked against
    for link in links:
        if link.startswith("#"):
            assert f'id="{link[1:]}"' in html, link
            continue
        answer = client.get(link, headers={"Accept": "text/html"})
        assert answer.status_code == 200, (link, answer.status_code)


def test_landscape_header_is_one_column_for_the_domain(client: FlaskClient) -> None:
    """The header had two cells (field, area) over a body cell spanning both, so on a phone the
    second header wrapped one character per line; now one header cell names the column."""
    html = client.get("/?lang=ja").get_data(as_text=True)
    head = re.search(r'<table class="landscape">.*?<thead>(.*?)</thead>', html, re.S)
    assert head is not None
    assert "colspan" not in html[html.index('<table class="landscape">') :].split("</table>")[0]
    assert head.group(1).count("<th") == 1 + 4  # the domain, then the four kinds of statement
    assert 'tabindex="0"' in html.split('<table class="landscape">')[0].rsplit("<div", 1)[1]


def _textarea(html: str) -> str:
    found = re.search(r'<textarea id="plain-query"[^>]*>(.*?)</textarea>', html, re.S)
    assert found is not None
    return found.group(1)


def _first_line(path: Path) -> str:
    return path.read_text("utf-8").splitlines()[0]


def test_query_page_opens_on_the_first_example(model_client: FlaskClient) -> None:
    html = model_client.get("/query?lang=ja").get_data(as_text=True)
    assert "LIMIT 10" not in _textarea(html)
    assert _textarea(html).startswith(_first_line(QUESTIONS[0]))
    assert 'href="/query?example=01"\n      aria-current="true"' in html


@pytest.mark.parametrize("asked", ["05", "5"])
def test_example_link_opens_the_page_on_that_example(model_client: FlaskClient, asked: str) -> None:
    html = model_client.get(f"/query?example={asked}&lang=en").get_data(as_text=True)
    (fifth,) = (q for q in QUESTIONS if q.name.startswith("05-"))
    assert _textarea(html).startswith(_first_line(fifth))
    title = fifth.read_text("utf-8").splitlines()[1].removeprefix("# en: ")
    assert f'<strong id="current-question">{escape(title)}</strong>' in html
    assert 'data-run="1"' in html  # asked by name: the script runs it at once


@pytest.mark.parametrize("asked", ["99", "abc", ""])
def test_an_unknown_example_is_a_404(model_client: FlaskClient, asked: str) -> None:
    answer = model_client.get(f"/query?example={asked}", headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert "/query" in answer.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_question_is_listed_once_under_its_group(
    model_client: FlaskClient, lang: str
) -> None:
    html = model_client.get(f"/query?lang={lang}").get_data(as_text=True)
    listing = html[html.index('<nav class="questions"') :]
    headings = re.findall(r'<h3 id="group-(\w+)">([^<]+)</h3>', listing)
    assert [key for key, _ in headings] == list(QUESTION_GROUPS)  # every group, in order
    assert [unescape(title) for _, title in headings] == [
        t.in_language(lang) for t in QUESTION_GROUPS.values()
    ]
    for rq in QUESTIONS:
        number = rq.name[:2]
        group = re.search(r"^# group: (\w+)$", rq.read_text("utf-8"), re.M)
        assert group is not None and group.group(1) in QUESTION_GROUPS, rq.name
        assert listing.count(f'href="/query?example={number}"') == 1, rq.name
        # The link sits after its group's heading and before the next one.
        where = listing.index(f'href="/query?example={number}"')
        before = [key for key, _ in headings if listing.index(f'id="group-{key}"') < where]
        assert before[-1] == group.group(1), rq.name


def test_questions_come_from_the_model_sources_rebased() -> None:
    """Read through ModelFiles: another base IRI rebases them, as every other source."""
    other = "https://example.org/city/"
    found = questions(ModelFiles(REPO, other))
    assert len(found) == len(QUESTIONS) >= 29
    assert all("w3id.org/cityref" not in q.query for q in found)
    assert any(other in q.query for q in found)
    assert all(not q.query.count("# group:") for q in found)  # the page's, not the editor's


def test_a_question_without_a_known_group_is_listed_under_other() -> None:
    question = read_question("07", "07-x", "# ja: 何？\n# en: What?\n# group: nope\nSELECT * {}")
    assert (question.group, question.title.ja, question.title.en) == ("other", "何？", "What?")


def test_an_installed_tree_serves_its_own_questions(tmp_path: Path) -> None:
    """A sources tree (as the wheel installs under cityref/_sources) with tests/queries/ of its
    own: the page lists those, read from that tree, not from a checkout."""
    sources = tmp_path / "sources"
    shutil.copytree(TOY, sources)
    (sources / "tests" / "queries").mkdir(parents=True)
    (sources / "tests" / "queries" / "01-schools.rq").write_text(
        "# ja: 学校はどれか？\n# en: Which are the schools?\n# group: vocabulary\n"
        "SELECT ?s WHERE { ?s a <https://example.org/toy#School> } ORDER BY ?s\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    build_store(store, ModelFiles(sources, BASE_IRI))
    settings = load_settings(
        {"CITYREF_STORE": str(store), "CITYREF_SOURCES": str(sources), "CITYREF_RATE_LIMIT": "1000"}
    )
    client = create_app(settings, {"TESTING": True}).test_client()
    html = client.get("/query?lang=en").get_data(as_text=True)
    assert "Which are the schools?" in html
    assert html.count('class="example"') == 1
    assert "toy#School" in _textarea(html)
