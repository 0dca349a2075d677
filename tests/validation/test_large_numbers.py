"""Decimals and integers beyond what Oxigraph holds (more than 18 fractional digits, outside
64 bits) are valid XSD values: sh:datatype accepts them and range constraints compare them
exactly, as pySHACL does (issue 15, found by the column differential test)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cityref.inputs.csv_input import convert_csv
from cityref.profiles.conformance import check_input
from cityref.tabular import check_csv_columns
from cityref.validation import Document, Engine, ValidationOptions, validate, validate_documents
from tests.conftest import REPO, REPO_MODEL
from tests.validation.test_columns_engine import PREFIXES as COLUMN_PREFIXES
from tests.validation.test_columns_engine import TABLE
from tests.validation.test_differential import PREFIXES, compare

LONG_FRACTION = '"1.1234567890123456789"^^xsd:decimal'
BEYOND_64_BITS = '"9223372036854775808"^^xsd:integer'
NEGATIVE_HUGE = '"-100000000000000000000"^^xsd:integer'


def components(data: str, shapes: str) -> list[str]:
    """The component names the compiled engine reports, sorted."""
    options = ValidationOptions(engine=Engine.COMPILED, max_results=None)
    data_bytes, shapes_bytes = (PREFIXES + data).encode(), (PREFIXES + shapes).encode()
    report = validate(data_bytes, "turtle", shapes_bytes, "turtle", options)
    return sorted(r.component_name for r in report.results)


def shape(constraint: str) -> str:
    """A shape applying ``constraint`` to the ex:p values of ex:n0."""
    target = "ex:S a sh:NodeShape ; sh:targetNode ex:n0"
    return f"{target} ; sh:property [ sh:path ex:p ; {constraint} ] ."


CASES = [
    # (the value, the constraint, the components it breaks)
    (LONG_FRACTION, "sh:datatype xsd:decimal", []),
    ('"154.000000000000000000001"^^xsd:decimal', "sh:datatype xsd:decimal", []),
    ('"-.5"^^xsd:decimal', "sh:datatype xsd:decimal", []),
    ('"1.2.3"^^xsd:decimal', "sh:datatype xsd:decimal", ["Datatype"]),
    (BEYOND_64_BITS, "sh:datatype xsd:integer", []),
    (NEGATIVE_HUGE, "sh:datatype xsd:integer", []),
    ('"1.5"^^xsd:integer', "sh:datatype xsd:integer", ["Datatype"]),
    ('"18446744073709551615"^^xsd:unsignedLong', "sh:datatype xsd:unsignedLong", []),
    ('"100000000000000000000000"^^xsd:positiveInteger', "sh:datatype xsd:positiveInteger", []),
    ('"-000"^^xsd:positiveInteger', "sh:datatype xsd:positiveInteger", ["Datatype"]),
    ('"-100000000000000000000000"^^xsd:negativeInteger', "sh:datatype xsd:negativeInteger", []),
    ('"-0"^^xsd:nonNegativeInteger', "sh:datatype xsd:nonNegativeInteger", []),
    ('"+0"^^xsd:nonPositiveInteger', "sh:datatype xsd:nonPositiveInteger", []),
    (LONG_FRACTION, "sh:minInclusive 1.1234567890123456789", []),
    (LONG_FRACTION, "sh:minInclusive 1.12345678901234567891", ["MinInclusive"]),
    (LONG_FRACTION, "sh:minExclusive 1.1234567890123456789", ["MinExclusive"]),
    (LONG_FRACTION, "sh:maxInclusive 1.12345678901234567889", ["MaxInclusive"]),
    (LONG_FRACTION, "sh:maxExclusive 2", []),
    ("1", "sh:maxExclusive 1.00000000000000000000001", []),
    ("1", "sh:minExclusive 1.00000000000000000000001", ["MinExclusive"]),
    (BEYOND_64_BITS, "sh:maxInclusive 9223372036854775807", ["MaxInclusive"]),
    (BEYOND_64_BITS, "sh:minInclusive 0 ; sh:maxExclusive 9223372036854775809", []),
    (NEGATIVE_HUGE, "sh:minInclusive 0", ["MinInclusive"]),
    (NEGATIVE_HUGE, "sh:maxInclusive -99999999999999999999", []),
    ('"abc"', "sh:minInclusive 0", ["MinInclusive"]),
]


@pytest.mark.parametrize(("value", "constraint", "broken"), CASES)
def test_large_numbers_are_judged_exactly_and_as_pyshacl_does(
    value: str, constraint: str, broken: list[str]
) -> None:
    data = f"ex:n0 ex:p {value} ."
    assert components(data, shape(constraint)) == broken
    assert compare(PREFIXES + data, PREFIXES + shape(constraint))


def test_an_unsigned_long_past_its_range_is_ill_typed() -> None:
    """pySHACL (rdflib) does not check this one; XSD bounds unsignedLong by 2^64 - 1."""
    data = 'ex:n0 ex:p "18446744073709551616"^^xsd:unsignedLong .'
    assert components(data, shape("sh:datatype xsd:unsignedLong")) == ["Datatype"]


FACILITIES = REPO / "shapes" / "ods-public-facility" / "examples" / "valid" / "full.csv"


def _facilities_with_long_numbers() -> bytes:
    """The profile's full example, with a long latitude, longitude and altitude on row 2 and
    a latitude just past the profile's maximum (46.0) by 10^-22 on row 3."""
    header, first, second, *rest = FACILITIES.read_bytes().decode("utf-8").splitlines()
    first = first.replace("35.681236", "35.6812360000000000000000001")
    first = first.replace("139.767125", "139.76712500000000000000001")
    first = first.replace(",1.5,", ",123456789012345678901234567890.5,")
    second = second.replace("35.681236", "46.0000000000000000000001")
    return "\r\n".join([header, first, second, *rest, ""]).encode("utf-8")


