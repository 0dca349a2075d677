"""Lookups, an aggregate and the architects' questions through cityref on each of its store
backends, and directly against Oxigraph server, in one run.

Usage: python -m bench.scale [--connections 16] [--seconds 5] [--rounds 3] [--write-docs]

All hold the same data: the Reference Model built from the repository. The limit is Oxigraph
server over cityref's embedded store dumped as N-Quads (the engine with nothing in front of
it). cityref runs as ``cityref serve`` three times: over its embedded store, and over
Oxigraph server and Virtuoso 7 as remote stores (started as the tests start them,
tests/sparql_servers.py, and built with ``cityref build`` against them). Each row is one load
run of ``--connections`` keep-alive connections (bench/http_load.py) on loopback; the rows run
one after the other against servers that stay up. Rows:

- *lookup*: ``SELECT ?p ?o WHERE { GRAPH ?g { <class> ?p ?o } }`` over a set of class IRIs,
  asked again and again (what the issue measured): through cityref these come from its
  per-build answer cache after the first round;
- *lookup, new query each time*: the same with a different LIMIT on every request, so that
  no cache can answer (cityref runs every one in a query worker);
- *aggregate*: the classes and how many instances each has, repeated, and new each time;
- *questions*: every one of the architects' questions (tests/queries/*.rq, all 53: they are
  what the model is for, and range from lookups to aggregates over every graph), in turn,
  repeated, and new each time (a comment with a number appended, so that no cache answers);
- *conditional*: the lookups again with ``If-None-Match``: cityref answers 304;
- Oxigraph server only: the fresh lookups POSTed naming the model's named graphs as the
  request's dataset, as cityref's remote backends must for a GRAPH ?g query.

cityref's backends are the entries of ``BACKENDS``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.command import KEEPALIVE_SECONDS
from bench.http_load import Run, form_post_request, get_request, load
from bench.sparql import free_port, wait_until_up, write_docs

if TYPE_CHECKING:
    from tests.sparql_servers import Endpoints

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Scale: lookups, caching / 規模: 参照とキャッシュ (issue 16)"
LOOKUP = "SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"
AGGREGATE = "SELECT ?class (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?class"
CLASSES = (
    "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a <http://www.w3.org/2002/07/owl#Class> } "
    "FILTER(isIRI(?c)) } ORDER BY ?c LIMIT 32"
)
JSON = {"Accept": "application/sparql-results+json"}
QUESTIONS = REPO / "tests" / "queries"
NOTES = """
How to read it. *lookup* repeats the same few queries, as the issue measured: through cityref
they are answered by the web worker's front (app/http_cache.py) from the answer it kept for
that exact request under the current build, after the rate limit and before Flask; a
*conditional lookup* is answered 304 at the same place. *new query each time* is what a
lookup costs when no cache can help: Flask, the client's place for expensive work, a query
worker process (the query guard parses the query, Oxigraph runs it, the answer is serialised
and sent back through a pipe); it has no target.

Through a remote store (Oxigraph server or Virtuoso as cityref's store), cached lookups and
304s take the same path as over the embedded store: the store is not asked, but for the
current build's id, which each web process reads at most every 0.25 s (one thread reads, the
others wait for it). A new query goes to a query worker, which sends it with SPARQLWrapper on
the worker's kept-alive connection to the server, and reads the pointer to the current build
once a second at most (the lease, cityref/store/remote.py, instead of once per query). Such a
request must name its dataset: the build's default graph, and the model's named graphs when
the query has a GRAPH pattern with a variable (to keep cityref's own graphs and a build being
loaded out of sight). Naming hundreds of graphs costs the servers more than the lookup itself:
the row *naming the N graphs* is Oxigraph server's own rate for that request, the ceiling of
a remote backend's fresh GRAPH ?g lookups; queries without GRAPH name no named graph (49 of
the 53 questions), those with GRAPH <iri> only the graphs they name. Virtuoso pays more for
such a request than Oxigraph server, and more again for its aggregates: its rows are the
slowest of the fresh ones. The *questions* rows through cityref are above Oxigraph server's
when repeated (the answer cache) and below when new (a query worker, and for a remote store
one more HTTP hop).

What the profile of a lookup showed and what was removed: the build id was read by resolving
the `current` link's whole path on every request (most of the application's time for a 304, in
a single-threaded profile with cProfile; now one readlink); the rate-limit counter's
transaction waited on SQLite's busy handler, which sleeps 1 ms and more between tries when four
workers count at once (now one writer at a time by its lock file, and a client far from its
limit is counted ahead in leases of 1/64 of what it has left, so the cross-process transaction
comes once in many requests; with the raised limit of this run it almost never does; at the
default 600 a minute, once in nine requests at first and on every request near the limit); and
for a repeated request all of Flask's work (routing, negotiation, the hooks, the headers) now
happens once per build and process.

