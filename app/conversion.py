"""The report page's conversion of an older-layout file to the current layout
(:mod:`cityref.profiles.migration`): what the page offers, from the header of the job's stored
input alone, and the converted file, made from that stored input in a child process with the
validation time and memory limits, confined as a validation job is (no network, the model's
files only: :mod:`cityref.services.sandbox`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from cityref.errors import CityrefError
from cityref.inputs import InputLimits
from cityref.inputs.csv_input import read_header
from cityref.profiles import Profile
from cityref.profiles.migration import (
    Migration,
    MigrationNote,
    current_layout,
    migrate_to_current,
    plan_migration,
)
from cityref.services.jobs import Job
from cityref.settings import Settings
from cityref.store.sources import ModelFiles
from cityref.validation.worker import run_limited

#: The notes of a plan the page lists: what is lost, joined, misread or left empty.
PAGE_NOTES = (
    "dropped",
    "unknown",
    "misspelt",
    "joined",
    "copied",
    "required-empty",
    "no-source",
)
INPUT_FILE = "input"


@dataclass(frozen=True)
class ConversionOffer:
    """What the report page says about converting its file: from and to which profile, and
    the notes on its columns."""

    source: Profile
    target: Profile
    notes: tuple[MigrationNote, ...]


def older_profile(job: Job, profiles: list[Profile]) -> Profile | None:
    """The profile a finished job used, when it is an older layout (None otherwise)."""
    if job.state != "done" or not job.profile_used:
        return None
    ident = job.profile_used.partition("@")[0]
    return next((p for p in profiles if p.id == ident and p.replaced_by), None)


def conversion_offer(
    job: Job, folder: Path, profiles: list[Profile], model: ModelFiles, limits: InputLimits
) -> ConversionOffer | None:
    """The offer for the report page of ``job`` (None when its file is of no older layout,
    or its input cannot be read as CSV any more)."""
    source = older_profile(job, profiles)
    if source is None:
        return None
    try:
        target = current_layout(source, model)
        with (folder / INPUT_FILE).open("rb") as stored:
            # The header alone: a page view never reads the whole upload.
            head = stored.read(64 * 1024)
        header = read_header(head.split(b"\n", 1)[0], job.filename, limits.max_csv_columns)
        plan = plan_migration(header, source, target)
    except (CityrefError, OSError, UnicodeDecodeError):
        return None
    notes = tuple(n for n in plan.notes if n.kind in PAGE_NOTES)
    order = {kind: i for i, kind in enumerate(PAGE_NOTES)}
    return ConversionOffer(source, target, tuple(sorted(notes, key=lambda n: order[n.kind])))


def converted_file(
    job: Job, folder: Path, source: Profile, model: ModelFiles, settings: Settings
) -> tuple[bytes, str]:
    """The job's input in the current layout and its file name, converted in a child
    process with the validation time and memory limits. Raises OSError when the input is
    gone, :class:`CityrefError` when it cannot be converted or the limits stop it."""
    data = (folder / INPUT_FILE).read_bytes()
    limits = InputLimits.from_settings(settings)
    migration = run_limited(
        partial(_confined_migration, model=model, profile_ref=source.id, limits=limits),
        (data, job.filename),
        time_limit=settings.validation_timeout,
        memory_mb=settings.validation_memory_mb,
    )
    return migration.data, migration.filename


def _confined_migration(
    data: bytes, name: str, *, model: ModelFiles, profile_ref: str, limits: InputLimits
) -> Migration:
    """:func:`migrate_to_current` in the child process, after confining it for good."""
    from cityref.services.sandbox import confine

    confine([model.root], [])
    return migrate_to_current(data, name, model, profile_ref, limits)
