"""Input formats are one module each, listed once in the registry: a format defined here and
added to the registry reads, detects and validates end to end with no other module edited."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.inputs import (
    INPUT_FORMATS,
    Candidate,
    Converted,
    Detection,
    InputFormat,
    InputLimits,
    ReadInput,
    UnknownInputFormat,
    Upload,
    format_for_media_type,
    identify_format,
    input_format,
)
from cityref.inputs import registry as input_registry
from cityref.inputs.csv_header import TableSchema
from cityref.inputs.format import converted_input
from cityref.inputs.model import RDF_TYPE, row_iri
from cityref.outcome.data import outcome_data
from cityref.profiles import check_input, detect_profile
from cityref.profiles.registry import read_profile
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual
from cityref.validation import Language
from tests.conftest import REPO_MODEL

TOY = "urn:toy:"
SIGNATURE = b"#toy\n"


def _read_toy(upload: Upload, tables: Sequence[TableSchema], limits: InputLimits) -> ReadInput:
    """``key: value`` lines after a ``#toy`` line; a blank line starts the next record, and
    each record is named by its first line, so results point at that line."""
    triples: list[Triple] = []
    columns: dict[str, str] = {}
    record: NamedNode | None = None
    for number, line in enumerate(upload.data.decode("utf-8").splitlines(), start=1):
        if number == 1 or not line.strip():
            record = None
            continue
        if record is None:
            record = NamedNode(row_iri(upload.name, number))
            triples.append(Triple(record, NamedNode(RDF_TYPE), NamedNode(TOY + "Record")))
        key, _, value = line.partition(":")
        predicate = TOY + key.strip()
        columns[predicate] = key.strip()
        triples.append(Triple(record, NamedNode(predicate), Literal(value.strip())))
    ntriples = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    return converted_input(Converted(upload.name, "toy", ntriples, len(triples), columns))


def _detect_toy(upload: Upload, candidates: Sequence[Candidate], limits: InputLimits) -> Detection:
    if not candidates:
        return Detection(None, 0.0, Bilingual("toy のプロファイルがありません", "no toy profile"))
    return Detection(candidates[0].profile_id, 1.0, Bilingual("toy のファイル", "a toy file"))


TOY_FORMAT = InputFormat(
    id="toy",
    title=Bilingual("おもちゃのレコード", "Toy records"),
    media_types=("text/x-toy",),
    suffixes=(".toy",),
    sniff=lambda head: head.startswith(SIGNATURE),
    read=_read_toy,
    detect=_detect_toy,
)

PROFILE_TTL = """
@prefix prof: <http://www.w3.org/ns/dx/prof/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix common: <https://w3id.org/cityref/shapes/common/> .
<urn:toy:profile> a prof:Profile ;
    dcterms:identifier "toy-people" ; owl:versionInfo "0.1.0" ;
    dcterms:title "人"@ja , "People"@en ;
    common:inputKind "toy" .
"""
SHAPES_TTL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix toy: <urn:toy:> .
toy:RecordShape a sh:NodeShape ; sh:targetClass toy:Record ;
    sh:property [ sh:path toy:name ; sh:minCount 1 ] ;
    sh:property [ sh:path toy:age ; sh:pattern "^[0-9]+$" ] .
"""
PEOPLE = b"#toy\nname: Ann\nage: 3\n\nage: three\n"


@pytest.fixture
def toy_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The toy format added to the registry's one list, as its module's line would."""
    monkeypatch.setattr(input_registry, "INPUT_FORMATS", (*INPUT_FORMATS, TOY_FORMAT))


@pytest.fixture
def toy_shapes(tmp_path: Path) -> Path:
    """A shapes tree holding one profile that reads the toy format."""
    folder = tmp_path / "shapes" / "toy-people"
    folder.mkdir(parents=True)
    (folder / "profile.ttl").write_text(PROFILE_TTL, encoding="utf-8")
    (folder / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    return tmp_path / "shapes"


def _model(shapes: Path) -> ModelFiles:
    """The temporary tree holding the toy profile's shapes/ folder."""
    return ModelFiles(shapes.parent, REPO_MODEL.base_iri)


@pytest.mark.usefixtures("toy_registered")
def test_a_registered_format_validates_end_to_end_with_locations(toy_shapes: Path) -> None:
    profile = read_profile(toy_shapes / "toy-people", _model(toy_shapes))
    check = check_input(PEOPLE, "people.toy", profile=profile, model=_model(toy_shapes))
    assert not check.report.conforms and check.file == "people.toy"
    results = outcome_data(check, Language.JA)["results"]
    found = {(e["file"], e["row"], e["column"], e["component"]) for e in results}
    assert found == {("people.toy", 5, "name", "MinCount"), ("people.toy", 5, "age", "Pattern")}
    assert all("「" in e["message"] for e in results)  # the components' Japanese messages


@pytest.mark.usefixtures("toy_registered")
def test_a_registered_format_is_recognised_and_detects_its_profile(toy_shapes: Path) -> None:
    assert identify_format(Upload(PEOPLE, "upload")) is TOY_FORMAT  # by its signature
    assert identify_format(Upload(b"name: Ann\n", "people.toy")) is TOY_FORMAT  # by suffix
    assert format_for_media_type("text/x-toy; charset=utf-8") is TOY_FORMAT
    match = detect_profile(PEOPLE, "upload", _model(toy_shapes), media_type="text/x-toy")
    assert (match.profile.id, match.input_format, match.reason.en) == (
        "toy-people",
        TOY_FORMAT,
        "a toy file",
    )


def test_without_its_registration_the_format_is_unknown() -> None:
    with pytest.raises(UnknownInputFormat, match="no input format 'toy'"):
        input_format("toy")
    with pytest.raises(UnknownInputFormat, match="cannot tell what kind of data"):
        identify_format(Upload(b"name: Ann\n", "people.toy"))


def test_every_registered_format_declares_what_the_others_ask_for() -> None:
    ids = [f.id for f in INPUT_FORMATS]
    assert len(ids) == len(set(ids)) == 4
    for fmt in INPUT_FORMATS:
        assert fmt.title.en and fmt.title.ja, fmt.id
        assert fmt.media_types and all("/" in t for t in fmt.media_types), fmt.id
        assert fmt.suffixes and all(s.startswith(".") for s in fmt.suffixes), fmt.id


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (Upload(b"a,b\n1,2\n", "upload", "text/csv"), "csv"),
        (Upload(b"a,b\n1,2\n", "aed.csv"), "csv"),
        (Upload(b"PK\x03\x04rest", "feed.bin"), "gtfs"),
        (Upload(b"\xef\xbb\xbf [{}]", "entities"), "ngsi-ld"),
        (Upload(b"{}", "upload", "application/ld+json"), "ngsi-ld"),
        (Upload(b"@prefix ex: <urn:x:> .", "data"), "rdf"),
        (Upload(b"<a> <b> <c> .", "upload", "application/n-triples"), "rdf"),
        (Upload(b"<a> <b> <c> .", "data.nt"), "rdf"),
    ],
)
def test_formats_are_told_by_media_type_then_signature_then_suffix(
    upload: Upload, expected: str
) -> None:
    assert identify_format(upload).id == expected


def test_the_input_formats_do_not_load_the_profiles() -> None:
    """Profiles reach formats as data; importing every format loads no profile code."""
    code = (
        "import sys, cityref.inputs, cityref.inputs.registry;"
        "print(sorted(m for m in sys.modules if m.startswith('cityref.profiles')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
