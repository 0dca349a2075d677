"""Walk a site the way a person does, in headless Chromium, and say everything that went wrong.

:func:`crawl` starts at a few pages of a language and follows every same-origin link
breadth-first, each URL once per language (fragment and ``lang`` left out: the language is the
browser context's, set by its locale and the ``?lang=`` of the first page). Every URL is
requested through the browser context (its cookies and language); a page's links are read from
its HTML: ``a[href]`` (a ``?format=`` or ``/api/`` link or ``a[download]`` is a download) and the
files it names (``link[href]``, ``script[src]``, ``img[src]``…). Downloads and files do not
depend on the page language and are fetched in the first language only. A redirect's Location
is queued like a link (so a page many IRIs redirect to is requested once).

The members of one thing — the shapes and columns of a profile (``/shapes/<id>/shape/…``), the
terms of a module (``/def/core%23…``), and the downloads of each — are many pages of one template
filled from one query: of each such kind the first :data:`REQUESTED_PER_KIND` a language meets
are requested, the rest counted as sampled. Everything else (every profile, standard, release,
record, search, form and report page, and the files pages load) is requested. With issue 14's
51 profiles the full walk passed 10,000 URLs a language and twelve minutes.

Every page is also opened in a Chromium tab, except that of the pages that share a parent path
and query (``/def/core%23…``, ``/registry/standard/…``, ``/search?q``) only the first
:data:`OPENED_PER_KIND` are: opening all of them (some 1,200 per language) takes Chromium
several minutes of a core, and pages of one kind share their template and scripts. The tab is
handed the answer the crawl was just given for the page, so the server renders it once; what
the page loads (scripts, styles, its API calls) the tab asks the server for.

A page already requested in an earlier language is requested again only as one of the first
:data:`PAGES_PER_PATTERN_AGAIN` of its route pattern (:func:`route_pattern`) in this language;
the rest are counted as sampled out. The second language thus checks every kind of page (its
``lang``, its text, its answer, the tab) on a sample, while every link and download is still
followed at least once: a link the first language never met is always requested, and when the
queue runs dry a page of each route pattern the earlier languages requested but this one did
not is queued, so no kind of page goes unchecked in any language. Links of a page are the same
in both languages (its template is). English walked in full was 1,332 pages, 495 of them
opened in a tab; sampled, 144 and 133.

Of the ``?format=`` downloads (a serialisation of a page's resource) the first
:data:`REQUESTED_PER_KIND` of each page kind and format are requested, in the first language,
the rest counted as sampled (:func:`download_kind`): one serialiser per format answers every
resource of a kind from one query; a download is a third of the requests and as costly as a
page. Other downloads (API answers, a report's files) are all requested.

A failure is: a 4xx/5xx answer of a page, a download, a file or anything an opened page loads;
a page whose text (as the browser would show it) is raw JSON or RDF statements — a JSON or
Turtle parser decides; a console error or uncaught exception in an opened page; a link whose
scheme is not http(s); an answer without Cache-Control, or public without an ETag; more than
``limit`` URLs in a language.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from playwright.async_api import (
    APIResponse,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    Route,
    async_playwright,
)

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.crawl_pages import (
    PageReader,
    caching_fault,
    download_kind,
    is_download_link,
    normalise,
    page_kind,
    raw_data_shown,
    route_pattern,
)

#: Pages of one kind (parent path and query names) opened in a tab, per language.
OPENED_PER_KIND = 3
#: URLs of one kind of member pages requested per language (see the module's text).
REQUESTED_PER_KIND = 3
#: Pages of one route pattern that a later language requests again (see the module's text).
PAGES_PER_PATTERN_AGAIN = 1
#: The kinds (see :func:`page_kind`) whose pages are the members of one profile or module.
MEMBER_KINDS = re.compile(r"^/shapes/[^/]+/[^/?]+/|^/def/[^/?]+%23")
#: The browser's locale for each language of the crawl.
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: What Chromium asks for when a person follows a link.
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Headers of an answer that describe its transfer, not its content: the body handed to a tab
#: is the decoded one, so these are left for Playwright to set.
RECOMPUTED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class Failure:
    """One thing a person would have met: where, from which page, and what went wrong."""

    url: str
    referrer: str
    what: str

    def line(self) -> str:
        return f"{self.url}  (from {self.referrer}): {self.what}"


@dataclass(frozen=True)
class Link:
    """A normalised same-origin URL (path and query), how it is used, and who linked it."""

    target: str
    kind: str  # "page" (a person opens it), "download" or "file" (a page loads it)
    referrer: str


@dataclass
class CrawlResult:
    """What was visited, per language, and every failure met on the way."""

    failures: list[Failure] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()))


#: An answer as the crawl was given it: status, headers and (decoded) body.
Answer = tuple[int, dict[str, str], bytes]


class _Tab:
    """A Chromium tab that opens pages one after the other and notes what fails in each."""

    def __init__(self, page: Page, origin: str, result: CrawlResult) -> None:
        self.page = page
        self.origin = origin
        self.result = result
        self.current: Link | None = None  # the page opened last: late events are its own
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._fail(None, f"uncaught exception: {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _fail(self, url: str | None, what: str) -> None:
        """A failure of the page opened last (``url`` None) or of a file it loads."""
        page = self.current
        if page is None:
            self.result.failures.append(Failure(url or "?", "(before the first page)", what))
        elif url is None or url == self.origin + page.target:
            self.result.failures.append(Failure(self.origin + page.target, page.referrer, what))
        else:
            self.result.failures.append(Failure(url, page.target, what))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url") or "the page"
            self._fail(None, f"console error from {source}: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self._fail(response.url, f"{response.status} for a {response.request.resource_type}")

    def _on_request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:  # aborted: the page moved on, not an error
            self._fail(request.url, f"request failed: {failure}")

    async def open(self, link: Link, answer: Answer | None = None) -> None:
        """Open ``link``; with ``answer`` (the status, headers and body the crawl was just given for
        it) the tab is handed that answer instead of asking the server to render the page a
        second time. What the page then loads (scripts, styles, API calls) comes from the
        server."""
        self.current = link
        url = self.origin + link.target

        def is_this_page(requested: str) -> bool:
            return requested == url

        async def hand_over(route: Route) -> None:
            assert answer is not None
            status, headers, body = answer
            kept = {k: v for k, v in headers.items() if k not in RECOMPUTED_HEADERS}
            await route.fulfill(status=status, headers=kept, body=body)

        if answer is not None:
            await self.page.route(is_this_page, hand_over)
        try:
            await self.page.goto(url, wait_until="load")
        except Error as exc:
            self._fail(None, f"could not open in the browser: {exc.message}")
        finally:
            if answer is not None:
                await self.page.unroute(is_this_page, hand_over)


@dataclass
class _Language:
    """The crawl of one language: its queue, the URLs queued and the pages opened per kind."""

    origin: str
    limit: int
    result: CrawlResult
    fetched_elsewhere: set[str]
    queue: deque[Link] = field(default_factory=deque)
    queued: set[str] = field(default_factory=set)
    opened: Counter[str] = field(default_factory=Counter)
    members: Counter[str] = field(default_factory=Counter)  # member pages queued, per kind
    #: ``?format=`` downloads queued per :func:`download_kind`, in every language together.
    downloads: Counter[str] = field(default_factory=Counter)
    #: Pages requested in every language together, and the first of each route pattern.
    pages_requested: set[str] = field(default_factory=set)
    pattern_examples: dict[str, Link] = field(default_factory=dict)
    patterns: Counter[str] = field(default_factory=Counter)  # pages queued, per route pattern
    exploded: bool = False

    def add(self, written: str, base: str, kind: str, referrer: str) -> None:
        resolved = urljoin(base, written)
        scheme = urlsplit(resolved).scheme
        if scheme not in ("http", "https"):
            if not (kind == "file" and scheme == "data"):
                self.result.failures.append(
                    Failure(written, referrer, f"a link with scheme {scheme!r}")
                )
            return
        target = normalise(resolved, self.origin)
        if target is None or target in self.queued:
            return  # another site (not followed) or already queued
        if kind == "page" and is_download_link(target):
            kind = "download"
        if kind != "page" and target in self.fetched_elsewhere:
            return  # the same bytes in every language
        kind_of_page = page_kind(target)
        if kind == "page":
            pattern = route_pattern(target)
            seen = target in self.pages_requested and referrer != "(start)"
            if seen and self.patterns[pattern] >= PAGES_PER_PATTERN_AGAIN:
                self.result.counts["pages sampled out (requested in another language)"] += 1
                return
        if MEMBER_KINDS.match(kind_of_page):
            if self.members[kind_of_page] >= REQUESTED_PER_KIND:
                self.result.counts["member pages sampled out"] += 1
                return
            self.members[kind_of_page] += 1
        elif kind == "download" and (serialisation := download_kind(target)):
            if self.downloads[serialisation] >= REQUESTED_PER_KIND:
                self.result.counts["downloads sampled out"] += 1
                return
            self.downloads[serialisation] += 1
        if len(self.queued) >= self.limit:
            self.exploded = True
            return
        self.queued.add(target)
        if kind == "page":
            self.patterns[route_pattern(target)] += 1
        self.queue.append(Link(target, kind, referrer))

    def unchecked_patterns(self) -> list[Link]:
        """A page of each route pattern an earlier language requested and this one did not."""
        return [
            example
            for pattern, example in sorted(self.pattern_examples.items())
            if not self.patterns[pattern]
        ]


async def _get(context: BrowserContext, url: str) -> APIResponse:
    """GET ``url``, once more when a reused keep-alive connection was reset: the server may
    close an idle connection as the request goes out on it, and browsers, too, repeat an
    idempotent request then (the reset is not the page's failure; a second one is)."""
    try:
        return await context.request.get(url, headers={"Accept": PAGE_ACCEPT}, max_redirects=0)
    except Error as exc:
        if "ECONNRESET" not in str(exc):
            raise
    return await context.request.get(url, headers={"Accept": PAGE_ACCEPT}, max_redirects=0)


async def _visit(
    link: Link, language: _Language, context: BrowserContext, tab: _Tab, lang: str
) -> None:
    """Request ``link``; check the answer; queue a page's links; open it in the tab when its
    kind has not been opened enough."""
    result, origin = language.result, language.origin
    url = origin + link.target
    # Redirects are not followed here but queued: hundreds of column and edition IRIs redirect
    # to a few pages (a profile's row, a standard), each of which is then requested once.
    response = await _get(context, url)
    try:
        body = b"" if 300 <= response.status < 400 else await response.body()
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
    finally:
        await response.dispose()
    result.counts[f"{link.kind}s ({lang})"] += 1
    if link.kind == "page":
        language.pages_requested.add(link.target)
        language.pattern_examples.setdefault(route_pattern(link.target), link)
    location = response.headers.get("location")
    if 300 <= response.status < 400:
        if location is None:
            result.failures.append(
                Failure(url, link.referrer, f"{response.status} without Location")
            )
        else:
            result.counts[f"redirects ({lang})"] += 1
            language.add(location, url, link.kind, link.target)
        return
    if link.kind != "page":
        language.fetched_elsewhere.add(link.target)
    what = ""
    if response.status >= 400:
        what = f"{response.status} for a {link.kind}"
    elif not media_type:
        what = "no Content-Type"
    elif not body:
        what = "empty body"
    else:
        what = caching_fault(response.headers)
    if what:
        result.failures.append(Failure(url, link.referrer, what))
        return
    if link.kind != "page":
        return
    text = body.decode("utf-8", errors="replace")
    reader = PageReader()
    if media_type == "text/html":
        reader.feed(text)
        reader.close()
    shown = raw_data_shown(text, url) or (
        raw_data_shown("".join(reader.text), url) if media_type == "text/html" else None
    )
    attachment = "attachment" in response.headers.get("content-disposition", "")
    if shown and not attachment:
        result.failures.append(Failure(url, link.referrer, f"shows raw {shown} ({media_type})"))
    if media_type == "text/html" and reader.lang != lang:
        result.failures.append(Failure(url, link.referrer, f"a page in {reader.lang}, not {lang}"))
    for written, kind in reader.links:
        language.add(written, response.url, kind, link.target)
    kind = page_kind(link.target)
    if media_type == "text/html" and language.opened[kind] < OPENED_PER_KIND:
        language.opened[kind] += 1
        result.counts[f"opened in Chromium ({lang})"] += 1
        await tab.open(link, (response.status, response.headers, body))


async def _crawl_language(
    browser_context: BrowserContext,
    language: _Language,
    starts: Sequence[str],
    lang: str,
    tabs: int,
) -> None:
    workers = [
        _Tab(await browser_context.new_page(), language.origin, language.result)
        for _ in range(tabs)
    ]
    await workers[0].open(Link(starts[0], "page", "(start)"))  # sets the language cookie
    for start in starts:
        language.add(start, language.origin, "page", "(start)")
    busy = 0
    wake = asyncio.Event()

    async def work(tab: _Tab) -> None:
        nonlocal busy
        while True:
            while not language.queue:
                if busy == 0:
                    wake.set()
                    return
                wake.clear()
                await wake.wait()
            link = language.queue.popleft()
            busy += 1
            try:
                await _visit(link, language, browser_context, tab, lang)
            finally:
                busy -= 1
                wake.set()

    await asyncio.gather(*(work(tab) for tab in workers))
    tried: set[str] = set()
    while unchecked := [p for p in language.unchecked_patterns() if p.target not in tried]:
        for example in unchecked:
            tried.add(example.target)
            language.add(example.target, language.origin, "page", example.referrer)
        await asyncio.gather(*(work(tab) for tab in workers))
    if language.exploded:
        kinds = Counter(page_kind(target) for target in language.queued).most_common(5)
        where = ", ".join(f"{kind} ({n})" for kind, n in kinds)
        language.result.failures.append(
            Failure(
                language.origin,
                "(crawl)",
                f"more than {language.limit} URLs in {lang}: links multiply; most under {where}",
            )
        )


async def _crawl(
    origin: str, starts: dict[str, Sequence[str]], tabs: int, limit: int
) -> CrawlResult:
    result = CrawlResult()
    fetched: set[str] = set()
    downloads: Counter[str] = Counter()
    pages: set[str] = set()
    examples: dict[str, Link] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang, paths in starts.items():
            context = await browser.new_context(locale=LOCALES[lang])
            context.set_default_timeout(ANSWER_TIMEOUT_MS)
            language = _Language(
                origin,
                limit,
                result,
                fetched,
                downloads=downloads,
                pages_requested=pages,
                pattern_examples=examples,
            )
            await _crawl_language(context, language, paths, lang, tabs)
            await context.close()
        await browser.close()
    return result


#: How long one answer may take. The crawl checks what pages say, not how fast: the first
#: page of some kinds makes data shared by all of them (the standards' coverage matrix, a
#: domain's statements: several seconds of a query worker each), and on a shared 2-core
#: machine with four tabs waiting such a page took over 30 s.
ANSWER_TIMEOUT_MS = 120_000
#: URLs a language may reach before the crawl calls the site exploding: the model's pages,
#: their format links and downloads came to about 5,000 a language with issue 13's pages.
URL_LIMIT = 10_000


def crawl(
    origin: str, starts: dict[str, Sequence[str]], *, tabs: int = 4, limit: int = URL_LIMIT
) -> CrawlResult:
    """Crawl each language (``{"ja": ["/?lang=ja", …], …}``; the first path sets the
    language) with ``tabs`` tabs at once, at most ``limit`` URLs a language. Runs in a thread
    of its own, so that it works beside the sync Playwright of the other browser tests."""
    outcome: list[CrawlResult | BaseException] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(_crawl(origin, starts, tabs, limit)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, name="crawl")
    thread.start()
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]
