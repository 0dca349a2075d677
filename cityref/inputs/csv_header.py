"""A profile's CSVW table schema and the matching of a real header against it, column by column."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from typing import Any

RDF_TYPE_CURIE = "rdf:type"
# A table-level note of cityref's: the file must be present (GTFS required files).
# Dashes and long-vowel marks that real headers mix up (コ―ド with U+2015 instead of ー).
_DASHES = str.maketrans({c: "ー" for c in "―‐‑–—−-ｰ"})


@dataclass(frozen=True)
class Column:
    """One column of a CSVW table schema: its title(s), RDF property, datatype, requiredness."""

    name: str
    titles: tuple[str, ...]
    property_url: str
    datatype: str = "string"
    required: bool = False
    # CSVW valueUrl template (e.g. "#route={route_id}"): the cell names a node, not a literal.
    value_url: str | None = None
    # The class of the node named by the cell, when this file defines such nodes by mention
    # (GTFS calendar_dates.txt defines services, shapes.txt defines shapes).
    defines: str | None = None
    # The Reference Model term the cells are (CSVW note ``common:term``): linked data output.
    term: str | None = None

    @property
    def title(self) -> str:
        """The title the specification uses (the first one)."""
        return self.titles[0]


@dataclass(frozen=True)
class TableSchema:
    """The columns of a profile's CSV and the class each row gets."""

    columns: tuple[Column, ...]
    row_class: str | None
    # CSVW aboutUrl template naming each row's subject (None: the row itself, "#row=N").
    about_url: str | None = None
    url: str | None = None
    required_file: bool = False
    # The Reference Model class a row is (table note ``common:termClass``).
    term_class: str | None = None


@dataclass(frozen=True)
class HeaderFinding:
    """A header problem: ``missing`` / ``missing-optional`` (expected not found), ``unknown``
    (found, not expected), ``misspelt`` (found, read as the closest expected name) or
    ``untitled`` (a blank header cell: a problem only when the column has values)."""

    kind: str
    found: str | None
    expected: str | None
    position: int | None  # 0-based index in the header, when the column is there


@dataclass(frozen=True)
class HeaderMatch:
    """The column each header position is read as (``None``: not read) and the findings."""

    columns: tuple[Column | None, ...]
    findings: tuple[HeaderFinding, ...]


def _common(base_iri: str, local: str) -> str:
    """One of cityref's own CSVW keys (``requiredFile``, ``definesClass``, ``term``), under
    the base."""
    return f"{base_iri}shapes/common/{local}"


def parse_table_schema(metadata: dict[str, Any], base_iri: str) -> TableSchema:
    """The table schema of a CSVW metadata document (the subset cityref profiles use), whose
    cityref keys are under ``base_iri``."""
    schema = metadata.get("tableSchema")
    if not isinstance(schema, dict):
        raise ValueError("CSVW metadata has no tableSchema object")
    columns: list[Column] = []
    row_class: str | None = None
    for raw in schema.get("columns", []):
        if raw.get("virtual"):
            if raw.get("propertyUrl") == RDF_TYPE_CURIE:
                row_class = str(raw["valueUrl"])
            continue
        titles = raw.get("titles", raw.get("name"))
        if isinstance(titles, dict):  # {"ja": [...]} language map
            titles = [t for v in titles.values() for t in (v if isinstance(v, list) else [v])]
        if isinstance(titles, str):
            titles = [titles]
        columns.append(
            Column(
                name=str(raw["name"]),
                titles=tuple(str(t) for t in titles),
                property_url=str(raw["propertyUrl"]),
                datatype=str(raw.get("datatype", "string")),
                required=bool(raw.get("required", False)),
                value_url=raw.get("valueUrl"),
                defines=raw.get(_common(base_iri, "definesClass")),
                term=raw.get(_common(base_iri, "term")),
            )
        )
    return TableSchema(
        tuple(columns),
        row_class,
        schema.get("aboutUrl"),
        metadata.get("url"),
        bool(metadata.get(_common(base_iri, "requiredFile"), False)),
        metadata.get(_common(base_iri, "termClass")),
    )


def parse_table_group(metadata: dict[str, Any], base_iri: str) -> list[TableSchema]:
    """The tables of a CSVW table group (or the one table of a table description)."""
    if "tables" in metadata:
        return [parse_table_schema(t, base_iri) for t in metadata["tables"]]
    return [parse_table_schema(metadata, base_iri)]


def normalise(title: str) -> str:
    """A header cell in comparable form: NFKC, no spaces, one kind of dash."""
    text = unicodedata.normalize("NFKC", title).strip().replace(" ", "").replace("　", "")
    return text.translate(_DASHES)


def match_header(header: list[str], schema: TableSchema) -> HeaderMatch:
    """Read each header cell as a profile column, and report what does not match.

    Exact titles first; then titles equal after normalisation or close by edit ratio, which
    are read as that column (so its data is still checked) and reported as misspelt.
    """
    by_title = {t: c for c in schema.columns for t in c.titles}
    by_norm = {normalise(t): c for c in schema.columns for t in c.titles}
    chosen: list[Column | None] = [None] * len(header)
    used: set[str] = set()
    for i, cell in enumerate(header):
        col = by_title.get(cell.strip())
        if col is not None and col.name not in used:
            chosen[i] = col
            used.add(col.name)
    findings: list[HeaderFinding] = []
    for i, cell in enumerate(header):
        if chosen[i] is not None:
            continue
        if not cell.strip():
            findings.append(HeaderFinding("untitled", cell, None, i))
            continue
        col = by_norm.get(normalise(cell))
        if col is None or col.name in used:
            col = _closest(cell, [c for c in schema.columns if c.name not in used])
        if col is not None:
            chosen[i] = col
            used.add(col.name)
            findings.append(HeaderFinding("misspelt", cell, col.title, i))
        else:
            findings.append(HeaderFinding("unknown", cell, None, i))
    for col in schema.columns:
        if col.name not in used:
            kind = "missing" if col.required else "missing-optional"
            findings.append(HeaderFinding(kind, None, col.title, None))
    return HeaderMatch(tuple(chosen), tuple(findings))


def _closest(cell: str, candidates: list[Column]) -> Column | None:
    norm = normalise(cell)
    if not norm:
        return None
    best: tuple[float, Column] | None = None
    for col in candidates:
        for title in col.titles:
            ratio = difflib.SequenceMatcher(None, norm, normalise(title)).ratio()
            if ratio >= 0.8 and (best is None or ratio > best[0]):
                best = (ratio, col)
    return best[1] if best else None


def header_known_share(header: list[str], schema: TableSchema) -> tuple[float, int]:
    """Share of the header's cells that are columns of the schema, and how many there are."""
    found = {normalise(h) for h in header if h.strip()}
    expected = {normalise(t) for c in schema.columns for t in c.titles}
    known = len(found & expected)
    return (known / len(found) if found else 0.0), known


def header_coverage(header: list[str], schema: TableSchema) -> float:
    """Share of the schema's columns that the header has (extra columns of the header do not
    lower it), 0..1."""
    found = {normalise(h) for h in header if h.strip()}
    expected = {normalise(c.title) for c in schema.columns}
    return len(found & expected) / len(expected) if expected else 0.0


def header_score(header: list[str], schema: TableSchema) -> float:
    """How well a header fits a schema, 0..1 (Jaccard of normalised titles), for detection."""
    found = {normalise(h) for h in header if h.strip()}
    expected = {normalise(c.title) for c in schema.columns}
    if not found or not expected:
        return 0.0
    return len(found & expected) / len(found | expected)
