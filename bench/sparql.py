"""The architects' questions under concurrent clients: cityref's /sparql against rdflib-endpoint.

Usage: python bench/sparql.py [--clients 16] [--seconds 20] [--write-docs]

Both servers hold the same data: the Reference Model built from the repository (every named
graph plus the OWL-RL entailments, which rdflib-endpoint gets as one graph, since cityref's
default graph is the union). rdflib-endpoint (with uvicorn) is installed into a venv of the
benchmark's own under .cityref/bench-peers, never into the project's. Each client loops over
the questions of tests/queries/ for the given time; latencies are measured per request.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS_VENV = REPO / ".cityref" / "bench-peers"
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## SPARQL endpoint: cityref and rdflib-endpoint"


@dataclass
class Run:
    server: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up:\n{log.read_text(errors='replace')[-3000:]}")


def questions() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((REPO / "tests/queries").glob("*.rq"))]


def ensure_peers() -> Path:
    if not (PEERS_VENV / "bin" / "rdflib-endpoint").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        pip = [str(PEERS_VENV / "bin" / "pip"), "install", "--quiet"]
        subprocess.run([*pip, "rdflib-endpoint[cli]", "uvicorn"], check=True)
    return PEERS_VENV / "bin" / "rdflib-endpoint"


def export_union(store_path: Path, target: Path) -> None:
    """Every triple of every graph of the built store, as one N-Triples file."""
    from cityref.store.build import open_current

    store = open_current(store_path)
    data = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        result_format="ntriples",
        max_rows=10_000_000,
    ).data
    target.write_bytes(data)


def load(url: str, queries: list[str], clients: int, seconds: float, name: str) -> Run:
    deadline = time.monotonic() + seconds

    def client(number: int) -> tuple[int, int, list[float]]:
        done, errors, latencies = 0, 0, []
        while time.monotonic() < deadline:
            query = queries[(number + done) % len(queries)]
            body = urllib.parse.urlencode({"query": query}).encode()
            request = urllib.request.Request(
                url,
                data=body,
                headers={
                    "Accept": "application/sparql-results+json",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            except (OSError, urllib.error.URLError):
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
            done += 1
        return done, errors, latencies

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = list(pool.map(client, range(clients)))
    elapsed = time.monotonic() - started
    return Run(
        name,
        sum(o[0] for o in outcomes),
        sum(o[1] for o in outcomes),
        elapsed,
        [latency for o in outcomes for latency in o[2]],
    )


def table(runs: list[Run], clients: int, seconds: float, n_queries: int) -> str:
    import pyoxigraph
    import rdflib

    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/sparql.py --clients {clients} --seconds {seconds:g} "
        "--write-docs`",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib "
        f"{rdflib.__version__}; measured {time.strftime('%Y-%m-%d')}. The {n_queries} "
        f"architects' questions of `tests/queries/`, {clients} concurrent clients for "
        f"{seconds:g} s against each server in turn, on loopback; cityref with its default "
        "4 workers.",
        "",
        "| server | requests | errors | throughput (req/s) | p50 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run.server} | {run.requests} | {run.errors} | {run.throughput:.1f} | "
            f"{statistics.median(run.latencies_ms):.1f} | {run.percentile(99):.1f} |"
        )
    ratio = runs[0].throughput / runs[1].throughput if runs[1].throughput else float("inf")
    lines += ["", f"cityref answers {ratio:.1f} times the requests per second.", ""]
    return "\n".join(lines)


def write_docs(section: str, title: str = SECTION) -> None:
    """Put ``section`` (which begins with ``title``) into docs/benchmarks.md, in place of the
    section of that title if there is one."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(title) + r".*?(?=\n## |\Z)", re.DOTALL)
    text = (
        pattern.sub(section.rstrip() + "\n", text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section)
    )
    DOCS.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    peer = ensure_peers()
    queries = questions()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        env = os.environ | {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(REPO),
            "CITYREF_RATE_LIMIT": "100000000",
        }
        subprocess.run([sys.executable, "-m", "cityref", "build"], env=env, check=True)
        union = Path(tmp) / "union.nt"
        export_union(store, union)
        runs = []
        ours_port, peer_port = free_port(), free_port()
        servers = [
            (
                "cityref",
                [sys.executable, "-m", "cityref", "serve", "--port", str(ours_port)],
                f"http://127.0.0.1:{ours_port}/sparql",
            ),
            (
                "rdflib-endpoint",
                [str(peer), "serve", "--host", "127.0.0.1", "--port", str(peer_port), str(union)],
                f"http://127.0.0.1:{peer_port}/",  # its endpoint is the root path
            ),
        ]
        for name, command, url in servers:
            log = open(Path(tmp) / f"{name}.log", "wb")  # noqa: SIM115  # closed with the folder
            process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
            try:
                wait_until_up(
                    url + "?" + urllib.parse.urlencode({"query": "ASK {}"}), Path(log.name)
                )
                load(url, queries, args.clients, 3, name)  # warm-up
                runs.append(load(url, queries, args.clients, args.seconds, name))
            finally:
                process.terminate()
                process.wait(timeout=60)
    section = table(runs, args.clients, args.seconds, len(queries))
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
