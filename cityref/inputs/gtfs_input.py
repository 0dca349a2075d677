"""GTFS / GTFS-JP zip to RDF, one CSVW table per file, with file, row and column kept.

Rows of files with an id (routes.txt: route_id, …) are named by that id (``…zip#route=R1``),
and cells that refer to another file (trips.txt route_id) name the same node, so a reference
to a missing route is an sh:class result on the referring cell. Such nodes map back to their
row through :attr:`Converted.subjects`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from cityref.inputs.csv_header import Column, TableSchema, match_header
from cityref.inputs.csv_input import (
    EXTRA_CELLS,
    EXTRA_CELLS_COLUMN,
    FINDING_PREDICATES,
    HEADER_CLASS,
    finding_triples,
    ntriples_literal,
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
from cityref.inputs.limits import InputLimits, member_names, read_members
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
) -> list[str]:
    """N-Triples lines for the data rows of one GTFS file."""
    out: list[str] = []
    width = len(rows[0])
    type_tail = f" <{RDF_TYPE}> <{table.row_class}> .\n" if table.row_class else None
    row_base = row_iri(path, 0)[:-1]
    for number, cells in enumerate(rows[1:], start=2):
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
        rows, _ = read_rows(members[file], path, limits.max_csv_columns if limits else None)
        header = [h.strip() for h in rows[0]]
        match = match_header(header, table)
        header_node = NamedNode(row_iri(path, 1))
        triples.append(Triple(header_node, type_pred, NamedNode(HEADER_CLASS)))
        # GTFS leaves most fields optional and feeds routinely omit them: not worth a finding.
        findings = tuple(f for f in match.findings if f.kind != "missing-optional")
        triples.extend(finding_triples(header_node, findings))
        cols: list[tuple[int, Column]] = [(i, c) for i, c in enumerate(match.columns) if c]
        lines.extend(_row_lines(rows, cols, table, path, base, conv, named, defined))
        conv.checked[path] = sum(1 for cells in rows[1:] if any(c.strip() for c in cells))
        conv.cells[path] = CellTexts({c.title: i for i, c in reversed(cols)}, rows)
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


def detect_gtfs(upload: Upload, candidates: Sequence[Candidate], limits: InputLimits) -> Detection:
    """The first GTFS profile when the zip holds most of GTFS's core files (nothing is
    decompressed: the names come from the zip's directory)."""
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
    jp = any(n.endswith("_jp.txt") for n in names)
    jp_en = ", JP extension files" if jp else ""
    jp_ja = "、JP拡張ファイルあり" if jp else ""
    return Detection(
        candidates[0].profile_id,
        len(found) / len(GTFS_CORE_FILES),
        Bilingual(
            f"zipにGTFSのファイルがあります（主要5ファイル中 {len(found)}{jp_ja}）",
            f"the zip holds GTFS files ({len(found)} of the 5 core files{jp_en})",
        ),
    )


GTFS_FORMAT = InputFormat(
    id="gtfs",
    title=Bilingual("GTFS / GTFS-JP フィード（zip）", "GTFS / GTFS-JP feed (zip)"),
    media_types=("application/zip", "application/x-zip-compressed"),
    suffixes=(".zip",),
    sniff=lambda head: head.startswith(ZIP_SIGNATURES),
    read=read_gtfs,
    detect=detect_gtfs,
)
