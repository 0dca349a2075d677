"""A profile is a folder: adding one to a copy of the sources tree (its profile.ttl, a CSVW
column table, a CSV example) and running the generator makes it a profile that is detected
and validates files, with no code changed (docs/profiles.md, "How to add a profile")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cityref.profiles import check_input, list_profiles, load_profile
from cityref.profiles.detection import detect_profile
from cityref.profiles.examples import examples, result_key, run_example
from cityref.settings import SETTINGS_BY_NAME
from cityref.store.sources import ModelFiles
from tests.conftest import REPO_MODEL

BASE = SETTINGS_BY_NAME["base_iri"].default
PID = "ods-drinking-fountain"
COMMON = f"{BASE}shapes/common/"
PROFILE_TTL = f"""
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prof:    <http://www.w3.org/ns/dx/prof/> .
@prefix core:    <{BASE}def/core#> .
@prefix status:  <{BASE}def/status/> .
@prefix domain:  <{BASE}def/domain/> .
@prefix std:     <{BASE}registry/standard/> .
@prefix common:  <{COMMON}> .

<{BASE}shapes/{PID}/>
    a                    prof:Profile ;
    dcterms:identifier   "{PID}" ;
    owl:versionInfo      "0.1.0" ;
    dcterms:title        "水飲み場一覧"@ja , "drinking fountains"@en ;
    dcterms:description  "公園などの水飲み場。"@ja , "Drinking fountains in parks and squares."@en ;
    core:domain          domain:health ;
    prof:isProfileOf     std:municipal-standard-dataset ;
    common:sourceEdition "試行版"@ja , "trial edition"@en ;
    core:status          status:draft ;
    common:inputKind     "csv" .
