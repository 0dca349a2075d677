"""GTFS / GTFS-JP zip to RDF, one CSVW table per file, with file, row and column kept.

Rows of files with an id (routes.txt: route_id, …) are named by that id (``…zip#route=R1``),
and cells that refer to another file (trips.txt route_id) name the same node, so a reference
to a missing route is an sh:class result on the referring cell. Such nodes map back to their
row through :attr:`Converted.subjects`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.inputs.csv_header import Column, TableSchema, header_known_share, match_header
from cityref.inputs.csv_input import (
    EXTRA_CELLS,
    EXTRA_CELLS_COLUMN,
    FINDING_PREDICATES,
    HEADER_CLASS,
    REPORT_EVERY_ROWS,
    UNSURE_MARGIN,
    RowsRead,
    filled_positions,
    finding_triples,
    ntriples_literal,
    read_header,
    read_rows,
)
from cityref.inputs.format import (
    Candidate,
    Detection,
    InputFormat,
    ReadInput,
    Upload,
    converted_input,
)
from cityref.inputs.limits import InputLimits, member_names, read_heads, read_members
from cityref.inputs.model import (
    COMMON,
    RDF_TYPE,
    CellTexts,
    Converted,
    Location,
    input_iri,
    row_iri,
)
from cityref.text import Bilingual
from cityref.validation.progress import report

MISSING_FILE = COMMON + "missingFile"
DUPLICATE_ID = COMMON + "duplicateId"
DUPLICATE_ID_COLUMN = "（重複したID）"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand(template: str, base: str, values: dict[str, str]) -> str | None:
    """A CSVW URI template with the row's cells, resolved against ``base``; None if a cell
    it needs is blank."""
    missing = False

    def fill(m: re.Match[str]) -> str:
        nonlocal missing
        v = values.get(m.group(1), "")
        if v == "":
            missing = True
        return quote(v, safe="")

    text = _PLACEHOLDER.sub(fill, template)
    if missing:
        return None
    return base + text if text.startswith("#") else text


def _row_lines(
    rows: list[list[str]],
    cols: list[tuple[int, Column]],
    table: TableSchema,
    path: str,
    base: str,
    conv: Converted,
    named: set[str],
    defined: set[tuple[str, str]],
    counted: RowsRead,
) -> list[str]:
    """N-Triples lines for the data rows of one GTFS file; the rows are reported as read
    (converting them takes longer than parsing the file)."""
    out: list[str] = []
    width = len(rows[0])
    type_tail = f" <{RDF_TYPE}> <{table.row_class}> .\n" if table.row_class else None
    row_base = row_iri(path, 0)[:-1]
    for number, cells in enumerate(rows[1:], start=2):
        if number % REPORT_EVERY_ROWS == 0:
            report("read", counted.done + number, counted.total)
        if not any(c.strip() for c in cells):
            continue
        values = {c.name: (cells[i] if i < len(cells) else "") for i, c in cols}
        subject = f"<{row_base}{number}>"
        if table.about_url:
            about = _expand(table.about_url, base, values)
            if about is not None and about in named:
                first = conv.subjects[about]
                text = f"{about.split('#')[-1]} (row {first.row})"
                out.append(f"{subject} <{DUPLICATE_ID}> {ntriples_literal(text, 'string')} .\n")
            elif about is not None:
                subject = f"<{about}>"
                named.add(about)
                conv.subjects[about] = Location(path, row=number)
        if type_tail is not None:
            out.append(subject + type_tail)
        for _, col in cols:
            text = values[col.name]
            if text == "":
                continue
            if col.value_url:
                target = _expand(col.value_url, base, values) or ""
                out.append(f"{subject} <{col.property_url}> <{target}> .\n")
                if col.defines and (target, col.defines) not in defined:
                    defined.add((target, col.defines))
                    out.append(f"<{target}> <{RDF_TYPE}> <{col.defines}> .\n")
                    conv.subjects.setdefault(target, Location(path, row=number))
            else:
                literal = ntriples_literal(text, col.datatype)
                out.append(f"{subject} <{col.property_url}> {literal} .\n")
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            out.append(f'{subject} <{EXTRA_CELLS}> "{len(cells)}" .\n')
    return out


def convert_gtfs(
    data: bytes, name: str, tables: list[TableSchema], limits: InputLimits | None = None
) -> Converted:
    """RDF for a GTFS zip read through the profile's CSVW table group.

    Only the files the tables name are decompressed, within ``limits`` for all of them
    together; the others are listed in the notes, unread."""
    wanted = {t.url for t in tables if t.url}
    members, unread = read_members(data, name, wanted, limits or InputLimits())
    base = input_iri(name)
    triples: list[Triple] = []
    conv = Converted(name, "gtfs", b"", 0)
    conv.findings_naming_column = frozenset({*FINDING_PREDICATES.values(), MISSING_FILE})
    type_pred = NamedNode(RDF_TYPE)
    defined: set[tuple[str, str]] = set()
    named: set[str] = set()  # nodes named by an id column (a second row with it is a duplicate)
    lines: list[str] = []  # rows as N-Triples text (see csv_input: cheaper than term objects)
    # The feed's rows are counted as one: the lines of every file read.
    counted = RowsRead(sum(m.count(b"\n") + (not m.endswith(b"\n")) for m in members.values()))
    report("read", 0, counted.total)
    for table in tables:
        file = table.url or ""
        path = f"{name}/{file}"
        for col in table.columns:
            conv.columns[col.property_url] = col.title
        if file not in members:
            if table.required_file:
                triples.append(
                    Triple(NamedNode(row_iri(path, 1)), NamedNode(MISSING_FILE), Literal(file))
                )
            continue
        rows, _ = read_rows(
            members[file], path, limits.max_csv_columns if limits else None, progress=False
        )
        header = [h.strip() for h in rows[0]]
        match = match_header(header, table)
        header_node = NamedNode(row_iri(path, 1))
        triples.append(Triple(header_node, type_pred, NamedNode(HEADER_CLASS)))
        # GTFS leaves most fields optional and feeds routinely omit them: not worth a finding.
        findings = tuple(f for f in match.findings if f.kind != "missing-optional")
        records = [cells for cells in rows[1:] if any(c.strip() for c in cells)]
        filled = filled_positions(findings, partial(_has_value, records))
        triples.extend(finding_triples(header_node, findings, filled=filled))
        cols: list[tuple[int, Column]] = [(i, c) for i, c in enumerate(match.columns) if c]
        lines.extend(_row_lines(rows, cols, table, path, base, conv, named, defined, counted))
        counted.done += len(rows)
        report("read", counted.done, counted.total)
        conv.checked[path] = sum(1 for cells in rows[1:] if any(c.strip() for c in cells))
        conv.cells[path] = CellTexts({c.title: i for i, c in reversed(cols)}, rows)
    counted.finish()
    conv.columns[EXTRA_CELLS] = EXTRA_CELLS_COLUMN
    conv.columns[DUPLICATE_ID] = DUPLICATE_ID_COLUMN
    head = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    conv.ntriples = head + "".join(lines).encode("utf-8")
    conv.triple_count = len(triples) + len(lines)
    conv.notes.extend(
        f"{f}: not part of the profile, not read / プロファイルにないファイルのため読みません"
        for f in sorted(unread)
    )
    return conv


GTFS_CORE_FILES = {"agency.txt", "routes.txt", "trips.txt", "stop_times.txt", "stops.txt"}
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a first member, or an empty zip


def read_gtfs(upload: Upload, tables: Sequence[TableSchema], limits: InputLimits) -> ReadInput:
    """A GTFS zip read through the profile's table group (one table per file)."""
    return converted_input(convert_gtfs(upload.data, upload.name, list(tables), limits))


