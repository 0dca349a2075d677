"""An older-layout CSV (推奨データセット) rewritten in the current layout of the same dataset
(自治体標準オープンデータセット): ``cityref convert FILE --to current`` and the report page's
button.

Everything is read from the profiles, nothing is named here:

- the older profile names the profile that replaced it (``dcterms:isReplacedBy`` in its
  ``profile.ttl``); a profile naming none is no older layout;
- columns are paired through the Reference Model term each names (``common:term`` in
  ``csv-metadata.json``): an older column and a current one with the same term hold the same
  thing (住所 and 所在地_連結表記 both core:fullAddress, so the free-text address is kept whole);
- values change only where :mod:`cityref.profiles.migration_values` has a certain rule for the
  current column (full-width digits in a code, ○ in a 1/0 flag, a code without check digit).

What could not be carried over or changed is listed in the notes, in Japanese and English.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from cityref.errors import CityrefError
from cityref.inputs import InputLimits
from cityref.inputs.csv_header import match_header, normalise
from cityref.inputs.csv_input import read_rows
from cityref.profiles.detection import detect_profile
from cityref.profiles.migration_values import (
    Rewrite,
    TargetColumn,
    left_as_written,
    rewrites_for,
)
from cityref.profiles.registry import Profile, list_profiles, load_profile
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

BOM = "\ufeff"
COLUMN_TABLE = "csv-metadata.json"
CHECKS = "column-checks.json"
#: What a note is about (``MigrationNote.kind``).
NOTE_KINDS = (
    "dropped",  # a column of the file with no column in the current layout: its values are lost
    "unknown",  # a column the older layout does not have: its values are lost
    "misspelt",  # a header read as the older column it is closest to
    "joined",  # several columns of the file, of one term, joined into one current column
    "copied",  # a required current column given the values of another of its term
    "no-source",  # a column of the current layout nothing in the file fills (left empty)
    "required-empty",  # the same, for a column the current layout requires
    "changed",  # values rewritten by a certain rule
    "kept",  # values no rule could make valid, left as written
    "extra-cells",  # cells beyond the header, not read
)


class NotAnOlderLayout(CityrefError):
    """The file or the profile given is not of an older layout, so there is nothing to
    convert to the current one."""


@dataclass(frozen=True)
class ProfileColumn:
    """A column of a profile's table as the migration pairs it: title, term and rules."""

    title: str
    term: str | None
    required: bool
    target: TargetColumn


@dataclass(frozen=True)
class MigrationNote:
    """One thing the reader of the converted file should know, with the column it is about
    (the older title for columns of the file, the current one otherwise) and how many values
    it concerns (0: the column as a whole)."""

    kind: str
    column: str
    text: Bilingual
    count: int = 0


@dataclass(frozen=True)
class ColumnPlan:
    """A column of the current layout and the columns of the file its values come from
    (positions in the header; none: left empty; several: joined, as 都道府県名 and 市区町村名
    make the 地方公共団体名 静岡県焼津市)."""

    column: ProfileColumn
    sources: tuple[int, ...]
    source_titles: tuple[str, ...]

    def value(self, record: list[str]) -> str:
        """The cell of this column for one row of the file."""
        return "".join(record[i] for i in self.sources if i < len(record))


@dataclass(frozen=True)
class MigrationPlan:
    """How a file's columns become the current layout's, decided from its header alone."""

    source: Profile
    target: Profile
    columns: tuple[ColumnPlan, ...]
    notes: tuple[MigrationNote, ...]


@dataclass(frozen=True)
class Migration:
    """The converted file (UTF-8 with BOM, the current header order), its plan and notes."""

    data: bytes
    filename: str
    plan: MigrationPlan
    notes: tuple[MigrationNote, ...]
    rows: int


