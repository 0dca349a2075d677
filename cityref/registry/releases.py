"""Numbered releases: snapshots of ontology/ and shapes/ under registry/releases/<version>/.

A release folder mirrors the sources' layout::

    registry/releases/1.1.0/release.ttl          the release record (reg:Release)
    registry/releases/1.1.0/ontology/**.ttl      the ontology as released
    registry/releases/1.1.0/shapes/<id>/*.ttl    every profile as released

``cityref build`` loads each of these files as its own named graph
(``<base>graph/registry/releases/1.1.0/ontology/core`` …), so every release stays queryable.
In the snapshot each owl:Ontology's owl:versionIRI is set to ``<ontology IRI>/<version>``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize

from cityref.registry.durable import RegistryError, read_bytes, registry_lock, write_atomic
from cityref.registry.turtle_writer import patch_text, write_document
from cityref.registry.vocab import DCT, OWL, PREFIXES, RDF_TYPE, XSD, dct, reg
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

if TYPE_CHECKING:
    from cityref.profiles.registry import Profile

RELEASES = Path("registry") / "releases"
WORKING = "working"
STAGING = Path(".cityref-staging")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")
_LANG_HEADING = re.compile(r"^#+\s*(ja|en|日本語|english)\s*$", re.IGNORECASE)
SNAPSHOT_FOLDERS = ("ontology", "shapes")


@dataclass(frozen=True)
class Release:
    version: str
    iri: str
    issued: str
    folder: Path


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
    """Every release under registry/releases/, oldest first."""
    folder = root / RELEASES
    out: list[Release] = []
    if not folder.is_dir():
        return out
    for sub in folder.iterdir():
        record = sub / "release.ttl"
        if not (sub.is_dir() and record.is_file() and _SEMVER.match(sub.name)):
            continue
        issued = ""
        iri = ""
        for q in parse(read_bytes(record), RdfFormat.TURTLE):
            if q.predicate == dct("issued") and isinstance(q.object, Literal):
                issued, iri = q.object.value, q.subject.value
        out.append(Release(sub.name, iri, issued, sub))
    return sorted(out, key=lambda r: semver_key(r.version))


def tree(root: Path, ref: str) -> Path:
    """The folder holding ontology/ and shapes/ for a release version or ``working``."""
    if ref == WORKING:
        return root
    semver_key(ref)
    folder = root / RELEASES / ref
    if not (folder / "release.ttl").is_file():
        known = ", ".join(r.version for r in list_releases(root)) or "none"
        raise RegistryError(
            Bilingual(
                f"リリース {ref} はありません（あるもの: {known}）",
                f"no release {ref} under {root / RELEASES} (known: {known})",
            )
        )
    return folder


def _snapshot_files(root: Path) -> list[Path]:
    """Every Turtle file of ontology/, and every file of shapes/ (the profiles' CSVW metadata
    too, so their input adapters work on a release), outside examples/ folders."""
    files: list[Path] = []
    for name in SNAPSHOT_FOLDERS:
        pattern = "*.ttl" if name == "ontology" else "*"
        for path in sorted((root / name).rglob(pattern)):
            relative = path.relative_to(root)
            hidden = any(part.startswith(".") for part in relative.parts)
            if "examples" not in relative.parts and not hidden and path.is_file():
                files.append(path)
    return files


def _with_version_iri(text: str, name: str, version: str) -> str:
    """Set owl:versionIRI (and owl:versionInfo) of every owl:Ontology in a snapshot file."""
    triples = [q.triple for q in parse(text.encode("utf-8"), RdfFormat.TURTLE)]
    ontologies = [
        t.subject
        for t in triples
        if t.predicate == RDF_TYPE and t.object == NamedNode(OWL + "Ontology")
    ]
    additions: list[Triple] = []
    deletions: list[Triple] = []
    for o in ontologies:
        for t in triples:
            if t.subject == o and t.predicate.value in (OWL + "versionIRI", OWL + "versionInfo"):
                deletions.append(t)
        base = o.value.rstrip("/#")
        additions.append(Triple(o, NamedNode(OWL + "versionIRI"), NamedNode(f"{base}/{version}")))
        additions.append(Triple(o, NamedNode(OWL + "versionInfo"), Literal(version)))
    if not ontologies:
        return text
    return patch_text(text, name, additions, deletions)


def create_release(
    root: Path,
    version: str,
    notes: dict[str, str],
    base_iri: str,
    issued: datetime | None = None,
) -> Release:
    """Snapshot ontology/ and shapes/ as release ``version`` (newer than every release)."""
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
        target = root / RELEASES / version
        if target.exists():
            raise RegistryError(Bilingual(f"{target}: 既に存在します", f"{target}: already exists"))
        # Staged outside registry/ so a build never loads a half-written release.
        staging = root / STAGING / version
        shutil.rmtree(staging, ignore_errors=True)
        iri = release_iri(base_iri, version)
        record: list[Triple] = []
        subject = NamedNode(iri)
        record += [
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
        for path in _snapshot_files(root):
            relative = path.relative_to(root)
            data = read_bytes(path)
            if relative.parts[0] == "ontology":
                text = _with_version_iri(data.decode("utf-8"), str(relative), version)
                data = text.encode("utf-8")
            write_atomic(staging / relative, data)
            if path.suffix != ".ttl":
                continue
            graph = f"{base_iri}graph/{(RELEASES / version / relative).with_suffix('').as_posix()}"
            record.append(Triple(subject, dct("hasPart"), NamedNode(graph)))
        from cityref.registry.proposals import list_proposals, mark_merged

        for proposal in list_proposals(root, "accepted"):
            record.append(Triple(subject, reg("includesProposal"), NamedNode(proposal.iri)))
        comment = f"Release {version} of the cityref Reference Model (written by cityref release)."
        write_atomic(
            staging / "release.ttl", write_document(record, PREFIXES, comment).encode("utf-8")
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
        shutil.rmtree(root / STAGING, ignore_errors=True)
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
    return bool(_SEMVER.match(version)) and (root / RELEASES / version / "release.ttl").is_file()


def profile_at(version: str, profile_id: str, model: ModelFiles) -> Profile:
    """The :class:`~cityref.profiles.Profile` as it was in release ``version`` (its folder in
    the snapshot), for the profiles' input adapters (CSV, GTFS, …)."""
    from cityref.profiles.registry import load_profile

    return load_profile(profile_id, at_release(model, version))
