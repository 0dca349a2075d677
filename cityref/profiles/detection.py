"""Picking a profile for data that came without one. The input format registry says what
the data is; the format judges which of the profiles reading it the data follows (from the
CSV header, the set of files in a GTFS zip, the NGSI-LD entity types, …)."""

from __future__ import annotations

from dataclasses import dataclass

from cityref.errors import CityrefError
from cityref.inputs import Candidate, InputFormat, InputLimits, Upload, identify_format
from cityref.profiles.registry import Profile, list_profiles
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual


class NoProfileDetected(CityrefError):
    """Nothing in the data says which profile it follows. The text says why and nothing
    more: how to name a profile depends on where the data came from (the CLI's
    ``--profile``, the web form's list, the API's ``?profile=``), which each adds."""


@dataclass(frozen=True)
class ProfileMatch:
    """The profile picked for some data, how sure the pick is (0..1) and why (ja / en), the
    profile that came second and its score, and why the pick is in doubt (None: it is not)."""

    profile: Profile
    score: float
    reason: Bilingual
    input_format: InputFormat
    runner_up: str | None = None
    runner_up_score: float | None = None
    unsure: Bilingual | None = None


def detect_profile(
    data: bytes,
    filename: str,
    model: ModelFiles,
    limits: InputLimits | None = None,
    media_type: str | None = None,
) -> ProfileMatch:
    """The profile of ``model`` that ``data`` most likely follows; raises
    :class:`NoProfileDetected`, or an input error when the data is too deep or too wide to
    read (never decompresses a zip)."""
    upload = Upload(data, filename, media_type)
    fmt = identify_format(upload)
    profiles = {
        p.id: p
        for p in list_profiles(model)
        if p.is_data_profile and p.input_kind == fmt.id  # list_profiles sorts by id
    }
    candidates = [Candidate(p.id, tuple(p.table_schemas())) for p in profiles.values()]
    found = fmt.detect(upload, candidates, limits or InputLimits())
    if found.profile_id is None:
        raise NoProfileDetected(found.reason.prefixed(f"{filename}: "))
    return ProfileMatch(
        profiles[found.profile_id],
        found.score,
        found.reason,
        fmt,
        found.runner_up,
        found.runner_up_score,
        found.unsure,
    )
