"""Text encodings of municipal CSV: UTF-8 (with or without BOM) or Shift_JIS / CP932."""

from __future__ import annotations

import codecs

from cityref.inputs.model import input_error

BOM = b"\xef\xbb\xbf"


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in.

    UTF-8 is tried first because valid multi-byte UTF-8 is very unlikely to be CP932 text by
    accident; CP932 (Microsoft's Shift_JIS, which Japanese Excel writes) is the fallback.
    """
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(name, data, exc) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise _undecodable(name, data, exc) from None


def text_encoding(data: bytes) -> str:
    """The encoding :func:`decode_text` would decode ``data`` with, found without holding the
    decoded text: ``utf-8-sig`` (BOM), ``utf-8`` when all of it decodes so, else ``cp932``
    (whether CP932 decodes it all is found when it is read)."""
    if data.startswith(BOM):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 8 << 20
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


def _undecodable(name: str, data: bytes, exc: UnicodeDecodeError) -> Exception:
    line = data[: exc.start].count(b"\n") + 1
    return input_error(
        "文字コードを判別できません（UTF-8 でも Shift_JIS/CP932 でもない）: "
        f"バイト位置 {exc.start}",
        f"cannot decode the text as UTF-8 or Shift_JIS/CP932 (byte offset {exc.start})",
        name,
        line,
    )