def profile_columns(profile: Profile) -> tuple[ProfileColumn, ...]:
    """The columns of a one-table profile with their terms and the values their checks
    allow (``common:in``, or the ``in`` of a check such as umu or flag10)."""
    raw = json.loads(profile.model.read(profile.directory / COLUMN_TABLE).decode("utf-8"))
    if "tables" in raw:
        raise NotAnOlderLayout(
            Bilingual(
                f"プロファイル {profile.id} は表が複数あり、変換できません",
                f"profile {profile.id} has several tables and cannot be converted",
            )
        )
    ns = f"{profile.model.base_iri}shapes/common/"
    check_values = _check_values(profile)
    out: list[ProfileColumn] = []
    for column in raw["tableSchema"]["columns"]:
        if column.get("virtual"):
            continue
        check = column.get(ns + "check")
        allowed = column.get(ns + "in") or check_values.get(str(check), [])
        out.append(
            ProfileColumn(
                title=_first_title(column),
                term=column.get(ns + "term"),
                required=bool(column.get("required", False)),
                target=TargetColumn(
                    _first_title(column),
                    str(column.get("datatype", "string")),
                    str(check) if check else None,
                    tuple(str(v) for v in allowed),
                ),
            )
        )
    return tuple(out)


def _first_title(column: dict[str, Any]) -> str:
    titles = column.get("titles", column.get("name"))
    if isinstance(titles, dict):
        titles = next(iter(titles.values()))
    return str(titles[0] if isinstance(titles, list) else titles)


def _check_values(profile: Profile) -> dict[str, list[str]]:
    """The checks (shared ones, then the profile's own) that are lists of values."""
    found: dict[str, list[str]] = {}
    for folder in (profile.model.shapes_dir / "common", profile.directory):
        path = folder / CHECKS
        if path.is_file():
            kinds = json.loads(profile.model.read(path).decode("utf-8")).get("kinds", {})
            found.update({k: v["in"] for k, v in kinds.items() if "in" in v})
    return found


def current_layout(profile: Profile, model: ModelFiles) -> Profile:
    """The profile that replaced ``profile`` (its ``dcterms:isReplacedBy``); raises
    :class:`NotAnOlderLayout` when it names none, or one that does not exist."""
    if not profile.replaced_by:
        older = ", ".join(p.id for p in older_layouts(model)) or "-"
        raise NotAnOlderLayout(
            Bilingual(
                f"プロファイル {profile.id} は旧レイアウトではありません（旧レイアウト: {older}）",
                f"profile {profile.id} is not an older layout (older layouts: {older})",
            )
        )
    by_iri = {p.iri: p for p in list_profiles(model)}
    found = [by_iri[iri] for iri in profile.replaced_by if iri in by_iri]
    if len(found) != 1:
        raise NotAnOlderLayout(
            Bilingual(
                f"プロファイル {profile.id} の後継（dcterms:isReplacedBy）がちょうど一つ"
                f"見つかりません: {', '.join(profile.replaced_by)}",
                f"profile {profile.id} does not name exactly one existing successor"
                f" (dcterms:isReplacedBy): {', '.join(profile.replaced_by)}",
            )
        )
    return found[0]


def older_layouts(model: ModelFiles) -> list[Profile]:
    """The profiles that name the profile replacing them: the layouts one can convert."""
    return [p for p in list_profiles(model) if p.replaced_by]


