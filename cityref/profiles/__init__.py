"""Application profiles under shapes/: registry, detection, examples, coverage, JSON-LD
contexts, and the one call the validate command needs (:func:`check_input`)."""

from cityref.profiles.conformance import check_at_release, check_input
from cityref.profiles.detection import NoProfileDetected, ProfileMatch, detect_profile
from cityref.profiles.registry import Profile, ProfileNotFound, list_profiles, load_profile

__all__ = [
    "NoProfileDetected",
    "Profile",
    "ProfileMatch",
    "ProfileNotFound",
    "check_at_release",
    "check_input",
    "detect_profile",
    "list_profiles",
    "load_profile",
]
