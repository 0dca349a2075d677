"""The issue's end-to-end scenario, with CLI calls only."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from cityref.cli.main import cli
from cityref.cli.registry import (
    diff_command,
    impact_command,
    proposals_group,
    propose_command,
    records_group,
    release_command,
    stats_command,
    systems_group,
)
from tests.registry.conftest import Run

CORE = "https://w3id.org/cityref/def/core#"
SAMPLE = """@prefix core: <https://w3id.org/cityref/def/core#> .
<https://example.org/corp/1> a core:Corporation ;
    core:name "株式会社テスト" ;
    core:nameKana "カブシキガイシャテスト" ;
    core:corporateNumber "7000012050002" ;
    core:contactPoint [ core:email "info@example.org" ] ;
    core:address <https://example.org/corp/1/address> .
"""
WITH_PHONE = SAMPLE.replace(
    "core:address", 'core:contactPoint [ core:telephone "03-1234-5678" ] ;\n    core:address'
)
TIGHTEN = """@prefix sh: <http://www.w3.org/ns/shacl#> .
GRAPH <https://w3id.org/cityref/graph/shapes/gif-corporation/shapes> {
    <https://w3id.org/cityref/shapes/gif-corporation/ContactPhone> sh:minCount 1 .
}
"""


def test_release_propose_accept_diff_impact(run: Run, tmp_path: Path, sources: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# ja\n初版。\n\n# en\nFirst release.\n", encoding="utf-8")
    run(release_command, "1.0.0", "--notes", str(notes))

    run(
        systems_group,
        "register",
        "acme-corp-db",
        "--vendor",
        "ACME",
        "--product",
        "CorpDB",
        "--version",
        "2.3",
        "--domain",
        "government",
        "--claims",
        "gif-corporation@1.0.0",
    )
    data = tmp_path / "corp.ttl"
    data.write_text(SAMPLE, encoding="utf-8")
    added = run(
        records_group,
        "add",
        "acme-corp-db",
        str(data),
        "--profile",
        "gif-corporation@1.0.0",
        "--keep-sample",
    )
    assert "verdict / 判定: pass" in added.output
    run(
        systems_group,
        "register",
        "other-db",
        "--vendor",
        "Other",
        "--product",
        "DB",
        "--version",
        "1",
        "--claims",
        "gif-corporation@1.0.0",
    )
    phone = tmp_path / "phone.ttl"
    phone.write_text(WITH_PHONE, encoding="utf-8")
    run(
        records_group,
        "add",
        "other-db",
        str(phone),
        "--profile",
        "gif-corporation@1.0.0",
        "--keep-sample",
    )

    run(
        propose_command,
        "--deprecate",
        CORE + "corporateNumber",
        "--replaced-by",
        CORE + "name",
        "--proposer",
        "Alice",
        "--rationale-ja",
        "テスト用の非推奨化。",
        "--rationale-en",
        "Deprecation for the test.",
        "--stats-evidence",
    )
    tighten = tmp_path / "tighten.trig"
    tighten.write_text(TIGHTEN, encoding="utf-8")
    run(
        propose_command,
        "--kind",
        "change-shape",
        "--additions",
        str(tighten),
        "--proposer",
        "Bob",
        "--rationale-ja",
        "連絡先を必須にする。",
        "--rationale-en",
        "Require a contact.",
        "--evidence",
        "https://example.org/evidence",
    )
    listed = run(proposals_group, "list").output
    assert "0001\topen\tdeprecate-term" in listed and "0002\topen\tchange-shape" in listed
    core_before = (sources / "ontology/core.ttl").read_text(encoding="utf-8").splitlines()
    run(proposals_group, "accept", "0001", "--reviewer", "Carol")
    core_after = (sources / "ontology/core.ttl").read_text(encoding="utf-8").splitlines()
    removed = Counter(core_before) - Counter(core_after)
    added = Counter(core_after) - Counter(core_before)
    # Only the block of the term changes: its status line goes, three statements come, and
    # the final '.' moves from one line to the last new one.
    assert sum(removed.values()) == 2 and sum(added.values()) == 4, (removed, added)
    record = (sources / "registry/proposals/0001.ttl").read_text(encoding="utf-8")
    assert "prov:Activity" in record and "prov:wasAssociatedWith" in record
    assert "used in 2 records of 2 systems" in record  # the evidence from the records
    run(proposals_group, "accept", "0002", "--reviewer", "Carol", "--comment", "agreed")

    notes.write_text("# ja\n第二版。\n\n# en\nSecond release.\n", encoding="utf-8")
    run(release_command, "1.1.0", "--notes", str(notes))
    assert "merged" in run(proposals_group, "list").output

    changes = json.loads(run(diff_command, "1.0.0", "1.1.0", "--format", "json").output)
    by_kind = {(c["kind"], c["subject"]): c for c in changes["changes"]}
    assert ("term-deprecated", CORE + "corporateNumber") in by_kind
    tightened = by_kind[
        ("shape-tightened", "https://w3id.org/cityref/shapes/gif-corporation/ContactPhone")
    ]
    assert tightened["breaking"] is True
    markdown = run(diff_command, "1.0.0", "1.1.0").output
    assert "**breaking**" in markdown and "**互換性なし**" in markdown
    rdf = run(diff_command, "1.0.0", "1.1.0", "--format", "rdf").output
    assert "reg:Changeset" in rdf

    impact = json.loads(run(impact_command, "1.0.0", "1.1.0", "--format", "json").output)
    systems = {s["system"]: s for s in impact}
    assert systems["acme-corp-db"]["newly_failing"] is True
    assert systems["other-db"]["newly_failing"] is False
    assert systems["other-db"]["revalidations"][0]["outcome"] == "still passing"
    assert systems["acme-corp-db"]["changes"]
    assert "newly failing" in run(impact_command, "1.0.0", "1.1.0").output

    still = run(records_group, "check", str(data), "--profile", "gif-corporation@1.0.0")
    assert "verdict / 判定: pass" in still.output
    now = run(records_group, "check", str(data), "--profile", "gif-corporation@1.1.0", code=1)
    assert "verdict / 判定: fail" in now.output
    assert "deprecated" in now.output and CORE + "name" in now.output

    stats = json.loads(run(stats_command, "--json").output)
    assert stats["records"] == 2 and stats["passing"] == 2
    assert any(t["term"] == CORE + "corporateNumber" for t in stats["terms"])

    # The same verdicts through the main command, `cityref validate ID@VERSION`.
    assert run(cli, "validate", str(data), "--profile", "gif-corporation@1.0.0").exit_code == 0
    failing = run(
        cli, "validate", str(data), "--profile", "gif-corporation@1.1.0", "--lang", "en", code=1
    )
    assert "deprecated" in failing.output and CORE + "name" in failing.output
    recorded = run(
        cli,
        "validate",
        str(phone),
        "--profile",
        "gif-corporation@1.1.0",
        "--record",
        "other-db",
        code=1,  # a deprecation warning: not conforming, though the record's verdict is pass
    )
    assert "recorded:" in recorded.output and "(pass)" in recorded.output
