"""What a fresh query costs a query worker on a remote store, the old way and the new, in one run.

Usage: python -m bench.remote_requests [--queries 60] [--write-docs]

Oxigraph server and Virtuoso 7 start empty as the tests start them (tests/sparql_servers.py);
``cityref build`` loads the Reference Model into each. Then one process, as a query worker
does, asks :class:`cityref.store.remote.RemoteStore` fresh queries one after the other (never
the same text twice) and times them:

- *old way*: the request pattern before issue 16's work, restored for the measurement: a new
  HTTP connection per request (urllib's own opener), the pointer read after every answer (a
  lease of 0 s), and every named graph of the build named in every request;
- *new way*: a kept-alive connection (:func:`cityref.store.remote_http.keep_connections_alive`),
  the pointer read once per lease, and only the graphs the query's GRAPH patterns can match.

Queries: a lookup with ``GRAPH ?g`` (it needs every graph named either way) and the first
architects' question (tests/queries/01-domains.rq, no GRAPH pattern, as 49 of the 53).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

from bench.sparql import write_docs

if TYPE_CHECKING:
    from cityref.store.remote import RemoteEndpoints
    from tests.sparql_servers import Endpoints

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Remote store requests / リモートストアへの要求 (issue 16)"
LOOKUP = "SELECT ?p ?o WHERE { GRAPH ?g { <http://www.w3.org/2002/07/owl#Thing> ?p ?o } }"
QUESTION = REPO / "tests" / "queries" / "01-domains.rq"


def _queries() -> list[tuple[str, str]]:
    return [
        ("lookup with GRAPH ?g", LOOKUP),
        ("question 01 (no GRAPH)", QUESTION.read_text(encoding="utf-8")),
    ]


def time_queries(endpoints: RemoteEndpoints, build_id: str, text: str, count: int) -> float:
    """Milliseconds per fresh query (``text`` with a new comment each time)."""
    from cityref.store.remote import RemoteStore

    store = RemoteStore.open_build(endpoints, build_id, 60)
    for n in range(3):  # the store's first answers are checked as a new store's are
        store.query(f"{text}\n# warm {n}\n", result_format="json", max_rows=100_000)
    started = time.perf_counter()
    for n in range(count):
        store.query(f"{text}\n# {n}\n", result_format="json", max_rows=100_000)
    return (time.perf_counter() - started) / count * 1000


def measure(kind: str, tmp: Path, count: int) -> list[tuple[str, str, float, float]]:
    """(server, query, old ms, new ms) for each query, on a fresh server of ``kind``."""
    from cityref.settings import load_settings
    from cityref.store import remote
    from cityref.store.remote import RemoteEndpoints, current_pointer
    from cityref.store.remote_http import keep_connections_alive
    from tests.sparql_servers import remote_environment, running_oxigraph_server, running_virtuoso

    folder = tmp / kind
    folder.mkdir()
    found = []
    with ExitStack() as stack:
        running: AbstractContextManager[Endpoints] = (
            running_virtuoso(folder) if kind == "virtuoso" else running_oxigraph_server(folder)
        )
        server = stack.enter_context(running)
        env = os.environ | remote_environment(server)
        env |= {"CITYREF_SOURCES": str(REPO), "CITYREF_STORE": str(folder / "lock")}
        subprocess.run([sys.executable, "-m", "cityref", "build"], env=env, check=True)
        endpoints = RemoteEndpoints.from_settings(load_settings(env))
        assert endpoints is not None
        build_id = current_pointer(endpoints, 60).build_id
        for name, text in _queries():
            urllib.request.install_opener(None)  # urllib's own: a connection per request
            with (
                mock.patch.object(remote, "LEASE_SECONDS", 0.0),
                mock.patch.object(remote, "pattern_graphs", lambda _sparql: None),  # all graphs
            ):
                old = time_queries(endpoints, build_id, text, count)
            keep_connections_alive(endpoints)
            new = time_queries(endpoints, build_id, text, count)
            print(f"{kind}: {name}: old {old:.1f} ms, new {new:.1f} ms", flush=True)
            found.append((kind, name, old, new))
        urllib.request.install_opener(None)
    return found


def report(found: list[tuple[str, str, float, float]], args: argparse.Namespace) -> str:
    """The docs section."""
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python -m bench.remote_requests --queries {args.queries} "
        "--write-docs`",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}; measured "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{os.getloadavg()[0]:.1f} (1-minute) at the end, on a machine shared with other "
        f"work. One process asks {args.queries} fresh queries in a row, each way, on "
        "loopback; the servers as tests/sparql_servers.py starts them, holding the "
        "Reference Model as `cityref build` writes it.",
        "",
        "| server | query | old way (ms per query) | new way (ms per query) | saved |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for kind, name, old, new in found:
        saved = 1 - new / old if old else 0.0
        lines.append(f"| {kind} | {name} | {old:.1f} | {new:.1f} | {saved:.0%} |")
    lines += [
        "",
        "The old way is the request pattern before this work (a new connection per request, "
        "the pointer read after every answer, every named graph named), restored for the "
        "measurement by turning the three savings off. A lookup with GRAPH ?g must still name "
        "every graph of the build, so it saves only the connection and the pointer read; "
        "what remains is mostly the server's own work on a dataset of hundreds of graphs.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        found = []
        for kind in ("oxigraph-server", "virtuoso"):
            found += measure(kind, Path(folder), args.queries)
    section = report(found, args)
    print(section)
    if args.write_docs:
        write_docs(section, SECTION)


if __name__ == "__main__":
    main()
