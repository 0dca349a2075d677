"""Honest reports (issue 13): the verdict follows severity, every form says how much was
checked, and every located result shows the value as the input wrote it — invisible and
look-alike characters made visible — with a correction where the rule accepts one. Checked in
the JSON document, the text, CSV and HTML downloads and the report page, on real files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from cityref.outcome import outcome_data
from cityref.outcome.views import outcome_text
from cityref.profiles import check_input
from cityref.validation import Language
from tests.conftest import REAL_DATA, REPO_MODEL

EVACUATION = REAL_DATA / "yaizu-222127" / "222127_evacuation_space.csv"
PRESCHOOL = REAL_DATA / "yaizu-222127" / "222127_preschool.csv"
ICHIKAWA_AED = REAL_DATA / "ichikawa-122033" / "122033_108_aed.csv"  # warnings only
GTFS = REAL_DATA / "gtfs-jp-donanbus" / "donanbus-gtfs-jp.zip"
NGSI_LD = REAL_DATA / "ngsi-ld-smart-data-models" / "OffStreetParking-example-normalized.jsonld"


def _job(client: FlaskClient, path: Path, data: bytes | None = None) -> str:
    response = client.post(
        "/api/validate",
        data={"file": (io.BytesIO(path.read_bytes() if data is None else data), path.name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.json, response.get_data(as_text=True)
    job: str = response.json["job"]
    return job


def _forms(client: FlaskClient, job: str, lang: str) -> dict[str, Any]:
    """The job's document, its text, CSV and HTML downloads and its page, in ``lang``."""
    forms: dict[str, Any] = {"json": client.get(f"/api/jobs/{job}?lang={lang}").json}
    for suffix in ("txt", "csv", "html"):
        download = client.get(f"/api/jobs/{job}/report.{lang}.{suffix}")
        assert download.status_code == 200
        forms[suffix] = download.get_data(as_text=True)
    page = client.get(f"/validate/{job}?lang={lang}")
    assert page.status_code == 200
    forms["page"] = page.get_data(as_text=True)
    return forms


def _entry(document: dict[str, Any], row: int, column: str) -> dict[str, Any]:
    return next(e for e in document["results"] if e["row"] == row and e["column"] == column)


def _csv_row(text: str, row: int, column: str) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(text))
    return next(r for r in rows if r["row"] == str(row) and r["column"] == column)


def test_the_yaizu_evacuation_flags_show_the_circle_and_suggest_1(
    model_client: FlaskClient,
) -> None:
    job = _job(model_client, EVACUATION)
    ja = _forms(model_client, job, "ja")
    entry = _entry(ja["json"], 2, "災害種別_地震")
    assert (entry["value"], entry["suggestion"]) == ("○", "1")
    assert "「災害種別_地震」の値は次のいずれかです: 1 — 値「○」。「1」に直す" in ja["txt"]
    cells = _csv_row(ja["csv"], 2, "災害種別_地震")
    assert (cells["value"], cells["suggestion"]) == ("○", "1")
    suggestion = '<code>○</code> <span class="suggestion">→ <code>1</code> に直す</span>'
    assert suggestion in ja["page"]
    assert suggestion in ja["html"]
    en = _forms(model_client, job, "en")
    assert '<code>○</code> <span class="suggestion">suggest <code>1</code></span>' in en["page"]
    assert 'takes one of: 1 — value "○"; suggest "1"' in en["txt"]


def test_the_yaizu_preschool_trailing_space_is_visible(model_client: FlaskClient) -> None:
    job = _job(model_client, PRESCHOOL)
    en = _forms(model_client, job, "en")
    entry = _entry(en["json"], 9, "FAX番号")
    assert entry["value"] == "(054)629-3520 "  # as written, the space kept
    assert entry["value_shown"] == "(054)629-3520␣"
    assert [(m["start"], m["kind"], m["name"]["ja"]) for m in entry["value_marks"]] == [
        (13, "trailing-space", "末尾の空白")
    ]
    assert entry["suggestion"] == "(054)629-3520"
    mark = '(054)629-3520<mark class="invisible" title="trailing space (U+0020)">␣</mark>'
    assert mark in en["page"]
    assert mark in en["html"]
    assert 'value "(054)629-3520␣" (character 14: trailing space (U+0020))' in en["txt"]
    cells = _csv_row(en["csv"], 9, "FAX番号")
    assert cells["value_shown"] == "(054)629-3520␣"
    assert cells["value_marks"] == "character 14: trailing space (U+0020)"
    # The misspelt header's ― (U+2015 for ー) is marked as what it is.
    ja_page = model_client.get(f"/validate/{job}?lang=ja").get_data(as_text=True)
    lookalike = '<mark class="lookalike" title="長音記号「ー」に似た別の文字 (U+2015)">―</mark>'
    assert lookalike in ja_page


