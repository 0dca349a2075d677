"""The cityref vocabulary as a whole: quality profile, size, alignment, definedness, consistency.

Reads the Turtle sources directly (no store), so these checks also guard the files the other
parts of cityref build from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from cityref.validation import Document, validate_documents

ROOT = Path(__file__).resolve().parents[1]
OURS = "https://w3id.org/cityref/def/"
CORE = Namespace(OURS + "core#")
DOMAIN = Namespace(OURS + "domain/")
SHAPES = ROOT / "shapes" / "quality" / "shapes.ttl"
PROFILE = ROOT / "shapes" / "quality" / "profile.ttl"
# owlrl reports inconsistencies as resources typed ERRNS.ErrorMessage (owlrl.Namespaces).
OWLRL_ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

SLUGS = (
    "mobility", "health", "infrastructure", "agriculture", "logistics", "energy",
    "manufacturing", "finance", "environment", "waste", "ocean", "space", "government",
    "education", "safety", "cityos",
)  # fmt: skip

# The vocabularies an alignment may point to (issue 3): IMI, schema.org, SOSA/SSN, GeoSPARQL,
# DCAT, PROV-O, SAREF4CITY, FIWARE Smart Data Models, NGSI-LD, GTFS.
ALIGNMENT_NAMESPACES = (
    "http://imi.go.jp/ns/core/rdf#",
    "https://schema.org/",
    "http://www.w3.org/ns/sosa/",
    "http://www.w3.org/ns/ssn/",
    "http://www.opengis.net/ont/geosparql#",
    "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/ns/prov#",
    "https://saref.etsi.org/saref4city/",
    "https://smartdatamodels.org/",
    "https://uri.etsi.org/ngsi-ld/",
    "http://vocab.gtfs.org/terms#",
)
ALIGNMENT_PREDICATES = (
    OWL.equivalentClass, RDFS.subClassOf, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch,
    SKOS.narrowMatch, SKOS.relatedMatch,
)  # fmt: skip
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def turtle_files(*folders: str) -> list[Path]:
    """Every Turtle source under the folders; profile examples are inputs, not model content."""
    found: list[Path] = []
    for folder in folders:
        found += [p for p in sorted((ROOT / folder).rglob("*.ttl")) if "examples" not in p.parts]
    return found


def load(paths: Iterable[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def ours(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(OURS)


def our_subjects_of_type(graph: rdflib.Graph, *types: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    for rdf_type in types:
        found |= {s for s in graph.subjects(RDF.type, rdf_type) if isinstance(s, URIRef)}
    return {s for s in found if ours(s)}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return load(turtle_files("ontology"))


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return load([SHAPES])


def quality_report(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return bool(conforms), report, str(text)


def violated_shapes(report: rdflib.Graph, shapes: rdflib.Graph) -> set[str]:
    """The named shapes behind the results; a blank property shape counts as its node shape."""
    sh = Namespace("http://www.w3.org/ns/shacl#")
    names: set[str] = set()
    for source in report.objects(None, sh.sourceShape):
        parents = list(shapes.subjects(sh.property, source))
        names |= {str(s) for s in (parents or [source]) if isinstance(s, URIRef)}
    return names


def closure(graph: rdflib.Graph) -> rdflib.Graph:
    closed = rdflib.Graph()
    closed += graph
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closed)
    return closed


def rdf_list(graph: rdflib.Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


def inconsistencies(closed: rdflib.Graph) -> Iterator[str]:
    """What makes an OWL-RL closure inconsistent, checked directly as well as through owlrl."""
    for message in closed.subjects(RDF.type, OWLRL_ERRNS.ErrorMessage):
        yield f"owlrl: {closed.value(message, OWLRL_ERRNS.error)}"
    for thing in closed.subjects(RDF.type, OWL.Nothing):
        yield f"{thing} is typed owl:Nothing"
    pairs = [(a, b) for a, b in closed.subject_objects(OWL.disjointWith)]
    for group in closed.subjects(RDF.type, OWL.AllDisjointClasses):
        members = rdf_list(closed, closed.value(group, OWL.members))
        pairs += [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    for a, b in pairs:
        shared = set(closed.subjects(RDF.type, a)) & set(closed.subjects(RDF.type, b))
        yield from (f"{x} is both {a} and {b}" for x in sorted(shared))
        # A class under both sides of a disjointness can have no instance at all.
        both = set(closed.subjects(RDFS.subClassOf, a)) & set(closed.subjects(RDFS.subClassOf, b))
        yield from (f"class {c} is under both {a} and {b}" for c in sorted(both) if ours(c))


# ---------------------------------------------------------------------------------------------
# Syntax
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    turtle_files("ontology", "shapes", "registry"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_file_parses_with_pyoxigraph(path: Path) -> None:
    # The store loads with pyoxigraph, which is stricter than rdflib about IRIs.
    assert list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def test_no_relative_iris_or_base() -> None:
    for path in turtle_files("ontology", "shapes/quality"):
        text = path.read_text(encoding="utf-8")
        assert "@base" not in text and "BASE " not in text, path
        assert "<#" not in text and "<>" not in text, path


# ---------------------------------------------------------------------------------------------
# Quality profile
# ---------------------------------------------------------------------------------------------


def test_quality_profile_describes_itself() -> None:
    profile = load([PROFILE])
    prof = Namespace("http://www.w3.org/ns/dx/prof/")
    dct = Namespace("http://purl.org/dc/terms/")
    (node,) = profile.subjects(RDF.type, prof.Profile)
    assert str(profile.value(node, dct.identifier)) == "quality"
    assert profile.value(node, OWL.versionInfo) is not None
    titles = {t.language for t in profile.objects(node, dct.title) if isinstance(t, Literal)}
    assert titles == {"ja", "en"}


def test_quality_profile_conforms(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    conforms, _, text = quality_report(ontology, shapes)
    assert conforms, text


def test_quality_profile_conforms_with_the_compiled_engine() -> None:
    # The profile is SHACL Core only, so cityref's own compiled validator must agree with pySHACL.
    documents = [Document(p.read_bytes(), "turtle", str(p)) for p in turtle_files("ontology")]
    report = validate_documents(documents, Document(SHAPES.read_bytes(), "turtle"))
    assert report.conforms, report.results[:5]


def test_quality_profile_catches_broken_terms(ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    # Break one rule per shape on a copy, so that each shape is shown to bite.
    broken = rdflib.Graph()
    broken += ontology
    health = Namespace(OURS + "health#")
    finance = Namespace(OURS + "finance#")
    broken.remove((health.diagnosis, CORE.personalDataCategory, None))
    broken.remove((health.diagnosis, CORE.personalDataSensitivity, None))
    broken.remove((finance.accountNumber, CORE.personalDataSensitivity, None))
    broken.remove((health.Hospital, RDFS.label, Literal("Hospital", lang="en")))
    broken.remove((health.Patient, CORE.status, None))
    broken.remove((finance.payer, CORE.domain, None))
    broken.remove((URIRef(OURS + "waste"), OWL.versionInfo, None))
    conforms, report, _ = quality_report(broken, shapes)
    assert not conforms
    cq = "https://w3id.org/cityref/shapes/quality/"
    expected = {
        "SensitiveAreaPropertyAnnotated", "CategoryNeedsSensitivity", "LabelEn", "HasStatus",
        "HasDomain", "OntologyHeader",
    }  # fmt: skip
    assert {cq + name for name in expected} <= violated_shapes(report, shapes)


# ---------------------------------------------------------------------------------------------
# Size, coverage and alignment
# ---------------------------------------------------------------------------------------------


def test_vocabulary_size(ontology: rdflib.Graph) -> None:
    classes = our_subjects_of_type(ontology, OWL.Class)
    properties = our_subjects_of_type(ontology, *PROPERTY_TYPES)
    assert len(classes) >= 120, len(classes)
    assert len(properties) >= 250, len(properties)


def test_half_of_classes_aligned_externally(ontology: rdflib.Graph) -> None:
    classes = our_subjects_of_type(ontology, OWL.Class)

    def aligned(cls: URIRef) -> bool:
        targets = (o for p in ALIGNMENT_PREDICATES for o in ontology.objects(cls, p))
        return any(str(o).startswith(ALIGNMENT_NAMESPACES) for o in targets)

    unaligned = sorted(str(c) for c in classes if not aligned(c))
    assert 2 * (len(classes) - len(unaligned)) >= len(classes), unaligned


def test_every_alignment_target_is_declared(ontology: rdflib.Graph) -> None:
    # Terms of the alignment vocabularies are declared in ontology/external/, never fetched.
    # (W3C base vocabularies such as SKOS and Dublin Core are taken as known.)
    declared = {s for s in ontology.subjects(RDFS.isDefinedBy, None) if not ours(s)}
    used = {
        o
        for p in (*ALIGNMENT_PREDICATES, RDFS.subPropertyOf, OWL.equivalentProperty)
        for s, o in ontology.subject_objects(p)
        if ours(s) and str(o).startswith(ALIGNMENT_NAMESPACES)
    }
    assert not used - declared, sorted(used - declared)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_domain_has_a_module_with_classes(ontology: rdflib.Graph, slug: str) -> None:
    path = ROOT / "ontology" / "domains" / f"{slug}.ttl"
    assert path.is_file(), path
    module = URIRef(OURS + slug)
    assert (module, RDF.type, OWL.Ontology) in ontology
    classes = [c for c in ontology.subjects(RDFS.isDefinedBy, module) if ours(c)]
    assert any((c, RDF.type, OWL.Class) in ontology for c in classes)
    # Every term of a domain module is filed under that domain.
    assert all((c, CORE.domain, DOMAIN[slug]) in ontology for c in classes)


def test_every_data_kind_of_the_seed_has_a_class(ontology: rdflib.Graph) -> None:
    # The data kinds the seed names (scheme def/datakind/) are each represented by a class.
    scheme = URIRef(OURS + "datakind/")
    kinds = set(ontology.subjects(SKOS.inScheme, scheme))
    assert kinds, "no data-kind scheme in ontology/"
    represented = set(ontology.objects(None, CORE.representsDataKind))
    assert not kinds - represented, sorted(str(k) for k in kinds - represented)


def test_every_dpv_value_is_declared(ontology: rdflib.Graph) -> None:
    dpv_values = {
        o
        for p in (CORE.personalDataCategory, CORE.personalDataSensitivity)
        for o in ontology.objects(None, p)
    }
    undeclared = {o for o in dpv_values if ontology.value(o, RDFS.isDefinedBy) is None}
    assert dpv_values and not undeclared, sorted(undeclared)


def test_personal_data_is_annotated_where_the_seed_says(ontology: rdflib.Graph) -> None:
    health = Namespace(OURS + "health#")
    dpv = Namespace("https://w3id.org/dpv#")
    anonymised = health.AnonymizedMedicalData
    assert ontology.value(anonymised, CORE.personalDataSensitivity) == dpv.AnonymisedData
    assert ontology.value(anonymised, CORE.legalBasis) == URIRef(
        "https://w3id.org/cityref/registry/landscape/law/next-generation-medical-infrastructure-act"
    )
    # Anonymised data is by definition not an identifiable record.
    disjoint = set(ontology.subject_objects(OWL.disjointWith))
    assert {(anonymised, health.MedicalRecord), (health.MedicalRecord, anonymised)} & disjoint


# ---------------------------------------------------------------------------------------------
# Definedness and consistency
# ---------------------------------------------------------------------------------------------


def test_no_iri_of_ours_is_used_without_being_defined() -> None:
    graph = load(turtle_files("ontology", "shapes", "registry"))
    defined = {s for s in graph.subjects(RDF.type, None) if ours(s)}
    # A version IRI names a snapshot of a module, not a resource with a type of its own.
    versions = set(graph.objects(None, OWL.versionIRI))
    used = {n for triple in graph for n in triple if ours(n)} - versions
    assert not used - defined, sorted(str(n) for n in used - defined)


def without_annotation_literals(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph less literal-valued triples that no OWL-RL rule can use.

    A literal value matters to OWL-RL only through a property with a domain, range, super- or
    equivalent property, functional character or restriction. Labels, definitions and sources
    have none of these; leaving them out halves the time owlrl takes.
    """
    schema = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty}
    relevant = {
        *graph.subjects(RDFS.domain, None),
        *graph.subjects(RDFS.range, None),
        *graph.subjects(RDFS.subPropertyOf, None),
        *graph.subjects(OWL.equivalentProperty, None),
        *graph.objects(None, OWL.onProperty),
        *(p for t in schema for p in graph.subjects(RDF.type, t)),
    }
    kept = rdflib.Graph()
    for s, p, o in graph:
        if not isinstance(o, Literal) or p in relevant:
            kept.add((s, p, o))
    return kept


