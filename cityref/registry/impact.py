"""Impact of a change between two releases on the registered systems.

For each system: the changes that touch the profiles its records were checked against and
the terms its data used, and — where its sample data is kept — the verdict of that data
re-validated under NEW: newly failing, still passing, still failing or newly passing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cityref.registry.diff import Change, semantic_diff
from cityref.registry.durable import RegistryError
from cityref.registry.records import ConformanceRecord, DataFile, list_records, list_systems
from cityref.registry.releases import tree
from cityref.registry.versioned import split_ref, validate_at
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual
from cityref.validation.loading import rdf_format

COMMON_PROFILE = "common"


@dataclass
class Revalidation:
    record: str
    profile: str
    before: str
    after: str
    violations: int
    warnings: int

    @property
    def outcome(self) -> str:
        return {
            ("pass", "pass"): "still passing",
            ("pass", "fail"): "newly failing",
            ("fail", "fail"): "still failing",
            ("fail", "pass"): "newly passing",
        }.get((self.before, self.after), "unknown")


OUTCOME_JA = {
    "still passing": "引き続き適合",
    "newly failing": "新たに不適合",
    "still failing": "引き続き不適合",
    "newly passing": "新たに適合",
    "unknown": "不明",
}


@dataclass
class SystemImpact:
    system: str
    profiles: list[str]
    changes: list[Change] = field(default_factory=list)
    revalidations: list[Revalidation] = field(default_factory=list)

    @property
    def newly_failing(self) -> bool:
        return any(r.outcome == "newly failing" for r in self.revalidations)

    def as_dict(self) -> dict[str, object]:
        return {
            "system": self.system,
            "profiles": self.profiles,
            "newly_failing": self.newly_failing,
            "changes": [c.as_dict() for c in self.changes],
            "revalidations": [dict(r.__dict__, outcome=r.outcome) for r in self.revalidations],
        }


def _touches(change: Change, profiles: set[str], terms: set[str]) -> bool:
    if change.kind.startswith("shape-"):
        return change.profile in profiles or change.profile == COMMON_PROFILE
    return change.subject in terms


def _latest_with_samples(records: list[ConformanceRecord]) -> list[ConformanceRecord]:
    latest: dict[str, ConformanceRecord] = {}
    for r in records:
        if r.samples:
            latest[split_ref(r.profile)[0]] = r
    return [latest[k] for k in sorted(latest)]


def _revalidate(root: Path, record: ConformanceRecord, new: str, base_iri: str) -> Revalidation:
    files = []
    for s in record.samples:
        path = root / s.path
        if not path.is_file():
            raise RegistryError(
                Bilingual(
                    f"{path}: 保存したサンプルがありません", f"{path}: kept sample is missing"
                )
            )
        files.append(DataFile(s.path, path.read_bytes(), rdf_format(s.format)))
    ident = split_ref(record.profile)[0]
    report = validate_at(ModelFiles(root, base_iri), f"{ident}@{new}", files)
    violations = sum(r.severity.value.endswith("#Violation") for r in report.results)
    warnings = sum(r.severity.value.endswith("#Warning") for r in report.results)
    return Revalidation(
        record.iri,
        f"{ident}@{new}",
        record.verdict,
        "fail" if violations else "pass",
        violations,
        warnings,
    )


def impact(root: Path, old: str, new: str, base_iri: str) -> list[SystemImpact]:
    """Per registered system, the changes from ``old`` to ``new`` that touch it."""
    changes = semantic_diff(tree(root, old), tree(root, new), base_iri)
    out: list[SystemImpact] = []
    for system in list_systems(root):
        ident = str(system["id"])
        records = list_records(root, ident)
        profiles = {split_ref(r.profile)[0] for r in records}
        profiles |= {split_ref(str(c))[0] for c in system["claims"]}  # type: ignore[attr-defined]
        terms = {t for r in records for t in r.used_terms}
        result = SystemImpact(ident, sorted(profiles))
        result.changes = [c for c in changes if _touches(c, profiles, terms)]
        result.revalidations = [
            _revalidate(root, r, new, base_iri) for r in _latest_with_samples(records)
        ]
        out.append(result)
    return out


def to_markdown(impacts: list[SystemImpact], old: str, new: str) -> str:
    lines = [f"# Impact {old} → {new} / 影響", ""]
    for s in impacts:
        flag = " — **newly failing / 新たに不適合**" if s.newly_failing else ""
        lines += [f"## {s.system}{flag}", ""]
        lines.append(f"profiles / プロファイル: {', '.join(s.profiles) or '-'}")
        lines.append("")
        for c in s.changes:
            mark = "**breaking / 互換性なし** " if c.breaking else ""
            lines.append(f"- {mark}{c.message.en} / {c.message.ja}")
        if not s.changes:
            lines.append("- no change touches it / 影響する変更はありません")
        for r in s.revalidations:
            lines.append(
                f"- sample data under {r.profile}: {r.outcome} / {OUTCOME_JA[r.outcome]} "
                f"({r.violations} violations, {r.warnings} warnings)"
            )
        lines.append("")
    if not impacts:
        lines.append("no registered systems / 登録システムはありません")
    return "\n".join(lines) + "\n"
