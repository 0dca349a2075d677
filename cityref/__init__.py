"""cityref: the Super City Reference Model as a knowledge graph, and the conformance service."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version is read from the package metadata only when asked for: importlib.metadata
    # costs every process 35 ms at start, and the query and job processes never ask.
    if name != "__version__":
        raise AttributeError(f"module 'cityref' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cityref")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0+checkout"


__all__ = ["__version__"]
