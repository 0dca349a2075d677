"""Validation of RDF data against SHACL shapes: SHACL Core compiled to SPARQL on Oxigraph,
with pySHACL as the reference engine. See docs/validation.md."""

from cityref.validation.api import (
    ONTOLOGY_PREDICATES,
    Document,
    validate,
    validate_documents,
    validate_store,
)
from cityref.validation.errors import (
    DoctypeRefused,
    InputError,
    InputTooLarge,
    RdfSyntaxError,
    ShapesError,
    UnsupportedFormat,
    ValidationError,
    ValidationTimeout,
)
from cityref.validation.model import Result
from cityref.validation.options import Engine, Language, ValidationOptions
from cityref.validation.report import Report

__all__ = [
    "ONTOLOGY_PREDICATES",
    "DoctypeRefused",
    "Document",
    "Engine",
    "InputError",
    "InputTooLarge",
    "Language",
    "RdfSyntaxError",
    "Report",
    "Result",
    "ShapesError",
    "UnsupportedFormat",
    "ValidationError",
    "ValidationOptions",
    "ValidationTimeout",
    "validate",
    "validate_documents",
    "validate_store",
]
