"""Registered city systems and their conformance records.

``registry/systems/<id>.ttl`` describes a system (``<base>registry/system/<id>``): vendor,
product, version, domains and the profiles@version it claims. Its conformance records are
appended to ``registry/systems/<id>/records.ttl``, one ``reg:ConformanceRecord`` per run
(``<base>registry/system/<id>/record/<run-id>``): time, profile@version, engine version, the
SHA-256 of each data document, result counts, verdict, the constraints that failed, the terms
the data used, and where the stored report (JSON-LD) and any kept sample data are. Reports
and samples are not Turtle files, so the build does not load vendor data into the model.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from cityref import __version__
from cityref.registry.durable import RegistryError, read_bytes, registry_lock, write_atomic
from cityref.registry.turtle_writer import patch_text, write_document
from cityref.registry.vocab import CORE, PREFIXES, RDF_TYPE, XSD, dct, prov, reg, sh
from cityref.text import Bilingual
from cityref.validation import Report
from cityref.validation.paths import PredicatePath

FOLDER = Path("registry") / "systems"
#: The shapes of a system id, a claim (profile@version) and a domain name; the write API's
#: JSON schema publishes the same patterns (they read alike in Python and ECMA-262).
SYSTEM_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
PROFILE_REF_PATTERN = r"^[A-Za-z0-9_.-]+@[A-Za-z0-9_.+-]+$"
DOMAIN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"
# fullmatch: a '$' alone would let a final newline through into a file name.
_ID = re.compile(SYSTEM_ID_PATTERN)
_REF = re.compile(PROFILE_REF_PATTERN)
_DOMAIN = re.compile(DOMAIN_PATTERN)


@dataclass(frozen=True)
class DataFile:
    """One validated document: a name for people, its bytes and its RDF format."""

    name: str
    data: bytes
    format: RdfFormat


@dataclass
class Sample:
    path: str
    format: str
    sha256: str


@dataclass
class ConformanceRecord:
    iri: str
    system: str
    run_id: str
    time: str
    profile: str  # id@version
    engine_version: str
    verdict: str  # pass or fail
    violations: int
    warnings: int
    infos: int
    data_sha256: list[str]
    report: str
    failures: dict[str, int] = field(default_factory=dict)  # shape or path -> count
    used_terms: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    #: The Reference Model release validated against (``working``: unreleased changes).
    model_release: str = ""

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["samples"] = [s.__dict__ for s in self.samples]
        return out


def check_id(ident: str) -> str:
    if not _ID.fullmatch(ident):
        raise RegistryError(
            Bilingual(
                f"{ident!r} はシステム ID ではありません（英小文字・数字・'-' で書きます）",
                f"{ident!r} is not a system id (lower-case letters, digits and '-')",
            )
        )
    return ident


def system_iri(base_iri: str, ident: str) -> str:
    return f"{base_iri}registry/system/{ident}"


def register_system(
    root: Path,
    base_iri: str,
    ident: str,
    *,
    vendor: str,
    product: str,
    version: str,
    domains: Sequence[str],
    claims: Sequence[str],
) -> Path:
    """Write (or rewrite) ``registry/systems/<id>.ttl``; claims are ``profile@version``."""
    check_id(ident)
    for claim in claims:
        if not _REF.fullmatch(claim):
            raise RegistryError(
                Bilingual(
                    f"表明 {claim!r} は PROFILE@VERSION の形ではありません",
                    f"claim {claim!r} is not PROFILE@VERSION",
                )
            )
    for domain in domains:
        # The domain becomes the end of an IRI (<base>def/domain/<name>): a name, not a path.
        if not _DOMAIN.fullmatch(domain):
            raise RegistryError(
                Bilingual(
                    f"{domain!r} はドメイン名ではありません"
                    "（英数字・'-'・'_' で書きます。例：mobility）",
                    f"domain {domain!r} is not a domain name (letters, digits, '-' and '_', "
                    "e.g. mobility)",
                )
            )
    s = NamedNode(system_iri(base_iri, ident))
    triples = [
        Triple(s, RDF_TYPE, reg("RegisteredSystem")),
        Triple(s, dct("identifier"), Literal(ident)),
        Triple(s, reg("vendor"), Literal(vendor)),
        Triple(s, reg("product"), Literal(product)),
        Triple(s, reg("productVersion"), Literal(version)),
    ]
    triples += [
        Triple(s, NamedNode(CORE + "domain"), NamedNode(f"{base_iri}def/domain/{d}"))
        for d in domains
    ]
    triples += [Triple(s, reg("claimsProfile"), Literal(c)) for c in claims]
    path = root / FOLDER / f"{ident}.ttl"
    comment = f"Registered system {ident} (written by cityref systems register)."
    with registry_lock(root):
        write_atomic(path, write_document(triples, PREFIXES, comment).encode("utf-8"))
    return path


def list_systems(root: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted((root / FOLDER).glob("*.ttl")):
        values: dict[str, list[str]] = {}
        for q in parse(read_bytes(path), RdfFormat.TURTLE):
            values.setdefault(q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], []).append(
                q.object.value
            )
        out.append(
            {
                "id": path.stem,
                "vendor": ", ".join(values.get("vendor", [])),
                "product": ", ".join(values.get("product", [])),
                "version": ", ".join(values.get("productVersion", [])),
                "domains": sorted(d.rsplit("/", 1)[-1] for d in values.get("domain", [])),
                "claims": sorted(values.get("claimsProfile", [])),
            }
        )
    return out


def used_terms(files: Sequence[DataFile]) -> list[str]:
    """The classes (rdf:type objects) and properties the RDF data uses."""
    found: set[str] = set()
    for f in files:
        try:
            for q in parse(f.data, f.format):
                if q.predicate == RDF_TYPE and isinstance(q.object, NamedNode):
                    found.add(q.object.value)
                elif q.predicate != RDF_TYPE:
                    found.add(q.predicate.value)
        except (SyntaxError, ValueError):
            continue
    return sorted(found)


def _failure_key(shape: object, path: object) -> str:
    if isinstance(shape, NamedNode):
        return shape.value
    if isinstance(path, PredicatePath):
        return f"path:{path.iri.value}"
    return "(anonymous shape)"


def record_validation(
    root: Path,
    base_iri: str,
    system: str,
    profile: str,
    report: Report,
    files: Sequence[DataFile],
    *,
    keep_sample: bool = False,
    terms: Sequence[str] | None = None,
    model_release: str = "",
) -> ConformanceRecord:
    """Append a conformance record for ``system`` (registered first) and store the report.

    ``profile`` is ``id@version``; ``model_release`` the Reference Model release it was
    taken from (a version, or ``working``). ``terms`` are the classes and properties the data used
    (default: read from RDF ``files``). ``keep_sample`` keeps copies of the data for impact.
    """
    check_id(system)
    if not _REF.fullmatch(profile):
        raise RegistryError(
            Bilingual(
                f"プロファイル {profile!r} は PROFILE@VERSION の形ではありません",
                f"profile {profile!r} is not PROFILE@VERSION",
            )
        )
    if not (root / FOLDER / f"{system}.ttl").is_file():
        raise RegistryError(
            Bilingual(
                f"システム {system!r} が登録されていません。先に登録してください",
                f"system {system!r} is not registered (no {FOLDER / (system + '.ttl')}); "
                "register it first",
            )
        )
    now = datetime.now(UTC)
    run_id = now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)
    run_dir = FOLDER / system / "runs" / run_id
    iri = NamedNode(f"{system_iri(base_iri, system)}/record/{run_id}")
    severities = Counter(r.severity.value.rsplit("#", 1)[-1] for r in report.results)
    failures = Counter(_failure_key(r.source_shape, r.path) for r in report.results)
    verdict = "fail" if severities.get("Violation", 0) else "pass"
    stamp = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    triples = [
        Triple(iri, RDF_TYPE, reg("ConformanceRecord")),
        Triple(iri, reg("system"), NamedNode(system_iri(base_iri, system))),
        Triple(iri, reg("runId"), Literal(run_id)),
        Triple(iri, prov("endedAtTime"), Literal(stamp, datatype=NamedNode(XSD + "dateTime"))),
        Triple(iri, reg("profile"), Literal(profile)),
        Triple(iri, reg("engineVersion"), Literal(f"cityref {__version__} ({report.engine})")),
        *([Triple(iri, reg("modelRelease"), Literal(model_release))] if model_release else []),
        Triple(iri, reg("verdict"), reg(verdict)),
        Triple(iri, reg("violationCount"), Literal(severities.get("Violation", 0))),
        Triple(iri, reg("warningCount"), Literal(severities.get("Warning", 0))),
        Triple(iri, reg("infoCount"), Literal(severities.get("Info", 0))),
        Triple(iri, reg("report"), Literal((run_dir / "report.jsonld").as_posix())),
    ]
    for f in files:
        triples.append(Triple(iri, reg("dataSha256"), Literal(hashlib.sha256(f.data).hexdigest())))
    # Failures and samples are named under the record (not blank nodes), so that each has an
    # IRI a page or a query can show; records written earlier with blank nodes read the same.
    for n, (key, count) in enumerate(sorted(failures.items()), 1):
        node = NamedNode(f"{iri.value}/failure/{n}")
        target = Literal(key) if key.startswith(("path:", "(")) else NamedNode(key)
        triples += [
            Triple(iri, reg("failure"), node),
            Triple(node, reg("shape") if isinstance(target, NamedNode) else reg("key"), target),
            Triple(node, reg("count"), Literal(count)),
        ]
    for term in terms if terms is not None else used_terms(files):
        triples.append(Triple(iri, reg("usedTerm"), NamedNode(term)))
    with registry_lock(root):
        write_atomic(root / run_dir / "report.jsonld", report.to_jsonld().encode("utf-8"))
        if keep_sample:
            for i, f in enumerate(files, 1):
                sample_path = run_dir / f"sample-{i}.data"
                write_atomic(root / sample_path, f.data)
                node = NamedNode(f"{iri.value}/sample/{i}")
                triples += [
                    Triple(iri, reg("sample"), node),
                    Triple(node, reg("file"), Literal(sample_path.as_posix())),
                    Triple(node, reg("mediaType"), Literal(f.format.media_type)),
                    Triple(node, reg("sha256"), Literal(hashlib.sha256(f.data).hexdigest())),
                    Triple(node, dct("title"), Literal(f.name)),
                ]
        records = root / FOLDER / system / "records.ttl"
        if records.is_file():
            text = patch_text(read_bytes(records).decode("utf-8"), str(records), triples, [])
        else:
            text = write_document(triples, PREFIXES, f"Conformance records of system {system}.")
        write_atomic(records, text.encode("utf-8"))
    return next(r for r in list_records(root, system) if r.iri == iri.value)


def list_records(root: Path, system: str | None = None) -> list[ConformanceRecord]:
    """Every conformance record (of one system, or of all), oldest first."""
    systems = [system] if system else sorted(p.stem for p in (root / FOLDER).glob("*.ttl"))
    out: list[ConformanceRecord] = []
    for ident in systems:
        path = root / FOLDER / ident / "records.ttl"
        if path.is_file():
            out += _read_records(path, ident)
    return sorted(out, key=lambda r: (r.time, r.run_id))


def _read_records(path: Path, system: str) -> list[ConformanceRecord]:
    try:
        triples = [q.triple for q in parse(read_bytes(path), RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise RegistryError(
            Bilingual(f"{path}: 構文解析できません（{exc}）", f"{path}: does not parse: {exc}")
        ) from exc
    by: dict[object, dict[str, list[object]]] = {}
    for t in triples:
        by.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def first(node: object, local: str) -> str:
        values = by.get(node, {}).get(reg(local).value) or by.get(node, {}).get(local, [])
        return str(getattr(values[0], "value", "")) if values else ""

    out: list[ConformanceRecord] = []
    for node, props in by.items():
        if reg("ConformanceRecord") not in props.get(RDF_TYPE.value, []):
            continue
        failures: dict[str, int] = {}
        for f in props.get(reg("failure").value, []):
            key = first(f, "shape") or first(f, "key")
            failures[key] = failures.get(key, 0) + int(first(f, "count") or 0)
        samples = [
            Sample(first(s, "file"), first(s, "mediaType"), first(s, "sha256"))
            for s in props.get(reg("sample").value, [])
        ]
        out.append(
            ConformanceRecord(
                iri=str(getattr(node, "value", "")),
                system=system,
                run_id=first(node, "runId"),
                time=str(getattr(props.get(prov("endedAtTime").value, [""])[0], "value", "")),
                profile=first(node, "profile"),
                engine_version=first(node, "engineVersion"),
                verdict=first(node, "verdict").rsplit("#", 1)[-1],
                violations=int(first(node, "violationCount") or 0),
                warnings=int(first(node, "warningCount") or 0),
                infos=int(first(node, "infoCount") or 0),
                data_sha256=sorted(
                    str(getattr(v, "value", "")) for v in props.get(reg("dataSha256").value, [])
                ),
                report=first(node, "report"),
                failures=failures,
                used_terms=sorted(
                    str(getattr(v, "value", "")) for v in props.get(reg("usedTerm").value, [])
                ),
                samples=samples,
                model_release=first(node, "modelRelease"),
            )
        )
    return out


__all__ = [
    "DOMAIN_PATTERN",
    "PROFILE_REF_PATTERN",
    "SYSTEM_ID_PATTERN",
    "ConformanceRecord",
    "DataFile",
    "list_records",
    "list_systems",
    "record_validation",
    "register_system",
    "sh",
]