@pytest.mark.parametrize("engine", [Engine.COLUMNS, Engine.COMPILED, Engine.PYSHACL])
def test_a_facility_list_with_long_decimals_is_judged_exactly(engine: Engine) -> None:
    options = ValidationOptions(engine=engine, max_results=None)
    data = _facilities_with_long_numbers()
    outcome = check_input(data, "facilities.csv", "ods-public-facility", options, model=REPO_MODEL)
    located = [
        (r.location.row, r.location.column, r.result.component_name, str(r.result.value.value))
        for r in outcome.located
        if r.location is not None and r.result.value is not None
    ]
    assert located == [(3, "緯度", "MaxInclusive", "46.0000000000000000000001")]


LONG_CSV = (
    "name,size,count,start,end\n"
    "a,1.1234567890123456789,9223372036854775808,,\n"
    "b,154.000000000000000000001,-100000000000000000000,,\n"
    "c,1.5,1,,\n"
)
COLUMN_CASES = [
    # (the constraint, the rows that break it)
    ("ex:size sh:datatype xsd:decimal", []),
    ("ex:count sh:datatype xsd:integer", []),
    ("ex:size sh:minInclusive 1.12345678901234567891", ["2"]),
    ("ex:size sh:maxExclusive 154.000000000000000000001", ["3"]),
    ("ex:count sh:maxInclusive 9223372036854775807", ["2"]),
    ("ex:count sh:minExclusive -100000000000000000000", ["3"]),
]


@pytest.mark.parametrize(("constraint", "rows"), COLUMN_CASES)
def test_the_column_engine_judges_long_cells_as_the_compiled_one(
    constraint: str, rows: list[str]
) -> None:
    path, _, rest = constraint.partition(" ")
    body = (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Record ; sh:property ex:P .\n"
        f"ex:P a sh:PropertyShape ; sh:path {path} ; {rest} ."
    )
    shapes = Document((COLUMN_PREFIXES + body).encode(), "turtle", "<test shapes>")
    converted = convert_csv(LONG_CSV.encode(), "t.csv", TABLE)
    rdf = Document(converted.ntriples, "ntriples", canonical=True)
    options = ValidationOptions(max_results=None)
    compiled = validate_documents([rdf], shapes, options).results
    columns = replace(options, engine=Engine.COLUMNS)
    report, _ = check_csv_columns(
        LONG_CSV.encode(), "t.csv", TABLE, shapes, columns, model=REPO_MODEL
    )
    rows_of = [str(r.focus.value).rpartition("=")[2] for r in compiled]
    assert sorted(rows_of) == rows
    assert sorted(map(str, report.results)) == sorted(map(str, compiled))