The lookup target is met on all three backends. The 304 target is missed on all three, and
cannot be met by an answer of a Python web server here: the last row is gunicorn configured
as `cityref serve` starts it (the threaded worker with its request-head deadline, the access
log) with an application that does nothing at all, and it reaches under half of Oxigraph
server's lookup rate on this machine. What is left between the 304 rows and that ceiling is
the front's own work: the build id, the tag's digest, the rate limit. The 1-minute load
average after the run counts the run's own servers and load generator with any other work;
a high figure before it means the rows are noisier than usual. A reverse proxy or CDN in
front (the answers say `public, max-age=60, stale-while-revalidate=600`) answers most
readers without reaching cityref at all.
"""
LOOKUP_TARGET = 0.20
CONDITIONAL_TARGET = 0.50


@dataclass(frozen=True)
class Server:
    """A running SPARQL endpoint: where to send a query."""

    name: str
    host: str
    port: int
    path: str  # the query endpoint's path

    def target(self, query: str) -> str:
        return f"{self.path}?{urllib.parse.urlencode({'query': query})}"

    def requests(self, queries: list[str], headers: dict[str, str] | None = None) -> list[bytes]:
        headers = JSON | (headers or {})
        return [get_request(self.host, self.port, self.target(q), headers) for q in queries]

    def etag(self, query: str) -> str:
        request = urllib.request.Request(
            f"http://{self.host}:{self.port}{self.target(query)}", headers=JSON
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
            return str(answer.headers["ETag"])


def start(command: list[str], env: dict[str, str], log: Path, url: str) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:
        wait_until_up(url, log)
    except BaseException:
        process.terminate()
        process.wait(timeout=60)
        raise
    return process


def cityref_serve(
    name: str, tmp: Path, env: dict[str, str]
) -> tuple[Server, subprocess.Popen[bytes]]:
    """``cityref serve`` over the store ``env`` names, as scripts/run starts it; stopped with
    the bench's other servers."""
    port = free_port()
    command = [sys.executable, "-m", "cityref", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D"
    log = tmp / f"cityref-{name.replace(' ', '-')}.log"
    return Server(f"cityref ({name})", "127.0.0.1", port, "/sparql"), start(command, env, log, url)


def embedded_cityref(tmp: Path, env: dict[str, str], servers: ExitStack) -> Server:
    """cityref over its embedded store, built into ``CITYREF_STORE`` by main()."""
    server, process = cityref_serve("embedded store", tmp, env)
    servers.callback(_stop, process)
    return server


def remote_cityref(
    kind: str,
) -> Callable[[Path, dict[str, str], ExitStack], Server]:
    """cityref over a remote store of ``kind`` ("oxigraph-server" or "virtuoso"): the server
    started empty as the tests start it, the model built into it with ``cityref build``."""

    def backend(tmp: Path, env: dict[str, str], servers: ExitStack) -> Server:
        from tests.sparql_servers import (
            remote_environment,
            running_oxigraph_server,
            running_virtuoso,
        )

        folder = tmp / f"remote-{kind}"
        folder.mkdir()
        running: AbstractContextManager[Endpoints] = (
            running_virtuoso(folder) if kind == "virtuoso" else running_oxigraph_server(folder)
        )
        endpoints = servers.enter_context(running)
        remote_env = env | remote_environment(endpoints) | {"CITYREF_STORE": str(folder / "lock")}
        build = [sys.executable, "-m", "cityref", "build"]
        subprocess.run(build, env=remote_env, check=True)
        server, process = cityref_serve(f"{kind} store", tmp, remote_env)
        servers.callback(_stop, process)  # before the SPARQL server: the stack unwinds
        return server

    return backend


#: cityref's store backends: each starts ``cityref serve`` over the Reference Model.
BACKENDS: list[Callable[[Path, dict[str, str], ExitStack], Server]] = [
    embedded_cityref,
    remote_cityref("oxigraph-server"),
    remote_cityref("virtuoso"),
]


def oxigraph_server(tmp: Path, store: Path) -> tuple[Server, subprocess.Popen[bytes]]:
    """Oxigraph server over the same quads as cityref's store."""
    import pyoxigraph

    from cityref.store.build import current_build_dir

    quads = tmp / "model.nq"
    source = pyoxigraph.Store.read_only(str(current_build_dir(store) / "oxigraph"))
    source.dump(str(quads), format=pyoxigraph.RdfFormat.N_QUADS)
    binary = str(Path(sys.executable).with_name("oxigraph"))
    location = tmp / "oxigraph-server"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(quads)], check=True)
    port = free_port()
    bind = f"127.0.0.1:{port}"
    command = [binary, "serve-read-only", "--location", str(location), "--bind", bind]
    url = f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"
    process = start(command, dict(os.environ), tmp / "oxigraph.log", url)
    return Server("Oxigraph server (the limit)", "127.0.0.1", port, "/query"), process


