"""Errors as HTTP answers: status, a message in Japanese and English, and where it happened.

A browser (an Accept that prefers ``text/html`` to JSON) gets a page in the page's language
that says what happened and what to do next; every other client gets JSON, or plain text
when it prefers that. The JSON message is ``"error": {"ja": …, "en": …}``; ``?lang=`` or
Accept-Language narrows it to the one key asked (see :func:`app.i18n.api_language`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request, send_file
from werkzeug.exceptions import HTTPException

from app.i18n import MESSAGES, api_language, current_language
from cityref.errors import (
    Busy,
    CityrefError,
    QueryResourceLimit,
    QueryWorkerCrashed,
    StoreMissing,
)
from cityref.text import Bilingual


def error_body(status: int, message: Bilingual, lang: str | None) -> dict[str, Any]:
    """The JSON of an error answer: ``{"status": …, "error": {"ja": …, "en": …}}``, one key
    when ``lang`` is asked."""
    return {"status": status, "error": message.by_language(lang)}


def error_text(message: Bilingual, lang: str | None) -> str:
    """The plain-text error answer: the message in ``lang``, or a line in each language."""
    return "".join(f"{text}\n" for text in message.by_language(lang).values())


#: The forms of an error answer, JSON first: a client that states no preference (``*/*``, or
#: no Accept) gets JSON, a browser (``text/html`` above ``*/*``) a page.
ANSWER_TYPES = ["application/json", "text/plain", "text/html"]


class ApiError(Exception):
    """An error the client can act on; rendered as an HTML page, JSON or plain text by
    Accept."""

    def __init__(
        self,
        status: int,
        message: Bilingual,
        *,
        line: int | None = None,
        column: int | None = None,
        headers: dict[str, str] | None = None,
        pointer: str | None = None,
        problems: list[tuple[str, Bilingual]] | None = None,
    ) -> None:
        super().__init__(message.both())
        self.status = status
        self.message = message
        self.line = line
        self.column = column
        self.headers = headers or {}
        self.pointer = pointer  # the JSON pointer of the offending field of a JSON body
        self.problems = problems or []  # (JSON pointer, what was expected there)

    @classmethod
    def from_error(cls, status: int, error: CityrefError) -> ApiError:
        """The answer to an engine error: its message, both languages kept."""
        return cls(status, error.text)

    def to_response(self) -> Response:
        lang = api_language()
        body = error_body(self.status, self.message, lang)
        if self.line is not None:
            body["line"], body["column"] = self.line, self.column
        if self.pointer is not None:
            body["pointer"] = self.pointer
        if self.problems:
            body["problems"] = [
                {"pointer": pointer, "expected": expected.by_language(lang)}
                for pointer, expected in self.problems
            ]
        wanted = request.accept_mimetypes.best_match(ANSWER_TYPES)
        page = self._page() if wanted == "text/html" else None
        if page is not None:
            response = Response(page, mimetype="text/html")
        elif wanted == "text/plain":
            response = Response(
                error_text(self.message, lang), content_type="text/plain; charset=utf-8"
            )
        else:  # not jsonify: it sorts the keys, and the languages keep their one order
            response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
        response.status_code = self.status
        response.headers.update(self.headers)
        response.vary.add("Accept")
        return response

    def _page(self) -> str | None:
        """The error as a page for a person, in the page's language; ``None`` when the page
        itself cannot be made (the JSON answer still says what happened)."""
        try:
            return render_template(
                "error.html",
                status=self.status,
                # the words of the statuses people meet; others get the general ones
                kind=self.status if f"error.title.{self.status}" in MESSAGES else "other",
                message=self.message.in_language(current_language()),
                line=self.line,
                column=self.column,
                problems=[
                    (pointer, expected.in_language(current_language()))
                    for pointer, expected in self.problems
                ],
                successor=_successor(self.headers.get("Link", "")),
                back=_same_site_referrer(),
                search_for=_searchable_name() if self.status in (404, 410) else None,
            )
        except Exception:  # the error page of a broken page must not hide the first error
            current_app.logger.exception("cannot render the error page for %s", self.status)
            return None


def _successor(link_header: str) -> str | None:
    """The IRI a retired term's ``Link: <…>; rel="successor-version"`` names, if any."""
    found = re.search(r'<([^>]+)>\s*;\s*rel="successor-version"', link_header)
    return found.group(1) if found else None


