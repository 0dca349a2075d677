"""The shared state service (Redis) that several servers and validation workers use when the
``state`` setting names one; with none set, nothing here is used and one server keeps its
state to itself (SQLite counter, local job processes, file locks).

This module holds the connection and the one primitive the others build on: a **lock with a
lease and a fencing number** (:func:`held_lock`). A holder sets ``cityref:lock:NAME`` to a
token only if it is free (``SET NX PX``), and a thread renews the lease while the block runs,
so a long write keeps it and a holder that dies (killed, machine gone) frees it when the
lease runs out. Each taking draws a number from a counter that only grows (``INCR``): the
token begins with it, so a later holder always has a larger number. Before a write is made
visible the writer checks that its token is still the lock's value (:meth:`Lease.check`);
a holder that was paused past its lease and lost the lock stops there instead of
overwriting the newer holder's work.

Registry and token writes take the lock through :func:`shared_write_lock` once the entry
point has called :func:`share_writes` (the app factory and the ``cityref`` command do);
it is taken *around* the existing file lock, which still orders the processes of one
machine.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cityref.errors import CityrefError
from cityref.text import Bilingual

if TYPE_CHECKING:
    from redis import Redis

#: Every key cityref writes begins with this.
PREFIX = "cityref:"
#: Seconds a lock is held without renewal before another may take it.
LEASE_SECONDS = 15.0
#: Longest a writer waits for the lock before it gives up, saying so.
LOCK_WAIT_SECONDS = 60.0
log = logging.getLogger(__name__)

# Renew or release only the holder's own lock (a lapsed holder must not touch a new one).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class StateUnavailable(CityrefError):
    """The state service cannot be reached or used; the message says why."""


class LockBusy(StateUnavailable):
    """Another holder kept the lock for longer than the caller would wait."""


class LockLost(CityrefError):
    """A lock's lease ran out while its holder worked: its write is not made."""


def connect(url: str, timeout: float = 5.0) -> Redis:
    """A client of the state service at ``url`` (the ``state`` setting); connections are
    opened when first used, with ``timeout`` seconds for each connect and reply."""
    try:
        import redis
    except ImportError:
        raise StateUnavailable(
            Bilingual(
                "CITYREF_STATE が設定されていますが、Python パッケージ redis がありません"
                "（pip install 'cityref[shared]'）",
                "CITYREF_STATE is set but the Python package redis is not installed"
                " (pip install 'cityref[shared]')",
            )
        ) from None
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
    )


def reply(value: object) -> bytes | None:
    """A reply of the client as the bytes it is (the client is made never to decode)."""
    if value is None:
        return None
    assert isinstance(value, bytes), type(value)
    return value


def names(values: object) -> list[str]:
    """The members or keys of a reply, as text (ids and names are ASCII)."""
    assert isinstance(values, list | set | dict), type(values)
    return [value.decode() for value in values]


def unavailable(error: Exception) -> StateUnavailable:
    """The error to raise for a failure of the state service (connection, timeout, reply)."""
    return StateUnavailable(
        Bilingual(
            f"共有状態サービス（Redis）を使えません: {error}",
            f"the shared state service (Redis) cannot be used: {error}",
        )
    )


@dataclass
class Lease:
    """A lock held: its key, the holder's token and fencing number, and whether it lapsed."""

    client: Redis
    key: str
    token: str
    fence: int
    seconds: float
    lost: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)

    def renew(self) -> bool:
        """Extend the lease; False when the lock is no longer this holder's."""
        renewed = self.client.eval(_RENEW, 1, self.key, self.token, int(self.seconds * 1000))
        return bool(renewed)

    def check(self) -> None:
        """Raise :class:`LockLost` unless the lock is still this holder's (call it right
        before a write is made visible)."""
        if self.lost or self.client.get(self.key) != self.token.encode():
            self.lost = True
            raise LockLost(
                Bilingual(
                    f"{self.key} のロックの期限が作業中に切れたため、書き込みを取りやめました"
                    f"（番号 {self.fence}）",
                    f"the lease on {self.key} ran out during the work (fencing number"
                    f" {self.fence}); the write was not made",
                )
            )

    def _keep(self) -> None:
        """The renewing thread: a third of the lease at a time, until released or lost."""
        while not self._stop.wait(self.seconds / 3):
            try:
                if not self.renew():
                    self.lost = True
                    return
            except Exception as exc:  # the service is gone: the check before writing says so
                log.warning("could not renew %s: %s", self.key, exc)

    def release(self) -> None:
        self._stop.set()
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except Exception as exc:  # the lease runs out on its own
            log.warning("could not release %s: %s", self.key, exc)


@contextmanager
def held_lock(
    client: Redis,
    name: str,
    *,
    lease_seconds: float = LEASE_SECONDS,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[Lease]:
    """Hold the lock ``cityref:lock:NAME`` for the block, renewing its lease meanwhile;
    waits up to ``wait_seconds`` for another holder, then raises :class:`StateUnavailable`."""
    import redis

    key = f"{PREFIX}lock:{name}"
    try:
        fence = int(client.incr(f"{key}:fence"))
        token = f"{fence}:{uuid.uuid4().hex}"
        deadline = time.monotonic() + wait_seconds
        pause = 0.01
        while not client.set(key, token, nx=True, px=int(lease_seconds * 1000)):
            if time.monotonic() >= deadline:
                raise LockBusy(
                    Bilingual(
                        f"{key} のロックが {wait_seconds:g} 秒以内に空きませんでした",
                        f"the lock {key} was not free within {wait_seconds:g} s",
                    )
                )
            time.sleep(pause)
            pause = min(0.2, pause * 1.5)
    except redis.RedisError as exc:
        raise unavailable(exc) from None
    lease = Lease(client, key, token, fence, lease_seconds)
    keeper = threading.Thread(target=lease._keep, name=f"lease {name}", daemon=True)
    keeper.start()
    _held.stack = [*_stack(), lease]
    try:
        yield lease
    finally:
        _held.stack = [held for held in _stack() if held is not lease]
        lease.release()
        keeper.join(timeout=1)


# -- registry and token writes ----------------------------------------------------------------
_writes: dict[str, Redis] = {}
_held = threading.local()


def _stack() -> list[Lease]:
    stack: list[Lease] = getattr(_held, "stack", [])
    return stack


def share_writes(url: str | None) -> None:
    """Serialise registry and token writes through the state service at ``url`` from now
    on in this process (None: through the file locks alone, as on one machine). Called by
    the entry points with the ``state`` setting."""
    _writes.clear()
    if url is not None:
        _writes["client"] = connect(url)


@contextmanager
def shared_write_lock(name: str) -> Iterator[None]:
    """The lock ``name`` across instances when writes are shared, else nothing (the
    caller's file lock orders the processes of the one machine)."""
    client = _writes.get("client")
    if client is None:
        yield
        return
    with held_lock(client, name):
        yield


def check_write_leases() -> None:
    """Raise :class:`LockLost` when a shared lock this thread holds has lapsed: called right
    before a file is replaced, so a holder that lost its lease writes nothing more."""
    leases = _stack()
    if not leases:
        return
    import redis

    for lease in leases:
        try:
            lease.check()
        except redis.RedisError as exc:
            raise unavailable(exc) from None
