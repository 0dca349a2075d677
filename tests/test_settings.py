"""The settings table: defaults, environment overrides, errors, and the docs made from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityref.errors import SettingsError
from cityref.services.validation_endpoints import endpoint_for_command_line, named_endpoint
from cityref.settings import SETTINGS, load_settings, settings_markdown
from tests.conftest import REPO, RunCli


def test_defaults_are_safe() -> None:
    settings = load_settings({})
    assert settings.host == "127.0.0.1"
    assert settings.store == Path(".cityref/store")
    assert settings.base_iri == "https://w3id.org/cityref/"
    assert settings.sources == REPO  # the checkout, since tests run from it


def test_environment_overrides_every_setting(tmp_path: Path) -> None:
    env = {
        "CITYREF_STORE": str(tmp_path / "x"),
        "CITYREF_STORE_ENDPOINT": "http://127.0.0.1:7878/query",
        "CITYREF_STORE_UPDATE_ENDPOINT": "http://127.0.0.1:7878/update",
        "CITYREF_STORE_GRAPH_ENDPOINT": "http://127.0.0.1:7878/store",
        "CITYREF_STORE_USER": "reader",
        "CITYREF_STORE_PASSWORD": "secret",
        "CITYREF_STORE_AUTH": "digest",
        "CITYREF_TOKENS_FILE": str(tmp_path / "tokens.json"),
        "CITYREF_SOURCES": str(tmp_path / "src"),
        "CITYREF_BASE_IRI": "http://example.org/city/",
        "CITYREF_HOST": "0.0.0.0",
        "CITYREF_PORT": "9000",
        "CITYREF_QUERY_TIMEOUT": "2.5",
        "CITYREF_MAX_ROWS": "7",
        "CITYREF_MAX_UPLOAD_BYTES": "1024",
        "CITYREF_MAX_QUERY_BYTES": "2048",
        "CITYREF_WORKERS": "2",
        "CITYREF_RATE_LIMIT": "30",
        "CITYREF_VALIDATION_TIMEOUT": "30",
        "CITYREF_ASYNC_VALIDATION_BYTES": "100000",
        "CITYREF_ALLOW_UPDATES": "true",
        "CITYREF_THREADS": "4",
        "CITYREF_QUERY_WORKERS": "2",
        "CITYREF_QUERY_MEMORY_MB": "512",
        "CITYREF_QUERY_CACHE_BYTES": "65536",
        "CITYREF_CLIENT_CONCURRENCY": "1",
        "CITYREF_CLIENT_QUEUE": "3",
        "CITYREF_REQUEST_BODY_TIMEOUT": "5",
        "CITYREF_VALIDATION_JOBS": "1",
        "CITYREF_VALIDATION_MEMORY_MB": "700",
        "CITYREF_VALIDATION_ENDPOINTS": "city=http://127.0.0.1:7878/query",
        "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS": "city=reader:secret",
        "CITYREF_VALIDATION_FOCUS_BATCH": "500",
        "CITYREF_MAX_DECOMPRESSED_BYTES": "4096",
        "CITYREF_JOBS_MAX_BYTES": "8192",
        "CITYREF_JOBS_MAX_AGE_DAYS": "0.5",
        "CITYREF_STATE": "redis://127.0.0.1:6390/2",
    }
    assert {s.env for s in SETTINGS} == set(env)
    settings = load_settings(env)
    assert settings.store == tmp_path / "x"
    assert settings.port == 9000
    assert settings.query_timeout == 2.5
    assert settings.max_rows == 7
    assert settings.query_memory_mb == 512
    assert settings.query_cache_bytes == 65536
    assert settings.client_concurrency == 1
    assert settings.request_body_timeout == 5.0
    assert settings.jobs_max_age_days == 0.5
    assert settings.validation_endpoints == "city=http://127.0.0.1:7878/query"
    assert settings.validation_focus_batch == 500


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CITYREF_PORT", "eighty", "expected int"),
        ("CITYREF_MAX_ROWS", "0", "greater than 0"),
        ("CITYREF_VALIDATION_FOCUS_BATCH", "-5", "0 (off) or more"),
        ("CITYREF_BASE_IRI", "https://example.org/no-slash", "ending with '/'"),
        ("CITYREF_BASE_IRI", "urn:x:", "http(s) IRI"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    assert variable in str(caught.value)
    assert says in str(caught.value)


def test_focus_batches_are_off_by_default_and_reach_both_kinds_of_endpoint() -> None:
    urls = {"CITYREF_VALIDATION_ENDPOINTS": "city=http://127.0.0.1:7878/query"}
    assert load_settings(urls).validation_focus_batch == 0
    for given, batch in (("0", None), ("50", 50)):
        settings = load_settings(urls | {"CITYREF_VALIDATION_FOCUS_BATCH": given})
        assert named_endpoint(settings, "city", (), 5).focus_batch == batch
        assert endpoint_for_command_line(settings, "http://h.example/q", (), 5).focus_batch == batch


def test_docs_settings_md_is_generated_from_the_table() -> None:
    documented = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    assert documented == settings_markdown(), (
        "docs/settings.md is stale: run `cityref settings --markdown > docs/settings.md`"
    )


def test_settings_command_prints_current_values(run_cli: RunCli, cli_env: dict[str, str]) -> None:
    result = run_cli("settings")
    assert result.exit_code == 0, result.output
    for setting in SETTINGS:
        assert setting.env in result.output
    assert f"store = {cli_env['CITYREF_STORE']}" in result.output
    assert "query_timeout = 1.0" in result.output


def test_bad_environment_is_a_usage_error(run_cli: RunCli, cli_env: dict[str, str]) -> None:
    cli_env["CITYREF_PORT"] = "x"
    result = run_cli("settings")
    assert result.exit_code == 2
    assert "CITYREF_PORT" in result.stderr


def test_store_url_is_the_remote_store_shorthand(tmp_path: Path) -> None:
    settings = load_settings({"CITYREF_STORE": "http://127.0.0.1:7878/query"})
    assert settings.store_endpoint == "http://127.0.0.1:7878/query"
    assert settings.store == Path(".cityref/store")  # the local state keeps its folder
    assert load_settings({"CITYREF_STORE": "./http://x"}).store == Path("http:/x")
    assert load_settings({"CITYREF_STORE": str(tmp_path)}).store_endpoint is None
    with pytest.raises(SettingsError, match="different URLs"):
        load_settings(
            {"CITYREF_STORE": "http://a.example/q", "CITYREF_STORE_ENDPOINT": "http://b.example/q"}
        )
    for wrong in ("ftp://host/q", "http:///q", "127.0.0.1:7878"):
        with pytest.raises(SettingsError, match="CITYREF_STORE_ENDPOINT"):
            load_settings({"CITYREF_STORE_ENDPOINT": wrong})
    with pytest.raises(SettingsError, match="basic or digest"):
        load_settings({"CITYREF_STORE_AUTH": "ntlm"})


def test_settings_command_masks_the_store_password(
    run_cli: RunCli, cli_env: dict[str, str]
) -> None:
    cli_env["CITYREF_STORE_PASSWORD"] = "s3cret-value"
    result = run_cli("settings")
    assert result.exit_code == 0
    assert "s3cret-value" not in result.output
    assert "store_password = ********" in result.output
