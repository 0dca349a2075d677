"""IRIs the registry writes: its own vocabulary (``reg:``) and the W3C ones it uses.

The model's own vocabularies (``core:``, ``status:``, ``reg:``) are here as the source files
write them, under :data:`~cityref.store.sources.WRITTEN_BASE_IRI`: the registry reads and writes
its files in that form, and :meth:`cityref.store.sources.ModelFiles.read` rebases them. Code that
reads rebased sources names those terms with :func:`core_status` and :func:`status_namespace`.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from cityref.store.sources import WRITTEN_BASE_IRI

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
CORE = WRITTEN_BASE_IRI + "def/core#"
STATUS = WRITTEN_BASE_IRI + "def/status/"
REG = WRITTEN_BASE_IRI + "def/registry#"

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


def core_status(base_iri: str) -> NamedNode:
    """``core:status`` of the model served under ``base_iri``."""
    return NamedNode(f"{base_iri}def/core#status")


def status_namespace(base_iri: str) -> str:
    """The lifecycle states (``status:deprecated`` …) of the model served under ``base_iri``."""
    return f"{base_iri}def/status/"


def reg(local: str) -> NamedNode:
    return NamedNode(REG + local)


def sh(local: str) -> NamedNode:
    return NamedNode(SH + local)


def dct(local: str) -> NamedNode:
    return NamedNode(DCT + local)


def prov(local: str) -> NamedNode:
    return NamedNode(PROV + local)
