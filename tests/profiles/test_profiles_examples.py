"""Every valid example of every profile conforms; every invalid example gives exactly the
results its expected-results file lists (component and place: row and column, pointer, or
focus and path)."""

from __future__ import annotations

import pytest

from cityref.profiles.examples import Example, examples, result_key, run_example
from cityref.profiles.registry import list_profiles
from tests.conftest import REPO_MODEL

PROFILES = [p for p in list_profiles(REPO_MODEL) if p.is_data_profile]
EXAMPLES = [e for p in PROFILES for e in examples(p)]


def _id(example: Example) -> str:
    kind = "valid" if example.valid else "invalid"
    return f"{example.profile.id}/{kind}/{example.path.name}"


def test_enough_profiles() -> None:
    assert len(PROFILES) >= 16, [p.id for p in PROFILES]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_profile_has_valid_and_invalid_examples(profile: object) -> None:
    mine = [e for e in EXAMPLES if e.profile is profile]
    assert any(e.valid for e in mine), "no valid example"
    assert any(not e.valid for e in mine), "no invalid example"
    for e in mine:
        if not e.valid:
            assert e.expected_path.is_file(), f"{e.path} has no {e.expected_path.name}"


@pytest.mark.parametrize("example", EXAMPLES, ids=_id)
def test_example(example: Example) -> None:
    report, found = run_example(example)
    expected = example.expected()
    assert sorted(map(result_key, found)) == sorted(map(result_key, expected))
    assert report.conforms == example.valid
