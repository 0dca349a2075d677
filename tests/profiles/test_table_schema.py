"""The Frictionless Table Schema written from each one-table profile is a valid Table Schema,
passes the profile's valid examples and finds errors on exactly the rows of its invalid
examples that break a rule the schema can express (the rest it lists as left out)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import frictionless
import pytest

from cityref.inputs.encoding import decode_text
from cityref.profiles.examples import Example, examples
from cityref.profiles.registry import Profile, list_profiles
from cityref.profiles.table_schema import (
    SKIPPED_ERRORS,
    NotOneTable,
    frictionless_schema,
    joined_pattern,
    translate,
)
from tests.conftest import REPO_MODEL

PROFILES = [p for p in list_profiles(REPO_MODEL) if p.table_schema() is not None]


def _frictionless_errors(path: Path, descriptor: dict[str, Any], tmp: Path) -> list[Any]:
    """Frictionless's errors on the example, read as UTF-8 (the example decoded as cityref
    decodes it), every error kept."""
    text, _encoding = decode_text(path.read_bytes(), path.name)
    utf8 = tmp / path.name
    utf8.write_text(text, encoding="utf-8", newline="")
    schema = frictionless.Schema.from_descriptor(descriptor)
    resource = frictionless.Resource(
        path=utf8.name, basepath=str(tmp), schema=schema, encoding="utf-8"
    )
    checklist = frictionless.Checklist(skip_errors=list(SKIPPED_ERRORS))
    report = resource.validate(checklist, limit_errors=100_000)
    return [error for task in report.tasks for error in task.errors]


def _header(path: Path) -> list[str]:
    text, _encoding = decode_text(path.read_bytes(), path.name)
    return next(csv.reader(io.StringIO(text)))


def test_enough_tabular_profiles() -> None:
    assert len(PROFILES) >= 30, [p.id for p in PROFILES]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_schema_is_a_valid_table_schema(profile: Profile) -> None:
    descriptor = frictionless_schema(profile)
    report = frictionless.Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    schema = frictionless.Schema.from_descriptor(descriptor)
    columns = [c.title for c in profile.table_schema().columns]  # type: ignore[union-attr]
    assert schema.field_names == columns
    assert descriptor["missingValues"] == [""]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_examples_give_errors_on_the_same_rows(profile: Profile, tmp_path: Path) -> None:
    translation = translate(profile)
    left_out = {(u.column, c) for u in translation.unexpressed for c in u.components}
    columns = [c.title for c in profile.table_schema().columns]  # type: ignore[union-attr]
    checked: list[Example] = []
    for example in examples(profile):
        # Frictionless matches columns by position, cityref by name: examples of header
        # problems (missing, misspelt, unknown columns) are cityref's alone.
        if _header(example.path) != columns:
            continue
        checked.append(example)
        expected_rows = {
            int(str(r["row"]))
            for r in example.expected()
            if (r["column"], r["component"]) not in left_out
        }
        errors = _frictionless_errors(example.path, translation.descriptor, tmp_path)
        assert all(getattr(e, "row_number", None) for e in errors), [e.message for e in errors]
        found_rows = {e.row_number for e in errors}
        assert found_rows == expected_rows, (
            example.path.name,
            sorted(found_rows ^ expected_rows),
            [e.message for e in errors if e.row_number in found_rows - expected_rows],
        )
    assert any(e.valid for e in checked) and any(not e.valid for e in checked)


def test_left_out_rules_are_named_with_their_reason() -> None:
    """The public-facility table's check digits, warnings and swapped coordinates are said
    to be left out, each with a reason in both languages."""
    profile = next(p for p in PROFILES if p.id == "ods-public-facility")
    left_out = translate(profile).unexpressed
    components = {c for u in left_out for c in u.components}
    assert {"LgCodeCheckDigit", "Not", "MinCount", "Pattern"} <= components
    assert all(u.reason.ja and u.reason.en for u in left_out)


def test_a_feed_profile_is_refused() -> None:
    feed = next(p for p in list_profiles(REPO_MODEL) if p.input_kind == "gtfs")
    with pytest.raises(NotOneTable, match=feed.id):
        frictionless_schema(feed)


@pytest.mark.parametrize(
    ("patterns", "cell", "matches"),
    [
        (["^[0-9]{6}$", "^(0[1-9]|4[0-7])"], "401016", True),
        (["^[0-9]{6}$", "^(0[1-9]|4[0-7])"], "991016", False),
        (["^[0-9]{6}$", "^(0[1-9]|4[0-7])"], "13101", False),
        (["[0-9]"], "abc1", True),  # sh:pattern finds the pattern anywhere in the cell
        (["^a|b$"], "xb", True),
        (["^a|b$"], "bx", False),
        (["^[|]$"], "|", True),
    ],
)
def test_joined_pattern_matches_as_shacl(patterns: list[str], cell: str, matches: bool) -> None:
    field = frictionless.Field.from_descriptor(
        {"name": "x", "type": "string", "constraints": {"pattern": joined_pattern(patterns)}}
    )
    _value, errors = field.read_cell(cell)  # errors: the constraints broken, by name
    assert (not errors) is matches
