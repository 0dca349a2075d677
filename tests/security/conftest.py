"""The server as ``scripts/run`` starts it, for the hostile-input suite.

``scripts/run`` runs ``cityref build`` and then ``cityref serve`` in the checkout with the
default settings. Here each server gets a temporary working folder instead, so the default
relative paths (``.cityref/store``, ``.cityref/tokens.json``) land there; the sources are the
checkout unless a test needs a copy it may change (the registry API writes into the sources).
Only the port is set, plus the settings a test asks for.

The store is built once per session with ``cityref build`` and copied into each server's
folder: the copy is up to date with its sources (the fingerprint depends on the files'
contents, not their folder), so ``cityref serve`` starts without building again.

``bench/soak.py`` starts its server with :func:`start_live_server` too.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.command import WARM_MESSAGE
from cityref.settings import load_settings
from tests.security.canary import Canary, canary_server
from tests.security.hostile_inputs import build_tight_model

REPO = Path(__file__).resolve().parents[2]
#: The console script scripts/run calls, from the same environment as the tests.
CITYREF = str(Path(sys.executable).with_name("cityref"))
SOURCE_FOLDERS = ("ontology", "shapes", "registry")
STORE = Path(".cityref") / "store"
START_SECONDS = 180.0
STOP_SECONDS = 30.0


@dataclass
class Reply:
    """One HTTP answer: status, headers (lower-case names), body and how long it took."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def message(self) -> str:
        """The Japanese and English error messages of a JSON error, else the body's text."""
        try:
            document = self.json()
        except ValueError:
            return self.text
        if isinstance(document, dict) and isinstance(document.get("error"), dict):
            return " / ".join(document["error"].values())
        return self.text


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it, read from /proc (no psutil here)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in brackets and may hold spaces: the fields after it are safe.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and its descendants together."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page
        except OSError:
            continue  # ended meanwhile
    return total


