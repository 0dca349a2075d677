"""Numbered releases of the Reference Model: each one dataset, registry/releases/<version>.trig.

The dataset (see :mod:`cityref.registry.release_dataset`) holds the release's record, its
changelog, and every ontology and shapes file as released, each its own named graph
(``<base>graph/registry/releases/1.1.0/ontology/core`` …); ``cityref build`` loads those
graphs, so every release stays queryable and ``/release/<version>/…`` IRIs resolve.
In a release each owl:Ontology's owl:versionIRI is ``<ontology IRI>/<version>``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize

from cityref.registry.durable import RegistryError, read_bytes, registry_lock
from cityref.registry.release_dataset import (
    dataset_path,
    read_record,
    release_folder,
    write_dataset,
)
from cityref.registry.vocab import DCT, OWL, RDF_TYPE, XSD, dct, reg
from cityref.store.sources import RELEASES_FOLDER, ModelFiles
from cityref.text import Bilingual

if TYPE_CHECKING:
    from cityref.profiles.registry import Profile

RELEASES = Path(RELEASES_FOLDER)
WORKING = "working"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")
_LANG_HEADING = re.compile(r"^#+\s*(ja|en|日本語|english)\s*$", re.IGNORECASE)
SNAPSHOT_FOLDERS = ("ontology", "shapes")


@dataclass(frozen=True)
class Release:
    version: str
    iri: str
    issued: str
    dataset: Path  # registry/releases/<version>.trig

    @property
    def folder(self) -> Path:
        """The release as files (ontology/, shapes/), written out of the dataset on demand."""
        return release_folder(self.dataset.parents[2], self.version)


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    m = _SEMVER.match(version)
    if not m:
        raise RegistryError(
            Bilingual(
                f"{version!r} はセマンティックバージョン（例 1.2.0）ではありません",
                f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH)",
            )
        )
    pre = m.group(4)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if pre else 1, pre or "")


def release_iri(base_iri: str, version: str) -> str:
    return f"{base_iri}registry/release/{version}"


def split_notes(text: str, name: str) -> dict[str, str]:
    """Notes in Markdown with a ``# ja`` and a ``# en`` section -> {"ja": …, "en": …}."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        m = _LANG_HEADING.match(line.strip())
        if m:
            word = m.group(1).lower()
            current = "ja" if word in ("ja", "日本語") else "en"
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    notes = {lang: "\n".join(lines).strip() for lang, lines in sections.items()}
    missing = [lang for lang in ("ja", "en") if not notes.get(lang)]
    if missing:
        raise RegistryError(
            Bilingual(
                f"{name}: リリースノートには '# ja' と '# en' の節が必要です"
                f"（ないもの: {', '.join(missing)}）",
                f"{name}: release notes need a '# ja' and a '# en' section; missing: "
                f"{', '.join(missing)}",
            )
        )
    return notes


def list_releases(root: Path) -> list[Release]:
    """Every release (registry/releases/<version>.trig), oldest first."""
    folder = root / RELEASES
    out: list[Release] = []
    if not folder.is_dir():
        return out
    for path in folder.glob("*.trig"):
        version = path.name.removesuffix(".trig")
        if not _SEMVER.match(version):
            continue
        issued = iri = ""
        for t in read_record(path, version):
            if t.predicate == dct("issued") and isinstance(t.object, Literal):
                issued, iri = t.object.value, str(getattr(t.subject, "value", ""))
        out.append(Release(version, iri, issued, path))
    return sorted(out, key=lambda r: semver_key(r.version))


def tree(root: Path, ref: str) -> Path:
    """The folder holding ontology/ and shapes/ for a release version or ``working``."""
    if ref == WORKING:
        return root
    semver_key(ref)
    if not dataset_path(root, ref).is_file():
        known = ", ".join(r.version for r in list_releases(root)) or "none"
        raise RegistryError(
            Bilingual(
                f"リリース {ref} はありません（あるもの: {known}）",
                f"no release {ref} under {root / RELEASES} (known: {known})",
            )
        )
    return release_folder(root, ref)


