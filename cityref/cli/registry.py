"""Click commands of the registry: release, releases, diff, propose, proposals, systems,
records, impact, stats. The CLI registers them; each reads the settings from the context
(:mod:`cityref.cli.context`) and reports errors as ``cityref COMMAND: error: …`` with exit 1
(2 for bad usage), never a traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from cityref.cli.context import command_settings
from cityref.errors import CityrefError
from cityref.registry import changelog
from cityref.registry import impact as impacts
from cityref.registry import proposals as props
from cityref.registry import records as recs
from cityref.registry.changeset import Changeset
from cityref.registry.diff import semantic_diff
from cityref.registry.durable import RegistryError, read_bytes
from cityref.registry.releases import (
    WORKING,
    create_release,
    list_releases,
    model_release,
    split_notes,
    tree,
)
from cityref.registry.stats import evidence_for, registry_stats, to_text
from cityref.registry.versioned import split_ref, validate_at
from cityref.settings import Settings
from cityref.store.sources import ModelFiles
from cityref.validation import Language, Report
from cityref.validation.loading import format_for_name, rdf_format

EXIT_FAILED, EXIT_USAGE = 1, 2


def _settings() -> Settings:
    return command_settings()


def _fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    name = click.get_current_context().command_path or "cityref"
    click.echo(f"{name}: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except CityrefError as exc:
        _fail(str(exc))
    except (OSError, ValueError, SyntaxError) as exc:
        _fail(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # never a traceback on the command line
        _fail(f"internal error: {type(exc).__name__}: {exc}")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror or exc}")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@click.command("release")
@click.argument("version")
@click.option(
    "--notes",
    "notes_file",
    required=True,
    type=click.Path(path_type=Path),
    help="Markdown notes with a '# ja' and a '# en' section.",
)
def release_command(version: str, notes_file: Path) -> None:
    """Release ontology/ and shapes/ as VERSION (semver): registry/releases/VERSION.trig."""
    s = _settings()
    with _errors():
        notes = split_notes(read_bytes(notes_file).decode("utf-8"), str(notes_file))
        made = create_release(s.sources, version, notes, s.base_iri)
    click.echo(f"release {made.version} ({made.issued}) -> {made.dataset}")


@click.command("releases")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def releases_command(as_json: bool) -> None:
    """List the releases, oldest first."""
    with _errors():
        found = list_releases(_settings().sources)
    if as_json:
        click.echo(_json([{"version": r.version, "iri": r.iri, "issued": r.issued} for r in found]))
        return
    for r in found:
        click.echo(f"{r.version}\t{r.issued}\t{r.iri}")
    if not found:
        click.echo("no releases / リリースはありません")


@click.command("diff")
@click.argument("old")
@click.argument("new", default="working")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(changelog.CHANGELOG_FORMATS),
    default="markdown",
    show_default=True,
)
@click.option(
    "--lang",
    type=click.Choice(["both", "ja", "en"]),
    default="both",
    show_default=True,
    help="Language of the Markdown changelog.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
def diff_command(old: str, new: str, fmt: str, lang: str, output: Path | None) -> None:
    """Semantic diff from release OLD to release NEW (or 'working', the default)."""
    s = _settings()
    with _errors():
        changes = semantic_diff(tree(s.sources, old), tree(s.sources, new), s.base_iri)
        text = changelog.render(changes, old, new, fmt, s.base_iri, lang)
    _emit(text, output)


def _read_optional(path: Path | None) -> bytes:
    return read_bytes(path) if path is not None else b""


@click.command("propose")
@click.option("--kind", type=click.Choice(props.KINDS), help="What the proposal does.")
@click.option("--proposer", required=True, help="Who proposes (name or e-mail).")
@click.option("--rationale-ja", required=True, help="Why, in Japanese.")
@click.option("--rationale-en", required=True, help="Why, in English.")
@click.option("--evidence", multiple=True, help="A link or a note; repeatable.")
@click.option("--target", multiple=True, help="IRI the proposal is about; repeatable.")
@click.option(
    "--additions", type=click.Path(path_type=Path), help="TriG file of statements to add."
)
@click.option(
    "--deletions", type=click.Path(path_type=Path), help="TriG file of statements to delete."
)
@click.option("--deprecate", metavar="TERM", help="Deprecate this term (builds the patch).")
@click.option("--retire", metavar="TERM", help="Retire this term (builds the patch).")
@click.option("--replaced-by", metavar="TERM", help="The replacement of the term.")
@click.option(
    "--stats-evidence",
    is_flag=True,
    help="Add the conformance statistics of the targets (use, failures) as evidence.",
)
def propose_command(
    kind: str | None,
    proposer: str,
    rationale_ja: str,
    rationale_en: str,
    evidence: tuple[str, ...],
    target: tuple[str, ...],
    additions: Path | None,
    deletions: Path | None,
    deprecate: str | None,
    retire: str | None,
    replaced_by: str | None,
    stats_evidence: bool,
) -> None:
    """Open a proposal: a patch (TriG additions and deletions) with rationale and evidence."""
    s = _settings()
    lifecycle = deprecate or retire
    if deprecate and retire:
        _fail("give --deprecate or --retire, not both", EXIT_USAGE)
    if lifecycle and (additions or deletions):
        _fail(
            "--deprecate/--retire build the patch; do not also give --additions/--deletions",
            EXIT_USAGE,
        )
    if not lifecycle and not (additions or deletions):
        _fail(
            "give --additions and/or --deletions (TriG), or --deprecate/--retire TERM", EXIT_USAGE
        )
    with _errors():
        if lifecycle:
            state = "deprecated" if deprecate else "retired"
            change = props.term_lifecycle_changeset(
                s.sources, s.base_iri, lifecycle, replaced_by, state
            )
            kind = kind or ("deprecate-term" if deprecate else "retire-term")
        else:
            change = Changeset.from_trig(
                _read_optional(additions), _read_optional(deletions), str(additions or deletions)
            )
        if kind is None:
            _fail("missing --kind", EXIT_USAGE)
        targets = list(target) or change.subjects
        notes = list(evidence)
        if stats_evidence:
            today = datetime.now(UTC).date().isoformat()
            notes += evidence_for(registry_stats(s.sources, top=1_000_000), targets, today)
        made = props.create_proposal(
            s.sources,
            s.base_iri,
            kind=kind,
            proposer=proposer,
            changeset=change,
            rationale={"ja": rationale_ja, "en": rationale_en},
            evidence=notes,
            targets=targets,
        )
    click.echo(f"proposal {made.id} ({made.kind}) is open: {made.iri}")


@click.group("proposals")
def proposals_group() -> None:
    """List, show, accept or reject proposals."""


@proposals_group.command("list")
@click.option("--status", type=click.Choice(props.STATES))
@click.option("--json", "as_json", is_flag=True)
def proposals_list(status: str | None, as_json: bool) -> None:
    """The proposals, with their status."""
    with _errors():
        found = props.list_proposals(_settings().sources, status)
    if as_json:
        click.echo(_json([p.as_dict() for p in found]))
        return
    for p in found:
        click.echo(f"{p.id}\t{p.status}\t{p.kind}\t{p.proposer}\t{', '.join(p.targets)}")
    if not found:
        click.echo("no proposals / 提案はありません")


@proposals_group.command("show")
@click.argument("ident")
@click.option("--json", "as_json", is_flag=True)
def proposals_show(ident: str, as_json: bool) -> None:
    """One proposal in full, its patch included."""
    with _errors():
        p = props.read_proposal(_settings().sources, ident)
    data = p.as_dict()
    if as_json:
        click.echo(_json(data))
        return
    for key in ("id", "iri", "kind", "status", "proposer", "created", "targets", "evidence"):
        click.echo(f"{key}: {data[key]}")
    click.echo(f"rationale (ja): {p.rationale.get('ja', '')}")
    click.echo(f"rationale (en): {p.rationale.get('en', '')}")
    click.echo("additions:\n" + str(data["additions"]) + "deletions:\n" + str(data["deletions"]))
    for r in p.reviews:
        click.echo(f"review: {r.date} {r.reviewer} {r.decision}: {r.comment}")


@proposals_group.command("accept")
@click.argument("ident")
@click.option("--reviewer", required=True)
@click.option("--comment", default="")
def proposals_accept(ident: str, reviewer: str, comment: str) -> None:
    """Apply the proposal's patch to the Turtle sources and mark it accepted."""
    s = _settings()
    with _errors():
        p = props.accept_proposal(s.sources, s.base_iri, ident, reviewer, comment)
    click.echo(f"proposal {p.id} accepted; changed: {', '.join(p.changed_files) or 'nothing'}")


