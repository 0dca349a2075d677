"""``cityref info``: what the current store holds and where it came from."""

from __future__ import annotations

import json
from dataclasses import asdict

from cityref.errors import StoreMissing
from cityref.settings import Settings
from cityref.store.build import current_build_dir, current_record, open_current, versions
from cityref.store.remote import RemoteEndpoints, RemoteStore, current_pointer
from cityref.store.remote_build import remote_record
from cityref.text import Bilingual


def describe_store(settings: Settings, *, as_json: bool = False) -> str:
    """A report on the current build; :class:`StoreMissing` when there is none."""
    endpoints = RemoteEndpoints.from_settings(settings)
    if endpoints is not None:
        pointer = current_pointer(endpoints, settings.query_timeout)
        remote = RemoteStore.open_build(endpoints, pointer.build_id, settings.query_timeout)
        where, build_text = endpoints.query, f"{endpoints.query} ({pointer.build_id})"
        record, live_counts = remote_record(remote), remote.stats()
    else:
        build_dir = current_build_dir(settings.store)
        where, build_text = str(settings.store.resolve()), str(build_dir)
        record = current_record(settings.store)
        live_counts = open_current(settings.store).stats() if record else {}
    if record is None:
        raise StoreMissing(
            Bilingual(
                f"{build_text} に build.json がありません。"
                "cityref build --force で作り直してください",
                f"{build_text} has no build.json: rebuild with 'cityref build --force'",
            )
        )
    if as_json:
        doc = asdict(record) | {
            "store": where,
            "build_dir": build_text,
            "graphs": live_counts,
            "versions": versions(),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False)
    lines = [
        f"store:        {where}",
        f"build:        {record.build_id} ({record.created}, {record.seconds:.2f} s)",
        f"base IRI:     {record.base_iri}",
        f"sources root: {record.sources_root}",
        "versions:     " + ", ".join(f"{k} {v}" for k, v in versions().items()),
        "",
        "sources (sha256):",
    ]
    lines += [f"  {s['sha256'][:16]}  {s['path']}" for s in record.sources]
    lines += ["", "triples per graph:"]
    width = max((len(g) for g in live_counts), default=0)
    lines += [f"  {g:<{width}}  {n:>8}" for g, n in live_counts.items()]
    lines.append(f"  {'total':<{width}}  {sum(live_counts.values()):>8}")
    return "\n".join(lines)
