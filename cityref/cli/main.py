"""The ``cityref`` command line: build, query, info, settings (and more as issues land).

Exit codes: 0 success; 1 the work failed (a source does not parse, no store); 2 bad usage or
a query that does not parse; 3 a query stopped at its time limit.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from cityref.cli.convert import convert_command
from cityref.cli.info import describe_store
from cityref.cli.registry import COMMANDS as REGISTRY_COMMANDS
from cityref.cli.table import render_table
from cityref.cli.worker import worker_command
from cityref.errors import (
    CityrefError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    SettingsError,
    StoreMissing,
)
from cityref.services.shared_state import LockLost, StateUnavailable, share_writes
from cityref.services.tokens import SCOPES, TokenError, create_token, load_tokens, revoke_token
from cityref.settings import SETTINGS, Settings, load_settings, settings_markdown, shown_value
from cityref.sparql.query import (
    DiskStoreRef,
    DumpStoreRef,
    QueryRequest,
    RemoteStoreRef,
    StoreRef,
    run_query,
)
from cityref.sparql.results import GRAPH_FORMATS, RESULT_FORMATS
from cityref.store import build as building
from cityref.store.remote import RemoteEndpoints, current_pointer
from cityref.store.remote_build import build_configured
from cityref.store.sources import ModelFiles

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
QUERY_FORMATS = ("table", *RESULT_FORMATS, *GRAPH_FORMATS)


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _model(ctx: click.Context) -> ModelFiles:
    return ModelFiles.from_settings(_settings(ctx))


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cityref", message="cityref %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """cityref — the Super City Reference Model as a knowledge graph.

    スーパーシティのリファレンスモデルを知識グラフとして扱うツール。
    """
    try:
        ctx.obj = load_settings()
        share_writes(ctx.obj.state)  # registry and token writes across instances
    except SettingsError as exc:
        _fail(str(exc), EXIT_USAGE)
    except StateUnavailable as exc:
        _fail(str(exc), EXIT_USAGE)


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print the table as docs/settings.md.")
@click.pass_context
def settings_command(ctx: click.Context, markdown: bool) -> None:
    """Print every setting with its current value and environment variable."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    values = _settings(ctx).as_dict()
    for setting in SETTINGS:
        click.echo(
            f"{setting.name} = {shown_value(setting, values[setting.name])}    ({setting.env})"
        )
        click.echo(f"    {setting.help.ja}")
        click.echo(f"    {setting.help.en}")


@cli.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when no source changed.")
@click.option("--memory", is_flag=True, help="Build in memory only, to check the sources.")
@click.pass_context
def build_command(ctx: click.Context, force: bool, memory: bool) -> None:
    """Load ontology/, shapes/ and registry/ into the store, with OWL-RL entailments."""
    settings = _settings(ctx)
    progress = lambda message: click.echo(message, err=True)  # noqa: E731
    try:
        if memory:
            _store, record = building.build_in_memory(_model(ctx), progress)
            skipped = False
        else:
            outcome = build_configured(settings, _model(ctx), force=force, progress=progress)
            record, skipped = outcome.record, outcome.skipped
    except building.BuildFailed as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo("build failed; the previous store is unchanged", err=True)
        sys.exit(EXIT_FAILED)
    except CityrefError as exc:
        _fail(str(exc), EXIT_FAILED)
    if skipped:
        click.echo(f"up to date: sources unchanged since build {record.build_id}")
        return
    width = max(len(g) for g in record.graphs)
    for graph, count in record.graphs.items():
        click.echo(f"{graph:<{width}}  {count:>8}")
    total = sum(record.graphs.values())
    click.echo(f"{len(record.graphs)} graphs, {total} triples in {record.seconds:.2f} s")


def _current_ref(settings: Settings) -> StoreRef:
    """The current build: on the remote store if one is configured, else in the folder."""
    endpoints = RemoteEndpoints.from_settings(settings)
    if endpoints is None:
        return DiskStoreRef(building.current_build_dir(settings.store) / "oxigraph")
    pointer = current_pointer(endpoints, settings.query_timeout)
    return RemoteStoreRef(endpoints, pointer.build_id, pointer.generation, settings.query_timeout)


