"""Every page in both languages, with no interface text of the other language showing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from app.i18n import MESSAGES
from app.time_words import time_in_words

PAGES = [
    "/",
    "/def/domain/mobility",
    "/def/domain/cityos",
    "/def/core%23Facility",
    "/def/core%23name",
    "/def/core",
    "/def/infrastructure",
    "/shapes/ods-aed/",
    "/shapes/gtfs-jp/",
    "/shapes/gif-facility/",
    "/shapes/gif-facility/ContactShape",
    "/search?q=%E6%96%BD%E8%A8%AD",
    "/search?q=parking",
    "/query",
    "/registry/standards",
    "/registry/standard/gtfs-jp",
    "/registry/landscape/agency/mlit",
    "/validate",
    "/registry/releases",
    "/registry/proposals",
    "/registry/systems",
    "/registry/diff",
]


def test_every_message_has_both_languages() -> None:
    for key, text in MESSAGES.items():
        assert text.ja.strip() and text.en.strip(), key


VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


class _TextNodes(HTMLParser):
    """Every text a person reads in the page language (text nodes, placeholders, labels).

    Left out: scripts, code (IRIs) and elements marked with another ``lang``, which hold
    model data in that language on purpose.
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.texts: set[str] = set()
        self._stack: list[bool] = []  # per open element: is its content left out?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        own_lang = values.get("lang")
        skipped = (
            (bool(self._stack) and self._stack[-1])
            or tag in ("script", "code", "style")
            or (tag != "html" and own_lang is not None and own_lang != self.lang)
        )
        if tag not in VOID:
            self._stack.append(skipped)
        if not skipped:
            for name in ("placeholder", "aria-label", "title", "alt"):
                if values.get(name):
                    self.texts.add(str(values[name]).strip())

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]) and data.strip():
            self.texts.add(" ".join(data.split()))


def _interface_texts(html: str, lang: str) -> set[str]:
    parser = _TextNodes(lang)
    parser.feed(html)
    return parser.texts


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_exists_in_both_languages(model_client: FlaskClient, path: str, lang: str) -> None:
    separator = "&" if "?" in path else "?"
    response = model_client.get(f"{path}{separator}lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.data[:300]
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert re.search(r"<title>[^<>]+</title>", html), "the title holds text only"
    texts = _interface_texts(html, lang)
    other = "ja" if lang == "en" else "en"
    # An interface text of the other language, as a whole text node, is an untranslated
    # string; model data may fall back to the other language where it has no translation.
    leaked = [
        text.in_language(other)
        for key, text in MESSAGES.items()
        if text.ja != text.en and text.in_language(other) in texts and key != "nav.language"
    ]
    assert not leaked, f"{path} in {lang} shows: {leaked[:5]}"


def test_accept_language_chooses_and_cookie_sticks(model_client: FlaskClient) -> None:
    english = model_client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    model_client.get("/?lang=ja")
    again = model_client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="ja">' in again.get_data(as_text=True)


def test_times_read_in_japan_time() -> None:
    assert time_in_words("2026-12-03T09:31:00Z", "ja") == "2026年12月3日 18:31 JST"
    assert time_in_words("2026-12-03T09:31:00Z", "en") == "3 December 2026, 18:31 JST (09:31 UTC)"
    assert time_in_words("2026-12-31T20:00:00+00:00", "ja") == "2027年1月1日 05:00 JST"
    assert time_in_words("2021-07-30", "ja") == "2021年7月30日"
    assert time_in_words("2021-07-30", "en") == "30 July 2021"
    assert time_in_words("not a time", "en") == "not a time"