@pytest.fixture(scope="module")
def closed_model(ontology: rdflib.Graph) -> rdflib.Graph:
    # The registry's records are instances of the vocabulary: they give disjointness its teeth.
    model = load(turtle_files("registry"))
    model += ontology
    return closure(without_annotation_literals(model))


def test_owl_rl_closure_is_consistent(closed_model: rdflib.Graph) -> None:
    assert not list(inconsistencies(closed_model))


def test_closure_uses_the_class_hierarchy(closed_model: rdflib.Graph) -> None:
    # Inference matters: domain classes reach the core and the external vocabularies.
    health = Namespace(OURS + "health#")
    sosa = Namespace("http://www.w3.org/ns/sosa/")
    assert (health.VitalSignObservation, RDFS.subClassOf, sosa.Observation) in closed_model
    assert (health.Patient, RDFS.subClassOf, CORE.Agent) in closed_model


def test_consistency_check_detects_disjointness_violations() -> None:
    # A patient is a person, and no person is an organisation: OWL-RL must notice.
    graph = load([ROOT / "ontology" / "core.ttl", ROOT / "ontology" / "domains" / "health.ttl"])
    health = Namespace(OURS + "health#")
    odd = URIRef("https://example.org/odd")
    graph.add((odd, RDF.type, health.Patient))
    graph.add((odd, RDF.type, CORE.Organization))
    # ... and a class of ours cannot sit under both either.
    graph.add((health.PatientAssociation, RDFS.subClassOf, health.Patient))
    graph.add((health.PatientAssociation, RDFS.subClassOf, CORE.Organization))
    problems = list(inconsistencies(closure(graph)))
    assert any("example.org/odd" in p for p in problems), problems
    assert any("PatientAssociation" in p for p in problems), problems
