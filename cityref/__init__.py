"""cityref: the Super City Reference Model as a knowledge graph, and the conformance service."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cityref")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"

__all__ = ["__version__"]
