"""Real SPARQL servers on loopback for the tests: Oxigraph server and Virtuoso Open Source 7.

Each starts empty in a temporary folder on free ports and is stopped at the end. What a test
needs of one is an :class:`Endpoints`: the SPARQL 1.1 Protocol query and update URLs, the
Graph Store Protocol URL and the credentials they want. Oxigraph server comes with the ``test``
extra (PyPI ``oxigraph``, the ``oxigraph`` command beside the venv's python); Virtuoso from
Debian (``virtuoso-opensource``: ``virtuoso-t`` and ``isql-vt``), installed by ``scripts/test``
when root. A missing server skips the tests that need it, except under ``CI=true``, where it
fails them: CI must run them.

The fixtures ``oxigraph_server`` and ``virtuoso_server`` are session-scoped (registered in
tests/conftest.py); tests that write to a server should use graph names of their own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import free_port

#: Where Debian installs Virtuoso 7's server and SQL client.
VIRTUOSO = Path("/usr/bin/virtuoso-t")
VIRTUOSO_ISQL = Path("/usr/bin/isql-vt")
#: A new Virtuoso database's administrator (Virtuoso's documented default).
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"
START_SECONDS = 60.0


@dataclass(frozen=True)
class Endpoints:
    """How to reach one SPARQL server."""

    name: str  # "oxigraph-server" or "virtuoso"
    query: str  # SPARQL 1.1 Protocol, query
    update: str  # SPARQL 1.1 Protocol, update
    graph_store: str  # SPARQL 1.1 Graph Store HTTP Protocol
    user: str | None = None  # HTTP digest/basic credentials of update and graph store
    password: str | None = None
    #: Virtuoso's SQL port (for isql-vt), None for other servers.
    sql_port: int | None = None


def remote_environment(server: Endpoints) -> dict[str, str]:
    """The ``CITYREF_*`` settings that make ``server`` cityref's store."""
    env = {
        "CITYREF_STORE_ENDPOINT": server.query,
        "CITYREF_STORE_UPDATE_ENDPOINT": server.update,
        "CITYREF_STORE_GRAPH_ENDPOINT": server.graph_store,
    }
    if server.user and server.password:
        env |= {"CITYREF_STORE_USER": server.user, "CITYREF_STORE_PASSWORD": server.password}
        env["CITYREF_STORE_AUTH"] = "digest" if server.name == "virtuoso" else "basic"
    return env


def oxigraph_command() -> Path | None:
    """The ``oxigraph`` server command of this venv (or on the PATH), or None."""
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.exists():
        return beside_python
    on_path = shutil.which("oxigraph")
    return Path(on_path) if on_path else None


