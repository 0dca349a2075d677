"""Errors as HTTP answers: status, a message in English and Japanese, and where it happened."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from cityref.errors import (
    Busy,
    CityrefError,
    QueryResourceLimit,
    QueryWorkerCrashed,
    StoreMissing,
)


class ApiError(Exception):
    """An error the client can act on; rendered as JSON or plain text by Accept."""

    def __init__(
        self,
        status: int,
        message: str,
        message_ja: str,
        *,
        line: int | None = None,
        column: int | None = None,
        headers: dict[str, str] | None = None,
        pointer: str | None = None,
        problems: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.message_ja = message_ja
        self.line = line
        self.column = column
        self.headers = headers or {}
        self.pointer = pointer  # the JSON pointer of the offending field of a JSON body
        self.problems = problems or []

    @classmethod
    def from_bilingual(cls, status: int, error: Exception) -> ApiError:
        """From an engine error written ``English / 日本語``."""
        english, _, japanese = str(error).partition(" / ")
        return cls(status, english, japanese or english)

    def to_response(self) -> Response:
        body: dict[str, Any] = {
            "status": self.status,
            "error": self.message,
            "error_ja": self.message_ja,
        }
        if self.line is not None:
            body["line"], body["column"] = self.line, self.column
        if self.pointer is not None:
            body["pointer"] = self.pointer
        if self.problems:
            body["problems"] = self.problems
        if request.accept_mimetypes.best_match(["application/json", "text/plain"]) == "text/plain":
            response = Response(
                f"{self.message}\n{self.message_ja}\n", content_type="text/plain; charset=utf-8"
            )
        else:
            response = jsonify(body)
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def engine_error_answer(error: CityrefError) -> ApiError | None:
    """The answer to an engine error about the server's limits rather than the request's
    text, or ``None`` for the others. Used by the SPARQL endpoint's own mapping and, for
    those raised anywhere else, by the app-wide handlers below."""
    if isinstance(error, Busy):
        seconds = max(1, int(error.retry_after + 0.999))
        return ApiError(
            429,
            f"{error}; retry in {seconds} s",
            f"処理中の要求が多すぎます。{seconds} 秒後に再試行してください",
            headers={"Retry-After": str(seconds)},
        )
    if isinstance(error, QueryResourceLimit):
        return ApiError(
            503,
            str(error),
            f"クエリがメモリ上限（{error.megabytes} MiB）を超えたため停止しました。"
            "範囲を絞るか LIMIT を付けてください",
        )
    if isinstance(error, QueryWorkerCrashed):
        return ApiError(
            503,
            "the query could not be evaluated",
            "クエリを評価できませんでした",
        )
    return None


def init_app(app: Flask) -> None:
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
        return ApiError(
            503, str(error), "ストアが未構築です（cityref build を実行してください）"
        ).to_response()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        ja = {
            404: "見つかりません",
            405: "このメソッドは使えません",
            413: "リクエストが大きすぎます",
            415: "このメディアタイプは受け付けません",
        }.get(error.code or 500, "リクエストを処理できません")
        answer = ApiError(error.code or 500, error.description or error.name, ja)
        response = answer.to_response()
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response