def plan_migration(header: list[str], source: Profile, target: Profile) -> MigrationPlan:
    """Which column of the file fills each column of ``target``, from ``header`` read as
    ``source``'s columns; notes for what is lost, misspelt or left empty."""
    schema = source.table_schema()
    if schema is None:
        raise NotAnOlderLayout(
            Bilingual(
                f"プロファイル {source.id} は CSV の表ではありません",
                f"profile {source.id} reads no CSV table",
            )
        )
    match = match_header(header, schema)
    terms = {c.title: c.term for c in profile_columns(source)}
    current = profile_columns(target)
    # A column the older layout lacks but the current one has (a file ahead of its layout).
    current_terms = {normalise(c.title): c.term for c in current}
    notes: list[MigrationNote] = []
    for finding in match.findings:
        if finding.kind == "misspelt" and finding.found and finding.expected:
            notes.append(
                MigrationNote(
                    "misspelt",
                    finding.found,
                    Bilingual(
                        f"見出し「{finding.found}」を「{finding.expected}」として読みました",
                        f"header {finding.found!r} read as {finding.expected!r}",
                    ),
                )
            )
    # Each column of the file, by the term its older column names (first come, first served
    # when the current layout has several columns of one term, e.g. 画像1 and 画像2).
    by_term: dict[str, list[tuple[int, str]]] = {}
    for position, column in enumerate(match.columns):
        cell = header[position].strip()
        term = terms.get(column.title) if column else current_terms.get(normalise(cell))
        if column is None and term is None:
            if cell:
                notes.append(_lost("unknown", cell, source.id))
            continue
        title = cell or (column.title if column else "")
        if term is None:
            notes.append(_lost("dropped", title, target.id))
            continue
        by_term.setdefault(term, []).append((position, title))
    plans: list[ColumnPlan] = []
    remaining = Counter(c.term for c in current)
    for wanted in current:
        sources = by_term.get(wanted.term or "", [])
        remaining[wanted.term] -= 1
        # The last current column of a term takes every file column of it left (joined).
        taken = sources[:] if remaining[wanted.term] == 0 else sources[:1]
        del sources[: len(taken)]
        plans.append(ColumnPlan(wanted, tuple(p for p, _ in taken), tuple(t for _, t in taken)))
    for i, plan in enumerate(plans):
        twin = _twin(plan, plans)
        if twin is not None:
            plans[i] = ColumnPlan(plan.column, twin.sources, twin.source_titles)
            notes.append(_copied(plan.column, twin.column))
        elif not plan.sources:
            notes.append(_empty(plan.column))
        elif len(plan.sources) > 1:
            notes.append(_joined(plan.column, list(plan.source_titles)))
    for leftovers in by_term.values():
        notes.extend(_lost("dropped", title, target.id) for _, title in leftovers)
    return MigrationPlan(source, target, tuple(plans), tuple(notes))


def _lost(kind: str, title: str, profile_id: str) -> MigrationNote:
    if kind == "unknown":
        text = Bilingual(
            f"列「{title}」は旧レイアウト {profile_id} にない列のため、移せません",
            f"column {title!r} is not a column of the older layout {profile_id}; not carried over",
        )
    else:
        text = Bilingual(
            f"列「{title}」は現行レイアウト {profile_id} に同じ項目（用語）の列がないため、"
            "移せません",
            f"column {title!r} has no column of the same term in the current layout"
            f" {profile_id}; not carried over",
        )
    return MigrationNote(kind, title, text)


def _twin(plan: ColumnPlan, plans: list[ColumnPlan]) -> ColumnPlan | None:
    """For a required current column nothing fills, the filled column of the same term
    (同じ用語 = the same thing: 市区町村コード beside 全国地方公共団体コード), else None. Optional
    columns stay empty: 画像2 is not 画像1 again."""
    if plan.sources or not plan.column.required or plan.column.term is None:
        return None
    return next((p for p in plans if p.sources and p.column.term == plan.column.term), None)


def _copied(column: ProfileColumn, twin: ProfileColumn) -> MigrationNote:
    return MigrationNote(
        "copied",
        column.title,
        Bilingual(
            f"必須列「{column.title}」は同じ用語の「{twin.title}」と同じ値にしました",
            f"required column {column.title!r} takes the values of {twin.title!r} (the same term)",
        ),
    )


def _joined(column: ProfileColumn, titles: list[str]) -> MigrationNote:
    names = "」「".join(titles)
    return MigrationNote(
        "joined",
        column.title,
        Bilingual(
            f"「{names}」をつないで「{column.title}」にしました（同じ用語の列）",
            f"{', '.join(titles)} joined into {column.title} (columns of the same term)",
        ),
    )


def _empty(column: ProfileColumn) -> MigrationNote:
    if column.required:
        return MigrationNote(
            "required-empty",
            column.title,
            Bilingual(
                f"必須列「{column.title}」は元のファイルに対応する列がなく、空欄です",
                f"required column {column.title!r} has no source in the file and is left empty",
            ),
        )
    return MigrationNote(
        "no-source",
        column.title,
        Bilingual(
            f"列「{column.title}」は元のファイルに対応する列がなく、空欄です",
            f"column {column.title!r} has no source in the file and is left empty",
        ),
    )


