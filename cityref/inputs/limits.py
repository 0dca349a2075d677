"""Limits on what an upload may expand to: zip members read with a total decompressed
budget, counted while reading; a cap on the members of a zip and on the columns of a CSV.

A zip's declared sizes are the sender's word, so they are only a first, cheap refusal; the
bytes that come out of the decompressor are counted as they come, all members together.
Members are read only when the caller asks for them by name (the profile's files), so a zip
full of large files the profile does not use costs nothing.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from cityref.errors import SourceLocation
from cityref.inputs.model import InputDataError, input_error
from cityref.settings import Settings
from cityref.text import Bilingual
from cityref.validation.errors import InputTooLarge

#: Entries of one zip (files and folders); GTFS-JP feeds have about 20.
MAX_ZIP_MEMBERS = 1000
#: Columns of one CSV header; the widest profile has under 100.
MAX_CSV_COLUMNS = 1000
#: Bytes read out of one zip, all members together (the server passes its setting).
DEFAULT_MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024
_READ_CHUNK = 1 << 20
#: Bytes read from the start of a member when only its header row is wanted.
HEAD_BYTES = 16 * 1024
# Stored, deflated, bzip2 and LZMA: what Python's zipfile can decompress.
_KNOWN_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_ZIP64_END_LOCATOR = b"PK\x06\x07"


@dataclass(frozen=True)
class InputLimits:
    """How far one upload may expand while it is read."""

    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES
    max_zip_members: int = MAX_ZIP_MEMBERS
    max_csv_columns: int = MAX_CSV_COLUMNS

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        """The limits of ``settings`` (``CITYREF_MAX_DECOMPRESSED_BYTES``)."""
        return cls(max_decompressed_bytes=settings.max_decompressed_bytes)


class ExpansionTooLarge(InputTooLarge):
    """An upload expands past a limit (decompressed bytes, zip members): answered 413."""


def _declared_entries(data: bytes) -> int | None:
    """The entry count the end-of-central-directory record declares (zip64 too), read
    before zipfile builds an object per entry."""
    at = data.rfind(_END_OF_CENTRAL_DIRECTORY, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    count: int = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == _ZIP64_END_LOCATOR:
        record: int = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 40 <= len(data):
            count = struct.unpack_from("<Q", data, record + 32)[0]
    return count


def open_zip(data: bytes, name: str, limits: InputLimits) -> zipfile.ZipFile:
    """The zip archive in ``data``, refused when it is not one or has too many entries."""
    declared = _declared_entries(data)
    if declared is not None and declared > limits.max_zip_members:
        raise _too_many(declared, limits, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, struct.error) as exc:
        raise input_error(
            f"zipファイルとして読めません: {exc}", f"not a readable zip file: {exc}", name
        ) from None
    if len(archive.infolist()) > limits.max_zip_members:
        raise _too_many(len(archive.infolist()), limits, name)
    return archive


def _too_many(count: int, limits: InputLimits, name: str) -> ExpansionTooLarge:
    return ExpansionTooLarge(
        Bilingual(
            f"zip のエントリが {count} 個あり、上限の {limits.max_zip_members} 個を超えています",
            f"the zip has {count} entries, more than the limit of {limits.max_zip_members}",
        ),
        SourceLocation(name),
    )


def member_names(data: bytes, name: str, limits: InputLimits) -> set[str]:
    """The base names of the files in a zip (nothing is decompressed)."""
    archive = open_zip(data, name, limits)
    return {PurePosixPath(i.filename).name for i in archive.infolist() if not i.is_dir()}


def read_members(
    data: bytes, name: str, wanted: Iterable[str], limits: InputLimits
) -> tuple[dict[str, bytes], set[str]]:
    """The ``wanted`` ``.txt`` members by base name (the first of a name wins), read with one
    decompressed budget for all of them, and the base names of the other members (not read)."""
    archive = open_zip(data, name, limits)
    wanted = set(wanted)
    budget = _Budget(limits.max_decompressed_bytes, name)
    found: dict[str, bytes] = {}
    others: set[str] = set()
    for info in archive.infolist():
        base = PurePosixPath(info.filename).name
        if info.is_dir() or not base.endswith(".txt"):
            continue
        if base not in wanted or base in found:
            others.add(base)
            continue
        found[base] = _read_member(archive, info, name, budget)
    return found, others - set(found)


def read_heads(
    data: bytes, name: str, wanted: Iterable[str], limits: InputLimits, size: int = HEAD_BYTES
) -> dict[str, bytes]:
    """The first ``size`` bytes of each ``wanted`` member by base name (enough for a CSV
    header), read with the zip's decompressed budget: what detection may look at."""
    archive = open_zip(data, name, limits)
    wanted = set(wanted)
    budget = _Budget(limits.max_decompressed_bytes, name)
    heads: dict[str, bytes] = {}
    for info in archive.infolist():
        base = PurePosixPath(info.filename).name
        if not info.is_dir() and base in wanted and base not in heads:
            heads[base] = _read_member(archive, info, name, budget, size)
    return heads


class _Budget:
    """Decompressed bytes still allowed for one zip."""

    def __init__(self, limit: int, name: str) -> None:
        self.limit = limit
        self.left = limit
        self.name = name

    def take(self, count: int, member: str) -> None:
        self.left -= count
        if self.left < 0:
            raise ExpansionTooLarge(
                Bilingual(
                    f"{member} を読むと zip の展開後のサイズが上限の {self.limit} バイト"
                    "（読むファイルの合計）を超えます",
                    f"the zip expands past {self.limit} bytes when {member} is read (the limit"
                    " for all the files read from one zip)",
                ),
                SourceLocation(f"{self.name}/{member}"),
            )


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    budget: _Budget,
    head: int | None = None,
) -> bytes:
    """One member (its first ``head`` bytes when given), checked before reading
    (encryption, method, declared size) and while reading (decompressed bytes, CRC)."""
    member = info.filename
    where = f"{name}/{member}"
    if info.flag_bits & 0x1:
        raise input_error(
            f"{member} は暗号化されています（パスワード付きの zip は読めません）",
            f"{member} is encrypted (password-protected zips are not read)",
            where,
        )
    if info.compress_type not in _KNOWN_METHODS:
        raise input_error(
            f"{member} の圧縮方式（{info.compress_type}）は読めません",
            f"{member} uses compression method {info.compress_type}, which cityref cannot read"
            " (use deflate)",
            where,
        )
    if head is None and info.file_size > budget.left:  # declared too large: refused unread
        budget.take(info.file_size, member)
    chunks: list[bytes] = []
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK if head is None else head):
                budget.take(len(chunk), member)
                chunks.append(chunk)
                if head is not None:
                    break
    except ExpansionTooLarge:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise _damaged(member, where, exc) from None
    except (NotImplementedError, RuntimeError) as exc:  # methods or encryption zipfile refuses
        raise _damaged(member, where, exc) from None
    return b"".join(chunks)


def _damaged(member: str, where: str, exc: Exception) -> InputDataError:
    return input_error(
        f"{member} が壊れていて読めません: {exc}",
        f"{member} is damaged and cannot be read: {exc}",
        where,
    )