@proposals_group.command("reject")
@click.argument("ident")
@click.option("--reviewer", required=True)
@click.option("--comment", required=True, help="Why (required).")
def proposals_reject(ident: str, reviewer: str, comment: str) -> None:
    """Mark the proposal rejected; the sources are not touched."""
    with _errors():
        p = props.reject_proposal(_settings().sources, ident, reviewer, comment)
    click.echo(f"proposal {p.id} rejected")


@click.group("systems")
def systems_group() -> None:
    """Register city systems and list them."""


@systems_group.command("register")
@click.argument("ident")
@click.option("--vendor", required=True)
@click.option("--product", required=True)
@click.option("--version", "product_version", required=True)
@click.option("--domain", multiple=True, help="Domain id, e.g. mobility; repeatable.")
@click.option("--claims", multiple=True, metavar="PROFILE@VERSION", help="Repeatable.")
def systems_register(
    ident: str,
    vendor: str,
    product: str,
    product_version: str,
    domain: tuple[str, ...],
    claims: tuple[str, ...],
) -> None:
    """Register (or update) the system IDENT."""
    s = _settings()
    with _errors():
        path = recs.register_system(
            s.sources,
            s.base_iri,
            ident,
            vendor=vendor,
            product=product,
            version=product_version,
            domains=domain,
            claims=claims,
        )
    click.echo(f"system {ident} registered: {recs.system_iri(s.base_iri, ident)} ({path})")


