"""The main pages have no serious or critical accessibility violations, as axe-core finds them.

axe-core (the npm package, ``node_modules/axe-core``, from ``package.json``) runs in each page
once it has loaded, in Japanese and in English, with the server as ``scripts/run`` starts it.
Run them alone with ``.venv/bin/pytest tests/browser/test_accessibility.py``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.axe import AXE, failing_violations, violation_lines
from tests.browser.crawl import LOCALES

pytestmark = pytest.mark.browser

#: The report page is the uploaded file's (the ``report_path`` fixture).
REPORT = "(report)"
PAGES = [
    "/",
    "/def/domain/infrastructure",
    "/def/infrastructure%23EvacuationSite",  # a class: its neighbourhood drawn by cytoscape.js
    "/search?q=避難所",
    "/query",
    "/validate",
    REPORT,
    "/registry/standards",
    "/registry/releases",
    "/registry/proposals",
    "/registry/systems",
    "/shapes/ods-evacuation-site/",  # a profile
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_serious_accessibility_violation(
    browser: Browser, site_as_run: str, report_path: str, path: str, lang: str
) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: scripts/setup installs it with npm ci")
    # axe is injected as an inline script, which the pages' Content-Security-Policy refuses.
    context = browser.new_context(base_url=site_as_run, locale=LOCALES[lang], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    target = report_path if path == REPORT else path
    page.goto(f"{target}{'&' if '?' in target else '?'}lang={lang}", wait_until="networkidle")
    failing = failing_violations(page)
    context.close()
    assert not failing, f"{target} ({lang}):\n" + "\n".join(violation_lines(failing))
