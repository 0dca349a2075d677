"""Walk the whole site as a person does, with the server as ``scripts/run`` starts it.

``test_every_link_in_both_languages`` starts at the home page and at a validation report, in
Japanese and then in English, and follows every link (see :mod:`tests.browser.crawl` for what
it checks and fails on). ``test_every_download_of_a_report`` uploads a real file through the
validation form and fetches each download its report page offers. Run them alone with::

    .venv/bin/pytest tests/browser/test_crawl.py
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import urljoin

import pyoxigraph
import pytest
from playwright.sync_api import Browser

from tests.browser.crawl import Failure, crawl
from tests.servers import serving_in_a_thread

pytestmark = pytest.mark.browser

#: What a report download may be, by media type, and how its body is read.
RDF_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
}
OTHER_FORMATS = {"application/json", "text/csv", "text/plain", "text/html"}


def failure_report(failures: list[Failure], summary: str) -> str:
    lines = sorted({failure.line() for failure in failures})
    return f"{len(lines)} failures ({summary}):\n" + "\n".join(lines)


@pytest.mark.slow  # some 3,000 URLs a language: minutes
def test_every_link_in_both_languages(site_as_run: str, report_path: str) -> None:
    result = crawl(
        site_as_run,
        {"ja": ["/?lang=ja", report_path], "en": ["/?lang=en", report_path]},
    )
    print(result.summary())
    assert not result.failures, failure_report(result.failures, result.summary())


def _download_problem(media_type: str, body: bytes, url: str) -> str | None:
    """Why a download is not what its Content-Type says, or None."""
    if not body.strip():
        return "empty body"
    try:
        if media_type in RDF_FORMATS:
            next(iter(pyoxigraph.parse(body, format=RDF_FORMATS[media_type], base_iri=url)))
        elif media_type == "application/json":
            json.loads(body)
        elif media_type == "text/csv":
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
            if len(rows) < 2:
                return f"a CSV of {len(rows)} row(s)"
        elif media_type not in OTHER_FORMATS:
            return f"unexpected Content-Type {media_type!r}"
    except (SyntaxError, ValueError, StopIteration) as exc:
        return f"does not read as {media_type}: {exc!r}"[:300]
    return None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_download_of_a_report(
    browser: Browser, site_as_run: str, report_path: str, lang: str
) -> None:
    context = browser.new_context(base_url=site_as_run, locale="ja-JP" if lang == "ja" else "en-US")
    page = context.new_page()
    page.goto(f"{report_path}?lang={lang}")
    job_files = f"/api/jobs/{report_path.rsplit('/', 1)[1]}/"
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    downloads = sorted({urljoin(page.url, h) for h in hrefs if job_files in urljoin(page.url, h)})
    assert len(downloads) >= 4, f"the report page offers only {downloads}"
    problems = []
    for url in downloads:
        response = context.request.get(url)
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if response.status != 200:
            problem: str | None = f"{response.status}"
        else:
            problem = _download_problem(media_type, response.body(), url)
        if problem:
            problems.append(f"{url}: {problem}")
    context.close()
    assert not problems, "\n".join(problems)


#: A small site with one of each fault the crawl must see, and pages that are fine.
BROKEN_SITE = {
    "/": (
        "text/html",
        '<html lang="ja"><body><a href="/fine">fine</a> <a href="/json-as-html">1</a>'
        ' <a href="/statements">2</a> <a href="/raw-json">3</a> <a href="/missing">4</a>'
        ' <a href="/script-error#top">5</a> <a href="mailto:clerk@example.org">6</a>'
        ' <a href="/fine?format=turtle&amp;lang=en">Turtle</a> <a href="/moved">7</a>'
        ' <a href="https://example.org/elsewhere">elsewhere</a> <a href="/untagged">8</a>'
        + "".join(f' <a href="/thing/{n}?format=turtle">{n}</a>' for n in "abcde")
        + "</body></html>",
    ),
    "/fine": ("text/html", '<html lang="ja"><body><p>ふつうのページ</p></body></html>'),
    "/fine?format=turtle": ("text/turtle", "<https://example.org/a> a <https://example.org/B> ."),
    "/json-as-html": ("text/html", '{"status": 404, "error": {"en": "not found"}}'),
    "/statements": (
        "text/html",
        '<html lang="ja"><body><pre>&lt;https://example.org/a&gt; '
        '&lt;https://example.org/p&gt; "v" .</pre></body></html>',
    ),
    "/raw-json": ("application/json", '{"hits": []}'),
    "/untagged": ("text/html", '<html lang="ja"><body><p>だれでも保存できる</p></body></html>'),
    "/script-error": (
        "text/html",
        '<html lang="en"><body><p>text</p><script src="/boom.js"></script></body></html>',
    ),
    "/boom.js": ("text/javascript", 'console.error("broken"); undefinedFunction();'),
    "/favicon.ico": ("image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg"/>'),
    # Five downloads of one kind and format: the crawl requests three of them.
    **{
        f"/thing/{n}?format=turtle": (
            "text/turtle",
            f"<https://example.org/{n}> a <https://example.org/B> .",
        )
        for n in "abcde"
    },
}
#: Paths that redirect: the crawl follows the Location and blames the redirecting URL.
BROKEN_REDIRECTS = {"/moved": "/gone#row"}


class _QuietHandler(BaseHTTPRequestHandler):
    """A test site's handler: answers with :meth:`answer`, logs nothing."""

    def answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass  # quiet