def _same_site_referrer() -> str | None:
    """The page the visitor came from, when it is one of this site's (a way back)."""
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host and referrer != request.url:
        return referrer
    return None


def _searchable_name() -> str | None:
    """The last word of a path that led nowhere (``/def/core#Shelter`` -> ``Shelter``), to
    offer a search for it."""
    name = re.split(r"[/#]", request.path.rstrip("/"))[-1]
    return name if 0 < len(name) <= 100 else None


def engine_error_answer(error: CityrefError) -> ApiError | None:
    """The answer to an engine error about the server's limits rather than the request's
    text, or ``None`` for the others. Used by the SPARQL endpoint's own mapping and, for
    those raised anywhere else, by the app-wide handlers below."""
    if isinstance(error, Busy):
        seconds = max(1, int(error.retry_after + 0.999))
        return ApiError(
            429,
            Bilingual(
                "{error}。{seconds} 秒後に再試行してください", "{error}; retry in {seconds} s"
            ).format(error=error.text, seconds=seconds),
            headers={"Retry-After": str(seconds)},
        )
    if isinstance(error, QueryResourceLimit):
        return ApiError(
            503,
            Bilingual(
                "{error}。範囲を絞るか LIMIT を付けてください",
                "{error}; narrow the query or give it a LIMIT",
            ).format(error=error.text),
        )
    if isinstance(error, QueryWorkerCrashed):
        return ApiError(
            503, Bilingual("クエリを評価できませんでした", "the query could not be evaluated")
        )
    return None


#: The environ key under which :class:`app.body.ReadBodyFirst` tells the app of a body it
#: refused (status, message), so that a browser gets the error as a page.
REFUSED_BODY = "cityref.refused_body"
#: The site's icon, an original glyph of city blocks (also at /favicon.ico, which browsers
#: ask for on their own, so that no page's visit logs a 404).
FAVICON = Path(__file__).parent / "static" / "favicon.svg"


def init_app(app: Flask) -> None:
    @app.route("/favicon.ico")
    def _favicon() -> Response:
        return send_file(FAVICON, mimetype="image/svg+xml", max_age=86400)

    @app.before_request
    def _refused_body() -> None:
        refused: tuple[int, Bilingual] | None = request.environ.get(REFUSED_BODY)
        if refused is not None:
            raise ApiError(*refused)

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error.to_response()

    @app.errorhandler(Busy)
    @app.errorhandler(QueryResourceLimit)
    @app.errorhandler(QueryWorkerCrashed)
    def _engine_limit(error: CityrefError) -> Response:
        answer = engine_error_answer(error)
        assert answer is not None  # registered for exactly the errors it maps
        return answer.to_response()

    @app.errorhandler(StoreMissing)
    def _no_store(error: StoreMissing) -> Response:
        return ApiError(503, error.text).to_response()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        ja = {
            400: "リクエストに誤りがあります",
            403: "この操作は許可されていません",
            404: "見つかりません",
            405: "このメソッドは使えません",
            410: "もうありません",
            413: "リクエストが大きすぎます",
            415: "このメディアタイプは受け付けません",
            429: "リクエストが多すぎます",
            500: "サーバーの内部でエラーが起きました",
            503: "いまは応じられません",
        }.get(error.code or 500, "リクエストを処理できません")
        message = Bilingual(ja, error.description or error.name)
        answer = ApiError(error.code or 500, message)
        response = answer.to_response()
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response
