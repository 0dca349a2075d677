"""Generated files are what their generators write from the profile folders: each tabular
profile's shapes.ttl and examples from its csv-metadata.json (cityref.profiles.authoring),
and docs/profiles.md from every profile.ttl (cityref.profiles.docs)."""

from __future__ import annotations

from cityref.profiles.authoring import generated_files
from cityref.profiles.docs import hand_written_part, profiles_markdown
from cityref.profiles.registry import list_profiles
from cityref.settings import SETTINGS_BY_NAME
from tests.conftest import REPO_MODEL

# The committed folders are written under the default base IRI.
BASE_IRI = SETTINGS_BY_NAME["base_iri"].default
FIX = "run: python -m cityref.profiles.authoring shapes"


def test_generated_profile_files_are_current() -> None:
    root = REPO_MODEL.shapes_dir
    stale = [
        rel
        for rel, text in generated_files(root, BASE_IRI).items()
        if not (root / rel).is_file() or (root / rel).read_bytes() != text.encode("utf-8")
    ]
    assert not stale, f"{len(stale)} stale generated files, e.g. {stale[:3]}; {FIX}"


def test_every_tabular_profile_is_generated_from_its_table() -> None:
    generated = {rel.split("/", 1)[0] for rel in generated_files(REPO_MODEL.shapes_dir, BASE_IRI)}
    tabular = {p.id for p in list_profiles(REPO_MODEL) if p.input_kind in ("csv", "gtfs")}
    assert len(tabular) >= 14
    assert tabular == generated


def test_profiles_doc_is_current() -> None:
    doc = REPO_MODEL.root / "docs" / "profiles.md"
    text = doc.read_text(encoding="utf-8")
    assert text == profiles_markdown(
        hand_written_part(text, str(doc)), list_profiles(REPO_MODEL)
    ), "docs/profiles.md is stale; run: python -m cityref.profiles.docs docs/profiles.md"
