"""Places for expensive work per client, shared by every process of a server.

Each client address gets ``concurrency`` run places and ``queue`` waiting places, each a
lock file under one folder (``<store>/runtime/slots/``). A place is held with ``fcntl.flock``
on the open file, so the kernel frees it when the holder's process dies: a crashed web
worker can never leave a client locked out. A waiting request holds a waiting place and
polls the run places until one is free or its wait is over; when no waiting place is free
either, the client is told to come back later (:class:`~cityref.errors.Busy`).

Lock files are removed by their holder on release, so the folder holds only places in use.
Removal is safe because a taker checks, once it holds the lock, that the path still names
the file it locked (otherwise it locked a file already removed and tries again).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from cityref.errors import Busy
from cityref.text import Bilingual

#: How often a waiting request looks for a free run place.
POLL_SECONDS = 0.05
log = logging.getLogger(__name__)


@dataclass
class Slot:
    """A place held: release it once, when the work is done."""

    fd: int | None
    path: Path | None

    def release(self) -> None:
        if self.fd is None or self.path is None:
            return
        # Unlink while still holding the lock: nobody can hold this file after us.
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        os.close(self.fd)
        self.fd = None


def client_key(client: str) -> str:
    """A file-name-safe form of a client address (IPv6 colons become underscores)."""
    return re.sub(r"[^0-9A-Za-z.]", "_", client)[:80] or "unknown"


class ClientSlots:
    """At most ``concurrency`` running and ``queue`` waiting per client, across processes."""

    def __init__(self, folder: Path, concurrency: int, queue: int) -> None:
        self.folder = folder
        self.concurrency = concurrency
        self.queue = queue

    def acquire(self, client: str, wait: float) -> Slot:
        """A run place for ``client``, waiting up to ``wait`` seconds in the client's queue.

        Raises :class:`Busy` when the queue is full or the wait is over. When the lock
        folder cannot be used the work is let through and the failure logged: a broken
        limiter must not take the service down.
        """
        key = client_key(client)
        try:
            slot = self._take_any(key, "run", self.concurrency)
            if slot is not None:
                return slot
            ticket = self._take_any(key, "wait", self.queue)
            if ticket is None:
                raise Busy(self._refusal(client, queued=False), _retry_seconds(wait))
            try:
                deadline = time.monotonic() + wait
                while slot is None:
                    if time.monotonic() >= deadline:
                        raise Busy(self._refusal(client, queued=True), _retry_seconds(wait))
                    time.sleep(POLL_SECONDS)
                    slot = self._take_any(key, "run", self.concurrency)
                return slot
            finally:
                ticket.release()
        except OSError as exc:
            log.warning("client slots under %s unavailable: %s", self.folder, exc)
            return Slot(None, None)

    def _refusal(self, client: str, *, queued: bool) -> Bilingual:
        if queued:
            return Bilingual(
                f"{client} は重い処理を {self.concurrency}"
                " 件実行中で、時間内に空きが出ませんでした",
                f"{client} already runs {self.concurrency} expensive requests and no place "
                "was free in time",
            )
        return Bilingual(
            f"{client} は重い処理を {self.concurrency} 件実行中で、さらに {self.queue} 件が"
            "待っています",
            f"{client} already runs {self.concurrency} expensive requests and "
            f"{self.queue} more wait",
        )

    def _take_any(self, key: str, kind: str, count: int) -> Slot | None:
        for number in range(count):
            slot = self._take(self.folder / f"{key}.{kind}{number}")
            if slot is not None:
                return slot
        return None

    def _take(self, path: Path) -> Slot | None:
        for _attempt in range(5):  # the file may be replaced under us; try a few times
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return Slot(fd, path)
            os.close(fd)  # we locked a file its holder had already removed
        return None


def _retry_seconds(wait: float) -> float:
    return float(max(1, math.ceil(wait)))
