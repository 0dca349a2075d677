"""Running a profile's examples: each valid one must conform, each invalid one must give
exactly the results its ``<name>.expected.json`` lists. Used by the tests and by coverage.

An example is a file under ``examples/valid`` or ``examples/invalid`` (a folder of .txt
files for GTFS, zipped on the fly). Expected results name, per result, the component (local
name without ``ConstraintComponent``) and where: ``file`` (GTFS member), ``column`` and
``row`` for tables, ``pointer`` for JSON, ``focus`` and ``path`` for RDF.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode

from cityref.inputs import Upload, locate_report, read_input
from cityref.profiles.registry import Profile
from cityref.validation import Document, Report, validate_documents
from cityref.validation.paths import Path as ShaclPath
from cityref.validation.paths import PredicatePath, SequencePath
from cityref.validation.terms import decode

EXPECTED_SUFFIX = ".expected.json"
ExpectedResult = dict[str, str | int | None]


@dataclass(frozen=True)
class Example:
    """One example input of a profile."""

    profile: Profile
    path: Path
    valid: bool

    @property
    def expected_path(self) -> Path:
        """Where the expected results of an invalid example are."""
        return self.path.parent / (self.path.name.split(".")[0] + EXPECTED_SUFFIX)

    def expected(self) -> list[ExpectedResult]:
        """The expected results (none for a valid example)."""
        if self.valid:
            return []
        data = json.loads(self.expected_path.read_text(encoding="utf-8"))
        return list(data["results"])


def examples(profile: Profile) -> Iterator[Example]:
    """The profile's examples, valid first, in name order."""
    for kind in ("valid", "invalid"):
        folder = profile.directory / "examples" / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.endswith(EXPECTED_SUFFIX):
                continue
            yield Example(profile, path, kind == "valid")


def example_bytes(example: Example) -> tuple[bytes, str]:
    """The example's input and the name it is read under (folders become zips)."""
    if example.path.is_dir():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            for member in sorted(example.path.glob("*.txt")):
                archive.writestr(member.name, member.read_bytes())
        return buf.getvalue(), example.path.name + ".zip"
    return example.path.read_bytes(), example.path.name


def _path_text(path: ShaclPath | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, PredicatePath):
        return path.iri.value
    if isinstance(path, SequencePath):
        return " / ".join(_path_text(p) or "" for p in path.steps)
    return repr(path)


def run_example(example: Example) -> tuple[Report, list[ExpectedResult]]:
    """Validate an example; its results in the form of the expected-results files."""
    profile = example.profile
    data, name = example_bytes(example)
    shapes = Document(profile.shapes(), "turtle", f"{profile.id}/shapes")
    read = read_input(Upload(data, name), profile.input_kind, profile.table_schemas())
    read = read.rebased(profile.model)
    report = validate_documents([read.document], shapes)
    converted = read.converted
    if converted is None:
        found: list[ExpectedResult] = []
        for r in report.results:
            focus = decode(r.focus)
            found.append(
                {
                    "component": r.component_name,
                    "focus": focus.value if isinstance(focus, NamedNode) else None,
                    "path": _path_text(r.path),
                }
            )
        return report, found
    found = []
    for located in locate_report(report, [converted], profile.shape_columns()):
        where = located.location
        entry: ExpectedResult = {"component": located.result.component_name}
        if where is None:
            entry["location"] = None
        elif where.pointer is not None:
            entry["pointer"] = where.pointer
        else:
            if where.file.startswith(converted.name + "/"):  # a member of a zip (GTFS)
                entry["file"] = where.file.rsplit("/", 1)[-1]
            entry["column"] = where.column
            entry["row"] = where.row
        found.append(entry)
    return report, found


def result_key(result: ExpectedResult) -> str:
    """A sortable, comparable form of one result."""
    return json.dumps(result, ensure_ascii=False, sort_keys=True)
