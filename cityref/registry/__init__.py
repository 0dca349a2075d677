"""The living Reference Model: term lifecycle, proposals, releases, semantic diffs,
registered systems and conformance records, impact and statistics. See docs/governance.md.

The hooks other parts of cityref call:

- :func:`~cityref.registry.releases.profile_shapes_at` — a profile's shapes in a release;
- :func:`~cityref.registry.lifecycle.deprecation_shapes` — sh:Warning shapes for deprecated
  terms, to validate alongside a profile's shapes;
- :func:`~cityref.registry.versioned.validate_at` — both, with the release's ontology;
- :func:`~cityref.registry.records.record_validation` — store a conformance record.
"""

from cityref.registry.durable import RegistryError
from cityref.registry.lifecycle import deprecation_shapes
from cityref.registry.records import DataFile, record_validation
from cityref.registry.releases import profile_shapes_at
from cityref.registry.versioned import validate_at

__all__ = [
    "DataFile",
    "RegistryError",
    "deprecation_shapes",
    "profile_shapes_at",
    "record_validation",
    "validate_at",
]
