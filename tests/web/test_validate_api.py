"""Validation over HTTP: uploads, raw bodies, detection, report formats, jobs, the page."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import REAL_DATA, REPO

TOILETS = REAL_DATA / "ichikawa-122033" / "122033_201_multipurpose_toilet.csv"
AED = REAL_DATA / "yaizu-222127" / "222127_aed.csv"


def test_multipart_upload_detects_the_profile_and_locates_results(
    model_client: FlaskClient,
) -> None:
    with open(TOILETS, "rb") as handle:
        response = model_client.post(
            "/api/validate?lang=ja",
            data={"file": (handle, TOILETS.name)},
            content_type="multipart/form-data",
        )
    assert response.status_code == 200, response.data[:400]
    body = response.json
    assert body is not None
    assert body["profile"].startswith("ods-public-toilet@")
    assert body["detection"]["profile"] == "ods-public-toilet"
    assert body["detection"]["runner_up"] and body["detection"]["unsure"] is False
    assert body["conforms"] is False
    assert body["counts"]["Violation"] >= 1
    assert all(r["row"] and r["column"] for r in body["results"])
    assert any("設置位置" in (r["column"] or "") for r in body["results"])
    first = body["summary"][0]
    assert (first["severity"], first["column"], first["rows"]) == ("Violation", "設置位置", "2–50")
    assert first["count"] == 49 and first["example"]["ja"].startswith("「設置位置」")


def test_raw_body_with_its_content_type_and_a_named_profile(model_client: FlaskClient) -> None:
    response = model_client.post(
        "/api/validate?profile=legacy-aed", data=AED.read_bytes(), content_type="text/csv"
    )
    assert response.status_code == 200, response.data[:400]
    assert response.json is not None and response.json["profile"].startswith("legacy-aed@")


def test_a_raw_body_is_read_by_its_media_type_without_a_file_name(
    model_client: FlaskClient,
) -> None:
    """The media type reaches the input format registry as it is: no made-up file name."""
    turtle = (REPO / "shapes" / "gif-address" / "examples" / "invalid" / "address.ttl").read_bytes()
    response = model_client.post(
        "/api/validate?profile=gif-address", data=turtle, content_type="text/turtle"
    )
    assert response.status_code == 200, response.data[:400]
    body = response.json
    assert body is not None and body["file"] == "upload" and body["conforms"] is False
    assert body["results"]
    as_json_ld = model_client.post(
        "/api/validate?profile=gif-address", data=turtle, content_type="application/ld+json"
    )
    assert as_json_ld.status_code == 422  # Turtle is no JSON-LD: the media type decides


def test_pasted_text_without_a_file_name_is_read_as_csv(model_client: FlaskClient) -> None:
    text = AED.read_text(encoding="utf-8")
    response = model_client.post(
        "/api/validate?profile=legacy-aed", data={"text": text, "filename": ""}
    )
    assert response.status_code == 200, response.data[:400]
    assert response.json is not None and response.json["file"] == "pasted"


def test_the_api_description_lists_the_registered_upload_media_types(
    model_client: FlaskClient,
) -> None:
    from cityref.inputs import INPUT_FORMATS

    spec = model_client.get("/api/openapi.json").json
    assert spec is not None
    content = spec["paths"]["/api/validate"]["post"]["requestBody"]["content"]
    registered = {t for f in INPUT_FORMATS for t in f.media_types}
    assert set(content) == {"multipart/form-data", *registered}


def test_the_page_offers_the_suffixes_of_the_registered_formats(
    model_client: FlaskClient,
) -> None:
    from cityref.inputs import INPUT_FORMATS

    page = model_client.get("/validate").get_data(as_text=True)
    offered = re.search(r'type="file" accept="([^"]*)"', page)
    assert offered is not None
    assert set(offered.group(1).split(",")) == {s for f in INPUT_FORMATS for s in f.suffixes}


def test_w3c_report_as_turtle_by_accept(model_client: FlaskClient) -> None:
    response = model_client.post(
        "/api/validate",
        data=TOILETS.read_bytes(),
        content_type="text/csv",
        headers={"Accept": "text/turtle"},
    )
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, rdflib.RDF.type, sh.ValidationReport) in graph
    assert (None, sh.conforms, rdflib.Literal(False)) in graph


def test_bad_inputs_are_clear_4xx(model_client: FlaskClient) -> None:
    empty = model_client.post("/api/validate", data=b"", content_type="text/csv")
    assert empty.status_code == 400
    unknown = model_client.post("/api/validate", data=b"x", content_type="image/png")
    assert unknown.status_code == 415
    undetectable = model_client.post("/api/validate", data=b"a,b\n1,2\n", content_type="text/csv")
    assert undetectable.status_code == 422
    assert undetectable.json is not None and undetectable.json["error"]["ja"]
    doctype = model_client.post(
        "/api/validate",
        data=b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r/>',
        content_type="application/rdf+xml",
        query_string={"profile": "gif-facility"},
    )
    assert doctype.status_code == 422


def test_large_upload_becomes_a_job_to_poll(model_app: Flask) -> None:
    settings = model_app.config["CITYREF_SETTINGS"]
    from app import create_app

    small_limit = create_app(settings.with_(async_validation_bytes=100), {"TESTING": True})
    client = small_limit.test_client()
    response = client.post("/api/validate", data=TOILETS.read_bytes(), content_type="text/csv")
    assert response.status_code == 202
    poll = response.headers["Location"]
    deadline = time.monotonic() + 60
    while response.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.3)
        response = client.get(poll)
    assert response.status_code == 200, response.data[:300]
    assert response.json is not None and response.json["conforms"] is False


def test_the_page_uploads_and_shows_row_and_column(model_client: FlaskClient) -> None:
    page = model_client.get("/validate?lang=en")
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    without = model_client.post("/validate", data={"text": "a,b\n"})
    assert without.status_code == 403
    with open(TOILETS, "rb") as handle:
        posted = model_client.post(
            "/validate",
            data={"csrf": token.group(1), "file": (handle, TOILETS.name), "profile": ""},
            content_type="multipart/form-data",
        )
    assert posted.status_code == 303
    report = model_client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "does not conform" in report
    # How the profile was picked: its match and the runner-up's.
    assert "detected profile: ods-public-toilet@1.0.0" in report
    assert "(100% of the column names match profile ods-public-toilet" in report
    assert "; runner-up " in report
    # The results of the column are under a heading that names it; each row says its row.
    section = re.search(
        r'<section class="shape-group"[^>]*>\s*<h3[^>]*>(.*?)</section>', report, re.S
    )
    assert section and "設置位置" in section.group(1).split("</h3>")[0], report[:2000]
    assert re.search(r'<td class="where">row 2\b', section.group(1)), section.group(1)[:2000]
    # The summary counts the missing 設置位置 once, its rows as ranges, linked to the details.
    summary = report.split("What to fix", 1)[1].split("</section>", 1)[0]
    line = next(r for r in summary.split("<tr") if "設置位置" in r and "Violation" in r)
    assert re.search(r"<td>\d+</td><td>2–\d+", line), line
    anchor = re.search(r'href="#(shape-\d+)"', line)
    assert anchor and f'id="{anchor.group(1)}"' in report
    job_id = posted.headers["Location"].rsplit("/", 1)[-1]
    csv_file = model_client.get(f"/api/jobs/{job_id}/report.en.csv")
    assert csv_file.status_code == 200 and b"severity" in csv_file.data


@pytest.mark.parametrize("name", ["../../etc/passwd", "report.json", "job.json"])
def test_job_files_are_only_the_reports(model_client: FlaskClient, name: str) -> None:
    job = "0" * 32
    assert model_client.get(f"/api/jobs/{job}/{name}").status_code == 404


def test_upload_name_cannot_escape_the_job_folder(model_app: Flask) -> None:
    from cityref.services.jobs import create_job

    settings = model_app.config["CITYREF_SETTINGS"]
    job = create_job(settings.store, b"x", "../../../etc/passwd", None)
    assert job.filename == "passwd"
    assert (Path(settings.store) / "jobs" / job.id / "input").read_bytes() == b"x"
