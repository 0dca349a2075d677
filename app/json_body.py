"""Reading a JSON request body strictly: size, media type, UTF-8, syntax, then its schema.

Every way a body can be wrong is a 4xx that says where (byte offset, line and column, or the
JSON pointer of the field) and what was expected, in English and Japanese; nothing a client
sends reaches the registry functions unchecked.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from app.errors import ApiError
from app.json_schema import Schema, problems
from cityref.text import Bilingual

JSON_TYPES = ("application/json",)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _lone_surrogate(document: object) -> str | None:
    """The JSON pointer of the first text holding half a surrogate pair (``"\\ud800"``): such
    text cannot be written as UTF-8. Iterative, so a deep document cannot exhaust the stack."""
    pending: list[tuple[str, object]] = [("", document)]
    while pending:
        pointer, value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return pointer
        elif isinstance(value, list):
            pending += [(f"{pointer}/{i}", item) for i, item in enumerate(value)]
        elif isinstance(value, dict):
            for key, item in value.items():
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:  # shown escaped: the answer must be UTF-8 itself
                    shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
                    return f"{pointer}/{shown.replace('~', '~0').replace('/', '~1')}"
                pending.append((f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}", item))
    return None


def read_json_body(schema: Schema, limit: int) -> dict[str, Any]:
    """The request's JSON object, checked against ``schema``; else an :class:`ApiError`."""
    if (request.mimetype or "").lower() not in JSON_TYPES and not (request.mimetype or "").endswith(
        "+json"
    ):
        raise ApiError(
            415,
            Bilingual(
                "本文は application/json で送ってください",
                f"send the body as application/json, not {request.mimetype or 'no media type'}",
            ),
        )
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            Bilingual(
                f"本文が UTF-8 ではありません（{exc.start} バイト目）",
                f"the body is not valid UTF-8 at byte {exc.start}",
            ),
        ) from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            Bilingual("本文が JSON ではありません", f"the body is not JSON: {exc.msg}"),
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except (ValueError, RecursionError) as exc:  # NaN, 5000-digit numbers, deep nesting
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ApiError(
            400, Bilingual("本文の JSON を読めません", f"the body is not usable JSON: {reason}")
        ) from None
    broken = _lone_surrogate(document)
    if broken is not None:
        raise ApiError(
            400,
            Bilingual(
                f"{broken or '（本文）'}：不正な文字（サロゲートの片割れ）があります",
                f"{broken or '(the body)'}: expected Unicode text, got half of a surrogate pair",
            ),
            pointer=broken,
        )
    found = problems(document, schema)
    if found:
        raise ApiError(
            400,
            Bilingual(
                "本文がスキーマに合いません：{problems}",
                "the body does not match its schema: {problems}",
            ).format(
                problems=Bilingual(
                    "；".join(p.message().ja for p in found),
                    "; ".join(p.message().en for p in found),
                )
            ),
            pointer=found[0].pointer,
            problems=[(p.pointer, p.expected) for p in found],
        )
    assert isinstance(document, dict)  # the schemas describe objects
    return document


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        Bilingual(f"本文が {limit} バイトを超えています", f"the body is larger than {limit} bytes"),
    )
