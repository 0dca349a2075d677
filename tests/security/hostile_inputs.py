"""Hostile uploads made on the spot: deep JSON / JSON-LD / NGSI-LD / RDF/XML, GTFS zips with
a patched CRC, encryption flag or compression method, zip bombs, wide CSVs; and a Flask app
on the toy model (with the repository's profiles) with tight validation limits."""

from __future__ import annotations

import io
import shutil
import struct
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from app import create_app
from cityref.services.jobs import read_job
from cityref.settings import Settings, load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO, TOY

MINIMAL_FEED = REPO / "shapes" / "gtfs-jp" / "examples" / "valid" / "minimal-feed"
RDF_XML_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="http://x.test/">'
)
_CENTRAL, _LOCAL = b"PK\x01\x02", b"PK\x03\x04"


def peak_memory_mb(store: Path, job_id: str, seconds: float = 10) -> float | None:
    """The job's peak memory, which its process notes just after the job's outcome."""
    deadline = time.monotonic() + seconds
    while (peak := read_job(store, job_id).peak_memory_mb) is None:
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
    return peak


def build_tight_model(folder: Path) -> Path:
    """``folder/sources``: the toy model with the repository's model and profiles (uploads are
    detected and validated against those); ``folder/store``: its store. ``folder``."""
    sources = folder / "sources"
    shutil.copytree(TOY, sources)
    # The profiles name terms and standards: the build refuses them without the model's
    # ontology/ and registry/ beside.
    for part in ("shapes", "ontology", "registry"):
        shutil.copytree(REPO / part, sources / part, dirs_exist_ok=True)
    build_store(folder / "store", ModelFiles(sources, BASE_IRI))
    return folder


def copy_of_model(model: Path, folder: Path) -> Path:
    """A private copy of a :func:`build_tight_model` folder (sources and store): the store is
    up to date with the copied sources, whose fingerprint is of contents, not paths."""
    shutil.copytree(model, folder, symlinks=True, dirs_exist_ok=True)
    return folder


def tight_app(folder: Path, **changes: object) -> Flask:
    """The web app on the model in ``folder`` (a copy of :func:`build_tight_model`'s), with
    validation limits tight enough for tests."""
    sources, store = folder / "sources", folder / "store"
    settings: Settings = load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(sources),
            "CITYREF_RATE_LIMIT": "100000",
            "CITYREF_CLIENT_CONCURRENCY": "64",
            "CITYREF_CLIENT_QUEUE": "64",
            "CITYREF_VALIDATION_TIMEOUT": "30",
            "CITYREF_VALIDATION_MEMORY_MB": "1024",
            "CITYREF_MAX_DECOMPRESSED_BYTES": str(8 * 1024 * 1024),
        }
    ).with_(**changes)
    return create_app(settings, {"TESTING": True})


# -- deep documents ---------------------------------------------------------------------------
def deep_json(depth: int, opener: str = "{") -> str:
    """A value nested ``depth`` deep: objects ``{"a": …}`` or arrays ``[…]``."""
    if opener == "[":
        return "[" * depth + "1" + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def deep_ngsi_ld(depth: int, opener: str = "{") -> str:
    return (
        '{"id": "urn:ngsi-ld:Thing:1", "type": "Thing",\n'
        f' "p": {{"type": "Property", "value": {deep_json(depth, opener)}}}}}'
    )


def deep_json_ld(depth: int) -> str:
    nested = '{"http://x.test/p":' * depth + '"v"' + "}" * depth
    return f'{{"@id": "http://x.test/a",\n "http://x.test/p": {nested}}}'


def deep_rdf_xml(depth: int) -> str:
    opening = "<x:p><rdf:Description>" * depth
    closing = "</rdf:Description></x:p>" * depth
    return f"{RDF_XML_HEAD}\n<rdf:Description>{opening}{closing}</rdf:Description></rdf:RDF>"


# -- zips -------------------------------------------------------------------------------------
def gtfs_zip(extra: dict[str, bytes | Iterable[bytes]] | None = None) -> bytes:
    """The profile's minimal valid feed, plus ``extra`` members (chunks are streamed in, so
    a member of hundreds of MB never sits in the test's memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(MINIMAL_FEED.iterdir()):
            if path.name not in (extra or {}):
                archive.writestr(path.name, path.read_bytes())
        for name, content in (extra or {}).items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in content:
                    member.write(chunk)
    return buffer.getvalue()


def stop_times_rows(total_bytes: int) -> Iterable[bytes]:
    """A stop_times.txt of about ``total_bytes``: its header, then one row again and again
    (which deflates about 400 to 1, as the 484 KB zip of the report did)."""
    yield b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\r\n"
    block = b"trip-ok,08:00:00,08:00:00,stop-ok,1\r\n" * 30_000
    for _ in range(max(1, total_bytes // len(block))):
        yield block


def patch_member(
    data: bytes, member: str, *, flags: int = 0, method: int | None = None, crc_xor: int = 0
) -> bytes:
    """A zip with one member's headers changed (local and central): extra flag bits, another
    compression method, a wrong CRC."""
    out = bytearray(data)
    name = member.encode()
    for signature, flag_at, method_at, crc_at, name_len_at, name_at in (
        (_LOCAL, 6, 8, 14, 26, 30),
        (_CENTRAL, 8, 10, 16, 28, 46),
    ):
        at = out.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", out, at + name_len_at)[0]
            if bytes(out[at + name_at : at + name_at + length]) == name:
                old_flags = struct.unpack_from("<H", out, at + flag_at)[0]
                struct.pack_into("<H", out, at + flag_at, old_flags | flags)
                if method is not None:
                    struct.pack_into("<H", out, at + method_at, method)
                crc = struct.unpack_from("<I", out, at + crc_at)[0]
                struct.pack_into("<I", out, at + crc_at, crc ^ crc_xor)
            at = out.find(signature, at + 4)
    return bytes(out)


def wide_csv(columns: int) -> bytes:
    header = ",".join(f"column{i:05d}" for i in range(columns))
    row = ",".join("x" for _ in range(columns))
    return f"{header}\n{row}\n".encode()
