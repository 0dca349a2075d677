"""One call for ``cityref validate FILE [--profile ID]``: pick the profile (or take the one
given), read the input through its adapter, validate against the profile's shapes, and say
where each result is (file, row and column, or JSON pointer)."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.inputs import (
    Converted,
    InputFormat,
    InputLimits,
    LocatedResult,
    Upload,
    input_format,
    locate_report,
)
from cityref.profiles.detection import ProfileMatch, detect_profile
from cityref.profiles.registry import Profile, load_profile
from cityref.summary import summarise
from cityref.validation import Document, Report, ValidationOptions, validate_documents

DEFAULT_OPTIONS = ValidationOptions()


@dataclass(frozen=True)
class InputCheck:
    """The outcome: the profile used (and, when detected, why), the report and locations."""

    profile: Profile
    match: ProfileMatch | None
    converted: Converted | None
    report: Report
    located: tuple[LocatedResult, ...]

    def locations(self, lang: str = "en") -> list[dict[str, str | int | None]]:
        """One entry per result: where (file, row, column or pointer), what and its message."""
        out: list[dict[str, str | int | None]] = []
        for item in self.located:
            r, loc = item.result, item.location
            message = next((m.value for m in r.messages if m.language == lang), None)
            out.append(
                {
                    "file": loc.file if loc else self.converted.name if self.converted else None,
                    "row": loc.row if loc else None,
                    "column": loc.column if loc else None,
                    "pointer": loc.pointer if loc else None,
                    "severity": r.severity.value.rsplit("#", 1)[-1],
                    "component": r.component_name,
                    "message": message or (r.messages[0].value if r.messages else None),
                    "shape": getattr(r.source_shape, "value", None),
                }
            )
        return out

    def lines(self, lang: str = "en") -> list[str]:
        """``file:row:column: Severity: message`` per result (or ``file#pointer: …``), in the
        order of the file."""
        out: list[str] = []
        entries = sorted(
            self.locations(lang),
            key=lambda e: (str(e["file"]), e["row"] or 0, str(e["pointer"] or e["column"] or "")),
        )
        for e in entries:
            where = (
                f"{e['file']}#{e['pointer']}"
                if e["pointer"] is not None
                else f"{e['file']}:{e['row']}:{e['column']}"
            )
            out.append(f"{where}: {e['severity']}: {e['message']}")
        return out

    def summary(self, lang: str = "en") -> list[str]:
        """What to fix, one line per constraint and column: count, rows as ranges, message."""
        findings = summarise(self.locations(lang))
        if not findings:
            return []
        ja = lang == "ja"
        out = ["直すこと（制約ごと）:" if ja else "What to fix, constraint by constraint:"]
        for f in findings:
            where = f.column or f.shape.rsplit("/", 1)[-1]
            count = f"{f.count} 件" if ja else f"{f.count} result{'s' if f.count != 1 else ''}"
            rows = (f"、行 {f.rows}" if ja else f", rows {f.rows}") if f.rows else ""
            out.append(f"  {f.severity}: {where}: {count}{rows}: {f.example}")
        return out

    def profile_note(self, lang: str = "en") -> str:
        """A line saying which profile was used and why (for the report's header)."""
        if self.match is None:
            return f"profile: {self.profile.id}@{self.profile.version}"
        reason = self.match.reason_ja if lang == "ja" else self.match.reason_en
        detected = "検出したプロファイル" if lang == "ja" else "detected profile"
        return f"{detected}: {self.profile.id}@{self.profile.version} ({reason})"


def _as_ntriples(turtle: bytes) -> bytes:
    from pyoxigraph import RdfFormat, parse, serialize

    triples = [q.triple for q in parse(turtle, format=RdfFormat.TURTLE)]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def check_input(
    data: bytes,
    name: str,
    profile_ref: str | None = None,
    options: ValidationOptions = DEFAULT_OPTIONS,
    media_type: str | None = None,
    *,
    ontology: Document | None = None,
    profile: Profile | None = None,
    extra_shapes: bytes = b"",
    limits: InputLimits | None = None,
) -> InputCheck:
    """Validate one input file against a profile (detected when ``profile_ref`` is None).

    ``media_type`` is what the data was sent as (it picks the format when no profile is
    given, and the RDF syntax); ``name`` is for locations and messages, never opened.
    ``profile`` (already loaded, e.g. as it was in a release) wins over ``profile_ref``;
    ``extra_shapes`` (Turtle) are checked with the profile's shapes.
    Raises :class:`cityref.profiles.detection.NoProfileDetected`,
    :class:`cityref.profiles.registry.ProfileNotFound` or a
    :class:`cityref.validation.InputError` (unreadable input) — each with what and where.
    ``ontology`` (e.g. the vocabulary's Turtle) gives the engine class hierarchy and labels.
    ``limits`` bound what the input may expand to (default: the settings in force).
    """
    limits = limits or InputLimits.from_settings()
    match: ProfileMatch | None = None
    fmt: InputFormat | None = None
    if profile is None and profile_ref is None:
        match = detect_profile(data, name, limits=limits, media_type=media_type)
        profile = match.profile
        fmt = match.input_format
    elif profile is None:
        profile = load_profile(str(profile_ref))
    # Extra shapes (e.g. deprecation warnings) travel with the profile's, as N-Triples
    # both, so that prefixes and blank node labels of the two cannot collide.
    shapes_data = profile.shapes() + (b"\n" + _as_ntriples(extra_shapes) if extra_shapes else b"")
    shapes = Document(shapes_data, "turtle", f"{profile.id}@{profile.version}")
    fmt = fmt or input_format(profile.input_kind)
    read = fmt.read(Upload(data, name, media_type), profile.table_schemas(), limits)
    report = validate_documents([read.document], shapes, options, ontology=ontology)
    if read.converted is None:
        return InputCheck(profile, match, None, report, ())
    located = locate_report(report, [read.converted], profile.shape_columns())
    return InputCheck(profile, match, read.converted, report, tuple(located))
