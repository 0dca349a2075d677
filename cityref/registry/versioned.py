"""Validation against a profile as it was in a release, with deprecation warnings.

The shapes are the profile's shapes in the release (or the working tree) plus the
:func:`~cityref.registry.lifecycle.deprecation_shapes` of that tree's ontology; the ontology
gives the class hierarchy and the labels for messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import RdfFormat, serialize

from cityref.profiles.registry import Profile
from cityref.registry.lifecycle import deprecation_shapes, deprecation_shapes_of
from cityref.registry.records import DataFile
from cityref.registry.releases import (
    at_release,
    ontology_bytes,
    ontology_triples,
    tree_profile_shapes,
)
from cityref.store.sources import ModelFiles
from cityref.validation import (
    ONTOLOGY_PREDICATES,
    Document,
    Report,
    ValidationOptions,
    validate_documents,
)


def split_ref(ref: str) -> tuple[str, str]:
    """``id@version`` -> (id, version); ``id`` alone -> (id, "working")."""
    ident, _, version = ref.partition("@")
    return ident, version or "working"


def shapes_at(model: ModelFiles, version: str, profile_id: str) -> bytes:
    """The profile's shapes at ``version`` plus the deprecation warnings of that ontology."""
    folder = at_release(model, version)
    warnings = deprecation_shapes(ontology_bytes(folder), RdfFormat.N_TRIPLES, model.base_iri)
    return tree_profile_shapes(folder, profile_id) + b"\n" + warnings


def validate_at(
    model: ModelFiles,
    profile_ref: str,
    files: Sequence[DataFile],
    options: ValidationOptions | None = None,
) -> Report:
    """Validate RDF ``files`` against ``profile_ref`` (``id@version``; ``id`` = working tree)."""
    ident, version = split_ref(profile_ref)
    folder = at_release(model, version)
    shapes = Document(shapes_at(model, version, ident), RdfFormat.TURTLE, "<shapes>")
    ontology = Document(ontology_bytes(folder), RdfFormat.N_TRIPLES, f"<ontology {version}>")
    documents = [Document(f.data, f.format, f.name) for f in files]
    return validate_documents(
        documents, shapes, options or ValidationOptions(base_iri=model.base_iri), ontology=ontology
    )


@dataclass(frozen=True)
class ReleaseContext:
    """What a profile reference means: the profile (as released, or as in the working
    tree), the vocabulary for class hierarchy and labels, and the deprecation shapes."""

    profile_ref: str | None  # for the working tree; None when ``profile`` is given
    profile: Profile | None
    version: str
    #: The Reference Model release validated against: ``version`` when it names a release,
    #: else the latest release if the working tree has not changed since, else ``working``.
    model_release: str
    ontology: Document
    deprecations: bytes


def release_context(profile_ref: str | None, model: ModelFiles) -> ReleaseContext:
    """``ID@VERSION`` where VERSION names a release: that release's profile and vocabulary;
    otherwise the working tree of ``model`` (VERSION, if any, is the profile's own
    owl:versionInfo)."""
    from cityref.registry.releases import WORKING, is_release, model_release, profile_at

    ident, _, version = (profile_ref or "").partition("@")
    if version and is_release(model.root, version):
        folder, profile = at_release(model, version), profile_at(version, ident, model)
        ref: str | None = None
        released = version
    else:
        folder, profile, ref, version = model, None, profile_ref, WORKING
        released = model_release(model.root)
    triples = ontology_triples(folder)
    # The engine reads only the hierarchy and the labels of a vocabulary: a validation job
    # that gets only those does not pay for parsing the rest.
    read = [t for t in triples if t.predicate in ONTOLOGY_PREDICATES]
    return ReleaseContext(
        ref,
        profile,
        version,
        released,
        Document(serialize(read, format=RdfFormat.N_TRIPLES) or b"", "ntriples", "<ontology>"),
        deprecation_shapes_of(triples, model.base_iri),
    )
