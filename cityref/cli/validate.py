"""``cityref validate``: the command-line face of the validation API.

Exit status: 0 the data conforms, 1 it does not, 2 usage or input errors (reported as
``file:line:column: message``, never a traceback).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from pyoxigraph import RdfFormat

from cityref.cli.progress_line import terminal_progress
from cityref.cli.report_output import ReportOutput
from cityref.errors import CityrefError
from cityref.outcome import RENDERER_NAMES, Outcome, Renderer, renderer
from cityref.settings import Settings
from cityref.text import Bilingual
from cityref.validation.api import Document, validate_documents
from cityref.validation.errors import UnsupportedFormat
from cityref.validation.loading import format_for_name, rdf_format
from cityref.validation.options import Engine, Language, ValidationOptions

if TYPE_CHECKING:
    from cityref.registry.versioned import ReleaseContext
    from cityref.validation.loading import FormatLike

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
#: How to name a profile here, after why none was detected (the web and the API say it
#: their own way).
NAME_THE_PROFILE = Bilingual("{why}。--profile で指定してください", "{why}; give --profile")


def _fail(message: str) -> None:
    click.echo(f"cityref validate: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _stdin(explicit_format: str | None, stdin_used: list[bool]) -> bytes:
    """Standard input, read once, and only with its format given."""
    if stdin_used:
        _fail("'-' (standard input) can be given only once")
    stdin_used.append(True)
    if explicit_format is None:
        _fail("reading standard input needs --data-format (or --shapes-format)")
    return sys.stdin.buffer.read()


def _read(name: str, explicit_format: str | None, stdin_used: list[bool]) -> Document:
    """A document from a path or '-' (stdin), with its format by flag or extension."""
    if name == "-":
        data = _stdin(explicit_format, stdin_used)
        return Document(data, rdf_format(explicit_format or ""), "<stdin>", "urn:cityref:stdin")
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"{name}: cannot read: {exc.strerror or exc}")
        raise  # unreachable: _fail exits
    fmt = rdf_format(explicit_format) if explicit_format else format_for_name(name)
    return Document(data, fmt, name, path.resolve().as_uri())


@click.command("validate")
@click.argument("data", nargs=-1)
@click.option(
    "--endpoint",
    metavar="URL|NAME",
    help="Validate in place the data of this SPARQL endpoint (a URL, or a name of the "
    "validation_endpoints setting, whose credentials come from the settings) instead of DATA: "
    "the queries run there and the data never leaves it.",
)
@click.option(
    "--graph",
    "graphs",
    metavar="IRI",
    multiple=True,
    help="With --endpoint: a named graph of the data (repeatable); the endpoint's default graph "
    "when none is given.",
)
@click.option("--shapes", "shapes_file", metavar="FILE", help="SHACL shapes file ('-' for stdin).")
@click.option(
    "--ontology",
    "ontology_file",
    metavar="FILE",
    help="Vocabulary giving the class hierarchy and labels for messages (never validated).",
)
@click.option("--profile", metavar="ID[@VERSION]", help="A Reference Model profile.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(RENDERER_NAMES),
    default="text",
    show_default=True,
    help="Report format (docs/report-format.md).",
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default=None,
    help="Language of messages: JSON carries both unless one is asked for; the readable "
    "reports are in English unless asked.",
)
@click.option(
    "--engine",
    type=click.Choice([e.value for e in Engine]),
    default=Engine.COLUMNS.value,
    show_default=True,
    help="columns: a CSV file of a tabular profile checked column by column (Polars), in"
    " chunks of rows, with what is not row-local left to the compiled engine; any other input"
    " as compiled. compiled: SHACL compiled to SPARQL on Oxigraph, the data loaded whole."
    " pyshacl: the reference implementation (slow). All three give the same results.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here instead of standard output.",
)
@click.option(
    "--data-format",
    metavar="FORMAT",
    help="Format of DATA: an RDF syntax (turtle, ntriples, nquads, trig, rdfxml, jsonld), an"
    " input format (csv, gtfs, ngsi-ld) or a media type.",
)
@click.option("--shapes-format", metavar="FORMAT", help="RDF format of the shapes file.")
@click.option(
    "--max-results",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Most results kept in the report.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds before the validation worker is stopped.",
)
@click.option("--max-input-bytes", type=click.IntRange(min=1), help="Largest input file accepted.")
@click.option(
    "--record",
    "record_system",
    metavar="SYSTEM",
    help="Store a conformance record for this registered system (profiles only).",
)
@click.option(
    "--keep-sample",
    is_flag=True,
    help="With --record: keep the data, so 'cityref impact' can validate it again later.",
)
@click.option(
    "--quiet",
    is_flag=True,
    help="Show no progress line on standard error (shown only when it is a terminal).",
)
@click.option(
    "--inference/--no-inference",
    default=False,
    show_default=True,
    help="Add RDFS entailments of the data first.",
)
@click.pass_context
def validate(
    ctx: click.Context,
    data: tuple[str, ...],
    endpoint: str | None,
    graphs: tuple[str, ...],
    shapes_file: str | None,
    ontology_file: str | None,
    profile: str | None,
    output_format: str,
    lang: str | None,
    engine: str,
    output: Path | None,
    data_format: str | None,
    shapes_format: str | None,
    max_results: int,
    time_limit: float | None,
    max_input_bytes: int | None,
    record_system: str | None,
    keep_sample: bool,
    quiet: bool,
    inference: bool,
) -> None:
    """Validate DATA files ('-' for stdin), or the data of a SPARQL endpoint in place
    (--endpoint), against a profile or SHACL shapes.

    With --shapes, DATA is RDF. Otherwise each file (CSV, GTFS zip, NGSI-LD JSON, RDF) is read
    through its input adapter and checked against --profile, or the profile detected from it.
    Exit 0 when the data conforms, 1 when it does not, 2 on usage or input errors.
    検証結果が適合なら 0、不適合なら 1、使い方や入力の誤りは 2 で終了します。
    """
    if profile is not None and shapes_file is not None:
        raise click.UsageError("give either --profile or --shapes, not both")
    settings = ctx.find_object(Settings)
    if settings is None:  # run outside the cityref group, which loads the settings
        raise click.UsageError("run as 'cityref validate' (the settings come from cityref)")
    if record_system is not None and engine == Engine.COLUMNS:
        engine = Engine.COMPILED.value  # a record keeps the data's RDF, which columns never makes
    options = ValidationOptions(
        engine=Engine(engine),
        language=Language(lang or "en"),
        max_results=max_results,
        time_limit=time_limit,
        inference=inference,
        max_input_bytes=max_input_bytes,
        base_iri=settings.base_iri,
    )
    show_progress = not quiet and not _report_to_a_program(output_format, output)
    if endpoint is not None:
        _check_in_place_usage(data, profile, shapes_file, record_system, data_format, engine)
        options = replace(options, engine=Engine.COMPILED)
        _validate_in_place(
            settings, endpoint, graphs, profile, shapes_file, options, output_format, output,
            lang, show_progress,
        )  # fmt: skip
        return
    if graphs:
        raise click.UsageError("--graph goes with --endpoint")
    if not data:
        raise click.UsageError("give DATA files, or --endpoint")
    if shapes_file is None:
        _validate_with_profiles(
            settings,
            data,
            profile,
            options,
            output_format,
            output,
            data_format,
            record_system,
            keep_sample,
            lang,
            show_progress,
        )
        return
    if record_system is not None:
        raise click.UsageError("--record needs a profile (records name the profile@version)")
    try:
        stdin_used: list[bool] = []
        documents = [_read(name, data_format, stdin_used) for name in data]
        shapes = _read(shapes_file, shapes_format, stdin_used)
        ontology = _read(ontology_file, None, stdin_used) if ontology_file else None
        with terminal_progress(sys.stderr, lang, show_progress):
            report = validate_documents(documents, shapes, options, ontology=ontology)
        outcome = Outcome.unlocated(", ".join(d.name for d in documents), report)
    except CityrefError as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # never a traceback on the command line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
        return
    _write_whole_report(outcome, output, output_format, lang)


def _report_to_a_program(output_format: str, output: Path | None) -> bool:
    """Whether a machine-read report (any but text) goes down a pipe: a script is running
    this, and a progress line would only get in its way."""
    return output_format != "text" and output is None and not sys.stdout.isatty()


def _write_whole_report(
    outcome: Outcome, output: Path | None, output_format: str, lang: str | None
) -> NoReturn:
    """Write the one report of a run and exit with its verdict."""
    sink = ReportOutput(output)
    _write_report(sink, renderer(output_format), outcome, lang, whole=True)
    sink.close()
    sys.exit(EXIT_CONFORMS if outcome.report.conforms else EXIT_VIOLATIONS)


def _write_report(
    sink: ReportOutput, found: Renderer, outcome: Outcome, lang: str | None, whole: bool = False
) -> None:
    """Write one report into ``sink`` (``whole``: its line breaks at the end kept), failing as
    the command line does."""
    try:
        if whole:
            sink.write_whole(found, outcome, lang)
        else:
            sink.report(found, outcome, lang)
        sink.flush()
    except OSError as exc:
        _fail(f"{sink.name}: cannot write: {exc.strerror or exc}")
    except Exception as exc:  # never a traceback on the command line
        _fail(f"internal error: {type(exc).__name__}: {exc}")


def _record(
    settings: Settings,
    system: str,
    release: ReleaseContext,
    outcome: Outcome,
    name: str,
    raw: bytes,
    fmt: FormatLike | None,
    keep_sample: bool,
) -> None:
    """A conformance record; adapter inputs are kept as their RDF, which impact re-reads."""
    from pyoxigraph import RdfFormat

    from cityref.inputs import converted_document
    from cityref.registry.records import DataFile, record_validation

    if outcome.converted is not None:
        document = converted_document(outcome.converted)
        files = [DataFile(name, document.data, RdfFormat.N_TRIPLES)]
    else:
        files = [DataFile(name, raw, rdf_format(str(fmt)) if fmt else format_for_name(name))]
    assert outcome.profile is not None  # a release names its profile
    # The record names the Reference Model release (the working tree when it has unreleased
    # changes), not the profile's own version.
    profile = f"{outcome.profile.id}@{release.model_release}"
    record = record_validation(
        settings.sources,
        settings.base_iri,
        system,
        profile,
        outcome.report,
        files,
        keep_sample=keep_sample,
        model_release=release.model_release,
    )
    click.echo(f"recorded: {record.iri} ({record.verdict})", err=True)


def _declared(data_format: str) -> tuple[str, RdfFormat | None]:
    """``--data-format`` as the media type the input formats are asked with, and the RDF
    syntax when it names one: an RDF syntax (turtle, …), an input format (csv, gtfs,
    ngsi-ld) or a media type of either."""
    from cityref.inputs import format_for_media_type, input_format

    try:
        syntax = rdf_format(data_format)
    except UnsupportedFormat:
        if format_for_media_type(data_format) is not None:
            return data_format, None
        return input_format(data_format).media_types[0], None
    return syntax.media_type, syntax


def _validate_with_profiles(
    settings: Settings,
    data: tuple[str, ...],
    profile: str | None,
    options: ValidationOptions,
    output_format: str,
    output: Path | None,
    data_format: str | None,
    record_system: str | None = None,
    keep_sample: bool = False,
    lang: str | None = None,
    show_progress: bool = False,
) -> None:
    """Each DATA file through its input adapter (CSV, GTFS, NGSI-LD, RDF) against a profile:
    the one given, or the one detected from the data (the output says which and why).

    ``ID@VERSION`` naming a release validates against the profile and vocabulary as they were
    in that release; data using deprecated terms gets warnings naming their replacements."""
    from cityref.inputs import InputLimits
    from cityref.profiles import NoProfileDetected, check_at_release
    from cityref.registry.versioned import release_context
    from cityref.store.sources import ModelFiles

    model = ModelFiles.from_settings(settings)
    limits = InputLimits.from_settings(settings)
    try:
        release = release_context(profile, model)
    except CityrefError as exc:
        _fail(str(exc))
        return
    sink = ReportOutput(output)
    conforms = True
    stdin_used: list[bool] = []
    for name in data:
        try:
            raw = _stdin(data_format, stdin_used) if name == "-" else Path(name).read_bytes()
            media_type, fmt = _declared(data_format) if data_format else (None, None)
            with terminal_progress(sys.stderr, lang, show_progress):
                outcome = check_at_release(
                    raw,
                    "<stdin>" if name == "-" else name,
                    release,
                    options,
                    media_type,
                    model=model,
                    limits=limits,
                )
            if record_system is not None:
                _record(settings, record_system, release, outcome, name, raw, fmt, keep_sample)
        except OSError as exc:
            _fail(f"{name}: cannot read: {exc.strerror or exc}")
            return
        except NoProfileDetected as exc:
            _fail(str(NAME_THE_PROFILE.format(why=exc.text)))
            return
        except CityrefError as exc:
            _fail(str(exc))
            return
        except Exception as exc:  # never a traceback on the command line
            _fail(f"internal error: {type(exc).__name__}: {exc}")
            return
        conforms = conforms and outcome.report.conforms
        _write_report(sink, renderer(output_format), outcome, lang)
    sink.close()
    sys.exit(EXIT_CONFORMS if conforms else EXIT_VIOLATIONS)


def _check_in_place_usage(
    data: tuple[str, ...],
    profile: str | None,
    shapes_file: str | None,
    record_system: str | None,
    data_format: str | None,
    engine: str,
) -> None:
    if data:
        raise click.UsageError("give DATA files or --endpoint, not both")
    if profile is None and shapes_file is None:
        raise click.UsageError("--endpoint needs --profile (or --shapes)")
    if record_system is not None or data_format is not None:
        raise click.UsageError("--record and --data-format do not go with --endpoint")
    if engine == Engine.PYSHACL:
        raise click.UsageError("--endpoint runs the compiled engine (pyshacl needs the data here)")


def _validate_in_place(
    settings: Settings,
    endpoint_ref: str,
    graphs: tuple[str, ...],
    profile: str | None,
    shapes_file: str | None,
    options: ValidationOptions,
    output_format: str,
    output: Path | None,
    lang: str | None,
    show_progress: bool,
) -> None:
    """Validation in place: the compiled queries run at the endpoint, the data stays there."""
    from cityref.profiles.conformance import check_endpoint_at_release
    from cityref.registry.versioned import release_context
    from cityref.services.validation_endpoints import endpoint_for_command_line
    from cityref.store.sources import ModelFiles
    from cityref.validation.endpoint import DEFAULT_TIMEOUT
    from cityref.validation.in_place import validate_endpoint

    try:
        timeout = options.time_limit or DEFAULT_TIMEOUT
        where = endpoint_for_command_line(settings, endpoint_ref, graphs, timeout)
        with terminal_progress(sys.stderr, lang, show_progress):
            if shapes_file is not None:
                shapes = _read(shapes_file, None, [])
                report = validate_endpoint(where, shapes, options)
                outcome = Outcome.unlocated(where.describe(), report)
            else:
                model = ModelFiles.from_settings(settings)
                release = release_context(profile, model)
                outcome = check_endpoint_at_release(where, release, options, model=model)
    except CityrefError as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # never a traceback on the command line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
        return
    _write_whole_report(outcome, output, output_format, lang)
