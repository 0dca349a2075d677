"""The outcome of validating one input: the engine's report, every result with the place in
the input it is about, the profile used (and why) and the verdict.

The command line, the API, the job downloads and the report page all render this one object
(through :mod:`cityref.outcome.data` and :mod:`cityref.outcome.renderers`), so for the same
input and profile they say the same thing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cityref.inputs import LocatedResult
from cityref.validation import Report, Result

if TYPE_CHECKING:
    from cityref.inputs import Converted
    from cityref.profiles import Profile, ProfileMatch

SEVERITIES = ("Violation", "Warning", "Info")

#: A cell of a tabular input: file (GTFS: ``feed.zip/stops.txt``), row, column.
CellKey = tuple[str, int, str]


class Verdict(enum.StrEnum):
    """What the outcome says overall."""

    CONFORMS = "conforms"  # no result of any severity
    VIOLATIONS = "violations"  # at least one sh:Violation
    WARNINGS = "warnings"  # results, but only warnings or infos


def severity_name(result: Result) -> str:
    """The local name of the result's severity (``Violation``, ``Warning``, ``Info``…)."""
    return result.severity.value.rsplit("#", 1)[-1]


@dataclass(frozen=True)
class Outcome:
    """One input validated against one profile (or against a shapes file, ``profile`` None).

    ``file`` is the input's name as the user gave it; ``located`` holds every result of
    ``report`` in the engine's order, each with its place in the input (``None`` when the
    input is RDF, whose results name their nodes instead). ``converted`` is the RDF an input
    adapter made (CSV, GTFS, NGSI-LD), kept for conformance records, and the cells as written.
    ``suggestions`` maps a cell to a correction of its text that the profile's shapes accept
    (cityref.profiles.suggestions).
    """

    file: str
    report: Report
    located: tuple[LocatedResult, ...]
    profile: Profile | None = None
    match: ProfileMatch | None = None
    converted: Converted | None = None
    suggestions: Mapping[CellKey, str] = field(default_factory=dict)
    #: The Reference Model release the profile was taken from (a version, or ``working``
    #: for unreleased changes); None when not said (a shapes file, a bare check).
    model_release: str | None = None

    @classmethod
    def unlocated(
        cls,
        file: str,
        report: Report,
        profile: Profile | None = None,
        match: ProfileMatch | None = None,
    ) -> Outcome:
        """An outcome whose results name RDF nodes only (RDF input, or a shapes file)."""
        located = tuple(LocatedResult(r, None) for r in report.results)
        return cls(file, report, located, profile, match)

    @property
    def counts(self) -> dict[str, int]:
        """Results per severity, every one of :data:`SEVERITIES` present."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.report.results:
            name = severity_name(result)
            counts[name] = counts.get(name, 0) + 1
        return counts

    @property
    def checked(self) -> dict[str, object] | None:
        """What was checked: ``unit`` (``rows``, ``entities`` or ``nodes``: the focus nodes
        of RDF input), ``count`` and per file ``files``; None when the engine did not say."""
        if self.converted is not None:
            files = dict(self.converted.checked)
            unit = self.converted.checked_unit
        elif "focus_nodes" in self.report.stats:
            files = {self.file: int(self.report.stats["focus_nodes"])}
            unit = "nodes"
        else:
            return None
        return {"unit": unit, "count": sum(files.values()), "files": files}

    @property
    def verdict(self) -> Verdict:
        if not self.report.results:
            return Verdict.CONFORMS
        if self.counts["Violation"]:
            return Verdict.VIOLATIONS
        return Verdict.WARNINGS

    @property
    def profile_id(self) -> str | None:
        """``id@version`` of the profile used, None for a shapes file."""
        return None if self.profile is None else f"{self.profile.id}@{self.profile.version}"

    def profile_note(self, lang: str = "en") -> str | None:
        """Which profile was used and, when it was detected, why; and from which release of
        the Reference Model (not the same thing as the profile's own version)."""
        if self.profile is None:
            return None
        if self.match is None:
            note = f"{'プロファイル' if lang == 'ja' else 'profile'}: {self.profile_id}"
        else:
            reason = self.match.reason.in_language(lang)
            detected = "検出したプロファイル" if lang == "ja" else "detected profile"
            # The title names the edition a profile follows (GTFS-JP 第3版 or 第2版, …).
            title = self.profile.title.get(lang) or self.profile.title.get("en", "")
            note = f"{detected}: {self.profile_id} {title} ({reason})"
        return note + self.release_words(lang)

    def release_words(self, lang: str) -> str:
        """`` — Reference Model release 1.0.0`` (or: its unreleased working tree)."""
        ja = lang == "ja"
        if not self.model_release:
            return ""
        if self.model_release == "working":
            return (
                "、参照モデルは作業中の版（未リリースの変更を含む）"
                if ja
                else "; Reference Model: the working tree (unreleased changes)"
            )
        if ja:
            return f"、参照モデルのリリース {self.model_release}"
        return f"; Reference Model release {self.model_release}"
