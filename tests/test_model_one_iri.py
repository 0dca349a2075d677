"""One concept, one IRI (issue 17): the audit's duplicates stay merged or related, old IRIs
stay resolvable and say where the concept went, and an organisation may be a facility.

Reads the Turtle sources directly, as tests/test_vocabulary.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, Namespace, URIRef

from cityref.registry.proposals import list_proposals
from tests.test_vocabulary import closure, inconsistencies, load, turtle_files

ROOT = Path(__file__).resolve().parents[1]
DEF = "https://w3id.org/cityref/def/"
CORE = Namespace(DEF + "core#")
LANDSCAPE = Namespace(DEF + "landscape#")
LAW = Namespace("https://w3id.org/cityref/registry/landscape/law/")
DCT = Namespace("http://purl.org/dc/terms/")
STATUS = Namespace(DEF + "status/")
DPV = Namespace("https://w3id.org/dpv#")

#: The audit's duplicates: the deprecated IRI and the one that replaces it.
MERGED = {
    LANDSCAPE.Organisation: CORE.Organization,
    CORE.NextGenerationMedicalInfrastructureAct: LAW["next-generation-medical-infrastructure-act"],
    CORE.BankingAct: LAW["banking-act"],
    URIRef(DEF + "agriculture#platformDataProvider"): CORE.dataProvider,
    URIRef(DEF + "cityos#listedIn"): CORE.inCatalog,
    URIRef(DEF + "health#researchPurpose"): CORE.purpose,
    URIRef(DEF + "cityos#consentPurpose"): CORE.purpose,
}
#: Where two IRIs differ in meaning, the narrower one is a subclass of the broader.
RELATED = {
    LANDSCAPE.Agency: CORE.GovernmentOrganization,
    URIRef(DEF + "government#DataStandard"): LANDSCAPE.Standard,
    LANDSCAPE.StandardsBody: CORE.Organization,
}


@pytest.fixture(scope="module")
def model() -> rdflib.Graph:
    return load(turtle_files("ontology", "registry/landscape", "registry/standards"))


@pytest.mark.parametrize("old", sorted(MERGED), ids=lambda iri: str(iri).rsplit("/", 1)[-1])
def test_a_merged_duplicate_is_deprecated_in_favour_of_one_iri(
    model: rdflib.Graph, old: URIRef
) -> None:
    assert (old, OWL.deprecated, Literal(True)) in model
    assert (old, CORE.status, STATUS.deprecated) in model
    assert set(model.objects(old, DCT.isReplacedBy)) == {MERGED[old]}
    # ... and nothing in the model uses it any more: only its own description names it.
    uses = {(s, p) for s, p, o in model if o == old and s != old}
    assert not uses, sorted(uses)
    # It went through the proposal process.
    accepted = [p for p in list_proposals(ROOT) if p.status in ("accepted", "merged")]
    assert any(p.kind == "deprecate-term" and str(old) in p.targets for p in accepted)


@pytest.mark.parametrize("narrow", sorted(RELATED), ids=lambda iri: str(iri).rsplit("/", 1)[-1])
def test_a_narrower_concept_is_a_subclass_of_the_broader(
    model: rdflib.Graph, narrow: URIRef
) -> None:
    assert (narrow, RDFS.subClassOf, RELATED[narrow]) in model


def test_every_platform_the_seed_names_has_its_domain_platform_class(
    model: rdflib.Graph,
) -> None:
    platforms = set(model.subjects(RDF.type, LANDSCAPE.Platform))
    assert len(platforms) >= 12
    domain_classes = {c for c in model.subjects(RDFS.subClassOf, LANDSCAPE.Platform)}
    assert len(domain_classes) >= 7
    untyped = [p for p in platforms if not set(model.objects(p, RDF.type)) & domain_classes]
    assert not untyped, sorted(str(p) for p in untyped)


def test_every_law_cited_as_a_legal_basis_is_one_registry_record(model: rdflib.Graph) -> None:
    cited = {
        o
        for p in (CORE.legalBasis, CORE.applicableLaw, DPV.hasLegalBasis, DPV.hasApplicableLaw)
        for s, o in model.subject_objects(p)
        if str(s).startswith(DEF) and (s, OWL.deprecated, Literal(True)) not in model
    }
    assert cited
    laws = {s for s in model.subjects(RDF.type, None) if str(s).startswith(str(LAW))}
    assert {o for o in cited if str(o).startswith(str(LAW))} <= laws
    assert (LANDSCAPE.Law, RDFS.subClassOf, DPV.Law) in model


def test_an_organisation_may_also_be_a_facility_but_a_person_never_a_place() -> None:
    graph = load([ROOT / "ontology/core.ttl", ROOT / "ontology/domains/health.ttl"])
    health = Namespace(DEF + "health#")
    hospital = URIRef("https://example.org/hospital")
    graph.add((hospital, RDF.type, health.Hospital))
    assert not list(inconsistencies(closure(graph)))
    closed = closure(graph)
    assert {(hospital, RDF.type, CORE.Facility), (hospital, RDF.type, CORE.Organization)} <= set(
        closed
    )
    # Disjointness still bites where it is true.
    person = URIRef("https://example.org/person")
    graph.add((person, RDF.type, CORE.Person))
    graph.add((person, RDF.type, CORE.Facility))
    assert any("example.org/person" in p for p in inconsistencies(closure(graph)))


SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
IC = Namespace("http://imi.go.jp/ns/core/rdf#")
SCHEMA = Namespace("https://schema.org/")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
#: Alignments the audit found claiming too much: (our term, target, the relation it has now).
TIGHTENED = [
    (URIRef(DEF + "education#SchoolDistrict"), SCHEMA.SchoolDistrict, SKOS.relatedMatch),
    (CORE.name, IC["名称"], SKOS.closeMatch),
    (CORE.representative, IC["代表者"], SKOS.closeMatch),
    (CORE.manufacturer, IC["製造者"], SKOS.closeMatch),
    (CORE.Sensor, SOSA.Sensor, RDFS.subClassOf),
]


@pytest.mark.parametrize("ours,target,relation", TIGHTENED, ids=lambda x: str(x)[-16:])
def test_an_alignment_claims_no_more_than_is_true_and_says_why(
    model: rdflib.Graph, ours: URIRef, target: URIRef, relation: URIRef
) -> None:
    stated = {p for p in model.predicates(ours, target)}
    assert stated == {relation}, stated
    notes = {n.language for n in model.objects(ours, SKOS.note) if isinstance(n, Literal)}
    assert {"ja", "en"} <= notes
