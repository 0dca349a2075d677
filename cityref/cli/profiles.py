"""``cityref profiles`` (list, show, coverage) and ``cityref context PROFILE``.

The lead registers :data:`profiles_group` and :data:`context_command` on the ``cityref`` CLI.
Exit status: 0 done; 1 coverage below 100 %; 2 unknown profile or bad usage.
"""

from __future__ import annotations

import json
import sys

import click

from cityref.cli.context import command_model
from cityref.profiles.column_tables import unconfirmed_notes
from cityref.profiles.registry import (
    COMMON_FOLDER,
    Profile,
    ProfileNotFound,
    list_profiles,
    load_profile,
)
from cityref.text import Bilingual

EXIT_INCOMPLETE, EXIT_USAGE = 1, 2


def _summary(p: Profile) -> dict[str, object]:
    return {
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "domains": list(p.domains),
        "status": p.status,
        "input": p.input_kind,
        "standards": list(p.standards),
        "edition": Bilingual.from_dict(p.edition).by_language(),
        "sources": list(p.sources),
        "iri": p.iri,
    }


def _edition(p: Profile) -> str:
    """The edition it follows, both languages, or that none is stated."""
    return Bilingual.from_dict(p.edition).both() or "not stated / 記載なし"


def _load(ref: str) -> Profile:
    try:
        return load_profile(ref, command_model())
    except ProfileNotFound as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.group("profiles", invoke_without_command=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format of the list.",
)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="en", show_default=True)
@click.pass_context
def profiles_group(ctx: click.Context, fmt: str, lang: str) -> None:
    """List the application profiles (id, version, title, domain, status).

    プロファイルの一覧（ID、版、題名、分野、状態）。
    """
    if ctx.invoked_subcommand is not None:
        return
    found = list_profiles(command_model())
    if fmt == "json":
        click.echo(json.dumps([_summary(p) for p in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no profiles under {command_model().shapes_dir} / プロファイルはありません")
        return
    width = max(len(p.id) for p in found)
    for p in found:
        title = p.title.get(lang) or p.title.get("en", "")
        domains = ",".join(p.domains)
        click.echo(f"{p.id:<{width}}  {p.version:<6} {p.status:<10} {domains:<24} {title}")


def _column_info(
    title: str, required: bool, datatype: str, notes: dict[tuple[str | None, str], Bilingual]
) -> dict[str, object]:
    info: dict[str, object] = {"title": title, "required": required, "datatype": datatype}
    if (None, title) in notes:
        info["unconfirmed"] = notes[None, title].by_language()
    return info


@profiles_group.command("show")
@click.argument("profile")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def show_command(profile: str, fmt: str) -> None:
    """Show one profile: metadata, files and columns (for tabular input).

    プロファイルの詳細（メタデータ、ファイル、列）。
    """
    p = _load(profile)
    info = _summary(p)
    info["description"] = p.description
    info["files"] = sorted(
        str(f.relative_to(p.directory)) for f in p.directory.rglob("*") if f.is_file()
    )
    schema = p.table_schema()  # one-table (CSV) profiles only
    notes = unconfirmed_notes(p.directory, p.model.base_iri, p.directory.parent / COMMON_FOLDER)
    if schema is not None:
        info["columns"] = [
            _column_info(c.title, c.required, c.datatype, notes) for c in schema.columns
        ]
    if fmt == "json":
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"{p.id} {p.version} ({p.status}) <{p.iri}>")
    for lang in ("ja", "en"):
        click.echo(f"  {p.title.get(lang, '')}")
        click.echo(f"    {p.description.get(lang, '')}")
    click.echo(f"  domains: {', '.join(p.domains)}; input: {p.input_kind}")
    click.echo(f"  standards: {', '.join(p.standards)}")
    click.echo(f"  edition / 版: {_edition(p)}")
    for source in p.sources:
        click.echo(f"  source / 出典: {source}")
    if schema is not None:
        click.echo("  columns:")
        for c in schema.columns:
            flag = "*" if c.required else " "
            click.echo(f"    {flag} {c.title} ({c.datatype})")
            if (None, c.title) in notes:
                click.echo(f"        unconfirmed / 未確認: {notes[None, c.title].both()}")
    click.echo("  files:")
    for name in info["files"]:  # type: ignore[attr-defined]
        click.echo(f"    {name}")


@profiles_group.command("coverage")
@click.argument("profile", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def coverage_command(profile: str | None, fmt: str) -> None:
    """For each constraint of each profile, whether an invalid example triggers it.

    各プロファイルの制約ごとに、無効な例がそれを検出するか。Exit 1 below 100 %.
    """
    from cityref.profiles.coverage import coverage

    model = command_model()
    chosen = [_load(profile)] if profile else [p for p in list_profiles(model) if p.is_data_profile]
    rows = [coverage(p) for p in chosen]
    total = sum(len(c.constraints) for c in rows)
    hit = sum(len(c.constraints & c.triggered) for c in rows)
    if fmt == "json":
        out = {
            "profiles": [
                {
                    "id": c.profile.id,
                    "edition": Bilingual.from_dict(c.profile.edition).by_language(),
                    "sources": list(c.profile.sources),
                    "constraints": len(c.constraints),
                    "triggered": len(c.constraints & c.triggered),
                    "missing": [{"shape": s, "component": k} for s, k in c.missing],
                }
                for c in rows
            ],
            "ratio": hit / total if total else 1.0,
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for c in rows:
            click.echo(f"{c.profile.id:<28} {c.ratio:6.1%}  ({len(c.constraints)} constraints)")
            click.echo(f"    edition / 版: {_edition(c.profile)}")
            for shape, comp in c.missing:
                click.echo(f"    not triggered: {comp} on {shape}")
        click.echo(f"{'total':<28} {hit / total if total else 1.0:6.1%}  ({total} constraints)")
    if hit < total:
        sys.exit(EXIT_INCOMPLETE)


@click.command("context")
@click.argument("profile", required=False)
@click.option("--all", "whole", is_flag=True, help="The context of the whole vocabulary.")
def context_command(profile: str | None, whole: bool) -> None:
    """Print the JSON-LD @context of a profile (or, with --all, of the whole vocabulary).

    プロファイル（--all で語彙全体）のJSON-LD @context を出力する。
    """
    from cityref.profiles.contexts import profile_context, vocabulary_context

    if whole:
        doc = vocabulary_context(command_model())
    elif profile:
        doc = profile_context(_load(profile))
    else:
        click.echo("error: give a PROFILE or --all", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
