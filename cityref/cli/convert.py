"""``cityref convert FILE --to current|turtle|jsonld``.

``current``: a file of an older layout rewritten in the current layout of the same dataset
(:mod:`cityref.profiles.migration`). ``turtle`` / ``jsonld``: a table validated against its
profile, then written as linked data in the Reference Model's vocabulary
(:mod:`cityref.profiles.linked_data`).

The converted file goes to standard output or ``-o``; the notes (what could not be carried
over or changed) go to standard error, in both languages unless ``--lang`` picks one.
Exit status: 0 converted, 1 refused because the file has violations (linked data; ``--force``
writes it anyway), 2 the file cannot be converted (not an older layout, unreadable, no
profile), saying why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from cityref.cli.context import command_model, command_settings
from cityref.errors import CityrefError
from cityref.text import Bilingual

EXIT_CONVERTED, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
NAME_THE_PROFILE = Bilingual(
    "{why}。旧レイアウトのプロファイルを --profile で指定してください",
    "{why}; give the older layout's profile with --profile",
)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"cityref convert: error: {message}", err=True)
    sys.exit(code)


@dataclass(frozen=True)
class Conversion:
    """What the command was asked: the file's bytes and name, and its options."""

    data: bytes
    name: str
    profile: str | None
    output: Path | None
    lang: str | None
    force: bool


def _say(text: Bilingual, lang: str | None) -> str:
    return text.in_language(lang) if lang else text.both()


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror or exc}")


def _to_current(asked: Conversion) -> None:
    """The older-layout file in its current layout, with the notes on stderr."""
    data, name, profile, lang = asked.data, asked.name, asked.profile, asked.lang
    from cityref.inputs import InputLimits
    from cityref.profiles.migration import migrate_to_current

    limits = InputLimits.from_settings(command_settings())
    migration = migrate_to_current(data, name, command_model(), profile, limits)
    plan = migration.plan
    heading = Bilingual(
        f"{plan.source.id} から {plan.target.id} へ {migration.rows} 行を変換しました",
        f"converted {migration.rows} rows from {plan.source.id} to {plan.target.id}",
    )
    click.echo(f"{name}: {_say(heading, lang)}", err=True)
    for note in migration.notes:
        click.echo(f"{name}: {note.kind}: {_say(note.text, lang)}", err=True)
    _write(migration.data, asked.output)


def _to_linked_data(asked: Conversion, to: str) -> None:
    """Validate the file (against its profile, or the one detected), refuse it when it has
    violations unless forced, and write it as Turtle or JSON-LD."""
    from cityref.inputs import InputLimits
    from cityref.profiles import NoProfileDetected, check_at_release
    from cityref.profiles.linked_data import link_table, read_vocabulary, write_linked_data
    from cityref.registry.versioned import release_context
    from cityref.validation.options import ValidationOptions

    settings, model, name, lang = command_settings(), command_model(), asked.name, asked.lang
    release = release_context(asked.profile, model)
    outcome = check_at_release(
        asked.data,
        name,
        release,
        ValidationOptions(base_iri=settings.base_iri),
        model=model,
        limits=InputLimits.from_settings(settings),
    )
    if outcome.profile is None:
        raise NoProfileDetected(Bilingual("プロファイルがありません", "no profile"))
    violations = outcome.counts["Violation"]
    if violations and not asked.force:
        refused = Bilingual(
            f"{name}: {outcome.profile.id} に対する違反が {violations} 件あるため変換"
            f"しません。cityref validate {name} で確かめて直すか、--force で変換して"
            "ください",
            f"{name}: {violations} violation(s) of {outcome.profile.id}; not converted. "
            f"See them with 'cityref validate {name}' and fix them, or give --force",
        )
        _fail(_say(refused, lang), EXIT_VIOLATIONS)
    vocabulary = read_vocabulary(model)
    table = link_table(asked.data, name, outcome.profile, vocabulary)
    written = write_linked_data(table, vocabulary, to)
    click.echo(
        f"{name}: {outcome.profile.id} → {to}, {table.rows} rows as <{table.row_class}>",
        err=True,
    )
    if table.without_term:
        without = Bilingual(
            "用語のない列（プロファイルの列 IRI のまま）",
            "columns without a term, kept under the profile's column IRI",
        )
        click.echo(f"{name}: {_say(without, lang)}: " + ", ".join(table.without_term), err=True)
    if table.unread:
        unread = Bilingual(
            "プロファイルにない列（省きました）", "columns the profile does not have, left out"
        )
        click.echo(f"{name}: {_say(unread, lang)}: " + ", ".join(table.unread), err=True)
    _write(written, asked.output)


#: The layouts ``--to`` converts to, each by its own function.
CONVERSIONS: dict[str, Callable[[Conversion], None]] = {
    "current": _to_current,
    "turtle": lambda asked: _to_linked_data(asked, "turtle"),
    "jsonld": lambda asked: _to_linked_data(asked, "jsonld"),
}


@click.command("convert")
@click.argument("file", metavar="FILE")
@click.option(
    "--to",
    "target",
    type=click.Choice(tuple(CONVERSIONS)),
    required=True,
    help="current: the current layout of an older-layout CSV (推奨データセット → "
    "自治体標準オープンデータセット); turtle or jsonld: the validated table as linked data in "
    "the Reference Model's terms (docs/linked-data.md).",
)
@click.option("--profile", metavar="ID[@VERSION]", help="The file's profile (default: detected).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the converted file here instead of standard output.",
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default=None,
    help="Language of the notes and errors on standard error (default: both).",
)
@click.option("--force", is_flag=True, help="turtle/jsonld: convert even a file with violations.")
def convert_command(
    file: str, target: str, profile: str | None, output: Path | None, lang: str | None, force: bool
) -> None:
    """Convert FILE ('-' for stdin) to another layout; notes on what could not be carried
    over go to standard error.

    --to turtle / jsonld validate first: a file with violations is refused (exit 1) unless
    --force.

    ファイルを別のレイアウトに変換します。移せなかった列などの注記は標準エラーに出します。
    turtle / jsonld は検証してから変換し、違反があれば --force なしでは変換しません
    （終了コード 1）。
    """
    if file == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            data, name = Path(file).read_bytes(), file
        except OSError as exc:
            _fail(f"{file}: cannot read: {exc.strerror or exc}")
            return
    from cityref.profiles import NoProfileDetected

    # One place says why a conversion could not start, whatever the target.
    try:
        CONVERSIONS[target](Conversion(data, name, profile, output, lang, force))
    except NoProfileDetected as exc:
        _fail(_say(NAME_THE_PROFILE.format(why=exc.text), lang))
    except CityrefError as exc:
        _fail(_say(exc.text, lang))
