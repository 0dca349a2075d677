"""``cityref validate``: the command-line face of the validation API.

Exit status: 0 the data conforms, 1 it does not, 2 usage or input errors (reported as
``file:line:column: message``, never a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cityref.errors import CityrefError
from cityref.summary import summary_json
from cityref.validation.api import Document, validate_documents
from cityref.validation.loading import format_for_name, rdf_format
from cityref.validation.options import Engine, Language, ValidationOptions
from cityref.validation.report import FORMATS

if TYPE_CHECKING:
    from cityref.profiles import InputCheck
    from cityref.registry.versioned import ReleaseContext
    from cityref.validation.loading import FormatLike

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"cityref validate: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _read(name: str, explicit_format: str | None, stdin_used: list[bool]) -> Document:
    """A document from a path or '-' (stdin), with its format by flag or extension."""
    if name == "-":
        if stdin_used:
            _fail("'-' (standard input) can be given only once")
        stdin_used.append(True)
        if explicit_format is None:
            _fail("reading standard input needs --data-format (or --shapes-format)")
        data = sys.stdin.buffer.read()
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
@click.argument("data", nargs=-1, required=True)
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
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="en",
    show_default=True,
    help="Language of messages and readable reports.",
)
@click.option(
    "--engine",
    type=click.Choice([e.value for e in Engine]),
    default="compiled",
    show_default=True,
    help="compiled (SPARQL on Oxigraph) or pyshacl (reference).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here instead of standard output.",
)
@click.option(
    "--data-format",
    metavar="FORMAT",
    help="RDF format of DATA (turtle, ntriples, nquads, trig, rdfxml, jsonld, or a media type).",
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
    "--inference/--no-inference",
    default=False,
    show_default=True,
    help="Add RDFS entailments of the data first.",
)
def validate(
    data: tuple[str, ...],
    shapes_file: str | None,
    ontology_file: str | None,
    profile: str | None,
    output_format: str,
    lang: str,
    engine: str,
    output: Path | None,
    data_format: str | None,
    shapes_format: str | None,
    max_results: int,
    time_limit: float | None,
    max_input_bytes: int | None,
    record_system: str | None,
    keep_sample: bool,
    inference: bool,
) -> None:
    """Validate DATA files ('-' for stdin) against a profile or SHACL shapes.

    With --shapes, DATA is RDF. Otherwise each file (CSV, GTFS zip, NGSI-LD JSON, RDF) is read
    through its input adapter and checked against --profile, or the profile detected from it.
    Exit 0 when the data conforms, 1 when it does not, 2 on usage or input errors.
    検証結果が適合なら 0、不適合なら 1、使い方や入力の誤りは 2 で終了します。
    """
    if profile is not None and shapes_file is not None:
        raise click.UsageError("give either --profile or --shapes, not both")
    options = ValidationOptions(
        engine=Engine(engine),
        language=Language(lang),
        max_results=max_results,
        time_limit=time_limit,
        inference=inference,
        max_input_bytes=max_input_bytes,
    )
    if shapes_file is None:
        _validate_with_profiles(
            data, profile, options, output_format, output, data_format, record_system, keep_sample
        )
        return
    if record_system is not None:
        raise click.UsageError("--record needs a profile (records name the profile@version)")
    try:
        stdin_used: list[bool] = []
        documents = [_read(name, data_format, stdin_used) for name in data]
        shapes = _read(shapes_file, shapes_format, stdin_used)
        ontology = _read(ontology_file, None, stdin_used) if ontology_file else None
        report = validate_documents(documents, shapes, options, ontology=ontology)
        text = report.render(output_format, options.language)  # type: ignore[arg-type]
    except CityrefError as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # never a traceback on the command line
        _fail(f"internal error: {type(exc).__name__}: {exc}")
        return
    _emit(text, output)
    sys.exit(EXIT_CONFORMS if report.conforms else EXIT_VIOLATIONS)


def _emit(text: str, output: Path | None) -> None:
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)


def _record(
    system: str,
    release: ReleaseContext,
    check: InputCheck,
    name: str,
    raw: bytes,
    fmt: FormatLike | None,
    keep_sample: bool,
) -> None:
    """A conformance record; adapter inputs are kept as their RDF, which impact re-reads."""
    from pyoxigraph import RdfFormat

    from cityref.inputs import converted_document
    from cityref.registry.records import DataFile, record_validation
    from cityref.settings import load_settings

    settings = load_settings()
    if check.converted is not None:
        document = converted_document(check.converted)
        files = [DataFile(name, document.data, RdfFormat.N_TRIPLES)]
    else:
        files = [DataFile(name, raw, rdf_format(str(fmt)) if fmt else format_for_name(name))]
    profile = f"{check.profile.id}@{release.version}"
    record = record_validation(
        settings.sources,
        settings.base_iri,
        system,
        profile,
        check.report,
        files,
        keep_sample=keep_sample,
    )
    click.echo(f"recorded: {record.iri} ({record.verdict})", err=True)


def _validate_with_profiles(
    data: tuple[str, ...],
    profile: str | None,
    options: ValidationOptions,
    output_format: str,
    output: Path | None,
    data_format: str | None,
    record_system: str | None = None,
    keep_sample: bool = False,
) -> None:
    """Each DATA file through its input adapter (CSV, GTFS, NGSI-LD, RDF) against a profile:
    the one given, or the one detected from the data (the output says which and why).

    ``ID@VERSION`` naming a release validates against the profile and vocabulary as they were
    in that release; data using deprecated terms gets warnings naming their replacements."""
    from cityref.profiles import check_input
    from cityref.registry.versioned import release_context
    from cityref.settings import load_settings

    settings = load_settings()
    try:
        release = release_context(profile, settings.sources, settings.base_iri)
    except CityrefError as exc:
        _fail(str(exc))
        return
    lang = options.language.value
    parts: list[str] = []
    conforms = True
    stdin_used: list[bool] = []
    for name in data:
        try:
            document = _read(name, data_format, stdin_used) if name == "-" else None
            raw = document.data if document else Path(name).read_bytes()
            fmt = rdf_format(data_format) if data_format else None
            check = check_input(
                raw,
                name,
                release.profile_ref,
                options,
                media_type=fmt.media_type if fmt else None,
                ontology=release.ontology,
                profile=release.profile,
                extra_shapes=release.deprecations,
            )
            report = check.report
            if record_system is not None:
                _record(record_system, release, check, name, raw, fmt, keep_sample)
            if output_format == "text":
                summary = [*check.summary(lang), ""] if check.located else []
                body = "\n".join([check.profile_note(lang), *summary, *check.lines(lang)])
                body += "\n\n"
                body += report.render("text", options.language)
            elif output_format == "json":
                located = check.locations(lang)
                body = json.dumps(
                    {
                        "file": name,
                        "profile": f"{check.profile.id}@{check.profile.version}",
                        "profile_note": check.profile_note(lang),
                        "summary": summary_json(located),
                        "results": located,
                        "report": json.loads(report.to_json(options.language)),
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            else:
                body = report.render(output_format, options.language)  # type: ignore[arg-type]
        except OSError as exc:
            _fail(f"{name}: cannot read: {exc.strerror or exc}")
            return
        except CityrefError as exc:
            _fail(str(exc))
            return
        except Exception as exc:  # never a traceback on the command line
            _fail(f"internal error: {type(exc).__name__}: {exc}")
            return
        conforms = conforms and report.conforms
        parts.append(body.rstrip("\n") + "\n")
    _emit("\n".join(parts), output)
    sys.exit(EXIT_CONFORMS if conforms else EXIT_VIOLATIONS)
