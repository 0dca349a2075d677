"""How the crawl (:mod:`tests.browser.crawl`) reads a URL and a page: the URL without its
fragment and ``lang``, whether it is a download, the kind and route pattern of a page and of a
``?format=`` download, what is wrong with an answer's caching, and the links and shown text of
an HTML page (raw JSON or RDF where a person expects text)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyoxigraph

#: A profile's folder in a path: its downloads are made alike for every profile.
ANY_PROFILE = re.compile(r"^/shapes/[^/]+/")
#: Elements whose text a browser does not show.
HIDDEN_ELEMENTS = frozenset({"script", "style", "template", "noscript", "head", "title"})


def normalise(url: str, origin: str) -> str | None:
    """``/path?query`` of a same-origin URL without its fragment and ``lang``, else None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return (parts.path or "/") + (f"?{urlencode(query)}" if query else "")


def is_download_link(target: str) -> bool:
    """Links that ask for data rather than a page: a serialisation or an API answer."""
    parts = urlsplit(target)
    asks_format = any(k == "format" for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return asks_format or parts.path.startswith("/api/")


def page_kind(target: str) -> str:
    """The parent of a page and its query's names: ``/def/core%23Facility`` → ``/def/core%23``,
    ``/registry/standard/saref`` → ``/registry/standard/``, ``/search?q=x`` → ``/search?q``."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    if "%23" in path:
        parent = path.split("%23", 1)[0] + "%23"
    else:
        parent = path.rsplit("/", 1)[0] + "/" if path.count("/") > 1 else path
    names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return parent + ("?" + "&".join(names) if names else "")


def route_pattern(target: str) -> str:
    """The route a page is made by: its kind (:func:`page_kind`), of any profile:
    ``/shapes/ods-aed/shape/x`` → ``/shapes/*/shape/``, ``/registry/standard/saref`` →
    ``/registry/standard/``."""
    return ANY_PROFILE.sub("/shapes/*/", page_kind(target))


def download_kind(target: str) -> str | None:
    """The kind of a ``?format=`` download: its page's kind, of any profile, and the format
    asked: ``/def/core%23Facility?format=turtle`` → ``/def/core%23?format=turtle``,
    ``/shapes/ods-aed/shape/x?format=jsonld`` → ``/shapes/*/shape/?format=jsonld``; None for
    other downloads (an API answer, a report's file), which are all requested."""
    parts = urlsplit(target)
    formats = [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "format"]
    if not formats:
        return None
    return route_pattern(parts.path) + "?format=" + ",".join(formats)


def caching_fault(headers: dict[str, str]) -> str:
    """What is wrong with how an answer may be cached: every answer says who may keep it, and
    one that anybody may keep has a validator to ask again with (app.http_cache)."""
    cache = headers.get("cache-control", "")
    if not cache:
        return "no Cache-Control"
    if "public" in cache and "etag" not in headers:
        return f"Cache-Control {cache!r} without an ETag"
    return ""


def raw_data_shown(text: str, base: str) -> str | None:
    """What raw data ``text`` is, when a JSON or Turtle parser accepts it (Turtle with at least
    one statement, which covers N-Triples); None for text a person reads."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        json.loads(stripped)
    except ValueError:
        pass
    else:
        return "JSON"
    try:
        statements = pyoxigraph.parse(stripped, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base)
        next(iter(statements))
    except (SyntaxError, StopIteration, ValueError):
        return None
    return "RDF statements"


class PageReader(HTMLParser):
    """The links and files an HTML page names, and the text a browser shows of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (URL as written, "page" | "download" | "file")
        self.text: list[str] = []
        self.lang: str | None = None  # of the html element
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "html":
            self.lang = named.get("lang")
        if tag in ("a", "area") and named.get("href"):
            self.links.append((named["href"] or "", "download" if "download" in named else "page"))
        elif tag == "link" and named.get("href"):
            self.links.append((named["href"] or "", "file"))
        elif tag in ("script", "img", "iframe", "source") and named.get("src"):
            self.links.append((named["src"] or "", "file"))
        if tag in HIDDEN_ELEMENTS:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)
