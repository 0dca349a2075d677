"""Personal data as a model (issue 17): every data kind that carries personal data is handled by a
DPV personal data process with a purpose, a legal basis, data subjects, processing and retention,
each a DPV term declared in ontology/external/ or one of ours under such a term."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace, URIRef

from tests.test_vocabulary import load, turtle_files

DEF = "https://w3id.org/cityref/def/"
CORE = Namespace(DEF + "core#")
DPV = Namespace("https://w3id.org/dpv#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
#: Each aspect of a process: the DPV property and the DPV concept its values must fall under.
ASPECTS = {
    DPV.hasPurpose: DPV.Purpose,
    DPV.hasLegalBasis: DPV.LegalBasis,
    DPV.hasDataSubject: DPV.DataSubject,
    DPV.hasProcessing: DPV.Processing,
    DPV.hasStorageCondition: DPV.StorageCondition,
}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return load(turtle_files("ontology"))


def declared_dpv(graph: rdflib.Graph) -> set[URIRef]:
    return {
        s
        for s in graph.subjects(RDFS.isDefinedBy, URIRef("https://w3id.org/dpv#"))
        if isinstance(s, URIRef)
    }


def processes(graph: rdflib.Graph) -> set[URIRef]:
    return {p for p in graph.subjects(RDF.type, DPV.PersonalDataProcess) if isinstance(p, URIRef)}


def test_every_data_kind_with_personal_data_has_a_process(ontology: rdflib.Graph) -> None:
    carrying = {
        kind
        for cls in ontology.subjects(CORE.personalDataCategory, None)
        for kind in ontology.objects(cls, CORE.representsDataKind)
    }
    assert len(carrying) >= 8
    handled = {k for p in processes(ontology) for k in ontology.objects(p, CORE.processedDataKind)}
    assert not carrying - handled, sorted(str(k) for k in carrying - handled)


@pytest.mark.parametrize("aspect", sorted(ASPECTS), ids=lambda iri: str(iri).rsplit("#", 1)[-1])
def test_every_process_states_each_aspect_in_dpv_terms(
    ontology: rdflib.Graph, aspect: URIRef
) -> None:
    dpv_terms = declared_dpv(ontology)
    top = ASPECTS[aspect]
    for process in processes(ontology):
        values = set(ontology.objects(process, aspect))
        assert values, f"{process} has no {aspect}"
        for value in values:
            # A DPV term we declare, or one of ours typed with the DPV concept and placed under
            # a declared DPV term.
            if value in dpv_terms:
                continue
            assert (value, RDF.type, top) in ontology or (
                top == DPV.StorageCondition and (value, RDF.type, DPV.StorageDuration) in ontology
            ), (process, value)
            assert str(value).startswith(DEF), value
            broader = set(ontology.objects(value, SKOS.broader))
            assert top == DPV.StorageCondition or broader & dpv_terms, (value, broader)


def test_every_domain_with_personal_data_declares_a_process(ontology: rdflib.Graph) -> None:
    domains = {
        d
        for cls in ontology.subjects(CORE.personalDataCategory, None)
        if (cls, RDF.type, rdflib.OWL.Class) in ontology
        and (cls, CORE.personalDataSensitivity, DPV.AnonymisedData) not in ontology
        for d in ontology.objects(cls, CORE.domain)
        if str(cls).startswith(DEF) and "core#" not in str(cls)
    }
    declared = {d for p in processes(ontology) for d in ontology.objects(p, CORE.domain)}
    assert declared, "no process declares its domain"
    assert {URIRef(DEF + f"domain/{s}") for s in ("health", "finance", "cityos")} <= declared
    assert domains & declared


def test_purpose_is_one_dpv_mapped_property(ontology: rdflib.Graph) -> None:
    assert (CORE.purpose, RDFS.subPropertyOf, DPV.hasPurpose) in ontology
    assert (CORE.purpose, RDFS.range, DPV.Purpose) in ontology


def test_consent_records_speak_dpv(ontology: rdflib.Graph) -> None:
    # Consent was four free-text and date properties (issue 17's audit): now the person is the
    # DPV data subject, the time is DPV's indication time and the purpose a DPV purpose.
    cityos = Namespace(DEF + "cityos#")
    assert (cityos.consentingPerson, RDFS.subPropertyOf, DPV.hasDataSubject) in ontology
    assert (cityos.consentGivenAt, RDFS.subPropertyOf, DPV.isIndicatedAtTime) in ontology
    assert (cityos.consentPurpose, rdflib.DCTERMS.isReplacedBy, CORE.purpose) in ontology
    consented = {
        p
        for p in processes(ontology)
        for basis in ontology.objects(p, DPV.hasLegalBasis)
        if (basis, SKOS.broader, DPV.Consent) in ontology
    }
    assert URIRef(DEF + "process/cityos-consented-data-linkage") in consented
