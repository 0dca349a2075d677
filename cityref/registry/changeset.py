"""RDF changesets: statements to add and to delete, each in the named graph of a source file.

A changeset is two TriG documents, *additions* and *deletions*. A statement in the named graph
``<base>graph/<path>`` (the graph ``cityref build`` gives the file ``<path>.ttl``) changes that
file; a statement in the default graph changes the file that already describes its subject.
Applying one rewrites only the affected subject blocks of each file (see turtle_writer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
    serialize,
)

from cityref.registry.durable import RegistryError, read_bytes, write_atomic
from cityref.registry.turtle_writer import TurtleFile, patch_text
from cityref.registry.vocab import PREFIXES
from cityref.store.sources import ModelFiles, discover_sources
from cityref.text import Bilingual

EDITABLE_FOLDERS = ("ontology", "shapes")


@dataclass
class Changeset:
    """Statements to add and to delete (quads: the graph names the source file)."""

    additions: list[Quad] = field(default_factory=list)
    deletions: list[Quad] = field(default_factory=list)

    @staticmethod
    def from_trig(additions: bytes, deletions: bytes, name: str = "<patch>") -> Changeset:
        return Changeset(
            parse_quads(additions, RdfFormat.TRIG, f"{name} (additions)"),
            parse_quads(deletions, RdfFormat.TRIG, f"{name} (deletions)"),
        )

    def to_trig(self) -> tuple[str, str]:
        """(additions, deletions) as TriG text."""
        return quads_to_trig(self.additions), quads_to_trig(self.deletions)

    @property
    def subjects(self) -> list[str]:
        """The named subjects the changeset touches, sorted."""
        found = {
            q.subject.value
            for q in [*self.additions, *self.deletions]
            if isinstance(q.subject, NamedNode)
        }
        return sorted(found)

    def is_empty(self) -> bool:
        return not self.additions and not self.deletions


def parse_quads(data: bytes, fmt: RdfFormat, name: str) -> list[Quad]:
    if not data.strip():
        return []
    try:
        return list(parse(data, fmt))
    except (SyntaxError, ValueError) as exc:
        raise RegistryError(
            Bilingual(f"{name}: 構文解析できません（{exc}）", f"{name}: does not parse: {exc}")
        ) from exc


def quads_to_trig(quads: list[Quad]) -> str:
    if not quads:
        return ""
    ordered = sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate)))
    iris = {
        term.value
        for q in quads
        for term in (q.subject, q.predicate, q.object, q.graph_name)
        if isinstance(term, NamedNode)
    } | {q.object.datatype.value for q in quads if isinstance(q.object, Literal)}
    used = {n: ns for n, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}
    data = serialize(ordered, format=RdfFormat.TRIG, prefixes=used)
    return data.decode("utf-8") if data is not None else ""


def graph_to_path(graph: str, base_iri: str) -> PurePosixPath | None:
    """The source path (``ontology/core.ttl``) of a build graph IRI, or None."""
    prefix = base_iri + "graph/"
    if not graph.startswith(prefix):
        return None
    path = PurePosixPath(graph[len(prefix) :] + ".ttl")
    if path.parts[0] not in EDITABLE_FOLDERS or ".." in path.parts:
        return None
    return path


def _subject_files(root: Path) -> dict[str, list[PurePosixPath]]:
    """Named subject IRI -> the editable source files describing it."""
    out: dict[str, list[PurePosixPath]] = {}
    for source in discover_sources(root):
        if source.folder not in EDITABLE_FOLDERS:
            continue
        text = source.absolute_path.read_text(encoding="utf-8")
        for subject in TurtleFile(text, source.display_path).subjects():
            out.setdefault(subject.value, []).append(source.relative_path)
    return out


def _file_for(
    quad: Quad, root: Path, base_iri: str, index: dict[str, list[PurePosixPath]] | None
) -> tuple[PurePosixPath, dict[str, list[PurePosixPath]] | None]:
    if not isinstance(quad.graph_name, DefaultGraph):
        graph = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
        path = graph_to_path(graph, base_iri)
        if path is None:
            raise RegistryError(
                Bilingual(
                    f"グラフ <{graph}> は ontology/ か shapes/ のソースファイルを指していません",
                    f"graph <{graph}> is not a source file under ontology/ or shapes/ "
                    f"(expected {base_iri}graph/ontology/… or …/graph/shapes/…)",
                )
            )
        return path, index
    if index is None:
        index = _subject_files(root)
    files = index.get(quad.subject.value, []) if isinstance(quad.subject, NamedNode) else []
    if len(files) != 1:
        where = "no source file" if not files else f"{len(files)} files"
        raise RegistryError(
            Bilingual(
                f"<{quad.subject}>: 対象ファイルを名前付きグラフで指定してください",
                f"<{quad.subject}>: {where} describe it; put the statement in the named graph of "
                "the file to change",
            )
        )
    return files[0], index


def apply_changeset(root: Path, changeset: Changeset, base_iri: str) -> list[PurePosixPath]:
    """Apply to the Turtle sources under ``root``; the changed files' paths.

    Every file is patched in memory first; nothing is written unless all patches apply.
    The caller holds the registry lock.
    """
    per_file: dict[PurePosixPath, tuple[list[Triple], list[Triple]]] = {}
    index: dict[str, list[PurePosixPath]] | None = None
    model = ModelFiles(root, base_iri)
    removed = _as_written(changeset.deletions, model)
    added = _as_written(changeset.additions, model)
    for quads, slot in ((removed, 1), (added, 0)):
        # Blank-node descriptions follow the statement that links them.
        for q in quads:
            if isinstance(q.subject, BlankNode):
                continue
            path, index = _file_for(q, root, base_iri, index)
            entry = per_file.setdefault(path, ([], []))
            entry[slot].append(q.triple)
            if slot == 0 and isinstance(q.object, BlankNode):
                entry[0].extend(_bnode_closure(quads, q.object))
    new_texts: dict[PurePosixPath, str] = {}
    for path, (additions, deletions) in sorted(per_file.items()):
        target = root / path
        if not target.is_file():
            raise RegistryError(
                Bilingual(f"{path}: ソースファイルがありません", f"{path}: no such source file")
            )
        old = read_bytes(target).decode("utf-8")
        new = patch_text(old, str(path), additions, deletions)
        try:
            parse(new.encode("utf-8"), RdfFormat.TURTLE)
        except SyntaxError as exc:  # a bug in the writer must not reach the sources
            raise RegistryError(
                Bilingual(
                    f"{path}: 変更後のテキストを構文解析できません（{exc}）",
                    f"{path}: patched text does not parse: {exc}",
                )
            ) from exc
        if new != old:
            new_texts[path] = new
    for path, text in new_texts.items():
        write_atomic(root / path, text.encode("utf-8"))
    return sorted(new_texts)


def _as_written(quads: list[Quad], model: ModelFiles) -> list[Quad]:
    """The statements with their terms as the sources write them (under the written base IRI;
    the graph names stay, they say which file)."""

    def term(value: Any) -> Any:
        if isinstance(value, NamedNode):
            return NamedNode(model.written_iri(value.value))
        if isinstance(value, Literal) and not value.language:
            return Literal(value.value, datatype=NamedNode(model.written_iri(value.datatype.value)))
        return value

    return [Quad(term(q.subject), term(q.predicate), term(q.object), q.graph_name) for q in quads]


def _bnode_closure(quads: list[Quad], node: BlankNode) -> list[Triple]:
    out: list[Triple] = []
    todo, done = [node], set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        for q in quads:
            if q.subject == current:
                out.append(q.triple)
                if isinstance(q.object, BlankNode):
                    todo.append(q.object)
    return out
