"""A vendor's walk to a profile: from a class to the profile checking it, its columns, and on to
the validator with that profile chosen; on a phone the page does not scroll sideways."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Screenshot


def test_from_a_class_to_its_profile_and_on_to_the_validator(
    page: Page, screenshot: Screenshot
) -> None:
    page.goto("/def/core%23Facility")
    page.locator("ul.shapes a[href^='/shapes/'][href$='/']").first.click()
    expect(page).to_have_url(re.compile(r"/shapes/[^/]+/$"))
    expect(page.locator("table.columns").first).to_be_visible()
    expect(page.locator("#history")).to_be_visible()
    page.goto("/shapes/ods-aed/")
    expect(page.locator("table.columns th[scope=row]").first).to_contain_text(
        "全国地方公共団体コード"
    )
    page.locator("table.columns").first.scroll_into_view_if_needed()
    screenshot(page, "profile")
    page.get_by_role("link", name="このプロファイルでファイルを検証する").click()
    expect(page).to_have_url(re.compile(r"/validate\?profile=ods-aed$"))
    expect(page.locator("#profile")).to_have_value("ods-aed")


def test_profile_page_on_a_phone_scrolls_only_inside_its_tables(
    browser: Browser, ui_server: str, screenshot: Screenshot
) -> None:
    context = browser.new_context(
        base_url=ui_server, locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    phone.goto("/shapes/ods-aed/")
    expect(phone.locator("table.columns").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "profile-phone")
    context.close()