@systems_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def systems_list(as_json: bool) -> None:
    """The registered systems."""
    with _errors():
        found = recs.list_systems(_settings().sources)
    if as_json:
        click.echo(_json(found))
        return
    for sy in found:
        claims = ", ".join(sy["claims"])  # type: ignore[arg-type]
        click.echo(f"{sy['id']}\t{sy['vendor']}\t{sy['product']} {sy['version']}\t{claims}")


@click.group("records")
def records_group() -> None:
    """Conformance records: list them, or validate data and record the outcome."""


@records_group.command("list")
@click.option("--system")
@click.option("--json", "as_json", is_flag=True)
def records_list(system: str | None, as_json: bool) -> None:
    """The conformance records, oldest first."""
    with _errors():
        found = recs.list_records(_settings().sources, system)
    if as_json:
        click.echo(_json([r.as_dict() for r in found]))
        return
    for r in found:
        click.echo(
            f"{r.time}\t{r.system}\t{r.profile}\t{r.verdict}\t"
            f"{r.violations} violations, {r.warnings} warnings\t{r.iri}"
        )


def _data_files(data: tuple[str, ...], data_format: str | None) -> list[recs.DataFile]:
    out = []
    for name in data:
        fmt = rdf_format(data_format) if data_format else format_for_name(name)
        out.append(recs.DataFile(name, read_bytes(Path(name)), fmt))
    return out


def _check(
    profile: str,
    data: tuple[str, ...],
    data_format: str | None,
    lang: str,
    after: Callable[[Report, list[recs.DataFile]], str] | None = None,
) -> None:
    s = _settings()
    if "@" not in profile:
        _fail("give the profile as ID@VERSION (a release, or 'working')", EXIT_USAGE)
    with _errors():
        files = _data_files(data, data_format)
        report = validate_at(ModelFiles.from_settings(s), profile, files)
        note = after(report, files) if after else ""
    violations = sum(r.severity.value.endswith("#Violation") for r in report.results)
    click.echo(report.to_text(Language(lang)), nl=False)
    verdict = "fail" if violations else "pass"
    click.echo(f"verdict / 判定: {verdict} ({profile}){note}")
    sys.exit(EXIT_FAILED if violations else 0)


@records_group.command("check")
@click.argument("data", nargs=-1, required=True)
@click.option("--profile", required=True, metavar="ID@VERSION")
@click.option("--data-format", metavar="FORMAT")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="en", show_default=True)
def records_check(data: tuple[str, ...], profile: str, data_format: str | None, lang: str) -> None:
    """Validate DATA against a profile as it was in a release (with deprecation warnings),
    without recording. Exit 0 when there is no violation, 1 otherwise."""
    _check(profile, data, data_format, lang)


@records_group.command("add")
@click.argument("system")
@click.argument("data", nargs=-1, required=True)
@click.option("--profile", required=True, metavar="ID@VERSION")
@click.option("--data-format", metavar="FORMAT")
@click.option("--keep-sample", is_flag=True, help="Keep a copy of the data for impact checks.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="en", show_default=True)
def records_add(
    system: str,
    data: tuple[str, ...],
    profile: str,
    data_format: str | None,
    keep_sample: bool,
    lang: str,
) -> None:
    """Validate DATA as `records check` does and store a conformance record for SYSTEM."""
    s = _settings()

    ident, version = split_ref(profile)
    released = model_release(s.sources) if version == WORKING else version

    def store(report: Report, files: list[recs.DataFile]) -> str:
        made = recs.record_validation(
            s.sources,
            s.base_iri,
            system,
            f"{ident}@{released}",
            report,
            files,
            keep_sample=keep_sample,
            model_release=released,
        )
        return f"\nrecorded / 記録: {made.iri}"

    _check(profile, data, data_format, lang, store)


@click.command("impact")
@click.argument("old")
@click.argument("new", default="working")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
def impact_command(old: str, new: str, fmt: str) -> None:
    """Per registered system: the changes OLD -> NEW touching it, and its kept sample data
    re-validated under NEW (newly failing, still passing …)."""
    s = _settings()
    with _errors():
        found = impacts.impact(s.sources, old, new, s.base_iri)
    if fmt == "json":
        click.echo(_json([i.as_dict() for i in found]))
    else:
        click.echo(impacts.to_markdown(found, old, new), nl=False)


@click.command("stats")
@click.option("--system")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def stats_command(system: str | None, top: int, as_json: bool) -> None:
    """From the conformance records: the constraints failing most, the terms used."""
    with _errors():
        found = registry_stats(_settings().sources, system, top)
    click.echo(_json(found.as_dict()) if as_json else to_text(found), nl=as_json)


COMMANDS: tuple[click.Command, ...] = (
    release_command,
    releases_command,
    diff_command,
    propose_command,
    proposals_group,
    systems_group,
    records_group,
    impact_command,
    stats_command,
)

__all__ = ["COMMANDS", "RegistryError"]
