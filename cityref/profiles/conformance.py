"""One call for ``cityref validate FILE [--profile ID]``: pick the profile (or take the one
given), read the input through its adapter, validate against the profile's shapes, and say
where each result is (file, row and column, or JSON pointer): the :class:`Outcome`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from cityref.inputs import InputFormat, InputLimits, Upload, input_format, locate_report
from cityref.outcome import Outcome
from cityref.profiles.detection import ProfileMatch, detect_profile
from cityref.profiles.registry import Profile, load_profile
from cityref.profiles.suggestions import suggested_corrections
from cityref.store.sources import ModelFiles
from cityref.validation import Document, ValidationOptions, validate_documents

if TYPE_CHECKING:
    from cityref.registry.versioned import ReleaseContext

DEFAULT_OPTIONS = ValidationOptions()


def _as_ntriples(turtle: bytes) -> bytes:
    from pyoxigraph import RdfFormat, parse, serialize

    triples = [q.triple for q in parse(turtle, format=RdfFormat.TURTLE)]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def check_input(
    data: bytes,
    name: str,
    profile_ref: str | None = None,
    options: ValidationOptions = DEFAULT_OPTIONS,
    media_type: str | None = None,
    *,
    model: ModelFiles,
    ontology: Document | None = None,
    profile: Profile | None = None,
    extra_shapes: bytes = b"",
    limits: InputLimits | None = None,
) -> Outcome:
    """Validate one input file against a profile of ``model`` (detected when ``profile_ref``
    is None).

    ``media_type`` is what the data was sent as (it picks the format when no profile is
    given, and the RDF syntax); ``name`` is for locations and messages, never opened.
    ``profile`` (already loaded, e.g. as it was in a release) wins over ``profile_ref``;
    ``extra_shapes`` (Turtle) are checked with the profile's shapes.
    Raises :class:`cityref.profiles.detection.NoProfileDetected`,
    :class:`cityref.profiles.registry.ProfileNotFound` or a
    :class:`cityref.validation.InputError` (unreadable input) — each with what and where.
    ``ontology`` (e.g. the vocabulary's Turtle) gives the engine class hierarchy and labels.
    ``limits`` bound what the input may expand to (default: :class:`InputLimits`' own).
    """
    limits = limits or InputLimits()
    options = replace(options, base_iri=model.base_iri)  # the report speaks of this model
    match: ProfileMatch | None = None
    fmt: InputFormat | None = None
    if profile is None and profile_ref is None:
        match = detect_profile(data, name, model, limits=limits, media_type=media_type)
        profile = match.profile
        fmt = match.input_format
    elif profile is None:
        profile = load_profile(str(profile_ref), model)
    # Extra shapes (e.g. deprecation warnings) travel with the profile's, as N-Triples
    # both, so that prefixes and blank node labels of the two cannot collide.
    shapes_data = profile.shapes() + (b"\n" + _as_ntriples(extra_shapes) if extra_shapes else b"")
    shapes = Document(shapes_data, "turtle", f"{profile.id}@{profile.version}")
    fmt = fmt or input_format(profile.input_kind)
    read = fmt.read(Upload(data, name, media_type), profile.table_schemas(), limits)
    read = read.rebased(profile.model)
    report = validate_documents([read.document], shapes, options, ontology=ontology)
    if read.converted is None:
        return Outcome.unlocated(name, report, profile, match)
    located = locate_report(report, [read.converted], profile.shape_columns())
    suggestions = suggested_corrections(
        located, read.converted, profile.table_schemas(), shapes, options, ontology
    )
    return Outcome(name, report, tuple(located), profile, match, read.converted, suggestions)


def check_at_release(
    data: bytes,
    name: str,
    release: ReleaseContext,
    options: ValidationOptions = DEFAULT_OPTIONS,
    media_type: str | None = None,
    *,
    model: ModelFiles,
    limits: InputLimits | None = None,
) -> Outcome:
    """:func:`check_input` against the profile and vocabulary ``release`` names (the working
    tree or a release): the vocabulary's labels in messages, warnings for deprecated terms.
    ``cityref validate`` and the server's validation jobs both validate this way."""
    return check_input(
        data,
        name,
        release.profile_ref,
        options,
        media_type,
        model=model,
        ontology=release.ontology,
        profile=release.profile,
        extra_shapes=release.deprecations,
        limits=limits,
    )
