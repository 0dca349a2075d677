"""Server time per page on the full model: the landscape, domains, terms, search, query page.

Usage: python bench/pages.py [--rounds 5] [--write-docs]

Starts `cityref serve` on the repository's model, asks each page once to warm the per-build
page data, then measures every page over several rounds from one client on loopback (so the
time is the server's, plus a loopback round trip).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.sparql import free_port, wait_until_up
from cityref.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Web pages: server time per page"


def pages(base: str) -> dict[str, list[str]]:
    def select(query: str) -> list[str]:
        url = base + "/sparql?" + urllib.parse.urlencode({"query": query, "format": "csv"})
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read().decode().splitlines()[1:]

    base_iri = load_settings().base_iri  # the server below serves under the same settings
    domains = select(f"SELECT ?d WHERE {{ ?r <{base_iri}def/landscape#rowDomain> ?d }}")
    classes = select(
        "SELECT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> "
        f'FILTER(STRSTARTS(STR(?c), "{base_iri}def/")) }} ORDER BY ?c LIMIT 40'
    )

    def path(iri: str) -> str:
        return "/" + iri.removeprefix(base_iri).replace("#", "%23")

    return {
        "home": ["/", "/?lang=en"],
        "domain": [path(d) for d in domains],
        "term": [path(c) for c in classes],
        "search": [
            "/search?q=" + urllib.parse.quote(q) for q in ("施設", "バス", "parking", "ﾃﾞｰﾀ")
        ],
        "query": ["/query"],
    }


def measure(base: str, paths: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for path in paths:
            request = urllib.request.Request(base + path, headers={"Accept": "text/html"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = os.environ | {
            "CITYREF_STORE": str(Path(tmp) / "store"),
            "CITYREF_SOURCES": str(REPO),
            "CITYREF_PORT": str(port),
            "CITYREF_WORKERS": "1",
            "CITYREF_RATE_LIMIT": "100000000",
        }
        log = Path(tmp) / "server.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "cityref", "serve"], env=env, stdout=out, stderr=out
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/sparql", log)
            by_kind = pages(base)
            # The first request of a page computes its data (once per build): "cold".
            results = {f"{k} (cold)": measure(base, paths, 1) for k, paths in by_kind.items()}
            results |= {kind: measure(base, paths, args.rounds) for kind, paths in by_kind.items()}
        finally:
            process.terminate()
            process.wait(timeout=60)
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python -m bench.pages --rounds {args.rounds} --write-docs`",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}. One server worker, "
        "one client on loopback. 'cold': the first request of each page, which computes its data; "
        "the others: later requests, served from the per-build page data.",
        "",
        "| page | requests | p50 (ms) | p95 (ms) | max (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, times in results.items():
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        lines.append(
            f"| {kind} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | "
            f"{max(times):.1f} |"
        )
    section = "\n".join(lines) + "\n"
    print(section)
    if args.write_docs:
        text = DOCS.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(section.rstrip() + "\n", text)
        else:
            text = text.rstrip() + "\n\n" + section
        DOCS.write_text(text.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
