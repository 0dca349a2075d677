"""A release stored as one TriG dataset, ``registry/releases/<version>.trig``.

Its named graphs, all under ``<base>graph/registry/releases/<version>/``::

    …/release                 the record (reg:Release): version, dates, notes, changelog, the
                              accepted proposals it includes, and the profiles' non-RDF files
                              (CSVW metadata, column checks) as reg:releasedFile literals
    …/ontology/core           each ontology/**.ttl as released (one graph per file)
    …/shapes/<id>/shapes      each shapes/**.ttl as released

The record's graph comes first in the file, so listing releases reads only the head of each.
Code that needs a release as files (a profile's CSV adapter, the semantic diff) asks
:func:`release_folder`, which writes the dataset back out as ``ontology/`` and ``shapes/``
once into a cache folder named by the dataset's checksum.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse, serialize

from cityref.registry.durable import RegistryError, read_bytes, write_atomic
from cityref.registry.vocab import PREFIXES, reg
from cityref.store.sources import RELEASES_FOLDER, WRITTEN_BASE_IRI
from cityref.text import Bilingual

#: Bumped when the way a dataset is written out as files changes (invalidates the cache).
FOLDER_FORMAT = 1
RECORD_GRAPH = "release"
RELEASED_FILE = reg("releasedFile")
FILE_PATH = reg("filePath")
FILE_CONTENT = reg("fileContent")
#: The folders a release holds; a graph or file outside them is refused.
RELEASED_FOLDERS = ("ontology", "shapes")


def dataset_path(root: Path, version: str) -> Path:
    return root / RELEASES_FOLDER / f"{version}.trig"


def graph_prefix(version: str, base_iri: str = WRITTEN_BASE_IRI) -> str:
    """``<base>graph/registry/releases/<version>/``: every graph of the release is under it."""
    return f"{base_iri}graph/{RELEASES_FOLDER.as_posix()}/{version}/"


def write_dataset(
    path: Path,
    version: str,
    release: NamedNode,
    record: list[Triple],
    files: dict[PurePosixPath, bytes],
) -> None:
    """Write the release: ``record`` about ``release`` (its graph first), then one graph per
    Turtle file of ``files`` (paths relative to the sources, written base IRI); other files
    go into the record as literals."""
    prefix = graph_prefix(version)
    record_graph = NamedNode(prefix + RECORD_GRAPH)
    quads = [Quad(t.subject, t.predicate, t.object, record_graph) for t in record]
    parts: list[Quad] = []
    for relative, data in sorted(files.items()):
        if relative.suffix == ".ttl":
            graph = NamedNode(prefix + relative.with_suffix("").as_posix())
            quads.append(
                Quad(release, NamedNode(PREFIXES["dcterms"] + "hasPart"), graph, record_graph)
            )
            parts += [
                Quad(q.subject, q.predicate, q.object, graph) for q in _turtle(data, relative)
            ]
            continue
        node = NamedNode(f"{release.value}/file/{relative.as_posix()}")
        quads += [
            Quad(release, RELEASED_FILE, node, record_graph),
            Quad(node, FILE_PATH, Literal(relative.as_posix()), record_graph),
            Quad(node, FILE_CONTENT, Literal(data.decode("utf-8")), record_graph),
        ]
    write_atomic(path, serialize(quads + parts, format=RdfFormat.TRIG, prefixes=PREFIXES) or b"")


def _unparsable(where: object, exc: SyntaxError) -> RegistryError:
    return RegistryError(
        Bilingual(f"{where}: 構文解析できません（{exc}）", f"{where}: does not parse: {exc}")
    )


def _turtle(data: bytes, relative: PurePosixPath) -> list[Triple]:
    try:
        return [q.triple for q in parse(data, RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise RegistryError(
            Bilingual(
                f"{relative}: 構文解析できません（{exc}）", f"{relative}: does not parse: {exc}"
            )
        ) from exc


def _quads(path: Path) -> list[Quad]:
    try:
        return list(parse(read_bytes(path), RdfFormat.TRIG))
    except SyntaxError as exc:
        raise _unparsable(path, exc) from exc


def read_record(path: Path, version: str) -> list[Triple]:
    """The release's record (the head of the file, its first graph)."""
    record = NamedNode(graph_prefix(version) + RECORD_GRAPH)
    found: list[Triple] = []
    try:
        for quad in parse(read_bytes(path), RdfFormat.TRIG):
            if quad.graph_name != record:
                break
            found.append(quad.triple)
    except SyntaxError as exc:
        raise _unparsable(path, exc) from exc
    return found


def released_graphs(path: Path, version: str) -> dict[PurePosixPath, list[Triple]]:
    """Source path (``ontology/core.ttl``) -> the triples it had in the release."""
    prefix = graph_prefix(version)
    graphs: dict[PurePosixPath, list[Triple]] = {}
    for quad in _quads(path):
        name = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
        if name == prefix + RECORD_GRAPH:
            continue
        graphs.setdefault(_released_path(name, prefix, path, ".ttl"), []).append(quad.triple)
    return graphs


def _released_path(name: str, prefix: str, path: Path, suffix: str) -> PurePosixPath:
    """The source path a graph name (or a released file's path) stands for, checked: under
    ontology/ or shapes/, no ``..``."""
    relative = PurePosixPath(name.removeprefix(prefix) + suffix)
    inside = name.startswith(prefix) or not suffix
    if not inside or relative.parts[0] not in RELEASED_FOLDERS or ".." in relative.parts:
        raise RegistryError(
            Bilingual(
                f"{path}: {name!r} はリリースの ontology/ と shapes/ の外です",
                f"{path}: {name!r} is outside the release's ontology/ and shapes/",
            )
        )
    return relative


def _cache() -> Path:
    """This user's cache of releases written out as files: private, so that no other user of
    the machine can put files there for cityref to read as a release."""
    cache = Path(tempfile.gettempdir()) / f"cityref-releases-{os.getuid()}"
    cache.mkdir(mode=0o700, exist_ok=True)
    info = cache.lstat()
    if cache.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise RegistryError(
            Bilingual(
                f"{cache}: 他のユーザーのもの、または他のユーザーが書き込めるため使いません",
                f"{cache}: owned by another user, or open to other users; not used",
            )
        )
    return cache


def release_folder(root: Path, version: str) -> Path:
    """The release as files (``ontology/``, ``shapes/``), written once into a cache folder
    named by the dataset's checksum, so an unchanged release is never written twice and a
    changed one never read stale."""
    path = dataset_path(root, version)
    digest = hashlib.sha256(read_bytes(path) + f"|{FOLDER_FORMAT}".encode()).hexdigest()[:24]
    cache = _cache()
    folder = cache / f"{version}-{digest}"
    if folder.is_dir():
        return folder
    staging = cache / f".{folder.name}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for relative, triples in released_graphs(path, version).items():
        text = serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b""
        write_atomic(staging / relative, text)
    for triple in read_record(path, version):
        subject, content = triple.subject, triple.object
        if triple.predicate == FILE_CONTENT and isinstance(content, Literal):
            name = subject.value.split("/file/", 1)[-1] if isinstance(subject, NamedNode) else ""
            relative = _released_path(name, "", path, "")
            write_atomic(staging / relative, content.value.encode("utf-8"))
    try:
        staging.rename(folder)
    except OSError:  # another process wrote the same folder first
        shutil.rmtree(staging, ignore_errors=True)
    return folder
