"""Two ``cityref serve`` instances over one store folder and one Redis, with validation workers
started by the tests (issue 16, item 3).

Redis is the Debian ``redis-server``, started here on a free loopback port with a temporary
folder and no persistence. Missing, the tests are skipped on a developer's machine and fail
under CI (``CI=true``), as the browser tests do for Chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.security.conftest import (
    CITYREF,
    LiveServer,
    copy_sources,
    free_port,
    process_tree,
    start_live_server,
)

REDIS_SERVER = shutil.which("redis-server") or "/usr/sbin/redis-server"
WORKER_READY = "Listening on"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: scripts/test installs it when run as root")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port; its URL."""
    if not Path(REDIS_SERVER).exists():
        _missing("redis-server")
    try:
        import redis
        import rq  # noqa: F401
    except ImportError:
        _missing("the Python packages redis and rq (pip install 'cityref[shared]')")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with open(folder / "redis.log", "wb") as log:
        process = subprocess.Popen(
            [REDIS_SERVER, *arguments, "--dir", str(folder)], stdout=log, stderr=log
        )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, (folder / "redis.log").read_text()
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Replicas:
    """Instances A and B over one store, and what workers need to join them."""

    a: LiveServer
    b: LiveServer
    env: dict[str, str]  # the environment of both, but the port
    folder: Path

    @contextlib.contextmanager
    def worker(self, name: str) -> Iterator[subprocess.Popen[bytes]]:
        """``cityref worker`` with its own store folder (it needs none of the web's); its
        whole process tree is ended after the block."""
        cwd = self.folder / name
        cwd.mkdir(exist_ok=True)
        log = cwd / "worker.log"
        env = self.env | {"CITYREF_STORE": str(cwd / "store")}
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [CITYREF, "worker"], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            deadline = time.monotonic() + 60
            while WORKER_READY not in log.read_text(errors="replace"):
                assert process.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.1)
            yield process
        finally:
            process.terminate()  # a warm shutdown, which leaves RQ's registry of workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(15)
            kill_tree(process.pid)
            process.wait(10)


def kill_tree(root: int) -> None:
    """SIGKILL a process and everything below it, as a machine that is switched off."""
    for pid in reversed(process_tree(root)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


#: Low enough for the rate-limit test to reach it, high enough for the others' polling (each
#: test asks from its own loopback address: the limit is per client address).
RATE_LIMIT = 100


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, built_store: Path, redis_url: str
) -> Iterator[Replicas]:
    folder = tmp_path_factory.mktemp("replicas")
    store = folder / "shared-store"
    shutil.copytree(built_store, store, symlinks=True)
    env = {
        "CITYREF_STATE": redis_url,
        "CITYREF_STORE": str(store),
        "CITYREF_SOURCES": str(copy_sources(folder / "sources")),
        "CITYREF_TOKENS_FILE": str(folder / "tokens.json"),
        "CITYREF_RATE_LIMIT": str(RATE_LIMIT),
        "CITYREF_WORKERS": "1",
        "CITYREF_QUERY_WORKERS": "1",
        "CITYREF_ASYNC_VALIDATION_BYTES": "1",  # every upload answered 202 at once
    }
    for name in ("a", "b"):
        (folder / name).mkdir()
    with (
        start_live_server(folder / "a", env) as a,
        start_live_server(folder / "b", env) as b,
    ):
        everything = {k: v for k, v in a.env.items() if k != "CITYREF_PORT"}
        yield Replicas(a, b, everything, folder)
