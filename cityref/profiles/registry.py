"""The profiles under shapes/: their metadata from profile.ttl, shapes and CSVW schema."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from cityref.errors import CityrefError
from cityref.inputs.csv_header import TableSchema, parse_table_group
from cityref.store.sources import ModelFiles
from cityref.text import Bilingual

PROF = "http://www.w3.org/ns/dx/prof/"
DCT = "http://purl.org/dc/terms/"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
SH = "http://www.w3.org/ns/shacl#"
COMMON_FOLDER = "common"
# Profiles validating the vocabulary itself, not input data; they are listed but not detected.
_NOT_DATA = {"quality"}


class ProfileNotFound(CityrefError):
    """No profile with this id (or version)."""


@dataclass(frozen=True)
class Profile:
    """One application profile: metadata from profile.ttl and the files beside it."""

    id: str
    iri: str
    version: str
    title: dict[str, str]
    description: dict[str, str]
    domains: tuple[str, ...]
    standards: tuple[str, ...]
    edition: dict[str, str]  # of the standard it profiles, by language; empty if unconfirmed
    sources: tuple[str, ...]  # dcterms:source: the URLs or repository paths its columns follow
    status: str
    input_kind: str  # the id of the input format it reads (cityref.inputs.registry)
    directory: Path
    model: ModelFiles  # the tree the profile was read from (for its shapes' base IRI)
    # IRIs of the profiles that replace this one (dcterms:isReplacedBy): an older layout
    # names the current layout of the same dataset (cityref.profiles.migration).
    replaced_by: tuple[str, ...] = ()

    @property
    def shapes_files(self) -> tuple[Path, ...]:
        """The profile's own shapes files (every .ttl but profile.ttl, outside examples/)."""
        return tuple(p for p in sorted(self.directory.glob("*.ttl")) if p.name != "profile.ttl")

    def shapes(self) -> bytes:
        """Turtle of the profile's shapes plus the shared checks in shapes/common/."""
        return _shapes_bytes(self.directory, self.model)

    def table_schema(self) -> TableSchema | None:
        """The CSVW table schema of a one-table profile (CSV); None otherwise."""
        tables = self.table_schemas()
        return tables[0] if len(tables) == 1 else None

    def table_schemas(self) -> list[TableSchema]:
        """The tables of a CSVW table group (GTFS: one per file); empty when not tabular."""
        path = self.directory / "csv-metadata.json"
        if not path.is_file():
            return []
        metadata = json.loads(self.model.read(path).decode("utf-8"))
        return parse_table_group(metadata, self.model.base_iri)

    def shape_columns(self) -> dict[str, str]:
        """Shape IRI -> column to report, for shapes whose results have no path."""
        return _shape_columns(self.directory, self.model)

    @property
    def is_data_profile(self) -> bool:
        """True when the profile checks input data (not the vocabulary itself)."""
        return self.id not in _NOT_DATA


@functools.lru_cache(maxsize=64)
def _shapes_bytes(directory: Path, model: ModelFiles) -> bytes:
    parts = [model.read(p) for p in sorted(directory.glob("*.ttl")) if p.name != "profile.ttl"]
    common = directory.parent / COMMON_FOLDER
    parts += [model.read(p) for p in sorted(common.glob("*.ttl"))]
    # Each file is a whole Turtle document; prefixes may be redeclared, so join as N-Triples
    # would be safest, but Turtle allows @prefix anywhere, so plain concatenation is valid.
    return b"\n".join(parts)


@functools.lru_cache(maxsize=64)
def _shape_columns(directory: Path, model: ModelFiles) -> dict[str, str]:
    store = Store()
    store.load(_shapes_bytes(directory, model), format=RdfFormat.TURTLE)
    out: dict[str, str] = {}
    report_column = NamedNode(model.term_iri("shapes/common/reportColumn"))
    for q in store.quads_for_pattern(None, report_column, None):
        if isinstance(q.subject, NamedNode) and isinstance(q.object, Literal):
            out[q.subject.value] = q.object.value
    return out


