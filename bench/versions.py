"""Two versions of cityref in the same run: is the newer one slower?

Usage: .venv/bin/python -m bench.versions OLD [NEW] [--rounds 3] [--rows 100000]

OLD and NEW are git revisions of this repository (NEW defaults to the working tree). Each is
checked out into a temporary worktree and run with this venv (the dependencies are the same)
and with its own package metadata (the ``cityref.commands`` entry points of its own
pyproject.toml, which move when modules do), through what a user types, so a change of
internal API does not matter:

- ``build``: ``cityref build`` of the version's own model into a new store;
- ``validate csv``: ``cityref validate`` of a generated 公共施設一覧 CSV (``--rows`` rows,
  3 % defective; see bench/csv_validate.py), JSON report;
- ``validate gtfs``: ``cityref validate`` of the real GTFS-JP feed the tests use;
- ``pages``: every page of bench/pages.py once, on a warm server of that version;
- ``queries``: the architects' questions of tests/queries/ once each, over HTTP;
- ``api validate``: a real municipal CSV (Yaizu's AED list) posted to ``/api/validate``
  five times in a row, each answered with its report (a job process each).

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
import tomllib
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.csv_validate import write_csv
from bench.pages import measure, pages
from bench.sparql import free_port, questions, wait_until_up
from cityref.settings import load_settings
from cityref.store.sources import ModelFiles

REPO = Path(__file__).resolve().parents[1]
GTFS = REPO / "tests" / "data" / "real" / "gtfs-jp-donanbus" / "donanbus-gtfs-jp.zip"
AED = REPO / "tests" / "data" / "real" / "yaizu-222127" / "222127_aed.csv"
#: Small uploads in a row: what one validation job costs the server, start to answer.
API_VALIDATIONS = 5


@dataclass
class Version:
    """One checkout of cityref and the store built from its own model."""

    label: str
    tree: Path
    store: Path
    metadata: Path
    times: dict[str, list[float]] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        return os.environ | {
            "PYTHONPATH": os.pathsep.join((str(self.tree), str(self.metadata))),
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


def package_metadata(tree: Path, into: Path) -> Path:
    """A folder holding a ``cityref`` dist-info made from ``tree``'s pyproject.toml: first on
    the path, it is the distribution importlib.metadata finds, so the version's own
    ``cityref.commands`` entry points are loaded, not the installed version's."""
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = into / "cityref-0.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cityref\nVersion: 0.0.0\n")
    groups = {"console_scripts": project.get("scripts", {}), **project.get("entry-points", {})}
    lines = []
    for group, entries in groups.items():
        lines += [f"[{group}]", *(f"{name} = {target}" for name, target in entries.items()), ""]
    (info / "entry_points.txt").write_text("\n".join(lines))
    return into


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

        def validate_uploads() -> None:
            for _ in range(API_VALIDATIONS):
                request = urllib.request.Request(
                    base + "/api/validate?profile=ods-aed",
                    data=AED.read_bytes(),
                    headers={"Content-Type": "text/csv"},
                )
                with urllib.request.urlopen(request, timeout=120) as response:
                    response.read()

        validate_uploads()
        version.timed("api validate", validate_uploads)
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
        write_csv(args.rows, ModelFiles.from_settings(load_settings()), csv_file)
        versions = []
        for label, revision in (("old", args.old), ("new", args.new)):
            tree = checkout(revision, work)
            if tree != REPO:
                trees.append(tree)
            metadata = package_metadata(tree, work / f"{label}-metadata")
            name = f"{label} ({revision or 'working tree'})"
            versions.append(Version(name, tree, work / label, metadata))
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
