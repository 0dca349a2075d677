"""`cityref convert FILE --to turtle|jsonld`: a validated table as linked data in the Reference
Model's terms. The point (issue 14): the AED files of two municipalities, one in the older
layout and one in the current, answer one SPARQL question together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from cityref.profiles.linked_data import link_table, read_vocabulary
from cityref.profiles.registry import load_profile
from tests.conftest import BASE_IRI, REAL_DATA, REPO, REPO_MODEL

YAIZU = REAL_DATA / "yaizu-222127" / "222127_aed.csv"  # older layout: legacy-aed
ICHIKAWA = REAL_DATA / "ichikawa-122033" / "122033_108_aed.csv"  # current layout: ods-aed
QUESTION = (REPO / "docs" / "examples" / "aed-two-layouts.rq").read_text(encoding="utf-8")
CORE = BASE_IRI + "def/core#"


def _cityref(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    """``cityref ARGS`` as typed, with the repository's model."""
    env = {
        **os.environ,
        "CITYREF_SOURCES": str(REPO),
        "CITYREF_STORE": str(tmp_path / "store"),
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "cityref", *args], capture_output=True, env=env, timeout=600
    )


def _answers(store: ox.Store) -> list[dict[str, str]]:
    solutions = store.query(QUESTION)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def test_two_layouts_two_cities_one_question(tmp_path: Path) -> None:
    yaizu, ichikawa = tmp_path / "yaizu.ttl", tmp_path / "ichikawa.jsonld"
    older = _cityref("convert", str(YAIZU), "--to", "turtle", "-o", str(yaizu), tmp_path=tmp_path)
    assert older.returncode == 0, older.stderr.decode()
    assert "legacy-aed → turtle, 82 rows" in older.stderr.decode()
    current = _cityref(
        "convert", str(ICHIKAWA), "--to", "jsonld", "-o", str(ichikawa), tmp_path=tmp_path
    )
    assert current.returncode == 0, current.stderr.decode()
    assert "ods-aed → jsonld, 191 rows" in current.stderr.decode()

    store = ox.Store()
    store.load(path=str(yaizu), format=ox.RdfFormat.TURTLE)
    store.load(path=str(ichikawa), format=ox.RdfFormat.JSON_LD)
    answers = _answers(store)
    assert len(answers) == 82 + 191
    by_city = {code: {a["municipality"] for a in answers if a["code"] == code} for code in {
        "222127", "122033"}}  # fmt: skip
    assert by_city == {"222127": {"焼津市"}, "122033": {"市川市"}}
    assert {
        "place": "市役所本館",
        "code": "222127",
        "municipality": "焼津市",
        "position": "２階正面入口",
    } in answers
    assert any(a["place"].startswith("J:COM北市川") and a["code"] == "122033" for a in answers)


@pytest.mark.parametrize("profile_id", ["ods-aed", "legacy-aed"])
def test_availability_comes_through_as_the_core_terms(profile_id: str) -> None:
    """The real files leave the hours empty; the profiles' full examples fill every column."""
    profile = load_profile(profile_id, REPO_MODEL)
    example = profile.directory / "examples" / "valid" / "full.csv"
    vocabulary = read_vocabulary(REPO_MODEL)
    table = link_table(example.read_bytes(), example.name, profile, vocabulary)
    store = ox.Store()
    store.extend([ox.Quad(s, p, o) for s, p, o in table.triples])
    answers = _answers(store)
    assert answers, "the example row answers the question"
    assert {"days", "opens", "closes", "hours"} <= answers[0].keys()
    assert table.without_term == [] and table.unread == []


def test_parts_sit_where_the_core_model_puts_them(tmp_path: Path) -> None:
    out = _cityref("convert", str(YAIZU), "--to", "turtle", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    store = ox.Store()
    store.load(out.stdout, format=ox.RdfFormat.TURTLE)
    row = ox.NamedNode(f"{BASE_IRI}data/222127/legacy-aed/0000000001")
    linked = {q.predicate.value: q.object for q in store.quads_for_pattern(row, None, None)}
    assert linked[CORE + "address"] == ox.NamedNode(row.value + "/address")
    assert linked[CORE + "name"] == ox.Literal("市役所本館")
    coordinates = linked[CORE + "geographicCoordinates"]
    assert isinstance(coordinates, ox.NamedNode)
    latitude = next(store.quads_for_pattern(coordinates, ox.NamedNode(CORE + "latitude"), None))
    assert latitude.object == ox.Literal(
        "34.866918", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    )
    types = {q.object.value for q in store.quads_for_pattern(coordinates, None, None)}
    assert CORE + "GeographicCoordinates" in types


def test_jsonld_context_names_the_core_terms(tmp_path: Path) -> None:
    out = _cityref("convert", str(ICHIKAWA), "--to", "jsonld", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    document = json.loads(out.stdout)
    context = document["@context"]
    assert context["name"] == CORE + "name"
    assert context["installationPosition"] == CORE + "installationPosition"
    first = document["@graph"][0]
    assert first["@type"] == ["Facility"] and "fullAddress" in first["address"]


def test_a_file_with_violations_is_refused_unless_forced(tmp_path: Path) -> None:
    broken = tmp_path / "aed.csv"
    lines = YAIZU.read_bytes().decode("utf-8-sig").splitlines()
    broken.write_text(
        "\n".join([lines[0], lines[1].replace("市役所本館", "", 1)]) + "\n", encoding="utf-8"
    )
    refused = _cityref("convert", str(broken), "--to", "turtle", tmp_path=tmp_path)
    assert refused.returncode == 1
    message = refused.stderr.decode()
    assert f"{broken}: 1 violation(s) of legacy-aed; not converted" in message
    assert "違反が 1 件あるため変換しません" in message
    assert refused.stdout == b""
    forced = _cityref("convert", str(broken), "--to", "turtle", "--force", tmp_path=tmp_path)
    assert forced.returncode == 0, forced.stderr.decode()
    assert b"core:installationPosition" in forced.stdout


def test_input_errors_exit_2_with_the_file_named(tmp_path: Path) -> None:
    missing = _cityref("convert", str(tmp_path / "none.csv"), "--to", "turtle", tmp_path=tmp_path)
    assert missing.returncode == 2
    assert "none.csv: cannot read" in missing.stderr.decode()
