"""One validation outcome: the command line and the API give the same document for the same
input and profile, for every input type; every report format is complete and offered alike
by the command line, the API, the job downloads and the docs."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from cityref.cli.main import cli
from cityref.outcome import RENDERER_NAMES, RENDERERS
from cityref.outcome.renderers import formats_markdown
from tests.conftest import REAL_DATA, REPO

EXAMPLES = REPO / "shapes"

#: Fields that legitimately differ between a CLI run and an API job of the same input:
#: the job's id (the API's only) and the engine's timings and counters of that run.
#: Both languages (the default of both): the engine's timings differ per run.
DIFFERING_FIELDS = (("job",), ("report", "ja", "stats"), ("report", "en", "stats"))


def _gtfs_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((EXAMPLES / "gtfs-jp/examples/invalid/broken-feed").iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


#: One input of each type: name, bytes, the profile to name (None: detected).
INPUTS: dict[str, tuple[str, Any, str | None]] = {
    "rdf": ("address.ttl", EXAMPLES / "gif-address/examples/invalid/address.ttl", "gif-address"),
    "csv": ("222127_preschool.csv", REAL_DATA / "yaizu-222127/222127_preschool.csv", None),
    "gtfs": ("feed.zip", _gtfs_zip, None),
    "ngsi-ld": (
        "entities.json",
        EXAMPLES / "ngsi-ld-entity/examples/invalid/broken-entities.json",
        None,
    ),
}


def _input(kind: str) -> tuple[str, bytes, str | None]:
    name, source, profile = INPUTS[kind]
    data = source() if callable(source) else Path(source).read_bytes()
    return name, data, profile


def _without_differing(document: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(document))
    for *parents, key in DIFFERING_FIELDS:
        holder = out
        for parent in parents:
            holder = holder[parent]
        holder.pop(key, None)
    return out


def _cli_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: bytes, profile: str | None
) -> dict[str, Any]:
    """``cityref validate NAME [--profile P] --format json`` typed in the input's folder."""
    (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    args = ["validate", name, "--format", "json"]
    args += ["--profile", profile] if profile else []
    env = {"CITYREF_SOURCES": str(REPO), "CITYREF_STORE": str(tmp_path / "store")}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _api_json(
    client: FlaskClient, name: str, data: bytes, profile: str | None, accept: str = "*/*"
) -> Any:
    query = {"profile": profile} if profile else {}
    return client.post(
        "/api/validate",
        data={"file": (io.BytesIO(data), name)},
        query_string=query,
        content_type="multipart/form-data",
        headers={"Accept": accept},
    )


@pytest.mark.parametrize("kind", list(INPUTS))
def test_cli_json_and_api_json_agree(
    kind: str, model_client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, data, profile = _input(kind)
    cli_document = _cli_json(tmp_path, monkeypatch, name, data, profile)
    response = _api_json(model_client, name, data, profile)
    assert response.status_code == 200, response.data[:400]
    api_document = response.json
    assert api_document is not None and re.fullmatch(r"[0-9a-f]{32}", api_document["job"])
    assert _without_differing(cli_document) == _without_differing(api_document)
    assert cli_document["verdict"] == "violations" and cli_document["results"]
    assert all(list(r["message"]) == ["ja", "en"] for r in cli_document["results"])
    counted = sum(cli_document["counts"].values())
    assert (
        counted == len(cli_document["results"]) == sum(f["count"] for f in cli_document["summary"])
    )


def test_every_renderer_is_complete_and_named_once() -> None:
    for found in RENDERERS:
        assert re.fullmatch(r"[a-z]+", found.name), found
        assert re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", found.media_type), found
        assert found.suffix.startswith(".") and len(found.suffix) > 1, found
        english, japanese = found.description.en, found.description.ja
        assert english and re.search(r"[ぁ-んァ-ン一-龯]", japanese), found
        makers = (found.write_data, found.from_documents, found.from_report)
        assert sum(maker is not None for maker in makers) == 1, found
    for attribute in ("name", "media_type", "suffix"):
        values = [getattr(r, attribute) for r in RENDERERS]
        assert len(values) == len(set(values)), attribute


def test_the_cli_offers_every_format_and_the_docs_list_them() -> None:
    validate = cli.commands["validate"]
    option = next(p for p in validate.params if p.name == "output_format")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == RENDERER_NAMES
    docs = (REPO / "docs" / "report-format.md").read_text(encoding="utf-8")
    assert formats_markdown() in docs, "docs/report-format.md: paste formats_markdown()"


def test_the_api_description_names_every_format(client: FlaskClient) -> None:
    description = client.get("/api/openapi.json").json
    assert description is not None
    job = description["paths"]["/api/jobs/{job}"]["get"]["responses"]["200"]["content"]
    assert sorted(job) == sorted(r.media_type for r in RENDERERS)


def test_the_api_answers_and_downloads_every_format(
    model_client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each format by Accept and as a job download, equal to the command line's output."""
    name, data, profile = _input("rdf")
    response = _api_json(model_client, name, data, profile)
    job = response.json["job"]
    (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    for found in RENDERERS:
        by_accept = _api_json(model_client, name, data, profile, accept=found.media_type)
        assert by_accept.status_code == 200 and by_accept.mimetype == found.media_type, found
        download = model_client.get(f"/api/jobs/{job}/{found.file_name('ja')}")
        assert download.status_code == 200 and download.mimetype == found.media_type, found
        assert f"{job}-report" in download.headers["Content-Disposition"]
        args = [
            "validate",
            name,
            "--profile",
            "gif-address",
            "--lang",
            "ja",
            "--format",
            found.name,
        ]
        env = {"CITYREF_SOURCES": str(REPO), "CITYREF_STORE": str(tmp_path / "store")}
        typed = CliRunner().invoke(cli, args, env=env)
        assert typed.exit_code == 1, typed.output
        if found.per_language and found.name != "json":  # json carries timings, graphs bnodes
            assert download.get_data() == typed.stdout_bytes, found


def test_the_report_page_shows_the_document(model_client: FlaskClient) -> None:
    name, data, profile = _input("rdf")
    job = _api_json(model_client, name, data, profile).json["job"]
    document = model_client.get(f"/api/jobs/{job}?lang=en").json
    page = model_client.get(f"/validate/{job}?lang=en").get_data(as_text=True)
    assert '<p class="verdict bad">The data does not conform: it has violations.</p>' in page
    assert f"Checked {document['checked']['count']} focus nodes." in page
    assert f"Results in all: {len(document['results'])}" in page
    # One row per result and per summary line, each classed by its severity.
    rows = page.count('<tr class="violation">') + page.count('<tr class="warning">')
    assert rows == len(document["results"]) + len(document["summary"])
    assert page.count('<tr class="warning">') == 2 * sum(
        e["severity"] == "Warning" for e in document["results"]
    )
    assert document["language"] == "en"
    for entry in document["results"]:
        assert entry["message"]["en"] in page
