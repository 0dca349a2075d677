"""Input adapters: encodings, header matching, locations, and clear errors for bad input."""

from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import unquote

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from cityref.inputs import Converted, InputDataError, Upload, read_input
from cityref.inputs.csv_header import match_header, normalise
from cityref.inputs.encoding import decode_text
from cityref.inputs.ngsi_ld_input import convert_ngsi_ld
from cityref.profiles import check_input
from cityref.profiles.detection import NoProfileDetected, detect_profile
from cityref.profiles.registry import Profile, ProfileNotFound, load_profile
from cityref.validation import Engine, ValidationOptions
from tests.conftest import REPO_MODEL

XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
AED = load_profile("ods-aed", REPO_MODEL)
HEADER = ",".join(c.title for c in AED.table_schema().columns)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "wrong"),
    [("131016", False), ("011002", False), ("222127", False), ("122033", False), ("131017", True)],
)
def test_check_digit_of_known_codes(code: str, wrong: bool) -> None:
    """Known 全国地方公共団体コード pass the shared check-digit check; a wrong digit fails."""
    row = ",".join(
        code if c.title == "全国地方公共団体コード" else "" for c in AED.table_schema().columns
    )  # type: ignore[union-attr]
    check = check_input(f"{HEADER}\r\n{row}\r\n".encode(), "aed.csv", "ods-aed", model=REPO_MODEL)
    found = [x.result.component_name for x in check.located]
    assert ("LgCodeCheckDigit" in found) == wrong, found


def test_encodings_are_detected() -> None:
    text = "名称,緯度\r\n市役所,35.0\r\n"
    assert decode_text(b"\xef\xbb\xbf" + text.encode(), "a.csv") == (text, "utf-8-sig")
    assert decode_text(text.encode(), "a.csv") == (text, "utf-8")
    assert decode_text(text.encode("cp932"), "a.csv") == (text, "cp932")
    half_width = "ｼﾔｸｼｮ".encode("cp932")
    assert decode_text(half_width, "a.csv")[1] == "cp932"


def test_undecodable_bytes_name_the_line() -> None:
    with pytest.raises(InputDataError) as err:
        decode_text(b"ok\n\x82", "bad.csv")
    assert err.value.location is not None and err.value.location.line == 2


def test_header_findings_column_by_column() -> None:
    schema = AED.table_schema()
    assert schema is not None
    header = [c.title for c in schema.columns if c.title != "名称"]
    header[header.index("名称_カナ")] = "名称_ｶﾅ"
    header.append("独自列")
    match = match_header(header, schema)
    kinds = {(f.kind, f.found, f.expected) for f in match.findings}
    assert ("misspelt", "名称_ｶﾅ", "名称_カナ") in kinds
    assert ("unknown", "独自列", None) in kinds
    assert ("missing", None, "名称") in kinds
    assert normalise("都道府県コ―ド") == normalise("都道府県コード")


def _converted(data: bytes, name: str, profile: Profile) -> Converted | None:
    """The RDF a profile's input format makes of ``data``."""
    return read_input(Upload(data, name), profile.input_kind, profile.table_schemas()).converted


def test_csv_locations_are_spreadsheet_rows() -> None:
    data = (HEADER + "\r\n" + "\r\n" + "," * HEADER.count(",") + "\r\n").encode()
    conv = _converted(data, "x.csv", AED)
    assert conv is not None
    assert b"urn:cityref:input:x.csv#row=1" in conv.ntriples


def test_csv_cells_become_the_same_literals_whatever_they_hold() -> None:
    """Quotes, backslashes, line breaks, tabs and control characters survive as written;
    a valid decimal is typed, full-width digits and blank cells are not."""
    schema = AED.table_schema()
    assert schema is not None
    titles = [c.title for c in schema.columns]
    name_col, lat_col = titles.index("名称"), titles.index("緯度")
    tricky = ['市役所 "本庁舎"', "back\\slash", "two\nlines", "tab\there", "bell\x07", "{x}"]
    rows = []
    for text in tricky:
        cells = [""] * len(titles)
        cells[name_col], cells[lat_col] = text, "35.6895"
        rows.append(cells)
    rows[0][lat_col] = "３５.６"  # full-width digits: text, so sh:datatype reports it
    rows[1][lat_col] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([titles, *rows])
    conv = _converted(out.getvalue().encode(), "t.csv", AED)
    assert conv is not None
    graph = list(parse(conv.ntriples, RdfFormat.N_TRIPLES))
    by_row: dict[tuple[str, str], Literal] = {}
    for t in graph:
        column = t.predicate.value.rsplit("/", 1)[-1]
        if isinstance(t.object, Literal):
            by_row[(t.subject.value.rsplit("=", 1)[-1], unquote(column))] = t.object
    for number, text in enumerate(tricky, start=2):
        assert by_row[(str(number), "名称")].value == text
    assert by_row[("2", "緯度")] == Literal("３５.６")
    assert ("3", "緯度") not in by_row
    assert by_row[("4", "緯度")] == Literal("35.6895", datatype=NamedNode(XSD_DECIMAL))


