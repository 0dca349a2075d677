"""Text encodings of municipal CSV: UTF-8 (with or without BOM) or Shift_JIS / CP932."""

from __future__ import annotations

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


def _undecodable(name: str, data: bytes, exc: UnicodeDecodeError) -> Exception:
    line = data[: exc.start].count(b"\n") + 1
    return input_error(
        "文字コードを判別できません（UTF-8 でも Shift_JIS/CP932 でもない）: "
        f"バイト位置 {exc.start}",
        f"cannot decode the text as UTF-8 or Shift_JIS/CP932 (byte offset {exc.start})",
        name,
        line,
    )
