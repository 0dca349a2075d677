"""Request parameters read strictly: text that is not UTF-8 is a 400 that says where.

Werkzeug decodes the query string and form bodies leniently, replacing bytes that are not
UTF-8 with U+FFFD, so a query would run with other text than was sent. These checks read the
raw bytes (after percent-decoding) and name the parameter and the byte offset in its value.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import request

from app.errors import ApiError
from cityref.text import Bilingual


def _name_for_message(raw_name: bytes) -> str:
    return raw_name.decode("utf-8", errors="backslashreplace")[:60]


def check_utf8(encoded: bytes, where: str, where_ja: str) -> None:
    """Refuse ``application/x-www-form-urlencoded`` text (a query string or a form body)
    whose names or values are not UTF-8 once percent-decoded."""
    for position, pair in enumerate(encoded.split(b"&"), 1):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value = unquote_to_bytes(raw_value.replace(b"+", b" "))
        try:
            name.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(
                400,
                Bilingual(
                    f"{where_ja}の {position} 番目のパラメータ名が UTF-8 ではありません"
                    f"（{exc.start} バイト目）",
                    f"the name of parameter {position} in the {where} is not valid UTF-8 "
                    f"at byte {exc.start}",
                ),
            ) from None
        try:
            value.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = _name_for_message(name)
            raise ApiError(
                400,
                Bilingual(
                    f"{where_ja}のパラメータ '{shown}' が UTF-8 ではありません"
                    f"（値の {exc.start} バイト目）",
                    f"parameter '{shown}' in the {where} is not valid UTF-8 at byte {exc.start} "
                    "of its value",
                ),
            ) from None


def check_request_utf8(form_media_type: str, form_limit: int) -> None:
    """The query string, and a form body of at most ``form_limit`` bytes, must be UTF-8
    (see :func:`check_utf8`)."""
    check_utf8(request.query_string, "query string", "クエリ文字列")
    if (request.mimetype or "").lower() != form_media_type:
        return
    if (request.content_length or 0) > form_limit:
        raise ApiError(
            413,
            Bilingual(
                f"フォーム本文が {form_limit} バイトを超えています",
                f"the form body is larger than {form_limit} bytes",
            ),
        )
    # Cached, so that the form is parsed from the same bytes afterwards.
    check_utf8(request.get_data(cache=True), "form body", "フォーム本文")
