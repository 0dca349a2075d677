"""Soak: 32 clients mixing pages, lookups, queries, searches and uploads for a few minutes.

The server is started as ``scripts/run`` starts it (``cityref serve`` in a temporary folder
with the default settings; see tests/security/conftest.py). Every well-behaved client (pages,
IRI lookups, cheap SPARQL, small uploads) has a loopback address of its own and stays under
the default rate limit, so it must see no error at all. The heavy clients (cartesian COUNTs)
share one address, as one hostile client would: their 429s (too many at once) and 503s (time
limit) are expected and counted apart. The resident memory of the whole server process tree
is sampled every second. The summary is Markdown, for docs/security.md.

    .venv/bin/python -m bench.soak --minutes 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.security.conftest import LiveServer, Reply, start_live_server

REPO = Path(__file__).resolve().parents[1]
UPLOADS = sorted((REPO / "shapes" / "ods-aed" / "examples").rglob("*.csv"))
WELL_BEHAVED = ("page", "lookup", "cheap", "upload")
#: Seconds a well-behaved client waits between requests: under 600 a minute per address.
THINK_SECONDS = 0.2
HEAVY_ADDRESS = "127.0.0.2"
PAGES = [
    "/",
    "/?lang=en",
    "/query",
    "/registry/standards",
    "/registry/releases",
    "/registry/proposals",
    "/def/core",
    "/def/core%23Facility",
    "/def/domain/mobility",
]
LOOKUPS = [
    ("/def/core%23Facility", "text/turtle"),
    ("/def/core", "application/ld+json"),
    ("/def/domain/mobility", "application/n-triples"),
    ("/def/context.jsonld", "application/ld+json"),
    ("/shapes/ods-aed/context.jsonld", "application/ld+json"),
    ("/api/registry/profiles", "application/json"),
]
CHEAP_QUERIES = [
    "ASK {}",
    "SELECT ?g WHERE { GRAPH ?g {} } LIMIT 5",
    "SELECT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> } LIMIT 20",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/2002/07/owl#Class> }",
]
#: Cartesian products the store cannot finish: they run to the query time limit.
HEAVY_QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
]
SEARCHES = ["施設", "バス", "parking", "避難所", "facility school", "ﾃﾞｰﾀ"]


@dataclass
class Tally:
    """What one kind of client saw."""

    clients: int = 0
    addresses: set[str] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)
    ok: int = 0
    expected: dict[int, int] = field(default_factory=dict)  # refusals the kind may get
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Kind:
    name: str
    clients: int
    request: Callable[[LiveServer, str, random.Random], Reply]
    expected: tuple[int, ...] = ()  # statuses that are refusals, not errors
    think: float = THINK_SECONDS


def _page(server: LiveServer, source: str, rng: random.Random) -> Reply:
    return server.request("GET", rng.choice(PAGES), headers={"Accept": "text/html"}, source=source)


def _lookup(server: LiveServer, source: str, rng: random.Random) -> Reply:
    path, media_type = rng.choice(LOOKUPS)
    return server.request("GET", path, headers={"Accept": media_type}, source=source)


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def _cheap(server: LiveServer, source: str, rng: random.Random) -> Reply:
    return server.request("GET", _sparql(rng.choice(CHEAP_QUERIES)), source=source)


def _heavy(server: LiveServer, source: str, rng: random.Random) -> Reply:
    return server.request("GET", _sparql(rng.choice(HEAVY_QUERIES)), source=source, timeout=120)


def _search(server: LiveServer, source: str, rng: random.Random) -> Reply:
    path = "/api/search?" + urllib.parse.urlencode({"q": rng.choice(SEARCHES)})
    return server.request("GET", path, source=source)


def _upload(server: LiveServer, source: str, rng: random.Random) -> Reply:
    data = rng.choice(UPLOADS).read_bytes()
    headers = {"Content-Type": "text/csv", "Accept": "application/json"}
    return server.request(
        "POST", "/api/validate?profile=ods-aed", data, headers, source=source, timeout=180
    )


HEAVY_CLIENTS = 4


def kinds(heavy_clients: int = HEAVY_CLIENTS) -> tuple[Kind, ...]:
    """The mix: 28 well-behaved or ordinary clients, and the heavy ones (4 by default)."""
    return (
        Kind("page", 8, _page),
        Kind("lookup", 6, _lookup),
        Kind("cheap", 6, _cheap),
        Kind("search", 4, _search),
        Kind("upload", 4, _upload, think=0.5),
        Kind("heavy", heavy_clients, _heavy, expected=(429, 503), think=0.0),
    )


def _client(
    server: LiveServer,
    kind: Kind,
    source: str,
    seed: int,
    until: float,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            reply = kind.request(server, source, rng)
            status, what = reply.status, f"{reply.status} {reply.text[:160]!r}"
        except OSError as exc:
            status, what = 0, f"{type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - started
        with lock:
            tally.seconds.append(elapsed)
            if 200 <= status < 300:
                tally.ok += 1
            elif status in kind.expected:
                tally.expected[status] = tally.expected.get(status, 0) + 1
            else:
                key = str(status or "no answer")
                tally.errors[key] = tally.errors.get(key, 0) + 1
                if len(tally.examples) < 3:
                    tally.examples.append(what)
        if status == 429 and kind.expected:
            time.sleep(1.0)  # a heavy client told to wait comes back soon, as a greedy one would
        time.sleep(kind.think)


def _sample_memory(server: LiveServer, until: float, samples: list[tuple[float, int]]) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        samples.append((time.monotonic() - started, server.rss_bytes()))
        time.sleep(1.0)


def warm_up(server: LiveServer, rounds: int = 4) -> None:
    """Visit every page and lookup a few times first, so that each web worker has made its
    page data: the soak then measures a server in use, not one starting."""
    for _ in range(rounds):
        for path in PAGES:
            server.request("GET", path, headers={"Accept": "text/html"})
        for path, media_type in LOOKUPS:
            server.request("GET", path, headers={"Accept": media_type})


def soak(
    server: LiveServer, minutes: float, mix: tuple[Kind, ...]
) -> tuple[dict[str, Tally], list[tuple[float, int]]]:
    """Run every client against ``server`` for ``minutes``; what each kind saw, and memory."""
    until = time.monotonic() + minutes * 60
    tallies = {kind.name: Tally(clients=kind.clients) for kind in mix}
    lock = threading.Lock()
    samples: list[tuple[float, int]] = []
    threads = [threading.Thread(target=_sample_memory, args=(server, until, samples))]
    address = 3  # 127.0.0.2 is the heavy client's
    seed = 0
    for kind in mix:
        for _ in range(kind.clients):
            if kind.name == "heavy":
                source = HEAVY_ADDRESS
            else:
                source, address = f"127.0.0.{address}", address + 1
            tallies[kind.name].addresses.add(source)
            seed += 1
            args = (server, kind, source, seed, until, tallies[kind.name], lock)
            threads.append(threading.Thread(target=_client, args=args, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=minutes * 60 + 300)
    return tallies, samples


def _ms(values: list[float], share: float) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000:.0f}"


def _mb(value: int) -> str:
    return f"{value / 1024 / 1024:.0f} MB"


def summary(
    tallies: dict[str, Tally],
    samples: list[tuple[float, int]],
    minutes: float,
    settings: dict[str, str],
    load: tuple[float, float],
) -> str:
    """The run as Markdown: requests, refusals, errors and latency per kind; memory."""
    lines = [
        f"Soak of {minutes:g} min, {sum(t.clients for t in tallies.values())} clients, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
        f"(load average {load[0]:.1f} before, {load[1]:.1f} after), "
        f"Python {platform.python_version()}; settings: "
        + (", ".join(f"`{k}={v}`" for k, v in settings.items()) or "defaults")
        + ".",
        "",
        "| kind | clients | requests | ok | expected refusals | errors "
        "| p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, tally in tallies.items():
        refusals = ", ".join(f"{n}×{s}" for s, n in sorted(tally.expected.items())) or "0"
        errors = ", ".join(f"{n}×{s}" for s, n in sorted(tally.errors.items())) or "0"
        lines.append(
            f"| {name} | {tally.clients} | {len(tally.seconds)} | {tally.ok} | {refusals} | "
            f"{errors} | {_ms(tally.seconds, 0.5)} | {_ms(tally.seconds, 0.95)} | "
            f"{_ms(tally.seconds, 1.0)} |"
        )
    if samples:
        rss = [value for _, value in samples]
        half = len(rss) // 2 or 1
        lines += [
            "",
            f"Server RSS (master, web workers, query and job workers; {len(rss)} samples): "
            f"start {_mb(rss[0])}, max {_mb(max(rss))}, end {_mb(rss[-1])}; "
            f"max of the first half {_mb(max(rss[:half]))}, of the second half "
            f"{_mb(max(rss[half:] or rss))}; median {_mb(int(statistics.median(rss)))}.",
        ]
    bad = {n: t for n, t in tallies.items() if n in WELL_BEHAVED and t.errors}
    verdict = (
        "none" if not bad else "; ".join(f"{n}: {', '.join(t.examples)}" for n, t in bad.items())
    )
    lines += ["", f"Errors seen by well-behaved clients ({', '.join(WELL_BEHAVED)}): {verdict}."]
    others = [
        f"{n}: {', '.join(t.examples)}" for n, t in tallies.items() if t.examples and n not in bad
    ]
    if others:
        lines.append("Other unexpected answers: " + "; ".join(others) + ".")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="how long (default 3)")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="CITYREF_NAME=VALUE",
        help="a setting for the server (repeatable); the defaults otherwise",
    )
    parser.add_argument(
        "--heavy",
        type=int,
        default=HEAVY_CLIENTS,
        help=f"heavy clients, all from {HEAVY_ADDRESS} (default {HEAVY_CLIENTS}; 0 for a baseline)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    settings = dict(item.split("=", 1) for item in args.setting)
    with tempfile.TemporaryDirectory(prefix="cityref-soak-") as folder:
        print(f"building and starting the server in {folder} …", file=sys.stderr)
        with start_live_server(Path(folder), settings) as server:
            warm_up(server)
            load_before = os.getloadavg()[0]
            tallies, samples = soak(server, args.minutes, kinds(args.heavy))
            load_after = os.getloadavg()[0]
    print(summary(tallies, samples, args.minutes, settings, (load_before, load_after)))
    if args.json:
        figures = {
            name: {
                "clients": t.clients,
                "requests": len(t.seconds),
                "ok": t.ok,
                "expected": t.expected,
                "errors": t.errors,
                "examples": t.examples,
            }
            for name, t in tallies.items()
        }
        args.json.write_text(json.dumps({"kinds": figures, "rss": samples}, indent=1))
    failed = any(tallies[name].errors for name in WELL_BEHAVED)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
