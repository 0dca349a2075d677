"""``cityref build``: the sources into a fresh Oxigraph store, swapped in only on success.

Layout of the store folder::

    <store>/builds/<build-id>/oxigraph/   the Oxigraph database
    <store>/builds/<build-id>/build.json  what went in: sources, checksums, counts, versions
    <store>/current -> builds/<build-id>  replaced atomically when a build succeeds
    <store>/.lock                         one build at a time

Readers open ``current`` read-only, so a failed or running build never disturbs them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from cityref import __version__
from cityref.errors import CityrefError, SourceSyntaxError, StoreMissing
from cityref.store.integrity import model_inconsistencies
from cityref.store.oxigraph import OxigraphStore
from cityref.store.reasoning import owl_rl_entailments
from cityref.store.sources import ModelFiles, SourceFile, SourceOutsideRoot, discover_sources
from cityref.store.syntax import source_syntax_error
from cityref.text import Bilingual

BUILD_FORMAT = 1
Progress = Callable[[str], None]


class BuildFailed(CityrefError):
    """One or more sources did not parse, could not be read safely, or refer to something the
    model does not have (:mod:`cityref.store.integrity`); nothing was swapped in."""

    def __init__(self, errors: Sequence[CityrefError]) -> None:
        super().__init__(
            Bilingual("\n".join(e.text.ja for e in errors), "\n".join(e.text.en for e in errors))
        )
        self.errors = errors


@dataclass
class BuildRecord:
    """What ``build.json`` holds."""

    build_id: str
    created: str
    fingerprint: str
    base_iri: str
    sources_root: str
    sources: list[dict[str, Any]]
    graphs: dict[str, int]
    seconds: float
    versions: dict[str, str] = field(default_factory=dict)
    format: int = BUILD_FORMAT

    @classmethod
    def read(cls, path: Path) -> BuildRecord:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")


@dataclass(frozen=True)
class BuildOutcome:
    record: BuildRecord
    skipped: bool


def versions() -> dict[str, str]:
    import rdflib

    return {"cityref": __version__, "pyoxigraph": ox.__version__, "rdflib": rdflib.__version__}


def fingerprint(sources: list[SourceFile], base_iri: str) -> str:
    """Changes whenever a source, the base IRI or the cityref version changes."""
    digest = hashlib.sha256(f"{BUILD_FORMAT}|{__version__}|{base_iri}".encode())
    for source in sources:
        digest.update(f"|{source.relative_path}={source.sha256}".encode())
    return digest.hexdigest()


def current_build_dir(store_path: Path) -> Path:
    """The folder of the build readers use, or :class:`StoreMissing`."""
    current = store_path / "current"
    if not current.exists():
        raise _store_missing(store_path)
    return current.resolve()


def current_build_link(store_path: Path) -> Path:
    """The folder of the build readers use as ``current`` names it, read with one system call
    (asked on every request, where resolving the whole path costs more than the answer)."""
    try:
        return store_path / os.readlink(store_path / "current")
    except FileNotFoundError:
        raise _store_missing(store_path) from None
    except OSError:  # not a link: a store laid out by hand
        return current_build_dir(store_path)


def _store_missing(store_path: Path) -> StoreMissing:
    return StoreMissing(
        Bilingual(
            f"{store_path} にストアがありません。先に cityref build を実行してください",
            f"no store at {store_path}: run 'cityref build' first",
        )
    )


def current_record(store_path: Path) -> BuildRecord | None:
    try:
        return BuildRecord.read(current_build_dir(store_path) / "build.json")
    except (StoreMissing, FileNotFoundError):
        return None


def open_current(store_path: Path) -> OxigraphStore:
    """The current build, opened read-only."""
    return OxigraphStore.open_read_only(current_build_dir(store_path) / "oxigraph")


def discover(sources_root: Path) -> list[SourceFile]:
    """The sources; a link out of the folder fails the build like a syntax error, so that the
    CLI and ``serve`` say so plainly and keep the previous store."""
    try:
        return discover_sources(sources_root)
    except SourceOutsideRoot as exc:
        raise BuildFailed([exc]) from None


def parse_sources(
    sources: list[SourceFile], model: ModelFiles
) -> list[tuple[SourceFile, str, list[ox.Triple]]]:
    """Parse every source, rebased onto the model's base IRI (:meth:`ModelFiles.read`),
    collecting every file's syntax error rather than the first only: (source, named graph,
    triples) — one graph per Turtle file, each graph of a release's dataset."""
    parsed: list[tuple[SourceFile, str, list[ox.Triple]]] = []
    errors: list[SourceSyntaxError] = []
    for source in sources:
        try:
            if source.is_dataset:
                parsed += [(source, g, t) for g, t in _dataset_graphs(source, model).items()]
                continue
            quads = ox.parse(model.read(source.absolute_path), format=ox.RdfFormat.TURTLE)
            parsed.append(
                (source, model.graph_iri(source.relative_path), [q.triple for q in quads])
            )
        except SyntaxError as exc:
            errors.append(source_syntax_error(exc, source.display_path))
    if errors:
        raise BuildFailed(errors)
    return parsed