def _texts(store: Store, s: NamedNode, p: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for q in store.quads_for_pattern(s, NamedNode(p), None):
        if isinstance(q.object, Literal):
            out[q.object.language or ""] = q.object.value
    return out


def _iris(store: Store, s: NamedNode, p: str) -> tuple[str, ...]:
    return tuple(
        sorted(
            q.object.value
            for q in store.quads_for_pattern(s, NamedNode(p), None)
            if isinstance(q.object, NamedNode)
        )
    )


def _sources(store: Store, s: NamedNode) -> tuple[str, ...]:
    """dcterms:source of the profile, IRIs and literals alike (a repository path is text)."""
    return tuple(
        sorted(
            q.object.value
            for q in store.quads_for_pattern(s, NamedNode(DCT + "source"), None)
            if isinstance(q.object, NamedNode | Literal)
        )
    )


def read_profile(directory: Path, model: ModelFiles) -> Profile:
    """A profile from its folder's profile.ttl (a folder of ``model``'s shapes/)."""
    store = Store()
    try:
        store.load(model.read(directory / "profile.ttl"), format=RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        where = directory / "profile.ttl"
        raise ProfileNotFound(
            Bilingual(f"{where}: 読めません（{exc}）", f"{where}: {exc}")
        ) from exc
    subjects = [
        q.subject
        for q in store.quads_for_pattern(
            None,
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode(PROF + "Profile"),
        )
    ]
    if not subjects or not isinstance(subjects[0], NamedNode):
        where = directory / "profile.ttl"
        raise ProfileNotFound(
            Bilingual(f"{where}: prof:Profile がありません", f"{where}: no prof:Profile in it")
        )
    s = subjects[0]
    ident = _texts(store, s, DCT + "identifier").get("", directory.name)
    kind = _texts(store, s, model.term_iri("shapes/common/inputKind")).get("", "rdf")
    status = _iris(store, s, model.term_iri("def/core#status"))
    return Profile(
        id=ident,
        iri=s.value,
        version=_texts(store, s, OWL_VERSION).get("", "0"),
        title=_texts(store, s, DCT + "title"),
        description=_texts(store, s, DCT + "description"),
        domains=tuple(
            d.rsplit("/", 1)[-1] for d in _iris(store, s, model.term_iri("def/core#domain"))
        ),
        standards=_iris(store, s, PROF + "isProfileOf"),
        edition=_texts(store, s, model.term_iri("shapes/common/sourceEdition")),
        sources=_sources(store, s),
        status=status[0].rsplit("/", 1)[-1] if status else "draft",
        input_kind=kind,
        directory=directory,
        model=model,
        replaced_by=_iris(store, s, DCT + "isReplacedBy"),
    )


def list_profiles(model: ModelFiles) -> list[Profile]:
    """Every profile under the model's shapes/, sorted by id."""
    found = [read_profile(p.parent, model) for p in sorted(model.shapes_dir.glob("*/profile.ttl"))]
    return sorted(found, key=lambda p: p.id)


def load_profile(ref: str, model: ModelFiles) -> Profile:
    """The profile ``id`` or ``id@version``; a wrong version is an error, not a fallback."""
    ident, _, version = ref.partition("@")
    for profile in list_profiles(model):
        if profile.id == ident:
            if version and version != profile.version:
                raise ProfileNotFound(
                    Bilingual(
                        f"プロファイル {ident} の版は {profile.version} です"
                        f"（{version} ではありません）",
                        f"profile {ident!r} is at version {profile.version}, not {version}",
                    )
                )
            return profile
    known = ", ".join(p.id for p in list_profiles(model))
    raise ProfileNotFound(
        Bilingual(
            f"プロファイル {ident} はありません（あるもの: {known}）",
            f"no profile {ident!r} (known: {known})",
        )
    )