def migrate_to_current(
    data: bytes,
    filename: str,
    model: ModelFiles,
    profile_ref: str | None = None,
    limits: InputLimits | None = None,
) -> Migration:
    """``data`` (a CSV of an older layout: the profile ``profile_ref``, or the one detected)
    in the current layout of the same dataset. Raises :class:`NotAnOlderLayout`,
    :class:`cityref.profiles.NoProfileDetected` or an input error (unreadable CSV)."""
    limits = limits or InputLimits()
    if profile_ref is None:
        match = detect_profile(data, filename, model, limits=limits, media_type="text/csv")
        source = match.profile
        if not source.replaced_by:
            raise NotAnOlderLayout(
                Bilingual(
                    f"{filename}: 現行レイアウト {source.id} と判定しました"
                    f"（{match.reason.ja}）。変換は不要です",
                    f"{filename}: detected as the current layout {source.id}"
                    f" ({match.reason.en}); nothing to convert",
                )
            )
    else:
        source = load_profile(profile_ref, model)
    target = current_layout(source, model)
    rows, _encoding = read_rows(data, filename, limits.max_csv_columns)
    header, records = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    plan = plan_migration(header, source, target)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([p.column.title for p in plan.columns])
    changed: Counter[tuple[str, str]] = Counter()
    kept: Counter[str] = Counter()
    why_kept: dict[str, Bilingual] = {}
    rules = {p.column.title: rewrites_for(p.column.target) for p in plan.columns}
    for record in records:
        row: list[str] = []
        for column_plan in plan.columns:
            title = column_plan.column.title
            value = _rewrite(column_plan.value(record), rules[title], title, changed)
            reason = left_as_written(column_plan.column.target, value) if value else None
            if reason is not None:
                kept[title] += 1
                why_kept[title] = reason
            row.append(value)
        writer.writerow(row)
    width = len(header)
    extra = sum(1 for r in records if len(r) > width and any(c.strip() for c in r[width:]))
    notes = [*plan.notes, *_value_notes(changed, rules, kept, why_kept)]
    if extra:
        notes.append(
            MigrationNote(
                "extra-cells",
                "",
                Bilingual(
                    f"見出しより多いセルのある行が {extra} 行あり、その分は移していません",
                    f"{extra} rows have cells beyond the header; those cells are not carried over",
                ),
                extra,
            )
        )
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "converted"
    return Migration(
        (BOM + out.getvalue()).encode("utf-8"),
        f"{stem}.{target.id}.csv",
        plan,
        tuple(notes),
        len(records),
    )


def _rewrite(
    value: str, rules: tuple[Rewrite, ...], title: str, changed: Counter[tuple[str, str]]
) -> str:
    for rule in rules:
        rewritten = rule.apply(value) if value else None
        if rewritten is not None:
            changed[(title, rule.key)] += 1
            value = rewritten
    return value


def _value_notes(
    changed: Counter[tuple[str, str]],
    rules: dict[str, tuple[Rewrite, ...]],
    kept: Counter[str],
    why_kept: dict[str, Bilingual],
) -> list[MigrationNote]:
    notes: list[MigrationNote] = []
    for (title, key), count in changed.items():
        rule = next(r for r in rules[title] if r.key == key)
        notes.append(
            MigrationNote(
                "changed",
                title,
                Bilingual(
                    f"「{title}」: {rule.text.ja}（{count} 件）",
                    f"{title}: {rule.text.en} ({count} values)",
                ),
                count,
            )
        )
    for title, count in kept.items():
        reason = why_kept[title]
        notes.append(
            MigrationNote(
                "kept",
                title,
                Bilingual(
                    f"「{title}」: {reason.ja}をそのまま残しました（{count} 件）",
                    f"{title}: {reason.en} left as written ({count} values)",
                ),
                count,
            )
        )
    return notes