def _headers(upload: Upload, files: set[str], limits: InputLimits) -> dict[str, list[str]]:
    """The header row of each of ``files`` in the zip (only their first bytes are
    decompressed); a file whose first line does not fit in those bytes is left out."""
    headers: dict[str, list[str]] = {}
    for file, head in read_heads(upload.data, upload.name, files, limits).items():
        line, newline, _ = head.partition(b"\n")
        if newline:
            header = read_header(line, f"{upload.name}/{file}", limits.max_csv_columns)
            headers[file] = [h.strip() for h in header]
    return headers


def _fit(candidate: Candidate, headers: dict[str, list[str]]) -> float:
    """How well a zip's files and headers fit a candidate's table group, 0..1: per file,
    the share of its header the candidate's table for it knows (0 for a file it has no
    table for), averaged over the files."""
    tables = {t.url: t for t in candidate.tables}
    shares = [
        header_known_share(header, tables[file])[0] if file in tables else 0.0
        for file, header in headers.items()
    ]
    return sum(shares) / len(shares) if shares else 0.0


def _telling_files(
    best: Candidate, runner_up: Candidate, headers: dict[str, list[str]]
) -> list[str]:
    """The files whose header fits ``best`` better than ``runner_up``: what decided."""
    return [
        file
        for file, header in sorted(headers.items())
        if _fit(best, {file: header}) > _fit(runner_up, {file: header})
    ]


