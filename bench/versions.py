"""Two versions of cityref in the same run: is the newer one slower?

Usage: .venv/bin/python -m bench.versions OLD [NEW] [--rounds 3] [--rows 100000]

OLD and NEW are git revisions of this repository (NEW defaults to the working tree). Each is
checked out into a temporary worktree and run with this venv (the dependencies are the same),
through what a user types, so a change of internal API does not matter:

- ``build``: ``cityref build`` of the version's own model into a new store;
- ``validate csv``: ``cityref validate`` of a generated 公共施設一覧 CSV (``--rows`` rows,
  1 % defective; see bench/csv_validate.py), JSON report;
- ``validate gtfs``: ``cityref validate`` of the real GTFS-JP feed the tests use;
- ``pages``: every page of bench/pages.py once, on a warm server of that version;
- ``queries``: the architects' questions of tests/queries/ once each, over HTTP.

The rounds alternate OLD, NEW, OLD, NEW… so a machine that slows down or speeds up during the
run weighs on both alike. Prints a Markdown table of medians and the NEW/OLD ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.csv_validate import generate
from bench.pages import measure, pages
from bench.sparql import free_port, questions, wait_until_up
from cityref.settings import load_settings
from cityref.store.sources import ModelFiles

REPO = Path(__file__).resolve().parents[1]
GTFS = REPO / "tests" / "data" / "real" / "gtfs-jp-donanbus" / "donanbus-gtfs-jp.zip"


@dataclass
class Version:
    """One checkout of cityref and the store built from its own model."""

    label: str
    tree: Path
    store: Path
    times: dict[str, list[float]] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        return os.environ | {
            "PYTHONPATH": str(self.tree),
            "CITYREF_SOURCES": str(self.tree),
            "CITYREF_STORE": str(self.store),
            **extra,
        }

    def cityref(self, *args: str) -> None:
        """Run ``cityref ARGS``; a validation that finds violations exits 1, which is fine."""
        done = subprocess.run(
            [sys.executable, "-m", "cityref", *args],
            env=self.env(),
            cwd=self.tree,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if done.returncode not in (0, 1):
            command = " ".join(args)
            raise SystemExit(f"{self.label}: cityref {command} failed:\n{done.stderr.decode()}")

    def timed(self, name: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        action()
        self.times.setdefault(name, []).append(time.perf_counter() - started)


def checkout(revision: str | None, into: Path) -> Path:
    """A worktree of ``revision``; None means the working tree as it is."""
    if revision is None:
        return REPO
    tree = into / revision.replace("/", "_")
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), revision],
        check=True,
    )
    return tree


def serve_and_measure(version: Version, work: Path) -> None:
    """Start the version's server, warm it, then time every page and every question once."""
    port = free_port()
    log = work / f"{version.label}-server.log"
    env = version.env(CITYREF_PORT=str(port), CITYREF_WORKERS="1", CITYREF_RATE_LIMIT="100000000")
    with open(log, "wb") as out:
        command = [sys.executable, "-m", "cityref", "serve"]
        server = subprocess.Popen(command, env=env, cwd=version.tree, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/sparql", log)
        paths = [path for group in pages(base).values() for path in group]
        measure(base, paths, 1)  # the first request of each page computes its data
        version.timed("pages", lambda: measure(base, paths, 1))

        def ask_all() -> None:
            for query in questions():
                url = base + "/sparql?" + urllib.parse.urlencode({"query": query, "format": "csv"})
                with urllib.request.urlopen(url, timeout=120) as response:
                    response.read()

        ask_all()
        version.timed("queries", ask_all)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old")
    parser.add_argument("new", nargs="?", default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cityref-versions-"))
    trees: list[Path] = []
    try:
        csv_file = work / "facilities.csv"
        csv_file.write_bytes(generate(args.rows, ModelFiles.from_settings(load_settings())))
        versions = []
        for label, revision in (("old", args.old), ("new", args.new)):
            tree = checkout(revision, work)
            if tree != REPO:
                trees.append(tree)
            versions.append(Version(f"{label} ({revision or 'working tree'})", tree, work / label))
        for _ in range(args.rounds):
            for version in versions:
                shutil.rmtree(version.store, ignore_errors=True)
                version.timed("build", lambda v=version: v.cityref("build"))
                version.timed(
                    "validate csv",
                    lambda v=version: v.cityref("validate", str(csv_file), "--format", "json"),
                )
                version.timed(
                    "validate gtfs",
                    lambda v=version: v.cityref("validate", str(GTFS), "--format", "json"),
                )
                serve_and_measure(version, work)
        print(table(versions, args))
    finally:
        for tree in trees:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)])
        shutil.rmtree(work, ignore_errors=True)


def table(versions: list[Version], args: argparse.Namespace) -> str:
    old, new = versions
    lines = [
        f"Command: `.venv/bin/python -m bench.versions {args.old}"
        f"{' ' + args.new if args.new else ''} --rounds {args.rounds} --rows {args.rows}`",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}; {args.rounds} "
        "rounds, alternating. Medians in seconds.",
        "",
        f"| measure | {old.label} | {new.label} | new / old |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, old_times in old.times.items():
        before, after = statistics.median(old_times), statistics.median(new.times[name])
        lines.append(f"| {name} | {before:.2f} | {after:.2f} | {after / before:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
