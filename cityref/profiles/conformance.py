"""One call for ``cityref validate FILE [--profile ID]``: pick the profile (or take the one
given), read the input through its adapter, validate against the profile's shapes, and say
where each result is (file, row and column, or JSON pointer): the :class:`Outcome`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from cityref.inputs import InputFormat, InputLimits, Upload, input_format, locate_report
from cityref.outcome import Outcome
from cityref.profiles.detection import ProfileMatch, detect_profile
from cityref.profiles.registry import Profile, load_profile
from cityref.profiles.suggestions import suggested_corrections
from cityref.store.sources import ModelFiles
from cityref.validation import Document, Engine, ValidationOptions, validate_documents
from cityref.validation.progress import unreported

if TYPE_CHECKING:
    from cityref.inputs.csv_header import TableSchema
    from cityref.inputs.model import Converted
    from cityref.registry.versioned import ReleaseContext
    from cityref.validation import Report
    from cityref.validation.endpoint import Endpoint

DEFAULT_OPTIONS = ValidationOptions()


def _check_by_columns(
    data: bytes,
    name: str,
    fmt: InputFormat,
    tables: Sequence[TableSchema],
    shapes: Document,
    options: ValidationOptions,
    model: ModelFiles,
    ontology: Document | None,
    limits: InputLimits,
) -> tuple[Report, Converted] | None:
    """The column engine's report on a one-table CSV file or a GTFS feed (file by file,
    references as joins); ``None`` for any other input, or a feed whose shapes need the graph:
    the compiled engine checks those. cityref.tabular is imported here, not at the top: Polars
    costs every other command a quarter of a second to import."""
    from cityref.tabular import check_csv_columns
    from cityref.tabular.gtfs import check_gtfs_columns

    if fmt.id == "csv" and len(tables) == 1:
        return check_csv_columns(
            data, name, tables[0], shapes, options, model=model, ontology=ontology, limits=limits
        )
    if fmt.id == "gtfs":
        return check_gtfs_columns(
            data, name, tables, shapes, options, model=model, ontology=ontology, limits=limits
        )
    return None


def _as_ntriples(turtle: bytes) -> bytes:
    from pyoxigraph import RdfFormat, parse, serialize

    triples = [q.triple for q in parse(turtle, format=RdfFormat.TURTLE)]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def profile_shapes(profile: Profile, extra_shapes: bytes) -> Document:
    """The profile's shapes; extra shapes (e.g. deprecation warnings) travel with them, as
    N-Triples, so that prefixes and blank node labels of the two cannot collide."""
    shapes_data = profile.shapes() + (b"\n" + _as_ntriples(extra_shapes) if extra_shapes else b"")
    return Document(shapes_data, "turtle", f"{profile.id}@{profile.version}")


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
    shapes = profile_shapes(profile, extra_shapes)
    fmt = fmt or input_format(profile.input_kind)
    tables = profile.table_schemas()
    by_columns = None
    if options.engine == Engine.COLUMNS:
        by_columns = _check_by_columns(
            data, name, fmt, tables, shapes, options, model, ontology, limits
        )
    if by_columns is not None:
        report, converted = by_columns
    else:
        if options.engine == Engine.COLUMNS:  # other input: the compiled engine
            options = replace(options, engine=Engine.COMPILED)
        read = fmt.read(Upload(data, name, media_type), tables, limits)
        read = read.rebased(profile.model)
        report = validate_documents([read.document], shapes, options, ontology=ontology)
        if read.converted is None:
            return Outcome.unlocated(name, report, profile, match)
        converted = read.converted
    located = locate_report(report, [converted], profile.shape_columns())
    with unreported():  # a small second validation: not a second pass on the progress line
        suggestions = suggested_corrections(located, converted, tables, shapes, options, ontology)
    return Outcome(name, report, tuple(located), profile, match, converted, suggestions)


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
    ``cityref validate`` and the server's validation jobs both validate this way; the outcome
    names the Reference Model release."""
    outcome = check_input(
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
    return replace(outcome, model_release=release.model_release)


def check_endpoint_at_release(
    endpoint: Endpoint,
    release: ReleaseContext,
    options: ValidationOptions = DEFAULT_OPTIONS,
    *,
    model: ModelFiles,
    name: str | None = None,
) -> Outcome:
    """Validate the data graph of a SPARQL endpoint in place against the profile ``release``
    names (its vocabulary and deprecation warnings as :func:`check_at_release` uses them).
    Raises :class:`cityref.validation.endpoint.EndpointError` when the endpoint cannot be
    asked, and :class:`cityref.profiles.registry.ProfileNotFound`."""
    from cityref.validation.in_place import validate_endpoint

    options = replace(options, base_iri=model.base_iri)
    profile = release.profile or load_profile(str(release.profile_ref), model)
    shapes = profile_shapes(profile, release.deprecations)
    report = validate_endpoint(endpoint, shapes, options, ontology=release.ontology)
    # ``name`` names the data where the endpoint's URL is not to be shown (the API's jobs).
    outcome = Outcome.unlocated(name or endpoint.describe(), report, profile)
    return replace(outcome, model_release=release.model_release)
