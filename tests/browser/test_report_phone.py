"""A long validation report on a phone (issue 13, deliver 4): Ichikawa's AED file, 573
warnings, read at 375×812 — no sideways scrolling but inside the tables' own scroll areas."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.conftest import REAL_DATA

pytestmark = pytest.mark.browser

AED = REAL_DATA / "ichikawa-122033" / "122033_108_aed.csv"


def test_a_long_report_fits_a_phone(phone: Page, screenshot: Screenshot) -> None:
    phone.goto("/validate")
    phone.set_input_files("#file", str(AED))
    phone.click("button[type=submit]")
    expect(phone.locator("section.shape-group")).to_have_count(3)

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.evaluate("window.innerWidth"), f"the page is {width}px wide"
    # Before the sections were folded this page was 68,517 px tall at 375 px wide (23,725 px
    # at 1280): every one of the 573 rows listed. Now about 3,000.
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 6_000, f"the page is {height}px tall"

    kana = phone.locator("section.shape-group", has_text="Name (kana)")
    expect(kana.locator("h3")).to_contain_text("全角カタカナ")
    # A value keeps a readable width instead of wrapping one character per line.
    value = kana.locator("td.value").first
    assert (value.bounding_box() or {"width": 0})["width"] >= 120
    line = phone.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert (value.locator("code").first.bounding_box() or {"height": 999})["height"] <= 2 * line
    kana.locator("h3").scroll_into_view_if_needed()
    screenshot(phone, "report-phone")

    # The folded rows open from the keyboard.
    more = kana.locator("details.more")
    expect(more.locator("tbody tr").first).to_be_hidden()
    more.locator("summary").focus()
    phone.keyboard.press("Enter")
    expect(more.locator("tbody tr").first).to_be_visible()
    expect(more.locator("tbody tr")).to_have_count(186)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.evaluate("window.innerWidth"), f"opened, the page is {width}px wide"

    # The filter form narrows the report to one column, by keyboard and without script.
    phone.select_option("#filter-column", "名称_カナ")
    phone.locator("form.report-filters button[type=submit]").press("Enter")
    expect(phone.locator("section.shape-group")).to_have_count(1)
    expect(phone.locator("#shown-count")).to_contain_text("573 件中 191 件")
