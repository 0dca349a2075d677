"""A real server on the full model and headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from cityref.registry.releases import create_release, is_release
from tests.conftest import BASE_IRI, REAL_DATA, REPO
from tests.security.conftest import start_live_server
from tests.servers import running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO / "docs" / "screenshots"
#: CITYREF_REFRESH_SCREENSHOTS=1 writes the screenshots into docs/screenshots/; otherwise they
#: go to a temporary folder and the tree is left as it was.
REFRESH_SCREENSHOTS = "CITYREF_REFRESH_SCREENSHOTS"
# Chromium's own network traffic is refused on this machine; keep it quiet and offline.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _sources_with_a_release(target: Path) -> Path:
    """A copy of the model with release 1.0.0 and one change since, so a diff has content."""
    for folder in ("ontology", "shapes", "registry", "docs/examples", "tests/queries"):
        shutil.copytree(REPO / folder, target / folder)
    if not is_release(target, "1.0.0"):  # the repository's own release 1.0.0 came with it
        create_release(target, "1.0.0", {"ja": "最初の版", "en": "First release"}, BASE_IRI)
    core = target / "ontology" / "core.ttl"
    core.write_text(core.read_text("utf-8").replace('"Equipment"@en', '"Equipment item"@en'))
    return target


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    sources = _sources_with_a_release(tmp_path_factory.mktemp("ui-sources"))
    settings = {
        "CITYREF_STORE": str(tmp_path_factory.mktemp("ui") / "store"),
        "CITYREF_SOURCES": str(sources),
        "CITYREF_RATE_LIMIT": "100000",
        "CITYREF_WORKERS": "2",
    }
    with running_server(settings, tmp_path_factory.mktemp("ui-log")) as url:
        yield url


@pytest.fixture(scope="session")
def site_as_run(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> Iterator[str]:
    """The server as ``scripts/run`` starts it: ``cityref build`` then ``cityref serve`` in a
    working folder with the default settings, so the store is the relative ``.cityref/store``
    of that folder and the sources are the checkout (the default, wherever the folder is; the
    folder is a temporary one so that the checkout stays clean). Its base URL. The build is
    the session's one (``built_store``, made by ``cityref build`` with the default settings),
    copied into the folder: serve finds it up to date as it would after ``scripts/run``'s.

    Three settings differ from the defaults: ``CITYREF_PORT``, a free port (8000 may be taken),
    ``CITYREF_RATE_LIMIT``, since a crawl asks for a few thousand URLs a minute from one
    address where the default allows 600 (then 429), and ``CITYREF_WORKERS``: one web worker
    (of 16 threads, with its 3 query workers) instead of 4. Nothing here measures concurrency,
    and each web worker makes the data of a page kind once (the funding table of every domain
    page, the standards' coverage matrix: seconds each); four did that work four times over
    on CI's 2 cores."""
    cwd = tmp_path_factory.mktemp("as-run")
    settings = {"CITYREF_RATE_LIMIT": "1000000", "CITYREF_WORKERS": "1"}
    with start_live_server(cwd, settings, built_store=built_store) as server:
        yield server.url


#: The real file uploaded to the validator: its report has warnings and violations with the
#: values found (a trailing space among them), so every part of the report page is there.
UPLOADED_FILE = REAL_DATA / "yaizu-222127" / "222127_preschool.csv"


@pytest.fixture(scope="session")
def report_path(browser: Browser, site_as_run: str) -> str:
    """The path of the report page of :data:`UPLOADED_FILE`, uploaded through the validation
    form as a person does (the profile detected)."""
    context = browser.new_context(base_url=site_as_run, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/validate")
    page.set_input_files("#file", str(UPLOADED_FILE))
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_url("**/validate/*")
    path = page.url.removeprefix(site_as_run).split("?", 1)[0]
    context.close()
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: scripts/test installs it when run as root")
        pytest.skip("Chromium is not installed (scripts/test installs it when run as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


#: A phone's screen (an iPhone's CSS pixels), for the tests that no page overflows sideways.
PHONE = {"width": 375, "height": 812}


def _page_at(
    browser: Browser, ui_server: str, viewport: dict[str, int], timeout_ms: int
) -> Iterator[Page]:
    context = browser.new_context(base_url=ui_server, locale="ja-JP", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, ui_server: str) -> Iterator[Page]:
    yield from _page_at(browser, ui_server, {"width": 1280, "height": 900}, 20_000)


@pytest.fixture
def phone(browser: Browser, ui_server: str) -> Iterator[Page]:
    """A page in Japanese on a phone-sized screen (:data:`PHONE`)."""
    yield from _page_at(browser, ui_server, PHONE, 30_000)


Screenshot = Callable[[Page, str], None]


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> Screenshot:
    """``screenshot(page, name)`` saves what the page shows as ``name.png``."""
    refresh = os.environ.get(REFRESH_SCREENSHOTS) == "1"
    folder = SCREENSHOTS if refresh else tmp_path_factory.mktemp("screenshots")

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=False)

    return take