def detect_gtfs(upload: Upload, candidates: Sequence[Candidate], limits: InputLimits) -> Detection:
    """The GTFS profile whose files and headers the zip follows best, when the zip holds
    most of GTFS's core files. Editions of one specification (GTFS-JP 第3版 and 第2版) differ
    in files and headers (translations.txt, routes_jp.txt or pattern_jp.txt), so the header
    row of each file a candidate reads is read (its first bytes only); on a tie the first candidate
    wins (profile ids sort the current edition, with no suffix, first)."""
    names = member_names(upload.data, upload.name, limits)
    found = GTFS_CORE_FILES & names
    if not candidates or len(found) < 3:
        return Detection(
            None,
            len(found) / len(GTFS_CORE_FILES),
            Bilingual(
                "zipにGTFSのファイルがほとんどありません",
                f"the zip has too few GTFS files ({', '.join(sorted(found)) or 'none'})",
            ),
        )
    # Only files some candidate reads: the others say nothing about which one the feed
    # follows, and are never decompressed (as when the feed is read).
    known = {t.url for c in candidates for t in c.tables if t.url}
    headers = _headers(upload, names & known, limits)
    fits = [(_fit(c, headers), c) for c in candidates]
    ranked = sorted(fits, key=lambda f: -f[0])  # stable: ties keep the candidates' order
    (best_fit, best), runner_up = ranked[0], ranked[1] if len(ranked) > 1 else None
    jp = any(n.endswith("_jp.txt") for n in names)
    jp_ja, jp_en = ("、JP拡張ファイルあり", ", JP extension files") if jp else ("", "")
    reason = Bilingual(
        f"zipにGTFSのファイルがあります（主要5ファイル中 {len(found)}{jp_ja}）",
        f"the zip holds GTFS files ({len(found)} of the 5 core files{jp_en})",
    )
    if runner_up is None:
        return Detection(best.profile_id, best_fit, reason)
    other_fit, other = runner_up
    telling = ", ".join(_telling_files(best, other, headers)) or "—"
    reason = Bilingual(
        f"{reason.ja}。ファイルと見出しが {best.profile_id} に {best_fit:.0%} 合い、"
        f"次点の {other.profile_id} は {other_fit:.0%}（決め手: {telling}）",
        f"{reason.en}; its files and headers fit {best.profile_id} at {best_fit:.0%}, "
        f"the runner-up {other.profile_id} at {other_fit:.0%} (telling: {telling})",
    )
    unsure = None
    if best_fit - other_fit < UNSURE_MARGIN:
        unsure = Bilingual(
            f"判定は不確かです: ファイルと見出しが {other.profile_id} にもほぼ同じだけ合います"
            "（どちらの版にもある項目だけのフィード）。プロファイルを指定して確かめてください",
            f"The pick is unsure: the files and headers fit {other.profile_id} nearly as well"
            " (a feed of what both editions have); name the profile to be sure",
        )
        reason = Bilingual(f"{reason.ja}。{unsure.ja}", f"{reason.en}. {unsure.en}")
    return Detection(best.profile_id, best_fit, reason, other.profile_id, other_fit, unsure)


GTFS_FORMAT = InputFormat(
    id="gtfs",
    title=Bilingual("GTFS / GTFS-JP フィード（zip）", "GTFS / GTFS-JP feed (zip)"),
    media_types=("application/zip", "application/x-zip-compressed"),
    suffixes=(".zip",),
    sniff=lambda head: head.startswith(ZIP_SIGNATURES),
    read=read_gtfs,
    detect=detect_gtfs,
)


def _has_value(records: list[list[str]], position: int) -> bool:
    """Some record has a value at ``position``."""
    return any(len(r) > position and r[position] for r in records)
