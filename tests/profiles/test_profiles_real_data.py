"""Real files published by municipalities, a bus operator and FIWARE go through detection,
the input adapters and the engine as they are: no input error, and every result says where
(file, row and column, or a JSON pointer). What they find is described in docs/real-data.md."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cityref.inputs import InputLimits, Upload, locate_report
from cityref.profiles.detection import detect_profile
from cityref.validation import Document, ValidationOptions, validate_documents
from tests.conftest import REAL_DATA, REPO_MODEL

FILES = sorted(p for p in REAL_DATA.rglob("*") if p.is_file())
EXPECTED_PROFILE = {
    "122033_101_public_facility.csv": "ods-public-facility",
    "122033_102_cultural_property.csv": "ods-cultural-property",
    "122033_103_evacuation_space.csv": "ods-evacuation-site",
    "122033_104_population.csv": "ods-population-by-area-age",
    "122033_106_open_data_list.csv": "ods-open-data-list",
    "122033_107_public_wireless_lan.csv": "ods-public-wifi",
    "122033_105_preschool.csv": "ods-childcare-facility",
    "122033_108_aed.csv": "ods-aed",
    "122033_109_care_service.csv": "ods-care-service",
    "122033_201_multipurpose_toilet.csv": "ods-public-toilet",
    "131083_educational_institution.csv": "ods-educational-institution",
    "132195_aed.csv": "legacy-aed",
    "222127_aed.csv": "legacy-aed",
    "222127_fire_hydrant.csv": "ods-fire-water-supply",
    "222127_evacuation_space.csv": "legacy-evacuation-site",
    "222127_preschool.csv": "legacy-childcare-facility",
    "222127_public_toilet.csv": "ods-public-toilet",
    "222127_public_wireless_lan.csv": "legacy-public-wifi",
    "222127_tourism_sights.csv": "legacy-tourist-facility",
    "222127_library.csv": "legacy-public-facility",
    "donanbus-gtfs-jp.zip": "gtfs-jp-v2",
    "OffStreetParking-example-normalized.jsonld": "ngsi-ld-entity",
}


DOC = Path(__file__).resolve().parents[2] / "docs" / "real-data.md"


def _doc_summary() -> dict[str, str]:
    """file -> results column of the summary table of docs/real-data.md."""
    rows: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and "/" in cells[0] and not cells[0].startswith("-"):
            rows[cells[0]] = cells[3]
    return rows


DOC_SUMMARY = _doc_summary()


def test_real_data_is_there() -> None:
    assert {p.name for p in FILES} == set(EXPECTED_PROFILE), "real files changed; update this test"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_file(path: Path) -> None:
    data = path.read_bytes()
    match = detect_profile(data, path.name, REPO_MODEL)
    assert match.profile.id == EXPECTED_PROFILE[path.name]
    read = match.input_format.read(
        Upload(data, path.name), match.profile.table_schemas(), InputLimits()
    ).rebased(match.profile.model)
    converted = read.converted
    assert converted is not None
    shapes = Document(match.profile.shapes(), "turtle", match.profile.id)
    report = validate_documents([read.document], shapes, ValidationOptions(max_results=None))
    located = locate_report(report, [converted], match.profile.shape_columns())
    where: Counter[str] = Counter()
    for item in located:
        loc = item.location
        assert loc is not None, item.result
        assert loc.pointer is not None or (loc.row is not None and loc.column), item.result
        where[loc.file] += 1
    assert all(f.startswith(path.name) for f in where)
    severities = Counter(r.severity.value.rsplit("#", 1)[-1].lower() for r in report.results)
    summary = ", ".join(
        f"{n} {sev}{'s' if n != 1 else ''}"
        for sev in ("violation", "warning", "info")
        if (n := severities[sev])
    )
    assert DOC_SUMMARY[f"{path.parent.name}/{path.name}"] == (summary or "none"), (
        "docs/real-data.md summary table is out of date"
    )