def _read_query(text: str | None, file: Path | None) -> str:
    if text is not None and file is not None:
        raise click.UsageError("give the query inline or with -f, not both")
    if file is not None:
        return file.read_text(encoding="utf-8")
    if text is None or text == "-":
        if sys.stdin.isatty():
            raise click.UsageError("no query: give it inline, with -f FILE, or on stdin")
        return sys.stdin.read()
    return text


@cli.command("query")
@click.argument("text", required=False)
@click.option("-f", "--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(QUERY_FORMATS),
    help="Output format. Default: table on a terminal, else SPARQL JSON or Turtle.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds.")
@click.option("--max-rows", type=click.IntRange(min=1), help="Most rows or triples printed.")
@click.option("--memory", is_flag=True, help="Build the model in memory and query that.")
@click.pass_context
def query_command(
    ctx: click.Context,
    text: str | None,
    file: Path | None,
    output_format: str | None,
    timeout: float | None,
    max_rows: int | None,
    memory: bool,
) -> None:
    """Run a SPARQL query (inline, -f FILE or stdin) over the union of all graphs."""
    settings = _settings(ctx)
    sparql = _read_query(text, file)
    if output_format is None:
        output_format = "table" if sys.stdout.isatty() else "auto"
    ref: StoreRef
    try:
        if memory:
            store, _record = building.build_in_memory(_model(ctx))
            ref = DumpStoreRef(store.dump_nquads())
        else:
            ref = _current_ref(settings)
        request = QueryRequest(
            sparql,
            "auto" if output_format == "table" else output_format,
            max_rows or settings.max_rows,
            timeout or settings.query_timeout,
        )
        answer = run_query(ref, request, settings.query_memory_mb)
    except QuerySyntaxError as exc:
        _fail(str(exc), EXIT_USAGE)
    except QueryRefused as exc:
        _fail(str(exc), EXIT_USAGE)
    except QueryTimeout as exc:
        _fail(str(exc), EXIT_TIMEOUT)
    except (StoreMissing, CityrefError) as exc:
        _fail(str(exc), EXIT_FAILED)
    if output_format == "table" and answer.kind != "graph":
        click.echo(render_table(answer.data, truncated=answer.truncated))
    else:
        sys.stdout.buffer.write(answer.data)
        sys.stdout.flush()
    if answer.truncated:
        click.echo(f"note: the answer was cut at {answer.rows} rows (max_rows)", err=True)


@cli.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def info_command(ctx: click.Context, as_json: bool) -> None:
    """Store location, build time, sources and checksums, triples per graph, versions."""
    try:
        click.echo(describe_store(_settings(ctx), as_json=as_json))
    except StoreMissing as exc:
        _fail(str(exc), EXIT_FAILED)


@cli.group("token")
def token_group() -> None:
    """Bearer tokens for the write surfaces (stored hashed). 書き込み用トークンの管理。"""


@token_group.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), default="write", show_default=True)
@click.pass_context
def token_create(ctx: click.Context, name: str, scope: str) -> None:
    """Create a token; it is printed once and only its hash is kept."""
    try:
        click.echo(create_token(_settings(ctx).tokens_file, name, scope))
    except (TokenError, StateUnavailable, LockLost) as exc:
        _fail(str(exc), EXIT_USAGE)


@token_group.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """List the tokens: name, scope, created, revoked."""
    for record in load_tokens(_settings(ctx).tokens_file):
        state = "revoked" if record.revoked else "active"
        created = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        click.echo(f"{record.name}\t{record.scope}\t{created}\t{state}")


@token_group.command("revoke")
@click.argument("name")
@click.pass_context
def token_revoke(ctx: click.Context, name: str) -> None:
    """Revoke the active token of that name."""
    try:
        revoke_token(_settings(ctx).tokens_file, name)
    except (TokenError, StateUnavailable, LockLost) as exc:
        _fail(str(exc), EXIT_USAGE)


def _register_plugin_commands() -> None:
    """Commands that live beside their engines, and those of other packages (the web front
    end's ``serve``), join through the ``cityref.commands`` entry points."""
    for entry in entry_points(group="cityref.commands"):
        cli.add_command(entry.load(), entry.name)
    for command in REGISTRY_COMMANDS:
        cli.add_command(command)
    cli.add_command(convert_command)
    cli.add_command(worker_command)


_register_plugin_commands()


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="cityref")
