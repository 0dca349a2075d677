"""IRIs the registry writes: its own vocabulary (``reg:``) and the W3C ones it uses."""

from __future__ import annotations

from pyoxigraph import NamedNode

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
CORE = "https://w3id.org/cityref/def/core#"
STATUS = "https://w3id.org/cityref/def/status/"
REG = "https://w3id.org/cityref/def/registry#"

PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "sh": SH,
    "skos": SKOS,
    "dcterms": DCT,
    "prov": PROV,
    "foaf": FOAF,
    "core": CORE,
    "status": STATUS,
    "reg": REG,
}

RDF_TYPE = NamedNode(RDF + "type")
OWL_DEPRECATED = NamedNode(OWL + "deprecated")
IS_REPLACED_BY = NamedNode(DCT + "isReplacedBy")
CORE_STATUS = NamedNode(CORE + "status")


def reg(local: str) -> NamedNode:
    return NamedNode(REG + local)


def sh(local: str) -> NamedNode:
    return NamedNode(SH + local)


def dct(local: str) -> NamedNode:
    return NamedNode(DCT + local)


def prov(local: str) -> NamedNode:
    return NamedNode(PROV + local)