"""
COLUMNS = [
    ("全国地方公共団体コード", {"required": True, COMMON + "check": "lgcode"}),
    ("名称", {"required": True, "rdfs:label": {"@value": "Name", "@language": "en"}}),
    ("緯度", {"datatype": "decimal", COMMON + "check": "lat"}),
    ("経度", {"datatype": "decimal", COMMON + "check": "lon"}),
    ("設置数", {"datatype": "integer", COMMON + "check": "int"}),
    ("冬季閉栓", {COMMON + "in": ["有", "無"], COMMON + "recommended": True}),
]


def _metadata() -> dict[str, object]:
    columns: list[dict[str, object]] = [
        {
            "name": f"c{i}",
            "titles": {"ja": [title]},
            "propertyUrl": f"{BASE}shapes/{PID}/column/{title}",
            "datatype": "string",
            **notes,
        }
        for i, (title, notes) in enumerate(COLUMNS, start=1)
    ]
    columns.append(
        {"virtual": True, "propertyUrl": "rdf:type", "valueUrl": f"{BASE}shapes/{PID}/Record"}
    )
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "ja"}],
        "dc:title": [
            {"@value": "水飲み場一覧", "@language": "ja"},
            {"@value": "drinking fountains", "@language": "en"},
        ],
        "tableSchema": {"columns": columns},
        COMMON + "swappedCoordinates": {"latitude": "緯度", "longitude": "経度"},
    }


# Row 3 lacks its name and has a negative count; row 4 leaves the recommended column empty.
FOUNTAINS = (
    "全国地方公共団体コード,名称,緯度,経度,設置数,冬季閉栓\r\n"
    "131016,中央公園,35.68,139.76,2,無\r\n"
    "131016,,35.69,139.70,-1,有\r\n"
    "131016,駅前広場,35.70,139.77,1,\r\n"
)
EXPECTED = [
    {"component": "MinCount", "column": "名称", "row": 3},
    {"component": "MinInclusive", "column": "設置数", "row": 3},
    {"component": "MinCount", "column": "冬季閉栓", "row": 4},
]


def _tree(tmp_path: Path) -> Path:
    """A sources tree: the checkout's ontology and shared shapes, and the new folder only."""
    shutil.copytree(REPO_MODEL.root / "ontology", tmp_path / "ontology")
    shapes = tmp_path / "shapes"
    shutil.copytree(REPO_MODEL.shapes_dir / "common", shapes / "common")
    folder = shapes / PID
    (folder / "examples" / "invalid").mkdir(parents=True)
    (folder / "profile.ttl").write_text(PROFILE_TTL, encoding="utf-8")
    (folder / "csv-metadata.json").write_text(
        json.dumps(_metadata(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (folder / "examples" / "invalid" / "mine.csv").write_text(FOUNTAINS, encoding="utf-8")
    (folder / "examples" / "invalid" / "mine.expected.json").write_text(
        json.dumps({"results": EXPECTED}, ensure_ascii=False), encoding="utf-8"
    )
    return shapes


def test_a_new_folder_is_a_new_profile(tmp_path: Path) -> None:
    shapes = _tree(tmp_path)
    written = subprocess.run(
        [sys.executable, "-m", "cityref.profiles.authoring", str(shapes), "--base-iri", BASE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert str(shapes / PID / "shapes.ttl") in written
    assert (shapes / PID / "examples" / "valid" / "full.csv").is_file()

    shapes_ttl = (shapes / PID / "shapes.ttl").read_text(encoding="utf-8")
    assert f'<{BASE}shapes/{PID}/column/名称> rdfs:label "名称"@ja , "Name"@en .' in shapes_ttl

    model = ModelFiles(tmp_path, BASE)
    profile = load_profile(PID, model)
    assert (profile.title["en"], profile.version, profile.status) == (
        "drinking fountains",
        "0.1.0",
        "draft",
    )
    assert profile.edition == {"ja": "試行版", "en": "trial edition"}
    assert PID not in {p.id for p in list_profiles(REPO_MODEL)}, "the checkout must not see it"

    data = FOUNTAINS.encode()
    assert detect_profile(data, "fountains.csv", model).profile.id == PID
    check = check_input(data, "fountains.csv", profile=profile, model=model)
    found = [(x.result.component_name, x.location.row, x.location.column) for x in check.located]  # type: ignore[union-attr]
    assert sorted(found) == sorted((e["component"], e["row"], e["column"]) for e in EXPECTED)
    assert not check.report.conforms

    # Its examples, generated (one bad row per rule) and hand-written, give what they expect.
    mine = list(examples(profile))
    assert {e.path.name for e in mine} >= {"full.csv", "rules.csv", "header.csv", "mine.csv"}
    for example in mine:
        report, got = run_example(example)
        assert sorted(map(result_key, got)) == sorted(map(result_key, example.expected()))
        assert report.conforms == example.valid, example.path.name


def test_a_bad_column_table_is_a_clear_error(tmp_path: Path) -> None:
    """A column naming a check that does not exist: the generator says which file and column,
    and writes nothing."""
    shapes = _tree(tmp_path)
    metadata = _metadata()
    metadata["tableSchema"]["columns"][4][COMMON + "check"] = "integer"  # type: ignore[index]
    (shapes / PID / "csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "cityref.profiles.authoring", str(shapes), "--base-iri", BASE],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "csv-metadata.json, column 設置数: no column check 'integer'" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (shapes / PID / "shapes.ttl").exists()


def test_the_command_line_validates_against_the_new_folder(tmp_path: Path) -> None:
    """As a user would: CITYREF_SOURCES names the tree, `cityref validate FILE` detects the new
    profile and reports the same results, with no code changed."""
    shapes = _tree(tmp_path / "sources")
    subprocess.run(
        [sys.executable, "-m", "cityref.profiles.authoring", str(shapes), "--base-iri", BASE],
        capture_output=True,
        check=True,
    )
    data = tmp_path / "fountains.csv"
    data.write_text(FOUNTAINS, encoding="utf-8")
    env = os.environ | {
        "CITYREF_SOURCES": str(tmp_path / "sources"),
        "CITYREF_STORE": str(tmp_path / "store"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "cityref", "validate", str(data), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 1, run.stderr  # violations found
    document = json.loads(run.stdout)
    assert document["profile"].startswith(PID + "@")
    found = sorted((r["component"], r["row"], r["column"]) for r in document["results"])
    assert found == sorted((e["component"], e["row"], e["column"]) for e in EXPECTED)
