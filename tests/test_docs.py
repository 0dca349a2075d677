"""Docs are checked by tests: every command is documented, every doc link resolves."""

from __future__ import annotations

import re

from cityref.cli.main import cli
from cityref.pages.reference_docs import domains_table, render
from cityref.store.oxigraph import OxigraphStore
from tests.conftest import BASE_IRI, REPO


def test_every_command_has_a_section_in_the_cli_guide() -> None:
    guide = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    heading_lines = [line for line in guide.splitlines() if line.startswith("## ")]
    headings = {name for line in heading_lines for name in re.findall(r"`cityref (\w+)", line)}
    missing = set(cli.commands) - headings
    assert not missing, f"docs/cli.md has no section for: {sorted(missing)}"


# Folders whose pages are not ours (installed packages, a vendored test suite).
NOT_OURS = {".git", ".venv", "node_modules", "w3c-shacl-test-suite", ".pytest_cache"}


def test_relative_links_in_every_markdown_page_resolve() -> None:
    pages = [
        page
        for page in sorted(REPO.rglob("*.md"))
        if not NOT_OURS.intersection(page.relative_to(REPO).parts)
    ]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)} -> {target}")
    assert not broken, broken


def test_readme_gives_exactly_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", readme, flags=re.DOTALL)
    assert block
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["scripts/run", "scripts/test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


def test_reference_model_domains_table_is_current(model_store: OxigraphStore) -> None:
    path = REPO / "docs" / "reference-model.md"
    document = path.read_text(encoding="utf-8")
    assert document == render(document, domains_table(model_store, BASE_IRI)), (
        "docs/reference-model.md is stale: run `python -m cityref.pages.reference_docs`"
    )