def model_graphs(store: Path) -> list[str]:
    """The model's named graphs: those a remote store's request names for GRAPH ?g."""
    from cityref.store.build import open_current

    return open_current(store).graphs()


def named_dataset_row(
    server: Server, classes: list[str], graphs: list[str]
) -> tuple[str, list[bytes]]:
    """The fresh lookups as cityref's remote backends send them: POSTed with the model's
    named graphs as the request's dataset (``named-graph-uri``, one per graph)."""
    lookup = LOOKUP.format(iri=classes[0])
    named = [("named-graph-uri", graph) for graph in graphs]
    requests = [
        form_post_request(
            server.host,
            server.port,
            server.path,
            [("query", f"{lookup} LIMIT {100_000 + n}"), *named],
            JSON,
        )
        for n in range(500)  # some 25 kB each
    ]
    return f"lookup, new query each time, naming the {len(graphs)} graphs", requests


def class_iris(store: Path) -> list[str]:
    from cityref.store.build import open_current

    rows = open_current(store).select(CLASSES)
    return [str(row["c"].value) for row in rows]  # type: ignore[union-attr]


def questions() -> list[str]:
    """The architects' questions (tests/queries/*.rq), in the order of their numbers."""
    return [path.read_text(encoding="utf-8") for path in sorted(QUESTIONS.glob("*.rq"))]


def rows(server: Server, classes: list[str], conditional: bool) -> list[tuple[str, list[bytes]]]:
    """The requests of each row for ``server``."""
    lookups = [LOOKUP.format(iri=iri) for iri in classes]
    fresh = [f"{lookups[0]} LIMIT {100_000 + n}" for n in range(20_000)]
    fresh_aggregates = [f"{AGGREGATE} LIMIT {100_000 + n}" for n in range(20_000)]
    asked = questions()
    fresh_questions = [f"{asked[n % len(asked)]}\n# {n}\n" for n in range(20_000)]
    found = [
        ("lookup", server.requests(lookups)),
        ("lookup, new query each time", server.requests(fresh)),
        ("aggregate", server.requests([AGGREGATE])),
        ("aggregate, new query each time", server.requests(fresh_aggregates)),
        (f"{len(asked)} questions", server.requests(asked)),
        (f"{len(asked)} questions, new query each time", server.requests(fresh_questions)),
    ]
    if conditional:
        tagged = [server.requests([q], {"If-None-Match": server.etag(q)})[0] for q in lookups]
        found.append(("conditional lookup (304)", tagged))
    return found