def _snapshot_files(root: Path) -> dict[PurePosixPath, bytes]:
    """Every Turtle file of ontology/, and every file of shapes/ (the profiles' CSVW metadata
    too, so their input adapters work on a release), outside examples/ folders."""
    files: dict[PurePosixPath, bytes] = {}
    for name in SNAPSHOT_FOLDERS:
        pattern = "*.ttl" if name == "ontology" else "*"
        for path in sorted((root / name).rglob(pattern)):
            relative = PurePosixPath(path.relative_to(root).as_posix())
            hidden = any(part.startswith(".") for part in relative.parts)
            if "examples" not in relative.parts and not hidden and path.is_file():
                files[relative] = read_bytes(path)
    return files


def content_digest(files: dict[PurePosixPath, bytes]) -> str:
    """One checksum of a tree's released files (paths and bytes), to tell whether the working
    tree is still exactly a release."""
    digest = hashlib.sha256()
    for relative, data in sorted(files.items()):
        digest.update(f"{relative.as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def model_release(root: Path) -> str:
    """The Reference Model release the working tree is: the latest release when nothing
    released has changed since, else ``working`` (unreleased changes)."""
    releases = list_releases(root)
    if not releases:
        return WORKING
    latest = releases[-1]
    recorded = {
        t.object.value
        for t in read_record(latest.dataset, latest.version)
        if t.predicate == reg("contentDigest") and isinstance(t.object, Literal)
    }
    return latest.version if content_digest(_snapshot_files(root)) in recorded else WORKING


def release_facts(root: Path) -> dict[str, str]:
    """For a page: ``model_release`` (:func:`model_release`) and ``latest_release`` (or "")."""
    releases = list_releases(root)
    return {
        "model_release": model_release(root),
        "latest_release": releases[-1].version if releases else "",
    }


def _with_version_iri(data: bytes, version: str) -> bytes:
    """The file with owl:versionIRI (and owl:versionInfo) of every owl:Ontology set to the
    release, as N-Triples."""
    triples = [q.triple for q in parse(data, RdfFormat.TURTLE)]
    ontologies = {
        t.subject
        for t in triples
        if t.predicate == RDF_TYPE and t.object == NamedNode(OWL + "Ontology")
    }
    versioned = (OWL + "versionIRI", OWL + "versionInfo")
    kept = [t for t in triples if not (t.subject in ontologies and t.predicate.value in versioned)]
    for o in sorted(ontologies, key=lambda n: n.value):
        base = o.value.rstrip("/#")
        kept.append(Triple(o, NamedNode(OWL + "versionIRI"), NamedNode(f"{base}/{version}")))
        kept.append(Triple(o, NamedNode(OWL + "versionInfo"), Literal(version)))
    return serialize(kept, format=RdfFormat.N_TRIPLES) or b""


def create_release(
    root: Path,
    version: str,
    notes: dict[str, str],
    base_iri: str,
    issued: datetime | None = None,
) -> Release:
    """Release ontology/ and shapes/ as ``version`` (newer than every release): one dataset,
    registry/releases/<version>.trig, with the changelog since the release before."""
    from cityref.registry.changelog import release_changelog
    from cityref.registry.diff import semantic_diff
    from cityref.registry.proposals import list_proposals, mark_merged

    semver_key(version)
    when = (issued or datetime.now(UTC)).date().isoformat()
    with registry_lock(root):
        existing = list_releases(root)
        if existing and semver_key(version) <= semver_key(existing[-1].version):
            raise RegistryError(
                Bilingual(
                    f"リリース {version} は最新版 {existing[-1].version} より新しくありません",
                    f"release {version} is not newer than the latest, {existing[-1].version}",
                )
            )
        target = dataset_path(root, version)
        if target.exists():
            raise RegistryError(Bilingual(f"{target}: 既に存在します", f"{target}: already exists"))
        iri = release_iri(base_iri, version)
        subject = NamedNode(iri)
        record = [
            Triple(subject, RDF_TYPE, reg("Release")),
            Triple(subject, NamedNode(OWL + "versionInfo"), Literal(version)),
            Triple(
                subject, NamedNode(OWL + "versionIRI"), NamedNode(f"{base_iri}release/{version}")
            ),
            Triple(subject, dct("issued"), Literal(when, datatype=NamedNode(XSD + "date"))),
            Triple(subject, dct("title"), Literal(f"cityref {version}", language="en")),
            Triple(subject, dct("title"), Literal(f"cityref 第 {version} 版", language="ja")),
        ]
        for lang, text in sorted(notes.items()):
            record.append(Triple(subject, reg("notes"), Literal(text, language=lang)))
        accepted = list_proposals(root, "accepted")
        for proposal in accepted:
            record.append(Triple(subject, reg("includesProposal"), NamedNode(proposal.iri)))
        previous = existing[-1].version if existing else ""
        changes = semantic_diff(existing[-1].folder, root, base_iri) if existing else []
        for lang in ("ja", "en"):
            text = release_changelog(version, previous, changes, accepted, lang)
            record.append(Triple(subject, reg("changelog"), Literal(text, language=lang)))
        if previous:
            record.append(Triple(subject, reg("previousRelease"), NamedNode(existing[-1].iri)))
        files = _snapshot_files(root)
        record.append(Triple(subject, reg("contentDigest"), Literal(content_digest(files))))
        for relative, data in files.items():
            if relative.parts[0] == "ontology":
                files[relative] = _with_version_iri(data, version)
        write_dataset(target, version, subject, record, files)
        mark_merged(root, iri)
    return Release(version, iri, when, target)


def ontology_bytes(model: ModelFiles) -> bytes:
    """Every ontology/**.ttl of a tree as one N-Triples document."""
    return serialize(ontology_triples(model), format=RdfFormat.N_TRIPLES) or b""


def ontology_triples(model: ModelFiles) -> list[Triple]:
    """Every triple of a tree's ontology/**.ttl."""
    triples: list[Triple] = []
    for path in sorted(model.ontology_dir.rglob("*.ttl")):
        try:
            triples += [q.triple for q in parse(model.read(path), RdfFormat.TURTLE)]
        except SyntaxError as exc:
            raise RegistryError(
                Bilingual(f"{path}: 構文解析できません（{exc}）", f"{path}: does not parse: {exc}")
            ) from exc
    return triples


def profile_folder(model: ModelFiles, profile_id: str) -> Path:
    """The folder under ``<tree>/shapes`` of the profile whose dcterms:identifier is ``id``."""
    shapes = model.shapes_dir
    ident = NamedNode(DCT + "identifier")
    for profile_ttl in sorted(shapes.glob("*/profile.ttl")):
        for q in parse(model.read(profile_ttl), RdfFormat.TURTLE):
            if (
                q.predicate == ident
                and isinstance(q.object, Literal)
                and q.object.value == profile_id
            ):
                return profile_ttl.parent
    if (shapes / profile_id).is_dir() and profile_id != "common":
        return shapes / profile_id
    raise RegistryError(
        Bilingual(
            f"プロファイル {profile_id} はありません", f"no profile {profile_id!r} in {shapes}"
        )
    )


def tree_profile_shapes(model: ModelFiles, profile_id: str) -> bytes:
    """A profile's shapes (every .ttl but profile.ttl) plus shapes/common/, as Turtle."""
    directory = profile_folder(model, profile_id)
    parts = [model.read(p) for p in sorted(directory.glob("*.ttl")) if p.name != "profile.ttl"]
    parts += [model.read(p) for p in sorted((model.shapes_dir / "common").glob("*.ttl"))]
    return b"\n".join(parts)


def at_release(model: ModelFiles, version: str) -> ModelFiles:
    """The model's files as they were in release ``version`` (``working``: ``model``)."""
    return model.at(tree(model.root, version))


def profile_shapes_at(version: str, profile_id: str, model: ModelFiles) -> bytes:
    """The shapes of ``profile_id`` as they were in release ``version`` (or ``working``).

    This is what ``cityref validate --profile ID@VERSION`` validates against.
    """
    return tree_profile_shapes(at_release(model, version), profile_id)


def is_release(root: Path, version: str) -> bool:
    """True when ``version`` names a release under registry/releases/."""
    return bool(_SEMVER.match(version)) and dataset_path(root, version).is_file()


def profile_at(version: str, profile_id: str, model: ModelFiles) -> Profile:
    """The :class:`~cityref.profiles.Profile` as it was in release ``version`` (its folder in
    the release written out as files), for the profiles' input adapters (CSV, GTFS, …)."""
    from cityref.profiles.registry import load_profile

    return load_profile(profile_id, at_release(model, version))