@dataclass
class LiveServer:
    """A running ``cityref serve``: its address, folder, settings and a few helpers."""

    host: str
    port: int
    cwd: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def store(self) -> Path:
        return self.cwd / STORE

    def wait_until_warm(self, timeout: float = 180.0) -> None:
        """Until every web worker logged that its query workers are started: a test that
        measures waiting must not measure a query worker's start-up."""
        workers = int(self.env.get("CITYREF_WORKERS", load_settings({}).workers))
        deadline = time.monotonic() + timeout
        while self.log_text().count(WARM_MESSAGE) < workers:
            if time.monotonic() > deadline:
                raise AssertionError("query workers did not start:\n" + self.log_text()[-4000:])
            time.sleep(0.2)

    def cli(
        self, *args: str, timeout: float = 300.0, **settings: str
    ) -> subprocess.CompletedProcess[str]:
        """``cityref ARGS`` in the server's folder with its settings (and any overrides)."""
        return subprocess.run(
            [CITYREF, *args],
            cwd=self.cwd,
            env=self.env | settings,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def make_token(self, name: str, scope: str = "write") -> str:
        """A bearer token from ``cityref token create`` (made once per name and server)."""
        if name not in self.tokens:
            done = self.cli("token", "create", name, "--scope", scope)
            assert done.returncode == 0, done.stderr
            self.tokens[name] = done.stdout.strip().splitlines()[-1]
        return self.tokens[name]

    def connection(
        self, source: str = "127.0.0.1", timeout: float = 60.0
    ) -> http.client.HTTPConnection:
        """A connection from this loopback address: limits are per client address, so two
        sources act as two clients."""
        return http.client.HTTPConnection(
            self.host, self.port, timeout=timeout, source_address=(source, 0)
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        source: str = "127.0.0.1",
        timeout: float = 60.0,
    ) -> Reply:
        """One request on a fresh connection from ``source``; the whole answer is read."""
        conn = self.connection(source, timeout)
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        names = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, names, data, time.monotonic() - started)

    def rss_bytes(self) -> int:
        """Resident memory of the whole server: master, web workers, query and job workers."""
        return tree_rss_bytes(self.process.pid)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def build_store_once(folder: Path) -> Path:
    """``cityref build`` of the checkout in ``folder`` with default settings; the store."""
    done = subprocess.run(
        [CITYREF, "build"],
        cwd=folder,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / STORE


def copy_sources(target: Path) -> Path:
    """A private copy of the checkout's content folders, free to be written or broken."""
    for name in SOURCE_FOLDERS:
        shutil.copytree(REPO / name, target / name, symlinks=True)
    return target


def _clean_environment() -> dict[str, str]:
    """The caller's environment without CITYREF_* settings: defaults unless asked."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CITYREF_")}


@contextmanager
def start_live_server(
    cwd: Path,
    settings: Mapping[str, str] | None = None,
    *,
    built_store: Path | None = None,
) -> Iterator[LiveServer]:
    """``cityref serve`` in ``cwd`` with only the port and ``settings`` set; stopped after.

    With ``built_store`` the store is copied into ``cwd/.cityref/store`` first (else serve
    builds it, as it would from a fresh checkout).
    """
    if built_store is not None and not (cwd / STORE).exists():
        shutil.copytree(built_store, cwd / STORE, symlinks=True)
    port = free_port()
    env = _clean_environment() | dict(settings or {}) | {"CITYREF_PORT": str(port)}
    log = cwd / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [CITYREF, "serve"], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = LiveServer("127.0.0.1", port, cwd, env, process, log)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        _stop(server)


def _wait_until_answering(server: LiveServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError("cityref serve exited:\n" + server.log_text())
        try:
            status = server.request("GET", "/sparql?query=ASK%7B%7D", timeout=10).status
        except OSError:
            status = 0  # not listening yet
        if status == 200:
            return
        if status == 500:  # a bug, not a slow start: say so now
            raise AssertionError("cityref serve answers 500:\n" + server.log_text()[-4000:])
        time.sleep(0.3)
    raise AssertionError("cityref serve did not answer in time:\n" + server.log_text())


def _stop(server: LiveServer) -> None:
    """SIGINT (gunicorn's quick shutdown), then end whatever of its tree is left behind."""
    left_behind = process_tree(server.process.pid)[1:]
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    for pid in left_behind:
        with contextlib.suppress(ProcessLookupError):  # a worker that outlived its server
            os.kill(pid, signal.SIGKILL)


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def canary() -> Iterator[Canary]:
    """A fresh canary for one test: any request or connection it logs is a failure."""
    with canary_server() as server:
        yield server


@pytest.fixture(scope="session")
def tight_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy model with the repository's profiles and its store, built once per session;
    each module's app runs on a copy (``copy_of_model``)."""
    return build_tight_model(tmp_path_factory.mktemp("tight-model"))


LiveServerFactory = Callable[..., LiveServer]


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, built_store: Path
) -> Iterator[LiveServer]:
    """The server with every default setting (sources: the checkout); one per session."""
    with start_live_server(tmp_path_factory.mktemp("serve"), built_store=built_store) as server:
        yield server


@pytest.fixture(scope="module")
def live_server_with(
    tmp_path_factory: pytest.TempPathFactory, built_store: Path
) -> Iterator[LiveServerFactory]:
    """Start servers with extra settings (and a private copy of the sources when asked);
    all of them stop at the end of the module.

    ``live_server_with({"CITYREF_MAX_UPLOAD_BYTES": "1048576"}, copy_of_sources=True)``
    """
    servers: list[Any] = []

    def start(
        settings: Mapping[str, str] | None = None, *, copy_of_sources: bool = False
    ) -> LiveServer:
        cwd = tmp_path_factory.mktemp("serve")
        wanted = dict(settings or {})
        if copy_of_sources:
            wanted.setdefault("CITYREF_SOURCES", str(copy_sources(cwd / "sources")))
        context = start_live_server(cwd, wanted, built_store=built_store)
        server = context.__enter__()
        servers.append(context)
        return server

    try:
        yield start
    finally:
        for context in reversed(servers):
            context.__exit__(None, None, None)
