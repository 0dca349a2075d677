"""axe-core (from npm, node_modules/axe-core) run in a page: the violations that fail a test."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.conftest import REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts that fail a test (axe's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = ("serious", "critical")


def failing_violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations of impact :data:`FAILING_IMPACTS` on the page as it is now. The page's
    context must bypass the Content-Security-Policy: axe is injected as an inline script."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def violation_lines(violations: list[dict[str, Any]]) -> list[str]:
    """One line per violation: rule, impact, help, and the elements it found."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:10])
        + (f" … and {len(v['nodes']) - 10} more" if len(v["nodes"]) > 10 else "")
        for v in violations
    ]
