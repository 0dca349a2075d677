"""A profile says where its columns come from: the edition of the specification it follows
(``common:sourceEdition``), the documents or files read (``dcterms:source``), and, column by
column, what no published source confirms (``common:unconfirmed``). ``cityref profiles show``
and ``cityref profiles coverage`` tell a user so, in text and JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cityref.cli.main import cli
from cityref.profiles import load_profile
from cityref.profiles.authoring import write_all
from cityref.profiles.checks import load_check_book
from cityref.profiles.column_tables import BadColumnTable, read_column_tables
from cityref.settings import SETTINGS_BY_NAME
from cityref.store.sources import ModelFiles
from tests.conftest import REPO_MODEL

BASE = SETTINGS_BY_NAME["base_iri"].default
PID = "ods-bench"
COMMON = f"{BASE}shapes/common/"
SOURCE_URL = "https://www.digital.go.jp/resources/open_data/municipal-standard-data-set-test"
SOURCE_PATH = "example-city/opendata:data/bench.csv"
PROFILE_TTL = f"""
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prof:    <http://www.w3.org/ns/dx/prof/> .
@prefix core:    <{BASE}def/core#> .
@prefix status:  <{BASE}def/status/> .
@prefix std:     <{BASE}registry/standard/> .
@prefix common:  <{COMMON}> .

<{BASE}shapes/{PID}/>
    a                    prof:Profile ;
    dcterms:identifier   "{PID}" ;
    owl:versionInfo      "0.1.0" ;
    dcterms:title        "ベンチ一覧"@ja , "benches"@en ;
    prof:isProfileOf     std:municipal-standard-dataset ;
    common:sourceEdition "正式版（2023年3月）"@ja , "official edition (March 2023)"@en ;
    dcterms:source       <{SOURCE_URL}> , "{SOURCE_PATH}" ;
    core:status          status:draft ;
    common:inputKind     "csv" .
"""
NOTE = [
    {"@value": "必須かどうかは公表資料で確認できていません", "@language": "ja"},
    {"@value": "whether it is required is not confirmed", "@language": "en"},
]


def _metadata(note: object) -> dict[str, object]:
    def column(name: str, title: str, **notes: object) -> dict[str, object]:
        return {
            "name": name,
            "titles": {"ja": [title]},
            "propertyUrl": f"{BASE}shapes/{PID}/column/{title}",
            "datatype": "string",
            **notes,
        }

    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "ja"}],
        "dc:title": [
            {"@value": "ベンチ一覧", "@language": "ja"},
            {"@value": "benches", "@language": "en"},
        ],
        "tableSchema": {
            "columns": [
                column("c1", "名称", required=True),
                column("c2", "座席数", **{COMMON + "unconfirmed": note}),
                {
                    "virtual": True,
                    "propertyUrl": "rdf:type",
                    "valueUrl": f"{BASE}shapes/{PID}/Record",
                },
            ]
        },
    }


def _tree(tmp_path: Path, note: object = NOTE) -> Path:
    """A sources tree with the checkout's ontology, the shared shapes and the one profile."""
    shutil.copytree(REPO_MODEL.root / "ontology", tmp_path / "ontology")
    shutil.copytree(REPO_MODEL.shapes_dir / "common", tmp_path / "shapes" / "common")
    folder = tmp_path / "shapes" / PID
    folder.mkdir()
    (folder / "profile.ttl").write_text(PROFILE_TTL, encoding="utf-8")
    (folder / "csv-metadata.json").write_text(
        json.dumps(_metadata(note), ensure_ascii=False), encoding="utf-8"
    )
    return folder


def _cityref(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"CITYREF_SOURCES": str(root)})


def test_the_profile_names_its_edition_and_sources_and_each_unconfirmed_column(
    tmp_path: Path,
) -> None:
    folder = _tree(tmp_path)
    profile = load_profile(PID, ModelFiles(tmp_path, BASE))
    assert profile.edition == {"ja": "正式版（2023年3月）", "en": "official edition (March 2023)"}
    assert set(profile.sources) == {SOURCE_URL, SOURCE_PATH}

    book = load_check_book(folder.parent / "common", folder)
    (table,) = read_column_tables(folder, BASE, book)
    notes = {c.title: c.unconfirmed for c in table.columns}
    assert notes["名称"] is None
    assert notes["座席数"] is not None
    assert (notes["座席数"].ja, notes["座席数"].en) == (NOTE[0]["@value"], NOTE[1]["@value"])


@pytest.mark.parametrize(
    "note",
    [[NOTE[0]], "not confirmed", [{"@value": "x"}, NOTE[1]]],
    ids=["japanese only", "a plain string", "no language"],
)
def test_an_unconfirmed_note_needs_both_languages(tmp_path: Path, note: object) -> None:
    folder = _tree(tmp_path, note)
    book = load_check_book(folder.parent / "common", folder)
    with pytest.raises(BadColumnTable) as caught:
        read_column_tables(folder, BASE, book)
    message = str(caught.value)
    assert "csv-metadata.json" in message and "座席数" in message and "unconfirmed" in message


def test_profiles_show_gives_edition_sources_and_unconfirmed_columns(tmp_path: Path) -> None:
    _tree(tmp_path)
    text = _cityref(tmp_path, "profiles", "show", PID)
    assert text.exit_code == 0, text.output
    assert "edition / 版: 正式版（2023年3月） / official edition (March 2023)" in text.output
    assert f"source / 出典: {SOURCE_URL}" in text.output
    assert f"source / 出典: {SOURCE_PATH}" in text.output
    lines = text.output.splitlines()
    seats = next(i for i, line in enumerate(lines) if "座席数 (string)" in line)
    assert lines[seats + 1].strip() == (
        f"unconfirmed / 未確認: {NOTE[0]['@value']} / {NOTE[1]['@value']}"
    )
    assert not any("未確認" in line for line in lines[: seats + 1])

    shown = json.loads(_cityref(tmp_path, "profiles", "show", PID, "--format", "json").output)
    assert shown["edition"] == {"ja": "正式版（2023年3月）", "en": "official edition (March 2023)"}
    assert set(shown["sources"]) == {SOURCE_URL, SOURCE_PATH}
    columns = {c["title"]: c for c in shown["columns"]}
    assert "unconfirmed" not in columns["名称"]
    assert columns["座席数"]["unconfirmed"] == {"ja": NOTE[0]["@value"], "en": NOTE[1]["@value"]}


def test_profiles_coverage_shows_each_profile_with_its_edition(tmp_path: Path) -> None:
    folder = _tree(tmp_path)
    write_all(folder.parent, BASE)  # shapes.ttl and the examples, as the generator writes them
    text = _cityref(tmp_path, "profiles", "coverage", PID)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].startswith(PID)
    assert lines[1].strip() == "edition / 版: 正式版（2023年3月） / official edition (March 2023)"

    out = json.loads(_cityref(tmp_path, "profiles", "coverage", PID, "--format", "json").output)
    (entry,) = out["profiles"]
    assert entry["edition"] == {"ja": "正式版（2023年3月）", "en": "official edition (March 2023)"}
    assert set(entry["sources"]) == {SOURCE_URL, SOURCE_PATH}
