"""The main pages have no serious or critical accessibility violations, as axe-core finds them.

axe-core (the npm package, ``node_modules/axe-core``, from ``package.json``) runs in each page
once it has loaded, in Japanese and in English, with the server as ``scripts/run`` starts it.
Run them alone with ``.venv/bin/pytest tests/browser/test_accessibility.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.crawl import LOCALES
from tests.conftest import REPO

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts that fail the test (axe's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = ("serious", "critical")
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


def violation_lines(violations: list[dict[str, Any]]) -> list[str]:
    """One line per violation: rule, impact, help, and the elements it found."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:10])
        + (f" … and {len(v['nodes']) - 10} more" if len(v["nodes"]) > 10 else "")
        for v in violations
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
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{target} ({lang}):\n" + "\n".join(violation_lines(failing))
