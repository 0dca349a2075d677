"""Errors as HTTP answers: status, a message in English and Japanese, and where it happened."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from cityref.errors import StoreMissing


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
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.message_ja = message_ja
        self.line = line
        self.column = column
        self.headers = headers or {}

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
        if request.accept_mimetypes.best_match(["application/json", "text/plain"]) == "text/plain":
            response = Response(
                f"{self.message}\n{self.message_ja}\n", content_type="text/plain; charset=utf-8"
            )
        else:
            response = jsonify(body)
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error.to_response()

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