def _dataset_graphs(source: SourceFile, model: ModelFiles) -> dict[str, list[ox.Triple]]:
    """The named graphs of a release's TriG file; every one must be under the release's own
    ``<base>graph/registry/releases/<version>/``, so a release never overwrites the working
    tree's graphs."""
    prefix = model.graph_iri(source.relative_path) + "/"
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(model.read(source.absolute_path), format=ox.RdfFormat.TRIG):
        graph = quad.graph_name
        if not (isinstance(graph, ox.NamedNode) and graph.value.startswith(prefix)):
            where = graph.value if isinstance(graph, ox.NamedNode) else "the default graph"
            raise SyntaxError(f"a statement in {where}: a release's graphs are under {prefix}")
        graphs.setdefault(graph.value, []).append(quad.triple)
    return graphs


def populate(
    store: OxigraphStore,
    sources: list[SourceFile],
    model: ModelFiles,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Load the sources and the ontology's entailments into ``store``; triples per graph."""
    say = progress or (lambda _message: None)
    parsed = parse_sources(sources, model)
    counts: dict[str, int] = {}
    ontology_triples: list[ox.Triple] = []
    for source, graph, triples in parsed:
        counts[graph] = store.load_quads(graph, triples)
        if source.folder == "ontology":
            ontology_triples.extend(triples)
    say(f"parsed {len(sources)} files")
    paths = {graph: source.display_path for source, graph, _triples in parsed}
    inconsistencies = model_inconsistencies(store, model.base_iri, paths)
    if inconsistencies:
        raise BuildFailed(inconsistencies)
    started = time.perf_counter()
    inferred = owl_rl_entailments(ontology_triples)
    counts[model.inferred_graph_iri] = store.load_quads(model.inferred_graph_iri, inferred)
    say(f"OWL-RL: {len(inferred)} entailed triples in {time.perf_counter() - started:.1f} s")
    store.unite_default_graph()
    store.flush()
    return counts


def build_in_memory(
    model: ModelFiles, progress: Progress | None = None
) -> tuple[OxigraphStore, BuildRecord]:
    """A store built in memory (``--memory``): nothing is written to disk."""
    started = time.perf_counter()
    sources = discover(model.root)
    store = OxigraphStore.in_memory()
    counts = populate(store, sources, model, progress)
    record = new_record(sources, model, counts, time.perf_counter() - started)
    return store, record


def build_store(
    store_path: Path,
    model: ModelFiles,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildOutcome:
    """Build into a new folder, then swap it in; skip when the sources have not changed."""
    started = time.perf_counter()
    sources = discover(model.root)
    store_path.mkdir(parents=True, exist_ok=True)
    with build_lock(store_path):
        previous = current_record(store_path)
        if not force and previous and previous.fingerprint == fingerprint(sources, model.base_iri):
            return BuildOutcome(previous, skipped=True)
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        build_dir = store_path / "builds" / build_id
        try:
            store = OxigraphStore.open(build_dir / "oxigraph")
            counts = populate(store, sources, model, progress)
            del store  # closes the database before readers open it
            seconds = time.perf_counter() - started
            record = new_record(sources, model, counts, seconds, build_id)
            record.write(build_dir / "build.json")
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        _swap_in(store_path, build_dir)
        _prune(store_path, keep={build_dir.name, *(_previous_name(previous))})
        return BuildOutcome(record, skipped=False)


def new_record(
    sources: list[SourceFile],
    model: ModelFiles,
    counts: dict[str, int],
    seconds: float,
    build_id: str = "memory",
) -> BuildRecord:
    return BuildRecord(
        build_id=build_id,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        fingerprint=fingerprint(sources, model.base_iri),
        base_iri=model.base_iri,
        sources_root=str(model.root.resolve()),
        sources=[
            {
                "path": str(s.relative_path),
                "graph": model.graph_iri(s.relative_path),
                "sha256": s.sha256,
            }
            for s in sources
        ],
        graphs=dict(sorted(counts.items())),
        seconds=round(seconds, 3),
        versions=versions(),
    )


def _swap_in(store_path: Path, build_dir: Path) -> None:
    """Point ``current`` at the new build with one atomic rename."""
    link = store_path / f".current-{uuid.uuid4().hex[:8]}"
    link.symlink_to(build_dir.relative_to(store_path))
    os.replace(link, store_path / "current")


def _previous_name(previous: BuildRecord | None) -> list[str]:
    # The build readers may still have open stays one more round.
    return [previous.build_id] if previous else []


def _prune(store_path: Path, keep: set[str]) -> None:
    for old in (store_path / "builds").iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def build_lock(store_path: Path) -> Iterator[None]:
    with open(store_path / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CityrefError(
                Bilingual(
                    f"{store_path} の別のビルドが実行中です",
                    f"another build of {store_path} is running",
                )
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
