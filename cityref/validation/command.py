"""``cityref validate``: the command-line face of the validation API.

Exit status: 0 the data conforms, 1 it does not, 2 usage or input errors (reported as
``file:line:column: message``, never a traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cityref.errors import CityrefError
from cityref.validation.api import Document, validate_documents
from cityref.validation.loading import format_for_name, rdf_format
from cityref.validation.options import Engine, Language, ValidationOptions
from cityref.validation.report import FORMATS

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
    inference: bool,
) -> None:
    """Validate RDF DATA files ('-' for stdin) against SHACL shapes.

    Exit 0 when the data conforms, 1 when it does not, 2 on usage or input errors.
    """
    if profile is not None and shapes_file is not None:
        raise click.UsageError("give either --profile or --shapes, not both")
    if profile is not None:
        _fail("profiles are not available yet; use --shapes FILE")
    if shapes_file is None:
        raise click.UsageError("missing --shapes FILE (or --profile ID)")
    options = ValidationOptions(
        engine=Engine(engine),
        language=Language(lang),
        max_results=max_results,
        time_limit=time_limit,
        inference=inference,
        max_input_bytes=max_input_bytes,
    )
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
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_CONFORMS if report.conforms else EXIT_VIOLATIONS)
