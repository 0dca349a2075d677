"""The UI as a person uses it, in headless Chromium: browse, switch language, search, query."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.conftest import REAL_DATA

pytestmark = pytest.mark.browser


def test_home_domain_class_shape(page: Page, screenshot: Screenshot) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("スーパーシティ構想の全体像")
    expect(page.locator("table.landscape tbody tr")).to_have_count(16)
    screenshot(page, "home")
    page.click("#row-mobility th a")
    expect(page.locator("h1")).to_contain_text("モビリティ")
    expect(page.locator("#classes")).to_be_visible()
    screenshot(page, "domain")
    page.locator("section[aria-labelledby=classes] a").first.click()
    expect(page.locator("#hierarchy")).to_be_visible()
    page.goto("/def/core%23Facility")
    expect(page.locator("h1")).to_contain_text("施設")
    expect(page.locator("#neighbourhood canvas").first).to_be_attached()
    screenshot(page, "term")
    shape_link = page.locator("ul.shapes a").first
    href = shape_link.get_attribute("href") or ""
    assert href.startswith("/shapes/")
    shape_link.click()
    expect(page).to_have_url(re.compile(r"/shapes/"))
    expect(page.locator("h1")).to_be_visible()


def test_language_switch_sticks(page: Page) -> None:
    page.goto("/")
    page.click("a.lang-switch")
    expect(page.locator("h1")).to_have_text("The Super City landscape")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/def/domain/health")  # the cookie keeps English
    expect(page.locator("h2#landscape")).to_have_text("Current work and challenges")
    page.click("a.lang-switch")
    expect(page.locator("h2#landscape")).to_have_text("取組の現状と課題")


def test_search_as_you_type_with_japanese_normalisation(page: Page, screenshot: Screenshot) -> None:
    page.goto("/search")
    page.fill("#q", "ｼｾﾂ")  # half-width katakana, as typed, finds 施設 by its reading
    expect(page.locator("#hits li").first).to_be_visible()
    first = page.locator("#hits li a").first.inner_text()
    assert "施設" in first
    expect(page.locator("#hits li .kind").first).to_have_text("クラス")  # what each hit is
    page.fill("#q", "バス停")  # an everyday word, a synonym of 停留所・駅
    expect(page.locator("#hits li a").first).to_have_text("停留所・駅")
    screenshot(page, "search")
    page.fill("#q", "evacuaton")  # a typo: the nearest label word is offered
    expect(page.locator("#hits .did-you-mean a")).to_have_text("evacuation")
    page.locator("#hits .did-you-mean a").click()
    expect(page).to_have_url(re.compile(r"/search\?q=evacuation"))
    expect(page.locator("#hits li").first).to_be_visible()


def test_example_query_shows_a_results_table(page: Page, screenshot: Screenshot) -> None:
    page.goto("/query")
    page.locator("a.example").first.click()
    expect(page.locator(".yasr table, .yasr .dataTable").first).to_be_visible(timeout=30_000)
    expect(page.locator(".yasr")).to_contain_text("モビリティ")
    screenshot(page, "query")


def test_standards_catalogue_with_coverage_matrix(page: Page, screenshot: Screenshot) -> None:
    page.goto("/registry/standards?lang=en")
    expect(page.locator("h1")).to_have_text("Standards catalogue")
    expect(page.locator("table.matrix thead th")).to_have_count(17)  # standard + 16 domains
    assert page.locator("table.matrix tbody tr").count() >= 30
    screenshot(page, "standards")


def test_upload_a_real_csv_and_see_a_violation_with_its_row(
    page: Page, screenshot: Screenshot
) -> None:
    toilets = REAL_DATA / "ichikawa-122033" / "122033_201_multipurpose_toilet.csv"
    page.goto("/validate")
    page.set_input_files("#file", str(toilets))
    page.click("button[type=submit]")
    expect(page.locator("p.verdict")).to_have_text("適合していません（違反があります）。")
    first_section = page.locator("section.shape-group").first
    expect(first_section.locator("h3")).to_contain_text("設置位置")  # the column it is about
    expect(first_section.locator("tr.violation").first).to_contain_text("行 2")
    # The summary above names the column once, with the rows as a range.
    summary_row = page.locator("section.summary tr.violation", has_text="設置位置").first
    expect(summary_row).to_contain_text("2–")
    screenshot(page, "report")


def test_open_a_release_diff(page: Page, screenshot: Screenshot) -> None:
    page.goto("/registry/releases?lang=en")
    page.click("text=1.0.0 → working tree")
    expect(page.locator("h1")).to_contain_text("1.0.0 → working")
    expect(page.locator("table.diff")).to_contain_text("core#Equipment")
    screenshot(page, "diff")