def missing(what: str) -> None:
    """Skip a test for want of a server here, fail it in CI (which must run it)."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: scripts/test installs it")
    pytest.skip(f"{what} is not installed (scripts/test installs it)")


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers: up
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: no answer within {START_SECONDS:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_oxigraph_server(folder: Path) -> Iterator[Endpoints]:
    """An empty Oxigraph server storing in ``folder``."""
    command = oxigraph_command()
    if command is None:
        missing("Oxigraph server (PyPI oxigraph)")
        raise AssertionError("unreachable")
    port = free_port()
    log = folder / "oxigraph.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(command), "serve", "--location", str(folder / "data"),
             "--bind", f"127.0.0.1:{port}"],
            stdout=out, stderr=out,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/query?query=ASK%7B%7D", process, log)
        yield Endpoints("oxigraph-server", base + "/query", base + "/update", base + "/store")
    finally:
        _stop(process)


def _virtuoso_ini(
    folder: Path, sql_port: int, http_port: int, parameters: str = "", result_rows: int = 1_000_000
) -> str:
    db = folder / "db"
    db.mkdir()
    return f"""[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 500M
ThreadsPerQuery = 2
{parameters}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {result_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DefaultGraph = urn:cityref:virtuoso-default
"""


def virtuoso_sql(endpoints: Endpoints, statements: str) -> str:
    """Run SQL statements on a Virtuoso server as its administrator; their output."""
    if endpoints.sql_port is None:
        raise ValueError(f"{endpoints.name} is not Virtuoso")
    done = subprocess.run(
        [str(VIRTUOSO_ISQL), str(endpoints.sql_port), VIRTUOSO_USER, VIRTUOSO_PASSWORD],
        input=statements.encode(),
        capture_output=True,
        timeout=120,
        check=True,
    )
    output = done.stdout.decode(errors="replace")
    if "*** Error" in output:
        raise RuntimeError(f"isql-vt: {output[-2000:]}")
    return output


@contextmanager
def running_virtuoso(
    folder: Path, parameters: str = "", result_rows: int = 1_000_000
) -> Iterator[Endpoints]:
    """An empty Virtuoso 7 with its database in ``folder``. Updates and the graph store are
    at the digest-authenticated endpoints (``/sparql-auth``, ``/sparql-graph-crud-auth``) as
    the administrator; the anonymous ``/sparql`` only reads. ``parameters``: more lines of
    the ini file's [Parameters] (the benchmark raises MaxSortedTopRows); ``result_rows``: the
    most rows one answer holds (ResultSetMaxRows; Virtuoso cuts an answer there)."""
    if not VIRTUOSO.exists() or not VIRTUOSO_ISQL.exists():
        missing("Virtuoso Open Source 7 (Debian virtuoso-opensource)")
        raise AssertionError("unreachable")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_virtuoso_ini(folder, sql_port, http_port, parameters, result_rows))
    log = folder / "virtuoso-stdout.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(VIRTUOSO), "+foreground", "+configfile", str(ini)],
            cwd=folder, stdout=out, stderr=out,
        )  # fmt: skip
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_for(base + "/sparql?query=ASK%7B%7D", process, log)
        endpoints = Endpoints(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-auth",
            base + "/sparql-graph-crud-auth",
            VIRTUOSO_USER,
            VIRTUOSO_PASSWORD,
            sql_port,
        )
        yield endpoints
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    with running_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as endpoints:
        yield endpoints


def graph_store_opener(endpoints: Endpoints) -> urllib.request.OpenerDirector:
    """An opener answering the server's HTTP Digest challenge with its credentials."""
    handlers: list[urllib.request.BaseHandler] = []
    if endpoints.user is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoints.graph_store.rsplit("/", 1)[0], endpoints.user,
                               endpoints.password or "")  # fmt: skip
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def _graph_url(endpoints: Endpoints, graph: str) -> str:
    return endpoints.graph_store + "?" + urllib.parse.urlencode({"graph": graph})


def put_graph(endpoints: Endpoints, graph: str, ntriples: bytes) -> None:
    """Replace ``graph`` by these N-Triples (Graph Store Protocol PUT, then POSTs).

    The data goes in parts of at most 64 KiB (at line ends): Virtuoso answers a request
    with its Digest challenge before reading the body, and closes the connection on a
    client still sending a larger one (broken pipe)."""
    parts, start = [], 0
    while start < len(ntriples) or not parts:
        end = ntriples.find(b"\n", min(start + 65536, len(ntriples)) - 1) + 1 or len(ntriples)
        parts.append(ntriples[start:end])
        start = end
    opener = graph_store_opener(endpoints)
    for i, part in enumerate(parts):
        request = urllib.request.Request(
            _graph_url(endpoints, graph), data=part, method="POST" if i else "PUT",
            headers={"Content-Type": "text/turtle"},  # N-Triples is Turtle; Virtuoso reads both
        )  # fmt: skip
        with opener.open(request, timeout=600) as response:
            assert response.status in (200, 201, 204)


def get_graph(endpoints: Endpoints, graph: str) -> bytes:
    """``graph`` as N-Triples (Graph Store Protocol GET): the export of the data."""
    request = urllib.request.Request(
        _graph_url(endpoints, graph), headers={"Accept": "application/n-triples"}
    )
    with graph_store_opener(endpoints).open(request, timeout=600) as response:
        body: bytes = response.read()
    return body