@contextmanager
def broken_site() -> Iterator[str]:
    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            if self.path.removesuffix("?lang=ja") in BROKEN_REDIRECTS:
                self.answer(
                    302, {"Location": BROKEN_REDIRECTS[self.path.removesuffix("?lang=ja")]}, b""
                )
                return
            found = BROKEN_SITE.get(self.path.removesuffix("?lang=ja"))
            body = (found[1] if found else "missing").encode("utf-8")
            # Anyone may keep /untagged, which has no tag to ask again with: a fault.
            public = self.path.startswith("/untagged")
            headers = {
                "Content-Type": found[0] if found else "text/plain",
                "Cache-Control": "public, max-age=60" if public else "no-cache",
            }
            self.answer(200 if found else 404, headers, body)

    with serving_in_a_thread(Handler) as url:
        yield url


def test_the_crawl_sees_each_fault_a_person_would_meet() -> None:
    with broken_site() as origin:
        result = crawl(origin, {"ja": ["/?lang=ja"]}, tabs=2)
    found = {
        (f.url.removeprefix(origin), f.referrer, f.what.split(": ")[0]) for f in result.failures
    }
    assert found == {
        ("/json-as-html", "/", "shows raw JSON (text/html)"),
        ("/json-as-html", "/", "a page in None, not ja"),
        ("/statements", "/", "shows raw RDF statements (text/html)"),
        ("/raw-json", "/", "shows raw JSON (application/json)"),
        ("/missing", "/", "404 for a page"),
        ("/script-error", "/", "a page in en, not ja"),
        ("/script-error", "/", "console error from " + origin + "/boom.js"),
        ("/script-error", "/", "uncaught exception"),
        ("mailto:clerk@example.org", "/", "a link with scheme 'mailto'"),
        ("/gone", "/moved", "404 for a page"),
        ("/untagged", "/", "Cache-Control 'public, max-age=60' without an ETag"),
    }, result.failures
    assert result.counts["redirects (ja)"] == 1
    assert result.counts["downloads (ja)"] == 1 + 3  # the Turtle links, fetched and fine
    assert result.counts["downloads sampled out"] == 2


def test_the_crawl_stops_when_links_multiply() -> None:
    with broken_site() as origin:
        result = crawl(origin, {"ja": ["/?lang=ja"]}, tabs=1, limit=3)
    capped = [f.what for f in result.failures if f.referrer == "(crawl)"]
    assert capped and capped[0].startswith("more than 3 URLs in ja: links multiply"), capped


#: A site in two languages with three pages of one route pattern; only the last links to
#: ``/deep``, and every item offers a download.
TWO_LANGUAGE_LINKS = {
    "/": "".join(f'<a href="/item/{n}">{n}</a> ' for n in (1, 2, 3)),
    "/item/1": '<a href="/item/1?format=turtle">Turtle</a>',
    "/item/2": '<a href="/item/2?format=turtle">Turtle</a>',
    "/item/3": '<a href="/item/3?format=turtle">Turtle</a> <a href="/deep">deep</a>',
    "/deep": "<p>奥 / deep</p>",
}


@contextmanager
def two_language_site() -> Iterator[str]:
    """:data:`TWO_LANGUAGE_LINKS` in the language of the ``?lang=`` last asked for (a cookie)."""

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            lang = query.removeprefix("lang=") if query.startswith("lang=") else None
            lang = lang or self.headers.get("Cookie", "lang=ja").removeprefix("lang=")
            if path == "/favicon.ico":  # Chromium asks for it: a 404 is a console error
                found, media_type = BROKEN_SITE[path][1], BROKEN_SITE[path][0]
            elif query.startswith("format="):
                found, media_type = (
                    f"<https://example.org{path}> a <https://example.org/I> .",
                    "text/turtle",
                )
            elif path in TWO_LANGUAGE_LINKS:
                found = f'<html lang="{lang}"><body>{TWO_LANGUAGE_LINKS[path]}</body></html>'
                media_type = "text/html"
            else:
                found, media_type = "", "text/plain"
            body = found.encode("utf-8") or b"missing"
            headers = {
                "Content-Type": media_type,
                "Set-Cookie": f"lang={lang}; Path=/",
                "Cache-Control": "no-cache",
            }
            self.answer(200 if found else 404, headers, body)

    with serving_in_a_thread(Handler) as url:
        yield url


def test_a_later_language_samples_each_route_pattern_and_misses_no_link() -> None:
    with two_language_site() as origin:
        result = crawl(origin, {"ja": ["/?lang=ja"], "en": ["/?lang=en"]}, tabs=2)
    assert not result.failures, failure_report(result.failures, result.summary())
    assert result.counts["pages (ja)"] == 5  # every page
    assert result.counts["downloads (ja)"] == 3  # every download, in the first language
    # English: the start, one item of the three, and /deep, which only the unrequested
    # /item/3 links: queued as its route pattern's sample once the queue ran dry.
    assert result.counts["pages (en)"] == 3
    assert result.counts["pages sampled out (requested in another language)"] == 2
    assert "downloads (en)" not in result.counts
