"""Bearer tokens for the write surfaces, stored hashed, with scopes read / write / admin.

A token is 32 random bytes shown once when created; the file keeps only its SHA-256 (a
random token needs no slow hash), its name, scope and dates. Scopes nest: admin ⊃ write ⊃ read.
The file is replaced atomically, so a reader never sees half of it; a change (create,
revoke) reads and writes it under a lock (a lock file beside it, and the shared lock of
:mod:`cityref.services.shared_state` when several instances share writes), so two changes
at once both land.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from cityref.errors import CityrefError
from cityref.services.shared_state import check_write_leases, shared_write_lock
from cityref.text import Bilingual

SCOPES = ("read", "write", "admin")
PREFIX = "cr_"


class TokenError(CityrefError):
    """A token operation failed: unknown name, bad scope, unreadable file."""


@dataclass(frozen=True)
class TokenRecord:
    name: str
    scope: str
    sha256: str
    created: float
    revoked: float | None = None

    def allows(self, scope: str) -> bool:
        return self.revoked is None and SCOPES.index(self.scope) >= SCOPES.index(scope)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_tokens(path: Path) -> list[TokenRecord]:
    if not path.is_file():
        return []
    try:
        return [TokenRecord(**item) for item in json.loads(path.read_text("utf-8"))]
    except (ValueError, TypeError) as exc:
        raise TokenError(
            Bilingual(
                f"{path}: cityref のトークンファイルではありません（{exc}）",
                f"{path}: not a cityref tokens file ({exc})",
            )
        ) from None


def _save(path: Path, records: list[TokenRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(json.dumps([asdict(r) for r in records], indent=1), "utf-8")
    os.chmod(temporary, 0o600)
    try:
        check_write_leases()  # a writer whose shared lease ran out writes nothing
    except CityrefError:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


@contextmanager
def _changing(path: Path) -> Iterator[None]:
    """Hold the tokens file's lock while it is read, changed and written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with shared_write_lock("tokens"), open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def create_token(path: Path, name: str, scope: str) -> str:
    """Add a token and return it; this is the only time it can be read."""
    if scope not in SCOPES:
        choices = ", ".join(SCOPES)
        raise TokenError(
            Bilingual(
                f"不明なスコープ {scope!r} です。次のいずれかにしてください: {choices}",
                f"unknown scope {scope!r}; use one of {choices}",
            )
        )
    with _changing(path):
        records = load_tokens(path)
        if any(r.name == name and r.revoked is None for r in records):
            raise TokenError(
                Bilingual(
                    f"トークン {name!r} はすでにあります。先に失効させてください",
                    f"a token named {name!r} exists; revoke it first",
                )
            )
        token = PREFIX + secrets.token_urlsafe(32)
        records.append(TokenRecord(name, scope, _digest(token), time.time()))
        _save(path, records)
    return token


def revoke_token(path: Path, name: str) -> None:
    with _changing(path):
        _revoke(path, name)


def _revoke(path: Path, name: str) -> None:
    records = load_tokens(path)
    if not any(r.name == name and r.revoked is None for r in records):
        raise TokenError(
            Bilingual(f"有効なトークン {name!r} はありません", f"no active token named {name!r}")
        )
    now = time.time()
    _save(
        path,
        [
            TokenRecord(r.name, r.scope, r.sha256, r.created, now)
            if r.name == name and r.revoked is None
            else r
            for r in records
        ],
    )


def check_token(path: Path, token: str, scope: str) -> TokenRecord | None:
    """The active record for ``token`` when it allows ``scope``, else ``None``."""
    digest = _digest(token)
    for record in load_tokens(path):
        if hmac.compare_digest(record.sha256, digest) and record.allows(scope):
            return record
    return None
