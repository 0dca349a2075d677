"""Tokens: shown once, stored hashed, scoped, revocable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cityref.services.tokens import TokenError, check_token, create_token, revoke_token
from tests.conftest import RunCli


def test_token_is_stored_hashed_and_scoped(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    token = create_token(path, "ci", "write")
    assert token not in path.read_text()
    assert check_token(path, token, "read") is not None
    assert check_token(path, token, "write") is not None
    assert check_token(path, token, "admin") is None
    assert check_token(path, token + "x", "read") is None
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_revoked_tokens_stop_working(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    token = create_token(path, "ci", "admin")
    revoke_token(path, "ci")
    assert check_token(path, token, "read") is None
    with pytest.raises(TokenError):
        revoke_token(path, "ci")
    with pytest.raises(TokenError):
        create_token(path, "x", "root")


def test_token_commands(run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path) -> None:
    cli_env["CITYREF_TOKENS_FILE"] = str(tmp_path / "t.json")
    created = run_cli("token", "create", "vendor", "--scope", "read")
    assert created.exit_code == 0
    token = created.stdout.strip()
    assert token.startswith("cr_")
    listed = run_cli("token", "list")
    assert "vendor\tread" in listed.stdout and token not in listed.stdout
    assert run_cli("token", "create", "vendor").exit_code == 2
    assert run_cli("token", "revoke", "vendor").exit_code == 0
    assert json.loads((tmp_path / "t.json").read_text())[0]["revoked"]
