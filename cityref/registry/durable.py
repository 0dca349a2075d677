"""Durable registry writes: one lock per sources folder, temporary file then rename.

Every write to registry/ goes through :func:`registry_lock` (an exclusive ``flock`` on
``registry/.lock``) and :func:`write_atomic` (write a temporary file beside the target, flush
and fsync it, then ``os.replace``). A reader therefore sees either the old file or the new
one, never half of one, and two processes writing at once queue on the lock instead of
overwriting each other's changes.

With the ``state`` setting (several instances), the lock is also taken in the state service
(:func:`cityref.services.shared_state.shared_write_lock`, a lease with a fencing number) around
the file lock, and each file is replaced only while that lease is still held. Instances on
several machines must then share the sources folder itself (one network file system mounted
at the same content): the lock orders the writers, the files are still where the writes go.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from cityref.errors import CityrefError
from cityref.services.shared_state import (
    LockLost,
    StateUnavailable,
    check_write_leases,
    shared_write_lock,
)
from cityref.text import Bilingual

LOCK_NAME = ".lock"


class RegistryError(CityrefError):
    """A registry operation cannot be done; the message says what and where (ja / en)."""


class RegistryBusy(RegistryError):
    """The shared write lock could not be had, or was lost during the write: nothing is
    wrong with the request, try again."""


@contextmanager
def registry_lock(root: Path) -> Iterator[None]:
    """Hold the registry's exclusive lock (``<root>/registry/.lock``, and the shared one when
    writes are shared) for the block."""
    with ExitStack() as held:
        try:
            held.enter_context(shared_write_lock("registry"))
        except StateUnavailable as exc:
            raise RegistryBusy(exc.text) from None
        held.enter_context(_file_lock(root))
        yield


@contextmanager
def _file_lock(root: Path) -> Iterator[None]:
    folder = root / "registry"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_NAME, "a+b")  # noqa: SIM115 - closed in finally
    except OSError as exc:
        raise RegistryError(
            Bilingual(
                f"{folder}: 登録簿のロックを開けません",
                f"{folder}: cannot open the registry lock: {exc.strerror or exc}",
            )
        ) from exc
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temporary file in the same folder, fsync, rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            check_write_leases()  # a writer whose shared lease ran out stops here
        except (LockLost, StateUnavailable) as exc:
            temporary.unlink(missing_ok=True)
            raise RegistryBusy(exc.text) from None
        os.replace(temporary, path)
    except OSError as exc:
        raise RegistryError(
            Bilingual(f"{path}: 書き込めません", f"{path}: cannot write: {exc.strerror or exc}")
        ) from exc
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or a :class:`RegistryError` naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RegistryError(
            Bilingual(f"{path}: 読み込めません", f"{path}: cannot read: {exc.strerror or exc}")
        ) from exc
