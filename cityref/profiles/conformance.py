"""One call for ``cityref validate FILE [--profile ID]``: pick the profile (or take the one
given), read the input through its adapter, validate against the profile's shapes, and say
where each result is (file, row and column, or JSON pointer)."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.inputs import (
    Converted,
    InputFormat,
    LocatedResult,
    convert_input,
    converted_document,
    locate_report,
)
from cityref.profiles.detection import ProfileMatch, detect_profile
from cityref.profiles.registry import Profile, load_profile
from cityref.validation import Document, Report, ValidationOptions, validate_documents
from cityref.validation.loading import FormatLike, format_for_name

DEFAULT_OPTIONS = ValidationOptions()


@dataclass(frozen=True)
class InputCheck:
    """The outcome: the profile used (and, when detected, why), the report and locations."""

    profile: Profile
    match: ProfileMatch | None
    converted: Converted | None
    report: Report
    located: tuple[LocatedResult, ...]

    def profile_note(self, lang: str = "en") -> str:
        """A line saying which profile was used and why (for the report's header)."""
        if self.match is None:
            return f"profile: {self.profile.id}@{self.profile.version}"
        reason = self.match.reason_ja if lang == "ja" else self.match.reason_en
        detected = "検出したプロファイル" if lang == "ja" else "detected profile"
        return f"{detected}: {self.profile.id}@{self.profile.version} ({reason})"


def check_input(
    data: bytes,
    name: str,
    profile_ref: str | None = None,
    options: ValidationOptions = DEFAULT_OPTIONS,
    rdf_format: FormatLike | None = None,
) -> InputCheck:
    """Validate one input file against a profile (detected when ``profile_ref`` is None).

    Raises :class:`cityref.profiles.detection.NoProfileDetected`,
    :class:`cityref.profiles.registry.ProfileNotFound` or a
    :class:`cityref.validation.InputError` (unreadable input) — each with what and where.
    """
    match: ProfileMatch | None = None
    if profile_ref is None:
        match = detect_profile(data, name)
        profile = match.profile
        kind: InputFormat | None = match.input_format
    else:
        profile = load_profile(profile_ref)
        kind = None
    shapes = Document(profile.shapes(), "turtle", f"{profile.id}@{profile.version}")
    converted = convert_input(data, name, profile, kind)
    if converted is None:
        fmt = rdf_format or format_for_name(name)
        report = validate_documents([Document(data, fmt, name)], shapes, options)
        return InputCheck(profile, match, None, report, ())
    report = validate_documents([converted_document(converted)], shapes, options)
    located = locate_report(report, [converted], profile.shape_columns())
    return InputCheck(profile, match, converted, report, tuple(located))
