"""The evidence loop: from the stored conformance records, which constraints fail most and
which terms are used — the input for proposals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cityref.registry.records import list_records


@dataclass
class Stats:
    records: int
    systems: int
    passing: int
    failing: int
    failures: list[tuple[str, int, int]]  # constraint, results, records
    terms: list[tuple[str, int, int]]  # term, records, systems

    def as_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "systems": self.systems,
            "passing": self.passing,
            "failing": self.failing,
            "failures": [
                {"constraint": c, "results": n, "records": r} for c, n, r in self.failures
            ],
            "terms": [{"term": t, "records": n, "systems": s} for t, n, s in self.terms],
        }


def registry_stats(root: Path, system: str | None = None, top: int = 20) -> Stats:
    records = list_records(root, system)
    results: Counter[str] = Counter()
    failing_records: Counter[str] = Counter()
    term_records: Counter[str] = Counter()
    term_systems: dict[str, set[str]] = {}
    for r in records:
        for key, count in r.failures.items():
            results[key] += count
            failing_records[key] += 1
        for t in r.used_terms:
            term_records[t] += 1
            term_systems.setdefault(t, set()).add(r.system)
    failures = [(k, n, failing_records[k]) for k, n in results.most_common(top)]
    terms = sorted(term_records.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return Stats(
        records=len(records),
        systems=len({r.system for r in records}),
        passing=sum(r.verdict == "pass" for r in records),
        failing=sum(r.verdict == "fail" for r in records),
        failures=failures,
        terms=[(t, n, len(term_systems[t])) for t, n in terms],
    )


def to_text(stats: Stats) -> str:
    lines = [
        f"records / 記録: {stats.records} ({stats.systems} systems / システム; "
        f"{stats.passing} pass / 適合, {stats.failing} fail / 不適合)",
        "",
        "constraints failing most / 違反の多い制約:",
    ]
    lines += [f"  {n:>6} results in {r} records  {c}" for c, n, r in stats.failures] or ["  -"]
    lines += ["", "terms used / 使われた用語:"]
    lines += [f"  {n:>6} records, {s} systems  {t}" for t, n, s in stats.terms] or ["  -"]
    return "\n".join(lines) + "\n"


def evidence_for(stats: Stats, targets: list[str], when: str) -> list[str]:
    """One evidence line per target the records mention: its use and its failures."""
    used = {t: (n, s) for t, n, s in stats.terms}
    failed = {c: (n, r) for c, n, r in stats.failures}
    lines: list[str] = []
    for target in targets:
        parts = []
        if target in used:
            n, s = used[target]
            parts.append(f"used in {n} records of {s} systems / {s} システム {n} 件の記録で使用")
        if target in failed:
            n, r = failed[target]
            parts.append(f"{n} failing results in {r} records / {r} 件の記録で {n} 件の違反")
        if parts:
            lines.append(f"cityref stats {when}: <{target}> " + "; ".join(parts))
    return lines
