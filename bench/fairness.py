"""Fair under load: another client's ``ASK {}`` while one client is heavy or slow.

Usage: .venv/bin/python -m bench.fairness [--body-timeout 10] [--heavy 8] [--slow-heads 48]

Starts ``cityref serve`` on the repository's model with default settings (apart from the
port, a temporary store and the request body timeout, so the slow-body case ends sooner),
then, from a second loopback address (127.0.0.2), asks ``ASK {}`` over and over while
client 127.0.0.1 runs the heavy queries, 127.0.0.3 sends four bodies one byte every 5 s or
48 request heads a header byte every 5 s, or 127.0.0.1 sends four 4,000-word searches at
once. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.sparql import free_port, wait_until_up
from tests.security.clients import CHEAP, HEAVY, Answer, query, request, slow_body, slow_head
from tests.security.conftest import tree_rss_bytes

REPO = Path(__file__).resolve().parents[1]
HOSTILE_SEARCH = " ".join(string.ascii_lowercase[i % 26] for i in range(4000))


@dataclass
class Case:
    name: str
    asks: list[Answer] = field(default_factory=list)
    note: str = ""

    def row(self) -> str:
        times = sorted(a.seconds * 1000 for a in self.asks)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        failed = sum(a.status != 200 for a in self.asks)
        return (
            f"| {self.name} | {len(times)} | {failed} | {statistics.median(times):.0f} | "
            f"{p95:.0f} | {max(times):.0f} | {self.note} |"
        )


def ask_during(base: str, load: Callable[[], list[Answer]]) -> tuple[list[Answer], list[Answer]]:
    """``ASK {}`` from 127.0.0.2 every 100 ms while ``load`` runs; both sets of answers."""
    done = threading.Event()
    asks: list[Answer] = []

    def asker() -> None:
        while not done.is_set():
            asks.append(query(base, CHEAP, source="127.0.0.2"))
            time.sleep(0.1)

    thread = threading.Thread(target=asker)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(load)
        time.sleep(0.3)  # the load holds its places first
        thread.start()
        outcomes = running.result()
    done.set()
    thread.join()
    return asks, outcomes


def concurrently(count: int, make: Callable[[], Answer]) -> Callable[[], list[Answer]]:
    def run() -> list[Answer]:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return [f.result() for f in [pool.submit(make) for _ in range(count)]]

    return run


def statuses(answers: list[Answer]) -> str:
    counts = Counter(a.status for a in answers)
    return ", ".join(f"{n}× {status}" for status, n in sorted(counts.items()))


def measure(base: str, heavy: int, slow_heads: int) -> list[Case]:
    cases = []
    idle = Case("idle", [query(base, CHEAP, source="127.0.0.2") for _ in range(50)])
    cases.append(idle)

    asks, outcomes = ask_during(base, concurrently(heavy, lambda: query(base, HEAVY)))
    slowest = max(a.seconds for a in outcomes)
    cases.append(
        Case(
            f"{heavy} heavy queries from one client",
            asks,
            f"heavy: {statuses(outcomes)}; last answered after {slowest:.1f} s",
        )
    )

    asks, outcomes = ask_during(base, concurrently(4, lambda: slow_body(base, interval=5.0)))
    cases.append(
        Case(
            "4 slow bodies (1 byte / 5 s)",
            asks,
            f"slow: {statuses(outcomes)} after {min(a.seconds for a in outcomes):.1f}–"
            f"{max(a.seconds for a in outcomes):.1f} s",
        )
    )

    def heads() -> list[Answer]:
        with ThreadPoolExecutor(max_workers=slow_heads) as pool:
            closed = list(pool.map(lambda _n: slow_head(base, interval=5.0), range(slow_heads)))
        return [Answer(0, seconds) for seconds in closed]

    asks, outcomes = ask_during(base, heads)
    cases.append(
        Case(
            f"{slow_heads} slow heads (a header byte / 5 s; the server has 64 threads)",
            asks,
            f"closed by the server after {min(a.seconds for a in outcomes):.1f}–"
            f"{max(a.seconds for a in outcomes):.1f} s",
        )
    )

    path = "/api/search?" + urllib.parse.urlencode({"q": HOSTILE_SEARCH})

    def searches() -> list[Answer]:
        answers: list[Answer] = []
        until = time.monotonic() + 5.0
        while time.monotonic() < until:  # rounds of four at once, for 5 s
            answers += concurrently(4, lambda: request(base, path))()
        return answers

    asks, outcomes = ask_during(base, searches)
    slowest_ms = max(a.seconds for a in outcomes) * 1000
    cases.append(
        Case(
            "4 × 8 KB / 4,000-word searches at once, for 5 s",
            asks,
            f"searches: {statuses(outcomes)} (429: the rate limit of 600 a minute), "
            f"slowest {slowest_ms:.0f} ms",
        )
    )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--body-timeout", type=float, default=10.0)
    parser.add_argument("--heavy", type=int, default=8)
    parser.add_argument("--slow-heads", type=int, default=48)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CITYREF_")} | {
            "CITYREF_STORE": str(Path(tmp) / "store"),
            "CITYREF_SOURCES": str(REPO),
            "CITYREF_PORT": str(port),
            "CITYREF_REQUEST_BODY_TIMEOUT": str(args.body_timeout),
        }
        log = Path(tmp) / "server.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "cityref", "serve"], env=env, stdout=out, stderr=out
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/sparql", log, seconds=300)
            time.sleep(2)  # the query workers of every web process start meanwhile
            rss_idle = tree_rss_bytes(process.pid)
            cases = measure(base, args.heavy, args.slow_heads)
            rss_after = tree_rss_bytes(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(
        f"Command: `.venv/bin/python -m bench.fairness --body-timeout {args.body_timeout:g} "
        f"--heavy {args.heavy} --slow-heads {args.slow_heads}`\n\n"
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}. Default settings "
        f"(4 web workers × 16 threads, 3 query workers each, 2 running + 4 waiting per client, "
        f"query limit 10 s), request body timeout {args.body_timeout:g} s. `ASK {{}}` from "
        "127.0.0.2 every 100 ms while the load runs. Server memory (all processes): "
        f"{rss_idle / 2**20:.0f} MiB after start, {rss_after / 2**20:.0f} MiB after the runs.\n"
    )
    print("| while | ASK {} | failed | p50 (ms) | p95 (ms) | max (ms) | the load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for case in cases:
        print(case.row())


if __name__ == "__main__":
    main()
