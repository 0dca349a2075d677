"""The Reference Model's sources: every Turtle file under ontology/, shapes/ and registry/."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cityref.errors import CityrefError
from cityref.text import Bilingual

#: The content folders, in load order.
SOURCE_FOLDERS: tuple[str, ...] = ("ontology", "shapes", "registry")
#: Named graph of the OWL-RL entailments of the ontology graphs.
INFERRED_GRAPH = "graph/inferred"


class SourceOutsideRoot(CityrefError):
    """A source is a symbolic link that leads out of the sources folder; it is not read."""

    def __init__(self, relative_path: PurePosixPath, root: Path) -> None:
        super().__init__(
            Bilingual(
                f"{relative_path}: ソースフォルダ {root} の外を指すシンボリックリンクのため"
                "読みません（ファイルをコピーするかリンクを消してください）",
                f"{relative_path}: a symbolic link that leads outside the sources folder {root}; "
                "cityref reads only files inside it (copy the file in, or remove the link)",
            )
        )
        self.relative_path = relative_path


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
    A symbolic link is followed only when it leads to a file inside ``root``; one that leads
    out is refused (:class:`SourceOutsideRoot`) before anything is read, so a build never
    reads, or prints in an error, a file from elsewhere on the machine.
    """
    root = root.resolve()
    found: list[SourceFile] = []
    for folder in SOURCE_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.ttl")):
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if "examples" in relative.parts:
                continue
            if not path.resolve().is_relative_to(root):
                raise SourceOutsideRoot(relative, root)
            if not path.is_file():
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found.append(SourceFile(relative, path, digest))
    return found


def inferred_graph_iri(base_iri: str) -> str:
    return base_iri + INFERRED_GRAPH