def measure(
    plan: list[tuple[Server, str, list[bytes]]], connections: int, seconds: float, rounds: int
) -> list[Run]:
    """Every row ``rounds`` times, the rows of all servers in turn in each round (the machine's
    other load then falls on all of them alike); per row, the run of median rate."""
    done: dict[str, list[Run]] = {}
    for _ in range(rounds):
        for server, what, requests in plan:
            load("warm-up", server.host, server.port, requests[:64], connections=4, seconds=1)
            run = load(
                f"{server.name}: {what}",
                server.host,
                server.port,
                requests,
                connections=connections,
                seconds=seconds,
            )
            print(f"{run.name}: {run.rate:,.0f} req/s, {run.errors} errors", flush=True)
            done.setdefault(run.name, []).append(run)
    return [sorted(runs, key=lambda r: r.rate)[len(runs) // 2] for runs in done.values()]


def _rate(runs: list[Run], name: str) -> float:
    return next((r.rate for r in runs if r.name == name), 0.0)


def report(
    runs: list[Run],
    limit: Server,
    ours: list[Server],
    args: argparse.Namespace,
    load_average: tuple[float, float],
) -> str:
    """The docs section: the command, the machine, every row, and the targets' verdicts."""
    import pyoxigraph

    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python -m bench.scale --connections {args.connections} "
        f"--seconds {args.seconds:g} --rounds {args.rounds} --write-docs`",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, pyoxigraph and Oxigraph server {pyoxigraph.__version__}; "
        f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one run: "
        f"{args.connections} keep-alive connections for {args.seconds:g} s per row on "
        f"loopback, every row {args.rounds} times with the rows of all servers in turn in each "
        "round, the run of median rate shown (the load generator, bench/http_load.py, shares "
        "the cores with the servers; other work on the machine adds noise). cityref as "
        "`cityref serve` starts it (4 workers of 16 threads) with the per-client limits raised "
        "so that one client address can load it: the rate limit still counts every request. "
        "The remote stores are Oxigraph server and Virtuoso 7 (Debian) as tests/sparql_servers.py"
        " starts them, on the same machine. The machine was shared with other work: load "
        f"average {load_average[0]:.1f} before the run, {load_average[1]:.1f} after it "
        "(1-minute).",
        "",
        "| server: request | req/s | errors | p50 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.rate:,.0f} | {run.errors} | {run.p50:.2f} | "
            f"{run.percentile(99):.2f} |"
        )
    limit_lookup = _rate(runs, f"{limit.name}: lookup")
    lines += [
        "",
        "Targets (ratios to Oxigraph server's lookup rate in the same run; rows without a "
        "target: to Oxigraph server's rate for the same row):",
        "",
    ]
    asked = len(questions())
    for server in ours:
        for what, target in (
            ("lookup", LOOKUP_TARGET),
            ("lookup, new query each time", None),
            (f"{asked} questions", None),
            (f"{asked} questions, new query each time", None),
            ("conditional lookup (304)", CONDITIONAL_TARGET),
        ):
            ours_rate = _rate(runs, f"{server.name}: {what}")
            peer = limit_lookup if target is not None else _rate(runs, f"{limit.name}: {what}")
            ratio = ours_rate / peer if peer else 0.0
            verdict = (
                "no target" if target is None else ("met" if ratio >= target else "**missed**")
            )
            wanted = "" if target is None else f" (target {target:.0%})"
            lines.append(f"- {server.name}, {what}: {ratio:.1%}{wanted}: {verdict}")
    ceiling = _rate(runs, "gunicorn, empty app: empty answer")
    if limit_lookup:
        lines.append(
            f"- gunicorn configured as `cityref serve`, answering nothing: "
            f"{ceiling / limit_lookup:.1%} (what any Python answer can reach here)"
        )
    return "\n".join(lines) + "\n" + NOTES


def python_ceiling(tmp: Path, env: dict[str, str]) -> tuple[Server, subprocess.Popen[bytes]]:
    """gunicorn as ``cityref serve`` configures it, with an app that answers nothing at all:
    what any answer of a Python web server costs at least on this machine."""
    (tmp / "empty_app.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Length', '0')])\n"
        "    return [b'']\n",
        encoding="utf-8",
    )
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "--chdir", str(tmp), "--bind", f"127.0.0.1:{port}"),
        *("--workers", "4", "--threads", "16", "--keep-alive", str(KEEPALIVE_SECONDS)),
        *("--worker-class", "app.gunicorn_worker.DeadlineThreadWorker", "--access-logfile", "-"),
        "empty_app:app",
    ]
    env = env | {"PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])}
    process = start(command, env, tmp / "empty.log", f"http://127.0.0.1:{port}/")
    return Server("gunicorn, empty app", "127.0.0.1", port, "/"), process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # before anything of this run: the machine's other work
    with tempfile.TemporaryDirectory() as folder, ExitStack() as servers:
        tmp = Path(folder)
        store = tmp / "store"
        env = os.environ | {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(REPO),
            # One client address sends everything here: its limits would refuse most of it.
            "CITYREF_RATE_LIMIT": "1000000000",
            "CITYREF_CLIENT_CONCURRENCY": str(args.connections),
            "CITYREF_CLIENT_QUEUE": str(args.connections),
        }
        subprocess.run([sys.executable, "-m", "cityref", "build"], env=env, check=True)
        classes = class_iris(store)

        def started(server: Server, process: subprocess.Popen[bytes]) -> Server:
            servers.callback(_stop, process)
            return server

        limit = started(*oxigraph_server(tmp, store))
        ours = [backend(tmp, env, servers) for backend in BACKENDS]
        ceiling = started(*python_ceiling(tmp, env))
        plan = [(limit, what, requests) for what, requests in rows(limit, classes, False)]
        plan.append((limit, *named_dataset_row(limit, classes, model_graphs(store))))
        for server in ours:
            plan += [(server, what, requests) for what, requests in rows(server, classes, True)]
        empty = [get_request(ceiling.host, ceiling.port, "/", {})]
        plan.append((ceiling, "empty answer", empty))
        runs = measure(plan, args.connections, args.seconds, args.rounds)
        load_after = os.getloadavg()[0]
    section = report(runs, limit, ours, args, (load_before, load_after))
    print(section)
    if args.write_docs:
        write_docs(section, SECTION)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=60)


if __name__ == "__main__":
    main()
