"""Benchmark: validation in place against export-and-validate, on Oxigraph server and Virtuoso 7.

Generated city facilities (bench/city_facilities.py, defects every 50th facility) are loaded
into a named graph of each server (Oxigraph: Graph Store Protocol POSTs; Virtuoso: its bulk
loader). Then, each in a child process whose peak resident memory is read from the kernel
(``wait4``): profile gif-facility validated in place (``validate_endpoint``) and by export
(Graph Store Protocol GET, loaded into an in-memory store, ``validate_store``). Both must
find the same number of results. Run by hand, never in the test suite (a smoke size is):

    python -m bench.validate_in_place --triples 1000000 --triples 10000000 --write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.city_facilities import generate_city

GRAPH = "urn:cityref:bench:city"
PROFILE = "gif-facility"
ROOT = Path(__file__).resolve().parent.parent


def _child(mode: str, query_url: str, store_url: str) -> None:
    """In a child process: validate one way, print the figures as JSON."""
    from pyoxigraph import RdfFormat, Store, parse

    from cityref.profiles.conformance import check_endpoint_at_release, profile_shapes
    from cityref.registry.versioned import release_context
    from cityref.store.sources import ModelFiles
    from cityref.validation.api import validate_store
    from cityref.validation.endpoint import Endpoint
    from cityref.validation.options import ValidationOptions

    model = ModelFiles(ROOT, "https://w3id.org/cityref/")
    release = release_context(PROFILE, model)
    options = ValidationOptions(max_results=None, base_iri=model.base_iri)
    started = time.perf_counter()
    mode, _, batch = mode.partition(":")  # in-place:N names focus nodes in batches of N
    if mode == "in-place":
        endpoint = Endpoint(query_url, (GRAPH,), focus_batch=int(batch) if batch else None)
        report = check_endpoint_at_release(endpoint, release, options, model=model).report
    else:
        request = urllib.request.Request(store_url, headers={"Accept": "application/n-triples"})
        with urllib.request.urlopen(request, timeout=3600) as response:
            exported = response.read()
        store = Store()
        store.extend(parse(exported, RdfFormat.N_TRIPLES))
        del exported
        assert release.profile is None
        from cityref.profiles.registry import load_profile

        shapes = profile_shapes(load_profile(PROFILE, model), release.deprecations)
        report = validate_store(store, shapes, options, ontology=release.ontology)
    print(json.dumps({"seconds": time.perf_counter() - started, "results": len(report.results)}))


def _measure(mode: str, query_url: str, store_url: str) -> dict[str, float]:
    """Run one validation in a child; its time, result count and peak RSS (MB)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.validate_in_place", "--child", mode, query_url, store_url],
        stdout=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = status
    if status != 0:
        raise RuntimeError(f"{mode} failed ({status})")
    figures: dict[str, float] = json.loads(out)
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024
    return figures


def _post_chunks(url: str, triples: int) -> None:
    for chunk in generate_city(triples):
        request = urllib.request.Request(
            url, data=chunk, method="POST", headers={"Content-Type": "application/n-triples"}
        )
        with urllib.request.urlopen(request, timeout=3600):
            pass


@contextmanager
def _server(name: str, folder: Path, triples: int) -> Iterator[tuple[str, str, float]]:
    """A server holding ``triples`` generated triples: (query URL, export URL, load seconds)."""
    from urllib.parse import quote

    from tests.sparql_servers import running_oxigraph_server, running_virtuoso, virtuoso_sql

    started = time.perf_counter()
    if name == "oxigraph":
        with running_oxigraph_server(folder) as ep:
            _post_chunks(f"{ep.graph_store}?graph={quote(GRAPH, safe='')}", triples)
            yield (
                ep.query,
                f"{ep.graph_store}?graph={quote(GRAPH, safe='')}",
                (time.perf_counter() - started),
            )
        return
    # An answer is read whole below ResultSetMaxRows (1,000,000 here); one it cuts is read
    # again in ordered pages, for which a stock Virtuoso sorts at most 10,000 rows.
    with running_virtuoso(folder, "MaxSortedTopRows = 100000000") as ep:
        data = folder / "data"
        data.mkdir()
        for i, chunk in enumerate(generate_city(triples)):
            (data / f"part{i:05d}.nt").write_bytes(chunk)
        virtuoso_sql(ep, f"ld_dir('{data}', '*.nt', '{GRAPH}');\nrdf_loader_run();\ncheckpoint;\n")
        load = time.perf_counter() - started
        yield (
            ep.query,
            f"{ep.query}?query="
            + quote(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"),
            load,
        )


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("\n", 1)[0].split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cpus} CPUs{memory}, Python {python}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, action="append")
    parser.add_argument("--servers", default="oxigraph,virtuoso")
    parser.add_argument("--write", action="store_true", help="Add the table to docs/benchmarks.md")
    parser.add_argument(
        "--export-up-to",
        type=int,
        default=2_000_000,
        help="Largest size also exported and validated locally (beyond, ~1.2 GB a million "
        "triples on a machine shared with others: not run, said so in the table)",
    )
    parser.add_argument(
        "--focus-batch",
        type=int,
        help="In place, name the focus IRIs in VALUES blocks of this many (default: none)",
    )
    parser.add_argument("--child", nargs=3, metavar=("MODE", "QUERY", "STORE"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    rows = []
    for triples in args.triples or [100_000]:
        for server in args.servers.split(","):
            with (
                tempfile.TemporaryDirectory() as tmp,
                _server(server, Path(tmp), triples) as (query_url, store_url, load),
            ):
                batch = f":{args.focus_batch}" if args.focus_batch else ""
                in_place = _measure("in-place" + batch, query_url, store_url)
                exported = "not run | not run"
                if triples <= args.export_up_to:
                    export = _measure("export", query_url, store_url)
                    if in_place["results"] != export["results"]:
                        raise AssertionError(f"{server}: {in_place} != {export}")
                    exported = f"{export['seconds']:.1f} | {export['peak_rss_mb']:.0f}"
                row = (
                    f"| {triples:,} | {server}{batch} | {load:.0f} | {in_place['seconds']:.1f} | "
                    f"{in_place['peak_rss_mb']:.0f} | {exported} | {int(in_place['results']):,} |"
                )
                print(row, flush=True)
                rows.append(row)
    table = "\n".join(
        [
            "| triples | server | load s | in place s | in place peak MB | export+validate s "
            "| export+validate peak MB | results |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )
    print(table)
    if args.write:
        _write(table, " ".join(sys.argv[1:]))


def _write(table: str, argv: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    heading = "## Validation in place / その場での検証"
    text = path.read_text()
    if heading in text:
        text = text[: text.index(heading)].rstrip() + "\n"
    text += (
        f"\n{heading}\n\nMachine: {machine()}. Command: "
        f"`python -m bench.validate_in_place {argv}` (run {time.strftime('%Y-%m-%d')}). "
        "Peak memory is the resident set of the cityref process (the servers' own not "
        "counted); profile gif-facility on generated facilities (bench/city_facilities.py).\n\n"
        f"{table}\n"
    )
    path.write_text(text)


if __name__ == "__main__":
    main()