def test_a_warnings_only_report_is_not_called_a_failure(model_client: FlaskClient) -> None:
    job = _job(model_client, ICHIKAWA_AED)
    for lang, failure in (("ja", "適合していません"), ("en", "does not conform")):
        forms = _forms(model_client, job, lang)
        assert forms["json"]["verdict"] == "warnings"
        assert forms["json"]["counts"]["Violation"] == 0
        for form in ("txt", "csv", "html", "page"):
            assert failure not in forms[form], (lang, form)
        assert '<p class="verdict warn">' in forms["page"]
        assert '<p class="warn">' in forms["html"]
        assert "verdict bad" not in forms["page"]
    page = model_client.get(f"/validate/{job}?lang=ja").get_data(as_text=True)
    assert "違反はありません。警告・情報を確認してください。" in page


def test_every_form_says_how_many_rows_it_checked(model_client: FlaskClient) -> None:
    job = _job(model_client, PRESCHOOL)
    for lang, words in (("ja", "60 行を検査しました。"), ("en", "Checked 60 rows.")):
        forms = _forms(model_client, job, lang)
        assert forms["json"]["checked"] == {
            "unit": "rows",
            "count": 60,
            "files": {PRESCHOOL.name: 60},
        }
        for form in ("txt", "csv", "html", "page"):
            assert words in forms[form], (lang, form)
    outcome_row = next(csv.DictReader(io.StringIO(forms["csv"])))
    assert outcome_row["component"] == "outcome" and "Checked 60 rows." in outcome_row["message"]


def test_gtfs_counts_rows_per_file_and_ngsi_ld_counts_entities() -> None:
    outcome = check_input(GTFS.read_bytes(), GTFS.name, None, model=REPO_MODEL)
    feed = outcome.checked
    assert feed is not None and feed["unit"] == "rows"
    files = feed["files"]
    assert isinstance(files, dict) and files[f"{GTFS.name}/stops.txt"] > 0
    assert feed["count"] == sum(files.values())
    text = outcome_text(outcome_data(outcome, Language.JA))
    stops = f"stops.txt: {files[f'{GTFS.name}/stops.txt']}"
    assert f"{feed['count']} 行を検査しました。（" in text and stops in text
    entity = check_input(NGSI_LD.read_bytes(), NGSI_LD.name, None, model=REPO_MODEL)
    assert entity.checked == {"unit": "entities", "count": 1, "files": {NGSI_LD.name: 1}}
    assert "Checked 1 entity." in outcome_text(outcome_data(entity, Language.EN))


def test_a_suggestion_is_offered_only_when_the_rule_accepts_it() -> None:
    data = PRESCHOOL.read_bytes()
    # Full-width digits, brackets and dash: the half-width form passes the phone rule.
    data = data.replace(b"(054)629-3520 ", "（０５４）６２９－３５２０".encode())
    # A letter in the number: trimmed, it still breaks the rule, so nothing is suggested.
    data = data.replace(b"(054)629-1929 ", b"(054)629-192X ")
    outcome = check_input(data, PRESCHOOL.name, None, model=REPO_MODEL)
    assert outcome.suggestions[(PRESCHOOL.name, 9, "FAX番号")] == "(054)629-3520"
    assert (PRESCHOOL.name, 12, "FAX番号") not in outcome.suggestions


def test_documents_stored_before_these_fields_still_render(
    model_app: Flask, model_client: FlaskClient
) -> None:
    """A job stored by the previous version has no ``checked`` nor value marks: its page and
    downloads still answer, with the value as it was stored."""
    job = _job(model_client, EVACUATION)
    folder = Path(model_app.config["CITYREF_SETTINGS"].store) / "jobs" / job
    new_fields = ("value_shown", "value_marks", "suggestion")
    for stored in folder.glob("outcome.*.json"):
        document = json.loads(stored.read_text("utf-8"))
        document.pop("checked")
        for entry in (*document["results"], *document["summary"]):
            for field in new_fields:
                entry.pop(field)
        stored.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    forms = _forms(model_client, job, "ja")
    assert "<code>○</code>" in forms["page"] and "行を検査しました" not in forms["page"]
    assert "値「○」" in forms["txt"] and "○" in forms["csv"] and "<code>○</code>" in forms["html"]
