"""CSV files of any tabular profile with defects injected, as a hypothesis strategy.

A file starts valid: none to three rows of passing values (every column filled, or only the
required and recommended ones, or a mixture), the values of the check book. Then
:func:`defective_csv` injects a drawn mixture of

- cell defects of the profile (:attr:`TabularProfile.cell_defects`), on new rows or on rows
  that already have one;
- header defects: a column missing, misspelt (spaced, other width, a letter dropped), padded
  with spaces, unknown, untitled, or twice;
- row defects: more cells than the header (with a value, or empty), fewer, blank rows (an
  empty line, separators only, spaces only);

and writes it as UTF-8, UTF-8 with BOM or Shift_JIS (CP932), with CRLF, LF, CR or mixed line
ends, minimal or all quoting, with or without a last line end. The :class:`Case` says what
each defect must produce (row, column, component) and which rows and cells must stay quiet,
so a test can check that the defects reach the engine at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from hypothesis import strategies as st

from cityref.inputs.csv_input import EXTRA_CELLS_COLUMN
from tests.validation.defects import CellDefect, Expect, TabularProfile, to_fullwidth, to_halfwidth

FILE_NAME = "defects.csv"
UNKNOWN_TITLE = "独自列"
HEADER_DEFECTS = (
    "missing", "spaced", "width", "letter dropped", "padded", "unknown", "untitled", "twice",
)  # fmt: skip
#: Line ends: Windows, Unix, old Mac, and Windows and Unix by turns.
LINE_ENDS = ("\r\n", "\n", "\r", "mixed")
ROW_DEFECTS = (
    "extra value",
    "extra empty cells",
    "short row",
    "empty line",
    "separators only",
    "spaces only",
)
ENCODINGS = ("utf-8", "utf-8-sig", "cp932")
T = TypeVar("T")
# Where a located result says a cell is (row, column) and what it is (component).
Found = tuple[int, str, str]


@dataclass
class DraftRow:
    cells: list[str]
    # What the row must give: a result (profile column, component), whether results name the
    # column by its title (else by its header cell), and the columns that must all be read.
    expect: set[tuple[Expect, bool, frozenset[str]]] = field(default_factory=set)
    quiet_columns: set[str] = field(default_factory=set)  # titles of cells that must pass
    claimed: set[str] = field(default_factory=set)  # titles of cells a defect wrote
    blank: bool = False  # no result may name the row


@dataclass
class Draft:
    """A table being made: header, a passing value per header cell, and the rows.

    ``reads`` says, per header cell, the profile column it is surely read as (None: not
    read, or read as whichever column is closest); expectations name profile columns and
    are located through it when the file is written.
    """

    tp: TabularProfile
    header: list[str]
    good: list[str]
    reads: list[str | None]
    rows: list[DraftRow] = field(default_factory=list)
    header_expect: set[str] = field(default_factory=set)  # header cells with a finding
    missing: list[str] = field(default_factory=list)  # profile columns left out
    closest: bool = False  # some header cell is read as the closest column, whichever it is
    kinds: list[str] = field(default_factory=list)

    def add_row(self, cells: list[str] | None = None) -> DraftRow:
        row = DraftRow(list(self.good) if cells is None else cells)
        self.rows.append(row)
        return row

    def put(self, row: DraftRow, defect: CellDefect) -> None:
        for title, value in defect.cells:
            row.cells[self.reads.index(title)] = value
        columns = frozenset(title for title, _ in defect.cells)
        row.claimed |= columns
        row.expect |= {(e, defect.by_title, columns) for e in defect.expect}
        if defect.quiet:
            row.quiet_columns |= {title for title, _ in defect.cells}
        self.kinds.append(defect.kind)

    def insert_column(self, at: int, title: str, reads: str | None, cells_of: int | None) -> None:
        """A header cell ``title`` at ``at``, its cells copied from column ``cells_of`` (or
        "x")."""
        good = "x" if cells_of is None else self.good[cells_of]
        self.header.insert(at, title)
        self.good.insert(at, good)
        self.reads.insert(at, reads)
        for row in self.rows:
            row.cells.insert(at, "x" if cells_of is None else row.cells[cells_of])


class Pick(Protocol):
    """Chooses one of some options: a hypothesis draw, or a fixed choice."""

    def __call__(self, options: Sequence[T], /) -> T: ...


def middle(options: Sequence[T], /) -> T:
    """The fixed choice: the middle option."""
    return options[len(options) // 2]


def base_draft(pick: Pick, tp: TabularProfile, fill: str, rows: int) -> Draft:
    """A valid table of ``rows`` rows; ``fill`` is "full", "required" (and recommended
    columns only) or "mixed" (optional columns filled or not, as picked)."""
    cols = tp.table.columns
    draft = Draft(tp, [c.title for c in cols], [], [c.title for c in cols])
    for col in cols:
        value = pick(tp.passing_values(col))
        needed = col.required or col.recommended
        if not needed and (fill == "required" or (fill == "mixed" and pick((True, False)))):
            value = ""
        draft.good.append(value)
    for _ in range(rows):
        draft.add_row()
    return draft


def inject_cell_defects(pick: Pick, draft: Draft, defects: Sequence[CellDefect]) -> None:
    """``defects`` in order; a defect joins the last row when none of its cells is taken
    and ``pick`` says so."""
    for defect in defects:
        titles = {title for title, _ in defect.cells}
        last = draft.rows[-1] if draft.rows else draft.add_row()
        taken = last.claimed | set(_touched(draft, last))
        if titles & taken or not pick((True, False)):
            last = draft.add_row()
        draft.put(last, defect)


def _touched(draft: Draft, row: DraftRow) -> list[str]:
    """Profile columns whose cell in ``row`` differs from the passing value."""
    return [t for t, c, g in zip(draft.reads, row.cells, draft.good, strict=True) if t and c != g]


def _misspelt(pick: Pick, kind: str, title: str, draft: Draft) -> str | None:
    """``title`` as a header may misspell it; None when this kind of misspelling is
    impossible for it (or would be another column's title)."""
    if kind == "spaced" and len(title) > 1:
        at = pick(range(1, len(title)))
        return title[:at] + pick((" ", "\u3000")) + title[at:]
    if kind == "width":
        wide = to_halfwidth(to_fullwidth(title))
        return None if wide in draft.tp.titles else wide
    if kind == "letter dropped" and len(title) >= 4:
        at = pick(range(len(title)))
        dropped = title[:at] + title[at + 1 :]
        return None if dropped in draft.tp.titles else dropped
    return None


def inject_header_defect(pick: Pick, draft: Draft, kind: str) -> None:
    """One header defect of ``kind`` (:data:`HEADER_DEFECTS`) on a column no header defect
    touched yet; nothing when no column can have it."""
    if kind == "unknown":
        draft.insert_column(pick(range(len(draft.header) + 1)), UNKNOWN_TITLE, None, None)
        draft.header_expect.add(UNKNOWN_TITLE)
        draft.kinds.append("MaxLength: header has an unknown column")
        return
    if kind == "untitled":  # a column with cells and no title: reported by its position
        draft.insert_column(pick(range(len(draft.header) + 1)), "", None, None)
        draft.kinds.append("SPARQL: header has an empty cell over values")
        return
    # A column whose header cell is its title, there once: no other defect touched it.
    positions = [
        i for i, t in enumerate(draft.reads) if t == draft.header[i] and draft.header.count(t) == 1
    ]
    if not positions:
        return
    i = pick(positions)
    title = draft.reads[i]
    assert title is not None
    if kind == "missing":
        del draft.header[i], draft.good[i], draft.reads[i]
        for row in draft.rows:
            if len(row.cells) > i:
                del row.cells[i]
        draft.missing.append(title)
        draft.kinds.append("MaxLength: header misses a column")
    elif kind == "twice":
        draft.insert_column(pick(range(i + 1, len(draft.header) + 1)), draft.header[i], None, i)
        draft.header_expect.add(draft.header[i])
        draft.closest = True
        draft.kinds.append("MaxLength: header has a column twice")
    elif kind == "padded":
        draft.header[i] = " " + draft.header[i] + " "
        draft.kinds.append("edge: header cell padded with spaces")
    else:
        misspelt = _misspelt(pick, kind, draft.header[i], draft)
        if misspelt is None:
            return
        draft.header[i] = misspelt
        draft.header_expect.add(misspelt)
        if kind == "letter dropped":
            draft.reads[i] = None
            draft.closest = True
        draft.kinds.append(f"MaxLength: header misspelt ({kind})")


def inject_row_defect(pick: Pick, draft: Draft, kind: str) -> None:
    """One row defect of ``kind`` (:data:`ROW_DEFECTS`) on a new row (blank rows go
    anywhere among the rows)."""
    width = len(draft.header)
    draft.kinds.append(("edge: " if kind == "extra empty cells" else "row: ") + kind)
    if kind in ("empty line", "separators only", "spaces only"):
        cells = {"empty line": [], "separators only": [""] * width, "spaces only": [" "] * width}
        draft.rows.insert(pick(range(len(draft.rows) + 1)), DraftRow(cells[kind], blank=True))
        return
    row = draft.add_row()
    if kind == "extra value":
        row.cells += ["", "余分なセル"]
        row.expect.add(((EXTRA_CELLS_COLUMN, "MaxLength"), False, frozenset()))
    elif kind == "extra empty cells":
        row.cells += ["", ""]
    else:  # short row: the cells it lacks are empty
        keep = pick(range(1, width)) if width > 1 else 1
        row.cells = row.cells[:keep]
        for title, good in zip(draft.reads[keep:], draft.good[keep:], strict=True):
            if title and good and _needed(draft.tp, title) and title not in draft.reads[:keep]:
                row.expect.add(((title, "MinCount"), False, frozenset()))


def _needed(tp: TabularProfile, title: str) -> bool:
    col = tp.column(title)
    return col.required or col.recommended


@dataclass(frozen=True)
class Case:
    """A generated file, what was injected, and what it must give."""

    profile_id: str
    name: str
    data: bytes
    text: str
    encoding: str
    kinds: tuple[str, ...]
    expected: frozenset[Found]  # results that must be there
    quiet_rows: frozenset[int]  # rows no result may name
    quiet_cells: frozenset[tuple[int, str]]  # (row, column) no result may name

    def describe(self) -> str:
        """The file and its defects, for an assertion message."""
        return (
            f"profile {self.profile_id}, {self.encoding}, defects: {', '.join(self.kinds)}\n"
            f"--- {self.name} ---\n{self.text}\n---"
        )


def _located_names(draft: Draft) -> dict[str, str]:
    """Profile column -> the column name results on its cells give (the header cell)."""
    names: dict[str, str] = {EXTRA_CELLS_COLUMN: EXTRA_CELLS_COLUMN}
    for cell, title in zip(draft.header, draft.reads, strict=True):
        if title is not None and title not in names:
            names[title] = cell.strip()
    return names


@dataclass(frozen=True)
class Writing:
    """How a table is written: encoding, quoting, line end (:data:`LINE_ENDS`), a line end
    after the last row."""

    encoding: str = "utf-8"
    quote_all: bool = False
    line_end: str = "\r\n"
    last_line_end: bool = True


def finish(draft: Draft, how: Writing) -> Case:
    """The draft written as a file, with what it must give."""
    names = _located_names(draft)
    expected: set[Found] = {(1, cell, "MaxLength") for cell in draft.header_expect}
    quiet_rows: set[int] = set()
    quiet_cells: set[tuple[int, str]] = set()
    for number, row in enumerate(draft.rows, start=2):
        if row.blank or not any(c.strip() for c in row.cells):  # no record, whatever was meant
            quiet_rows.add(number)
            continue
        expected |= {
            (number, t if by_title else names[t], comp)
            for (t, comp), by_title, columns in row.expect
            if t in names and columns <= names.keys()
        }
        quiet_cells |= {(number, names[t]) for t in row.quiet_columns if t in names}
        if not draft.closest:  # a missing column is surely missing: its cells are empty
            expected |= {(number, t, "MinCount") for t in draft.missing if _needed(draft.tp, t)}
        # A header cell left empty over a value: "column <position> has no header".
        expected |= {
            (1, str(i + 1), "SPARQL")
            for i, cell in enumerate(draft.header)
            if not cell.strip() and i < len(row.cells) and row.cells[i]
        }
    if not draft.closest:
        expected |= {(1, t, "MaxLength") for t in draft.missing}
    quoting: Literal[0, 1] = csv.QUOTE_ALL if how.quote_all else csv.QUOTE_MINIMAL
    lines = []
    for cells in [draft.header, *(r.cells for r in draft.rows)]:
        buf = io.StringIO()
        # The writer quotes a cell holding a character of its line end: give it both.
        csv.writer(buf, lineterminator="\r\n", quoting=quoting).writerow(cells)
        lines.append(buf.getvalue().removesuffix("\r\n"))
    ends = ["\r\n", "\n"] if how.line_end == "mixed" else [how.line_end]
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    if not how.last_line_end:
        text = text.removesuffix(ends[(len(lines) - 1) % len(ends)])
    encoding = how.encoding
    try:
        data = text.encode(encoding)
        if data.decode(encoding) != text:
            raise UnicodeError(encoding)
    except UnicodeError:  # a character Shift_JIS lacks (or maps to another)
        encoding, data = "utf-8-sig", text.encode("utf-8-sig")
    kinds = [*draft.kinds, f"encoding: {encoding}"]
    if how.quote_all:
        kinds.append("edge: every cell quoted")
    return Case(
        draft.tp.id,
        FILE_NAME,
        data,
        text,
        encoding,
        tuple(kinds),
        frozenset(expected),
        frozenset(quiet_rows),
        frozenset(quiet_cells),
    )


@st.composite
def defective_csv(draw: Any, tp: TabularProfile) -> Case:
    """A CSV file of profile ``tp`` with a drawn mixture of cell, header and row defects."""

    def pick(options: Sequence[T], /) -> T:
        chosen: T = draw(st.sampled_from(options))
        return chosen

    fill = pick(("full", "required", "mixed"))
    draft = base_draft(pick, tp, fill, draw(st.integers(0, 3)))
    # A component first, then a defect aiming at it: the commonest (Pattern, Datatype) have
    # many more defects than the rarest (Not, LessThanOrEquals).
    targets = tp.targets
    aims = draw(st.lists(st.sampled_from(sorted(targets)), max_size=5))
    defects = [pick(targets[aim]) for aim in aims]
    inject_cell_defects(pick, draft, defects)
    for kind in draw(st.lists(st.sampled_from(HEADER_DEFECTS), max_size=2)):
        inject_header_defect(pick, draft, kind)
    for kind in draw(st.lists(st.sampled_from(ROW_DEFECTS), max_size=2)):
        inject_row_defect(pick, draft, kind)
    how = Writing(pick(ENCODINGS), draw(st.booleans()), pick(LINE_ENDS), draw(st.booleans()))
    return finish(draft, how)


def catalogue_cases(tp: TabularProfile) -> list[Case]:
    """Every defect of the profile once, in fixed files: each cell defect on a row of its
    own (UTF-8 with BOM); the header defects that leave columns surely read, with every row
    defect (Shift_JIS); those read as the closest column (UTF-8)."""
    cells = base_draft(middle, tp, "full", 1)
    for defect in tp.cell_defects:
        cells.put(cells.add_row(), defect)
    sure = base_draft(middle, tp, "mixed", 2)
    for kind in ("missing", "spaced", "width", "padded", "unknown"):
        inject_header_defect(middle, sure, kind)
    for kind in ROW_DEFECTS:
        inject_row_defect(middle, sure, kind)
    closest = base_draft(middle, tp, "required", 2)
    for kind in ("letter dropped", "twice", "missing", "untitled"):
        inject_header_defect(middle, closest, kind)
    return [
        finish(cells, Writing("utf-8-sig")),
        finish(sure, Writing("cp932", line_end="mixed", last_line_end=False)),
        finish(closest, Writing("utf-8", quote_all=True, line_end="\r")),
    ]


def missed(case: Case, found: list[Found]) -> list[str]:
    """What the results lack of the case's expectations: expected results not found, results
    on rows or cells that must be quiet."""
    there = set(found)
    problems = [f"expected {e}, not found" for e in sorted(case.expected - there)]
    problems += [f"result {f} on a blank row" for f in found if f[0] in case.quiet_rows]
    problems += [f"result {f} on a passing cell" for f in found if f[:2] in case.quiet_cells]
    return problems
