"""The Reference Model's sources: every Turtle file under ontology/, shapes/ and registry/,
and every release's dataset (registry/releases/<version>.trig)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cityref.errors import CityrefError
from cityref.settings import SETTINGS_BY_NAME, Settings
from cityref.text import Bilingual

#: The content folders, in load order.
SOURCE_FOLDERS: tuple[str, ...] = ("ontology", "shapes", "registry")
#: Where the releases' datasets are, one TriG file per release (see cityref.registry.releases).
RELEASES_FOLDER = PurePosixPath("registry/releases")
#: Named graph of the OWL-RL entailments of the ontology graphs.
INFERRED_GRAPH = "graph/inferred"
#: The base IRI the Turtle sources are written under: the ``base_iri`` setting's default.
WRITTEN_BASE_IRI: str = SETTINGS_BY_NAME["base_iri"].default


@dataclass(frozen=True)
class ModelFiles:
    """The one handle on the model's files: the folder holding ontology/, shapes/ and
    registry/, and the base IRI the model is served under.

    Made once from the settings at an entry point (the CLI, the web app) and passed to
    everything that reads the model, so that no two parts can read different trees.
    The sources are written under :data:`WRITTEN_BASE_IRI`; :meth:`read` rebases them onto
    ``base_iri``, and every reader of a source goes through it.
    """

    root: Path
    base_iri: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelFiles:
        return cls(settings.sources, settings.base_iri)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def questions_dir(self) -> Path:
        """The architects' questions (``NN-name.rq``), the query page's examples."""
        return self.root / "tests" / "queries"

    def at(self, root: Path) -> ModelFiles:
        """The same base IRI over another tree (a release's snapshot)."""
        return ModelFiles(root, self.base_iri)

    def term_iri(self, path: str) -> str:
        """``<base>path``, e.g. ``term_iri("def/core#status")``."""
        return self.base_iri + path

    def graph_iri(self, relative_path: PurePosixPath) -> str:
        """``<base>graph/<path without .ttl>``: the named graph of the source at that path."""
        return f"{self.base_iri}graph/{relative_path.with_suffix('').as_posix()}"

    @property
    def inferred_graph_iri(self) -> str:
        return self.base_iri + INFERRED_GRAPH

    def rebase(self, data: bytes) -> bytes:
        """Source text with the written base IRI replaced by ``base_iri`` (IRIs, prefixes,
        SPARQL in shapes and literals alike), so nothing the model serves names the default."""
        if self.base_iri == WRITTEN_BASE_IRI:
            return data
        return data.replace(WRITTEN_BASE_IRI.encode(), self.base_iri.encode())

    def rebase_iri(self, iri: str) -> str:
        """One IRI under the written base moved under ``base_iri`` (others unchanged)."""
        if not iri.startswith(WRITTEN_BASE_IRI):
            return iri
        return self.base_iri + iri[len(WRITTEN_BASE_IRI) :]

    def written_iri(self, iri: str) -> str:
        """The inverse of :meth:`rebase_iri`: an IRI under ``base_iri`` as the sources write
        it, for what is written back into them (accepted proposals)."""
        if self.base_iri == WRITTEN_BASE_IRI or not iri.startswith(self.base_iri):
            return iri
        return WRITTEN_BASE_IRI + iri[len(self.base_iri) :]

    def read(self, path: Path) -> bytes:
        """The bytes of a source file, rebased (see :meth:`rebase`)."""
        return self.rebase(path.read_bytes())


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
    """One Turtle file (one named graph) or one release's TriG dataset, and its checksum."""

    relative_path: PurePosixPath
    absolute_path: Path
    sha256: str

    @property
    def folder(self) -> str:
        return self.relative_path.parts[0]

    @property
    def is_dataset(self) -> bool:
        """A release's dataset: its graphs are named in the file."""
        return self.relative_path.suffix == ".trig"

    @property
    def display_path(self) -> str:
        """The path as a person would type it: relative to the working directory if inside."""
        relative = os.path.relpath(self.absolute_path)
        return str(self.absolute_path) if relative.startswith("..") else relative


def discover_sources(root: Path) -> list[SourceFile]:
    """Every ``*.ttl`` under the content folders of ``root``, and every release's
    ``registry/releases/*.trig``, sorted by path.

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
        found_here = list(base.rglob("*.ttl"))
        if folder == RELEASES_FOLDER.parts[0]:
            found_here += (root / RELEASES_FOLDER).glob("*.trig")
        for path in sorted(found_here):
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
