"""The Reference Model's sources: every Turtle file under ontology/, shapes/ and registry/."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: The content folders, in load order.
SOURCE_FOLDERS: tuple[str, ...] = ("ontology", "shapes", "registry")
#: Named graph of the OWL-RL entailments of the ontology graphs.
INFERRED_GRAPH = "graph/inferred"


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file, its named graph and its checksum."""

    relative_path: PurePosixPath
    absolute_path: Path
    sha256: str

    @property
    def folder(self) -> str:
        return self.relative_path.parts[0]

    def graph_iri(self, base_iri: str) -> str:
        """``<base>graph/<path without .ttl>``, e.g. ``.../graph/ontology/core``."""
        return f"{base_iri}graph/{self.relative_path.with_suffix('')}"

    @property
    def display_path(self) -> str:
        """The path as a person would type it: relative to the working directory if inside."""
        relative = os.path.relpath(self.absolute_path)
        return str(self.absolute_path) if relative.startswith("..") else relative


def discover_sources(root: Path) -> list[SourceFile]:
    """Every ``*.ttl`` under the content folders of ``root``, sorted by path.

    Files under an ``examples/`` folder are sample inputs of profiles, not part of the model.
    """
    root = root.resolve()
    found: list[SourceFile] = []
    for folder in SOURCE_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.ttl")):
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if "examples" in relative.parts or not path.is_file():
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found.append(SourceFile(relative, path, digest))
    return found


def inferred_graph_iri(base_iri: str) -> str:
    return base_iri + INFERRED_GRAPH
