"""The city OS in depth, the standards an architect must name and the Super City legal frame
(issue 17): shapes/quality/scra.ttl holds on ontology/ plus registry/, with pySHACL and with
the compiled engine, and each of its shapes bites when what it guards is removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, Namespace, URIRef
from rdflib.term import Node

from cityref.validation import Document, validate_documents

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "shapes" / "quality" / "scra.ttl"
CQ = "https://w3id.org/cityref/shapes/quality/"
SH = Namespace("http://www.w3.org/ns/shacl#")
REG = Namespace("https://w3id.org/cityref/def/registry#")
LANDSCAPE = Namespace("https://w3id.org/cityref/def/landscape#")
SCRA = Namespace("https://w3id.org/cityref/def/scra/")
STD = Namespace("https://w3id.org/cityref/registry/standard/")
ZONE = Namespace("https://w3id.org/cityref/registry/landscape/zone/")
LAW = Namespace("https://w3id.org/cityref/registry/landscape/law/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCTERMS = Namespace("http://purl.org/dc/terms/")


def model_files() -> list[Path]:
    return sorted((ROOT / "ontology").rglob("*.ttl")) + sorted((ROOT / "registry").rglob("*.ttl"))


@pytest.fixture(scope="module")
def model() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in model_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


def violated(data: rdflib.Graph, shapes: rdflib.Graph) -> set[str]:
    """The named shapes (relative to the quality namespace) with at least one violation."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    names: set[str] = set()
    for source in report.objects(None, SH.sourceShape):
        parents = list(shapes.subjects(SH.property, source)) or [source]
        names |= {str(s).removeprefix(CQ) for s in parents if isinstance(s, URIRef)}
    return names


def test_model_meets_the_city_os_shapes(model: rdflib.Graph, shapes: rdflib.Graph) -> None:
    assert violated(model, shapes) == set()


def test_compiled_engine_agrees() -> None:
    documents = [Document(p.read_bytes(), "turtle", str(p)) for p in model_files()]
    report = validate_documents(documents, Document(SHAPES.read_bytes(), "turtle"))
    assert report.conforms, report.results[:5]


def test_every_function_group_has_blocks_and_every_block_a_standard_or_a_gap(
    model: rdflib.Graph,
) -> None:
    groups = set(model.subjects(RDF.type, LANDSCAPE.CityOSFunctionGroup))
    blocks = set(model.subjects(RDF.type, LANDSCAPE.CityOSFunctionBlock))
    assert len(groups) == 8
    assert {g for b in blocks for g in model.objects(b, SKOS.broader)} == groups
    standards = set(model.subjects(RDF.type, DCTERMS.Standard))  # laws serve blocks too
    implemented = {b for b in blocks if set(model.subjects(REG.servesFunctionBlock, b)) & standards}
    gaps = set(model.objects(SCRA["blocks-without-standard"], SKOS.member))
    assert implemented | gaps == blocks and not implemented & gaps


def drop(graph: rdflib.Graph, s: Node | None, p: Node | None, o: Node | None) -> None:
    for triple in list(graph.triples((s, p, o))):
        graph.remove(triple)


def drop_group_blocks(g: rdflib.Graph) -> None:  # the city OS is shallow again
    for block in list(g.subjects(SKOS.broader, SCRA.operation)):
        drop(g, block, SKOS.broader, SCRA.operation)


def drop_brokering_standards(g: rdflib.Graph) -> None:  # a block loses its standards
    drop(g, None, REG.servesFunctionBlock, SCRA["data-brokering"])


def stale_gap(g: rdflib.Graph) -> None:  # a block on the gap list gets a standard
    g.add((STD["iso-iec-27001"], REG.servesFunctionBlock, SCRA["system-management"]))


CHANGES: dict[str, tuple[Callable[[rdflib.Graph], None], str]] = {
    "group-without-blocks": (drop_group_blocks, "ScraGroupHasBlocks"),
    "block-without-standard": (drop_brokering_standards, "ScraBlockHasStandardOrGap"),
    "stale-gap": (stale_gap, "ScraBlockHasStandardOrGap"),
    "api-category": (lambda g: drop(g, SCRA["authentication-api"], None, None), "ScraApiCategory"),
    "layers": (lambda g: drop(g, None, LANDSCAPE.inLayer, None), "LayerIsLinked"),
    "ngsi-v2-homepage": (
        lambda g: drop(g, STD["ngsi-v2"], FOAF.homepage, None),
        "ArchitectsStandard",
    ),
    "ismap": (lambda g: drop(g, STD.ismap, None, None), "ArchitectsStandard"),
    "authorisation": (
        lambda g: drop(g, None, REG.servesFunctionBlock, SCRA.authorisation),
        "AuthenticationIsCovered",
    ),
    "super-city-act": (
        lambda g: drop(g, LAW["super-city-amendment-2020"], None, None),
        "SuperCityLaw",
    ),
    "zone-date": (
        lambda g: drop(g, ZONE.osaka, LANDSCAPE.designationDecided, None),
        "SuperCityZone",
    ),
    "zones": (lambda g: drop(g, ZONE.tsukuba, LANDSCAPE.partOf, None), "SuperCityProgramme"),
    "operator": (
        lambda g: drop(g, None, LANDSCAPE.establishedBy, None),
        "DataLinkagePlatformOperator",
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_shape_bites(model: rdflib.Graph, shapes: rdflib.Graph, name: str) -> None:
    change, shape = CHANGES[name]
    broken = rdflib.Graph()
    broken += model
    change(broken)
    assert shape in violated(broken, shapes)
