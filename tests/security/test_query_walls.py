"""The second wall and the worker's limits (issue 11, groups 1, 2 and 4).

The guard (first wall) is bypassed on purpose here: a confined process calls pyoxigraph
directly, so these tests show that the sandbox alone keeps SERVICE off the network and the
files outside the store out of reach. Then the query worker: the queries that crashed it
are refused before it runs them, a query past the memory limit is an answer and the next
query runs, a killed worker is an answer and the next query runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from cityref.errors import QueryRefused, QueryResourceLimit, QueryWorkerCrashed
from cityref.sparql.query import DiskStoreRef, QueryRequest, QueryWorker
from cityref.store.update import run_update
from tests.security.canary import canary_server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is Linux only")

GRAPH = "http://example.org/graph/small"
#: A few thousand triples: enough for a cartesian product far past any memory limit.
TRIPLES = 3000
MEMORY_MB = 256
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a LIMIT 1"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(6)) + "}"


def small_store(folder: Path) -> Path:
    """An on-disk store of ``TRIPLES`` triples in one named graph; returns its folder."""
    path = folder / "oxigraph"
    store = ox.Store(str(path))
    graph = ox.NamedNode(GRAPH)
    store.bulk_extend(
        ox.Quad(
            ox.NamedNode(f"http://example.org/s{i}"),
            ox.NamedNode(f"http://example.org/p{i % 7}"),
            ox.Literal(f"value {i}"),
            graph,
        )
        for i in range(TRIPLES)
    )
    store.flush()
    del store
    return path


def request(sparql: str, timeout: float = 20.0) -> QueryRequest:
    return QueryRequest(sparql, "json", 10, timeout)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_store(tmp_path_factory.mktemp("walls"))


@pytest.fixture
def worker(store_path: Path) -> Iterator[QueryWorker]:
    ref = DiskStoreRef(store_path)
    query_worker = QueryWorker(lambda: ref, memory_mb=MEMORY_MB)
    yield query_worker
    query_worker.stop()


def run_confined(script: str, readable: list[Path], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter after ``confine(readable, [])``."""
    prelude = (
        "import sys\nfrom pathlib import Path\nimport pyoxigraph as ox\n"
        "from cityref.services.sandbox import confine\n"
        f"c = confine([Path(p) for p in {[str(p) for p in readable]!r}], [])\n"
        "assert c.seccomp, c\n"
        "if not c.landlock_abi:\n"
        "    print('NO LANDLOCK'); sys.exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.stdout.startswith("NO LANDLOCK"):
        pytest.skip("this kernel has no Landlock")
    return done


def test_confined_process_cannot_reach_the_canary_even_when_the_engine_tries() -> None:
    script = (
        "store = ox.Store()\n"
        "try:\n"
        "    list(store.query(f'SELECT * WHERE {{ SERVICE <{sys.argv[1]}/x> {{ ?s ?p ?o }} }}'))\n"
        "    print('ANSWERED')\n"
        "except Exception as exc:\n"
        "    print('ERROR', type(exc).__name__, exc)\n"
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=2)\n"
        "    print('CONNECTED')\n"
        "except OSError as exc:\n"
        "    print('SOCKET', exc.errno)\n"
    )
    with canary_server() as canary:
        done = run_confined(script, [], canary.url, str(canary.port))
        time.sleep(0.2)
        assert canary.hits == [] and canary.connections == []
    assert done.returncode == 0, done.stderr
    assert "ERROR" in done.stdout and "ANSWERED" not in done.stdout
    assert "SOCKET 13" in done.stdout  # EACCES from the seccomp filter


def test_files_outside_the_store_are_unreadable_when_confined(store_path: Path) -> None:
    secret = store_path.parent / "secret.txt"
    secret.write_text("not for queries")
    script = (
        "for name in sys.argv[1:3] + sys.argv[4:]:\n"
        "    try:\n"
        "        open(name).read(); print('READ', name)\n"
        "    except OSError as exc:\n"
        "        print('DENIED', exc.errno, name)\n"
        "store = ox.Store.read_only(sys.argv[3])\n"
        "print('TRIPLES', len(store))\n"
    )
    other_process = f"/proc/{os.getpid()}/environ"  # the test's own environment
    done = run_confined(
        script, [store_path], str(secret), "/etc/passwd", str(store_path), other_process
    )
    assert done.returncode == 0, done.stderr
    assert f"DENIED 13 {secret}" in done.stdout
    assert "DENIED 13 /etc/passwd" in done.stdout
    assert f"DENIED 13 {other_process}" in done.stdout
    assert f"TRIPLES {TRIPLES}" in done.stdout  # the store itself opens read-only


