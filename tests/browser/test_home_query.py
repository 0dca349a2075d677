"""The home and query pages in Chromium (issue 13): the landscape on a phone, YASGUI opened on
an example with values a person reads, and no serious accessibility fault (axe-core)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import AXE, failing_violations, violation_lines

pytestmark = pytest.mark.browser


@pytest.fixture
def checked_page(browser: Browser, ui_server: str) -> Iterator[Page]:
    """A page axe-core can be injected into (the site's CSP allows only its own scripts)."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (scripts/setup runs npm ci)")
    context = browser.new_context(
        base_url=ui_server, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_landscape_fits_a_phone_screen(phone: Page) -> None:
    phone.goto("/")
    width, inner = phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, "the page scrolls sideways"
    wrap = phone.locator(".table-wrap", has=phone.locator("table.landscape"))
    scroll, client = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll > client, "the table scrolls inside its wrapper"
    # No header squeezed to a character per line: each is at least four characters wide.
    font = float(phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    for box in phone.locator("table.landscape thead th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width)"
    ):
        assert box >= 4 * font
    # Scrolled to the far right, the domain column is still there to read.
    first = phone.locator("#row-mobility th")
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    left_of_wrap = wrap.evaluate("e => e.getBoundingClientRect().left")
    box = first.bounding_box()
    assert box is not None and abs(box["x"] - left_of_wrap) < 2 and box["width"] >= 6 * font
    expect(first.locator("a")).to_be_visible()


def _editor_text(page: Page) -> str:
    return str(page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def test_query_page_opens_on_the_example_and_shows_plain_values(page: Page) -> None:
    page.goto("/query?example=06")
    expect(page.locator(".yasr table tbody tr")).to_have_count(16, timeout=30_000)
    assert _editor_text(page).startswith("# ja: 各領域の到達すべき姿")
    first_row = page.locator(".yasr table tbody tr").first
    cells = [c.strip() for c in first_row.locator("td").all_inner_texts()]
    # 1, モビリティ／移動 (ja, discreetly), 1, 2, 2, 2, 7: values, not "7"^^xsd:integer.
    assert cells[-1] == "7" and cells[1] == "1"
    assert "^^" not in page.locator(".yasr table").inner_text()
    expect(first_row.locator(".lang-tag")).to_have_text("ja")
    # Plain /query opens on the first question, not on SELECT * … LIMIT 10.
    page.goto("/query")
    expect(page.locator(".CodeMirror")).to_be_visible()
    assert _editor_text(page).startswith("# ja: 参照モデルの16領域")


def test_a_question_beside_the_editor_loads_and_runs(page: Page) -> None:
    page.goto("/query?lang=en")
    link = page.locator("a.example[href='/query?example=08']")
    link.click()
    expect(page).to_have_url(re.compile(r"/query\?example=08$"))
    expect(link).to_have_attribute("aria-current", "true")
    expect(page.locator("#current-question")).to_have_text(link.inner_text())
    expect(page.locator(".yasr table tbody tr")).to_have_count(5, timeout=30_000)
    assert "FY2018" in _editor_text(page)
    expect(page.locator(".yasr_response_chip")).to_contain_text("5 results")


def test_the_models_iris_link_to_their_pages(page: Page) -> None:
    page.goto("/query")
    expect(page.locator(".CodeMirror")).to_be_visible()
    page.evaluate(
        """document.querySelector('.CodeMirror').CodeMirror.setValue(
        'PREFIX core: <' + document.body.dataset.baseIri + 'def/core#>\\n' +
        'SELECT ?term ?n WHERE { VALUES (?term ?n) { (core:Facility 1) } }')"""
    )
    page.get_by_role("button", name="クエリを実行").click()
    link = page.locator(".yasr table tbody a.iri")
    expect(link).to_have_text("core:Facility", timeout=30_000)
    expect(link).to_have_attribute("href", "/def/core%23Facility")
    expect(page.locator(".yasr table tbody td").last).to_have_text("1")
    link.click()
    expect(page.locator("h1")).to_contain_text("施設")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_home_and_query_have_no_serious_accessibility_fault(checked_page: Page, lang: str) -> None:
    page = checked_page
    page.goto(f"/?lang={lang}")
    assert violation_lines(failing_violations(page)) == []
    # The query page with an answer drawn and YASGUI's settings menu open.
    page.goto(f"/query?example=06&lang={lang}")
    expect(page.locator(".yasr table tbody tr").first).to_be_visible(timeout=30_000)
    page.locator(".tabContextButton").click()
    expect(page.locator(".tabMenu.open")).to_be_visible()
    assert violation_lines(failing_violations(page)) == []