def test_a_header_without_rows_validates() -> None:
    check = check_input((HEADER + "\r\n").encode(), "header-only.csv", "ods-aed", model=REPO_MODEL)
    assert check.converted is not None and check.converted.triple_count >= 1
    assert check.report.conforms


def test_empty_csv_is_a_clear_error() -> None:
    with pytest.raises(InputDataError, match="no header row"):
        _converted(b"", "empty.csv", AED)


def test_not_a_zip_is_a_clear_error() -> None:
    with pytest.raises(InputDataError, match="not a readable zip"):
        _converted(b"PK\x03\x04garbage", "feed.zip", load_profile("gtfs-jp", REPO_MODEL))


def test_bad_json_names_line_and_column() -> None:
    with pytest.raises(InputDataError, match=r"line 2, column"):
        convert_ngsi_ld(b'{"id": "urn:x",\n "type": }', "e.json")


def test_remote_context_is_never_fetched() -> None:
    doc = b'{"id": "urn:a", "type": "T", "@context": "https://example.org/ctx.jsonld"}'
    conv = convert_ngsi_ld(doc, "e.json")
    assert b"remoteContext" in conv.ntriples
    assert b"https://uri.etsi.org/ngsi-ld/default-context/T" in conv.ntriples


def test_key_values_become_properties() -> None:
    doc = (
        b'{"id": "urn:a", "type": "T", "speed": 3,'
        b' "location": {"type": "Point", "coordinates": [139.7, 35.6]}}'
    )
    nt = convert_ngsi_ld(doc, "kv.json").ntriples.decode()
    assert "<urn:cityref:input:kv.json#/speed> <https://uri.etsi.org/ngsi-ld/hasValue>" in nt
    assert "GeoProperty" in nt


def test_detection_from_header_zip_and_json() -> None:
    assert detect_profile(HEADER.encode("cp932"), "aed.csv", REPO_MODEL).profile.id == "ods-aed"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("agency.txt", "routes.txt", "trips.txt", "stops.txt", "stop_times.txt"):
            z.writestr(name, "x\n")
    assert detect_profile(buf.getvalue(), "feed.zip", REPO_MODEL).profile.id == "gtfs-jp"
    assert (
        detect_profile(b'{"id": "urn:a", "type": "T"}', "e.json", REPO_MODEL).profile.id
        == "ngsi-ld-entity"
    )
    with pytest.raises(NoProfileDetected):
        detect_profile(b"a,b,c\r\n1,2,3\r\n", "other.csv", REPO_MODEL)
    with pytest.raises(NoProfileDetected):
        detect_profile(b"<a> <b> <c> .", "data.nt", REPO_MODEL)


def test_profile_versions() -> None:
    assert load_profile("ods-aed@1.0.0", REPO_MODEL).id == "ods-aed"
    with pytest.raises(ProfileNotFound, match="version"):
        load_profile("ods-aed@9.9", REPO_MODEL)
    with pytest.raises(ProfileNotFound, match="known"):
        load_profile("no-such-profile", REPO_MODEL)


def test_check_input_detects_and_locates() -> None:
    from cityref.outcome import renderer
    from cityref.profiles import check_input
    from cityref.validation import Language

    header = "都道府県コ―ド又は市区町村コード,NO,名称,名称_カナ,住所,設置位置,電話番号"
    data = (header + "\r\n131016,1,本庁舎,ホンチョウシャ,東京都,1階,03 5253 2111\r\n").encode()
    result = check_input(data, "aed.csv", model=REPO_MODEL)
    assert result.profile.id == "legacy-aed"
    assert "legacy-aed" in str(result.profile_note())
    text = renderer("text").render(result, Language.EN)
    assert "aed.csv:2:電話番号: Violation:" in text
    assert "aed.csv:1:都道府県コ―ド又は市区町村コード: Warning:" in text


@pytest.mark.parametrize("engine", [Engine.COLUMNS, Engine.COMPILED])
def test_an_untitled_header_cell_over_values_is_reported_by_its_position(engine: Engine) -> None:
    """An empty header cell whose column holds a value is a warning on row 1 naming the
    column's position; one over empty cells only (a trailing comma) says nothing."""
    titles = HEADER.split(",")
    header = ",".join([*titles[:2], "", *titles[2:], ""])
    row = ",".join(["", "", "a value", *[""] * (len(titles) - 2), ""])
    data = f"{header}\r\n{row}\r\n".encode()
    options = ValidationOptions(engine=engine, max_results=None)
    check = check_input(data, "aed.csv", "ods-aed", options, model=REPO_MODEL)
    untitled = [
        x for x in check.located if x.result.component_name == "SPARQL" and x.location is not None
    ]
    assert [(x.location.row, x.location.column) for x in untitled if x.location] == [(1, "3")]
    result = untitled[0].result
    assert result.severity.value.endswith("#Warning")
    assert sorted((m.language, m.value) for m in result.messages) == [
        ("en", "Column 3 has no header (its values are not checked)."),
        ("ja", "列 3 の見出しがありません（値は検査しません）。"),
    ]
    assert not any(x.location and x.location.column == "" for x in check.located)