def test_the_query_worker_is_confined(worker: QueryWorker) -> None:
    worker.run(request("ASK {}"))
    assert worker.confinement is not None
    assert worker.confinement.seccomp and worker.confinement.landlock_abi >= 1


CRASHERS = {
    "10,000 negations": "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }",
    "25,000 additions": "SELECT * WHERE { BIND(" + "+".join(["1"] * 25_000) + " AS ?x) }",
    "8,000 nested brackets": "SELECT * WHERE { FILTER(" + "(" * 8000 + "true" + ")" * 8000 + ") }",
    "4,000 nested groups": "SELECT * WHERE " + "{" * 4000 + "}" * 4000,
    "1,000 nested calls": "SELECT * WHERE { BIND(" + "STR(" * 1000 + "1" + ")" * 1000 + " AS ?x) }",
    "8,000 UNIONs": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 8000) + " }",
    "4,000 MINUS": "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 4000 + "}",
    "16,000 path alternatives": "SELECT * WHERE { ?s "
    + "|".join(["<http://e/p>"] * 16_000)
    + " ?o }",
    "1,000 path steps": "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 1000) + " ?o }",
    "1,000 OPTIONALs": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 1000 + "}",
    "1,000 triple patterns": "SELECT * WHERE { "
    + " ".join(f"?s{i} <http://e/p> ?o{i} ." for i in range(1000))
    + " }",
}


@pytest.mark.parametrize("name", list(CRASHERS))
def test_queries_that_crashed_the_worker_are_refused_and_it_keeps_answering(
    worker: QueryWorker, name: str
) -> None:
    with pytest.raises(QueryRefused) as caught:
        worker.run(request(CRASHERS[name]))
    assert "line 1, column" in str(caught.value)
    assert worker.run(request("ASK { ?s ?p ?o }")).data


def test_a_query_past_the_memory_limit_is_stopped_and_the_next_one_answered(
    worker: QueryWorker,
) -> None:
    assert b"true" in worker.run(request("ASK { ?s ?p ?o }")).data
    with pytest.raises(QueryResourceLimit) as caught:
        worker.run(request(HUNGRY, timeout=60))
    assert f"{MEMORY_MB} MiB" in str(caught.value)
    assert b"true" in worker.run(request("ASK { ?s ?p ?o }")).data


@pytest.mark.parametrize("sent", [signal.SIGKILL, signal.SIGSEGV])
def test_a_killed_worker_is_an_answer_and_the_next_query_runs(
    worker: QueryWorker, sent: signal.Signals
) -> None:
    worker.run(request("ASK {}"))
    pid = worker.pid
    assert pid is not None
    killer = threading.Timer(0.5, os.kill, (pid, sent))
    killer.start()
    started = time.monotonic()
    with pytest.raises(QueryWorkerCrashed) as caught:
        worker.run(request(SLOW, timeout=60))
    killer.join()
    assert f"signal {int(sent)}" in str(caught.value)
    assert time.monotonic() - started < 30  # an answer, not a stall
    assert b"true" in worker.run(request("ASK { ?s ?p ?o }")).data
    assert worker.pid != pid


def test_updates_refuse_load_and_run_confined(tmp_path: Path) -> None:
    small_store(tmp_path)
    with canary_server() as canary:
        with pytest.raises(QueryRefused, match="LOAD"):
            run_update(tmp_path, f"#x\rLOAD <{canary.url}/data.ttl>", timeout=30)
        run_update(
            tmp_path,
            "INSERT DATA { GRAPH <http://example.org/g2> { <http://e/a> <http://e/b> 1 } }",
            timeout=30,
        )
        assert canary.hits == []
    assert (tmp_path / "generation").read_text() == "1"


def test_an_unknown_architecture_skips_seccomp_and_says_so() -> None:
    script = (
        "import platform, logging\n"
        "logging.basicConfig()\n"
        "platform.machine = lambda: 'riscv64'\n"
        "from cityref.services.sandbox import confine\n"
        "c = confine([], [])\n"
        "print(c.seccomp, c.landlock_abi > 0, c.notes)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("False True (")
    assert "unknown architecture riscv64" in done.stdout
    assert "confinement incomplete" in done.stderr  # logged once as a warning


def test_a_confined_process_cannot_signal_the_server() -> None:
    script = (
        "import os\n"
        "print(c.landlock_abi)\n"
        "try:\n"
        "    os.kill(os.getppid(), 0); print('SIGNALLED')\n"
        "except PermissionError:\n"
        "    print('DENIED')\n"
    )
    done = run_confined(script, [])
    assert done.returncode == 0, done.stderr
    abi, outcome = done.stdout.split()
    if int(abi) < 6:
        pytest.skip(f"Landlock ABI {abi}: signal scoping needs ABI 6")
    assert outcome == "DENIED"
