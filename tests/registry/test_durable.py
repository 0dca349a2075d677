"""Registry writes are transactional: two processes writing at once lose nothing."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from pyoxigraph import RdfFormat

from cityref.registry.durable import registry_lock, write_atomic
from cityref.registry.records import DataFile, list_records, record_validation, register_system
from cityref.validation import Report
from tests.registry.conftest import BASE

RUNS = 12


def _writer(root: str, system: str) -> None:
    report = Report(conforms=True, results=(), engine="compiled")
    data = DataFile("d.ttl", b"<urn:a> <urn:p> <urn:b> .", RdfFormat.TURTLE)
    for i in range(RUNS):
        record_validation(Path(root), BASE, system, f"toy@1.0.{i}", report, [data])


def test_two_processes_appending_records_lose_nothing(tmp_path: Path) -> None:
    register_system(
        tmp_path, BASE, "shared", vendor="V", product="P", version="1", domains=[], claims=[]
    )
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), "shared")) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    records = list_records(tmp_path, "shared")
    assert len(records) == 2 * RUNS
    assert len({r.iri for r in records}) == 2 * RUNS
    assert not list((tmp_path / "registry").rglob("*.tmp"))


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "registry" / "x.ttl"
    with registry_lock(tmp_path):
        write_atomic(target, b"one")
        write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == [".lock", "x.ttl"]
