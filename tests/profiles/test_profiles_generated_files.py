"""Generated files are what their generators write: the profiles written from column tables
(cityref.profiles.authoring) and docs/profiles.md (cityref.profiles.docs)."""

from __future__ import annotations

from cityref.profiles.authoring import generated_files
from cityref.profiles.docs import profiles_markdown
from tests.conftest import REPO_MODEL

FIX = "run: python -m cityref.profiles.authoring shapes"


def test_generated_profile_files_are_current() -> None:
    root = REPO_MODEL.shapes_dir
    stale = [
        rel
        for rel, text in generated_files().items()
        if not (root / rel).is_file() or (root / rel).read_bytes() != text.encode("utf-8")
    ]
    assert not stale, f"{len(stale)} stale generated files, e.g. {stale[:3]}; {FIX}"


def test_profiles_doc_is_current() -> None:
    doc = REPO_MODEL.shapes_dir.parent / "docs" / "profiles.md"
    assert doc.read_text(encoding="utf-8") == profiles_markdown(REPO_MODEL), (
        "docs/profiles.md is stale; run: python -m cityref.profiles.docs docs/profiles.md"
    )
