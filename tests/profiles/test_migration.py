"""Older-layout files converted to the current layout (cityref.profiles.migration): every real
file detected as an older layout is converted, and its converted file validates against the
current profile with nothing left that the conversion could have fixed: only what is
genuinely missing or wrong in the source remains (docs/real-data.md says which)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cityref.profiles import check_input, detect_profile, load_profile
from cityref.profiles.migration import (
    BOM,
    NotAnOlderLayout,
    current_layout,
    migrate_to_current,
    older_layouts,
    profile_columns,
)
from cityref.profiles.migration_values import (
    TargetColumn,
    lg_check_digit,
    rewrites_for,
    valid_lg_code,
)
from cityref.store.sources import ModelFiles
from cityref.validation import ValidationOptions
from tests.conftest import REAL_DATA, REPO_MODEL

#: What may remain in each converted real file, as (column, constraint component) with the
#: number of results, and why the conversion cannot fix it. A real older-layout file missing
#: here fails the test: convert it, look at what remains, and add it.
REMAINING = {
    # Nothing remains: every column of the older layout has its current column.
    "222127_aed.csv": {},
    # The phone numbers' trailing spaces and the misspelt header are fixed by the conversion.
    "222127_preschool.csv": {},
    # 電話番号 "なし" (none) in row 57: a word where a number belongs; whether to empty it is
    # the publisher's call, not a rule's.
    "132195_aed.csv": {("電話番号", "Pattern"): 1},
    # The ○ flags become 1, 市区町村コード fills 全国地方公共団体コード: nothing remains.
    "222127_evacuation_space.csv": {},
    "222127_library.csv": {},
    "222127_public_wireless_lan.csv": {},
    # Row 28's 連絡先電話番号 holds an e-mail address (E-mail：…): the publisher must move it.
    "222127_tourism_sights.csv": {("連絡先電話番号", "Pattern"): 1},
}

OLDER_FILES = sorted(
    path
    for path in REAL_DATA.rglob("*.csv")
    if detect_profile(path.read_bytes(), path.name, REPO_MODEL).profile.replaced_by
)


def _validate(data: bytes, name: str, profile_id: str) -> Counter[tuple[str, str]]:
    outcome = check_input(
        data, name, profile_id, ValidationOptions(max_results=None), model=REPO_MODEL
    )
    found: Counter[tuple[str, str]] = Counter()
    for item in outcome.located:
        assert item.location is not None
        found[(item.location.column or "", item.result.component_name)] += 1
    return found


def test_real_older_files_are_known() -> None:
    assert {p.name for p in OLDER_FILES} == set(REMAINING), (
        "a real file of an older layout has no entry in REMAINING"
    )


@pytest.mark.parametrize("path", OLDER_FILES, ids=lambda p: p.name)
def test_real_older_file_converts_to_valid_current_layout(path: Path) -> None:
    data = path.read_bytes()
    migration = migrate_to_current(data, path.name, REPO_MODEL)
    target = migration.plan.target
    assert target.id == current_layout(migration.plan.source, REPO_MODEL).id
    text = migration.data.decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[len(BOM) :])))
    assert rows[0] == [c.title for c in profile_columns(target)]
    assert len(rows) - 1 == migration.rows > 0
    # Detected as the current layout, read without a header finding.
    assert detect_profile(migration.data, migration.filename, REPO_MODEL).profile.id == target.id
    remaining = _validate(migration.data, migration.filename, target.id)
    assert dict(remaining) == REMAINING[path.name]


def _older_csv(rows: list[str]) -> bytes:
    header = (
        "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,設置位置"
    )
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_values_are_rewritten_only_by_certain_rules() -> None:
    data = _older_csv(
        [
            "２２２１２,1,静岡県,焼津市,本館,ﾎﾝｶﾝ,静岡県焼津市本町2-16-32,２階正面入口",
            "222128,2,静岡県,焼津市,別館,ベッカン,静岡県焼津市本町１丁目,１階",
        ]
    )
    migration = migrate_to_current(data, "aed.csv", REPO_MODEL, "legacy-aed")
    rows = list(csv.DictReader(io.StringIO(migration.data.decode("utf-8-sig"))))
    # Full-width digits made half-width and the check digit added: 22212 → 222127.
    assert rows[0]["全国地方公共団体コード"] == "222127"
    assert rows[0]["名称_カナ"] == "ホンカン"
    assert rows[0]["地方公共団体名"] == "静岡県焼津市"
    # Free text stays as written: the address whole, full-width digits in 設置位置 too.
    assert rows[1]["所在地_連結表記"] == "静岡県焼津市本町１丁目"
    assert rows[0]["設置位置"] == "２階正面入口"
    # A wrong check digit is not "corrected": it stays, and a note says so.
    assert rows[1]["全国地方公共団体コード"] == "222128"
    kept = [n for n in migration.notes if n.kind == "kept"]
    assert [(n.column, n.count) for n in kept] == [("全国地方公共団体コード", 1)]
    assert "検査数字" in kept[0].text.ja and "check digit" in kept[0].text.en
    changed = {(n.column, n.count) for n in migration.notes if n.kind == "changed"}
    assert changed == {("全国地方公共団体コード", 1), ("名称_カナ", 1)}
    # The current columns the older layout lacks are listed; a required one would be too.
    empty = {n.column for n in migration.notes if n.kind == "no-source"}
    assert {"郵便番号", "緯度", "電話番号"} <= empty


def test_flags_and_codes() -> None:
    assert lg_check_digit("13101") == "6" and valid_lg_code("131016")
    assert lg_check_digit("22212") == "7" and not valid_lg_code("222128")

    def rewrite(column: TargetColumn, value: str) -> str:
        for rule in rewrites_for(column):
            value = rule.apply(value) or value
        return value

    flag10 = TargetColumn("災害種別_地震", "string", "flag10", ("1", "0"))
    assert [rewrite(flag10, v) for v in ("○", "〇", "×", "有", "1", "△")] == [
        "1",
        "1",
        "0",
        "1",
        "1",
        "△",
    ]
    umu = TargetColumn("一時預かりの有無", "string", "umu", ("有", "無"))
    # A 1 in a 有/無 column is not taken for a yes: it could be a count.
    assert [rewrite(umu, v) for v in ("○", "なし", "1")] == ["有", "無", "1"]
    time = TargetColumn("開始時間", "string", "time", ())
    assert [rewrite(time, v) for v in ("8:30", "９：００", "9時")] == ["08:30", "09:00", "9時"]
    date = TargetColumn("認可等年月日", "date", "date", ())
    assert rewrite(date, "2015/4/1") == "2015-04-01"
    prefecture = TargetColumn("全国地方公共団体コード", "string", "lgcode", ())
    assert rewrite(prefecture, "22") == "220001"


def test_unknown_and_dropped_columns_are_listed() -> None:
    header = "都道府県コード又は市区町村コード,NO,名称,名称_カナ,住所,設置位置,郵便番号,管理者"
    data = f"{header}\n222127,1,本館,ホンカン,焼津市本町2-16-32,1階,425-8502,総務課\n".encode()
    migration = migrate_to_current(data, "aed.csv", REPO_MODEL, "legacy-aed")
    rows = list(csv.DictReader(io.StringIO(migration.data.decode("utf-8-sig"))))
    # A column of the current layout the file already has is carried over by its title.
    assert rows[0]["郵便番号"] == "425-8502"
    unknown = [n for n in migration.notes if n.kind == "unknown"]
    assert [n.column for n in unknown] == ["管理者"]
    assert "管理者" in unknown[0].text.ja and "not carried over" in unknown[0].text.en


def test_current_layout_and_other_data_are_refused() -> None:
    current = (REAL_DATA / "ichikawa-122033" / "122033_108_aed.csv").read_bytes()
    with pytest.raises(NotAnOlderLayout) as caught:
        migrate_to_current(current, "122033_108_aed.csv", REPO_MODEL)
    assert "ods-aed" in caught.value.text.en and "nothing to convert" in caught.value.text.en
    with pytest.raises(NotAnOlderLayout) as named:
        migrate_to_current(current, "x.csv", REPO_MODEL, "ods-aed")
    assert "not an older layout" in named.value.text.en and "legacy-aed" in named.value.text.en


def test_every_older_layout_names_an_existing_current_layout() -> None:
    older = older_layouts(REPO_MODEL)
    assert {"legacy-aed", "legacy-childcare-facility", "legacy-public-facility"} <= {
        p.id for p in older
    }
    for profile in older:
        target = current_layout(profile, REPO_MODEL)
        assert not target.replaced_by
        # Every column of an older layout names a term; the joined 地方公共団体名 is the
        # only place two of them share one.
        terms = Counter(c.term for c in profile_columns(profile))
        assert None not in terms, profile.id
    assert load_profile("legacy-aed", REPO_MODEL).replaced_by == (
        "https://w3id.org/cityref/shapes/ods-aed/",
    )


def test_a_required_column_takes_the_values_of_its_twin(tmp_path: Path) -> None:
    """Two current columns of one term (ods-evacuation-site's 全国地方公共団体コード and
    市区町村コード): a required one that nothing fills gets its twin's values; an optional one
    stays empty (画像2 is not 画像1 again)."""
    for folder in ("common", "legacy-aed", "ods-aed"):
        shutil.copytree(REPO_MODEL.shapes_dir / folder, tmp_path / "shapes" / folder)
    table = tmp_path / "shapes" / "ods-aed" / "csv-metadata.json"
    metadata = json.loads(table.read_text(encoding="utf-8"))
    columns = metadata["tableSchema"]["columns"]
    code = next(c for c in columns if c["titles"]["ja"] == ["全国地方公共団体コード"])
    twin = {**code, "name": "twin", "titles": {"ja": ["市区町村コード"]}}
    twin["propertyUrl"] = code["propertyUrl"].replace("全国地方公共団体コード", "市区町村コード")
    columns.insert(1, twin)
    table.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    model = ModelFiles(tmp_path, REPO_MODEL.base_iri)
    data = _older_csv(["222127,1,静岡県,焼津市,本館,ホンカン,焼津市本町2-16-32,1階"])
    migration = migrate_to_current(data, "aed.csv", model, "legacy-aed")
    rows = list(csv.DictReader(io.StringIO(migration.data.decode("utf-8-sig"))))
    assert rows[0]["全国地方公共団体コード"] == rows[0]["市区町村コード"] == "222127"
    copied = [n for n in migration.notes if n.kind == "copied"]
    assert [n.column for n in copied] == ["市区町村コード"]
    assert "全国地方公共団体コード" in copied[0].text.ja
