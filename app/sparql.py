"""``/sparql``: the SPARQL 1.1 Protocol, read-only, with a service description.

Queries arrive by GET (``?query=``), by POST form (``query=``) or by POST with
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri`` choose the
dataset. Answers are negotiated from the Accept header (or ``?format=``). Updates are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, request

from app.auth import require_scope
from app.errors import ApiError
from app.negotiation import choose_formats
from app.query_service import query_service
from cityref.errors import CityrefError, QueryRefused, QuerySyntaxError, QueryTimeout
from cityref.query import QueryRequest
from cityref.service_description import service_description
from cityref.store import Dataset

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
TRUNCATED_HEADER = "X-Cityref-Truncated"
ROW_LIMIT_HEADER = "X-Cityref-Row-Limit"


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ApiError(
            400, f"more than one '{name}' parameter", f"'{name}' パラメータが複数あります"
        )
    return values[0] if values else None


def _read_request() -> tuple[str | None, Dataset | None]:
    """The query text and protocol dataset, or an :class:`ApiError` saying what is wrong."""
    settings = query_service().settings
    media_type = (request.mimetype or "").lower()
    if (request.method == "POST" and media_type == UPDATE_BODY) or "update" in request.values:
        raise UpdateRequested()
    if request.method == "GET":
        query = _single(request.args.getlist("query"), "query")
    elif media_type == FORM:
        query = _single(request.form.getlist("query"), "query")
    elif media_type == QUERY_BODY:
        body = request.get_data(cache=False)
        if len(body) > settings.max_query_bytes:
            raise _too_long(settings.max_query_bytes)
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ApiError(415, "the query must be UTF-8", "クエリは UTF-8 で送ってください")
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(
                400,
                f"the query is not valid UTF-8 at byte {exc.start}",
                "クエリが UTF-8 ではありません",
            ) from None
    else:
        raise ApiError(
            415,
            f"POST a query as {FORM} or {QUERY_BODY}, not {media_type or 'no media type'}",
            f"クエリは {FORM} または {QUERY_BODY} で POST してください",
        )
    if query is not None and len(query.encode("utf-8")) > settings.max_query_bytes:
        raise _too_long(settings.max_query_bytes)
    defaults = request.args.getlist("default-graph-uri") + request.form.getlist("default-graph-uri")
    named = request.args.getlist("named-graph-uri") + request.form.getlist("named-graph-uri")
    dataset = Dataset(tuple(defaults), tuple(named)) if defaults or named else None
    return query, dataset


def _too_long(limit: int) -> ApiError:
    return ApiError(
        413, f"the query is longer than {limit} bytes", f"クエリが {limit} バイトを超えています"
    )


@contextmanager
def _as_http_errors(what_ja: str) -> Iterator[None]:
    """Engine errors of a query or update as HTTP errors: 400 with the position, or 503."""
    try:
        yield
    except QuerySyntaxError as exc:
        raise ApiError(
            400, str(exc), "SPARQL の構文エラーです", line=exc.line, column=exc.column
        ) from None
    except QueryRefused as exc:
        raise ApiError(400, str(exc), f"この{what_ja}は許可されていません") from None
    except QueryTimeout as exc:
        raise ApiError(503, str(exc), f"制限時間を超えたため{what_ja}を停止しました") from None
    except CityrefError as exc:
        raise ApiError(503, str(exc), f"{what_ja}を実行できませんでした") from None


class UpdateRequested(Exception):
    """The request is a SPARQL Update, not a query."""


def _refuse_update() -> ApiError:
    return ApiError(
        403,
        "SPARQL Update is refused: this endpoint is read-only",
        "SPARQL Update は受け付けません（読み取り専用のエンドポイントです）",
    )


def _update() -> Response:
    """SPARQL Update by POST, when enabled, for holders of a write token."""
    service = query_service()
    if request.method != "POST" or not service.settings.allow_updates:
        raise _refuse_update()
    return _authorised_update()


@require_scope("write")
def _authorised_update() -> Response:
    media_type = (request.mimetype or "").lower()
    texts = request.form.getlist("update") if media_type == FORM else []
    if media_type == UPDATE_BODY:
        texts = [request.get_data(cache=False).decode("utf-8", errors="strict")]
    text = _single(texts, "update")
    if not text:
        raise ApiError(400, "no update given", "更新が空です")
    with _as_http_errors("更新"):
        query_service().update(text)
    return Response(status=204)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query, or describe the service when there is none."""
    try:
        query, dataset = _read_request()
    except UpdateRequested:
        return _update()
    service = query_service()
    if query is None:
        return _service_description()
    try:
        formats = choose_formats(request.accept_mimetypes, request.args.get("format"))
    except ValueError as exc:
        raise ApiError(400, str(exc), "不明な形式です") from None
    etag = service.etag(query, repr(formats), repr(dataset))
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    settings = service.settings
    with _as_http_errors("クエリ"):
        answer = service.run(
            QueryRequest(query, formats, settings.max_rows, settings.query_timeout, dataset)
        )
    response = Response(answer.data, content_type=_content_type(answer.media_type))
    response.headers["ETag"] = f'"{etag}"'
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[ROW_LIMIT_HEADER] = str(settings.max_rows)
    return response


def _content_type(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml"))
    return f"{media_type}; charset=utf-8" if textual else media_type


def _service_description() -> Response:
    try:
        formats = choose_formats(request.accept_mimetypes, request.args.get("format"))
        data, media_type = service_description(request.base_url, formats.graph or "turtle")
    except ValueError as exc:
        raise ApiError(400, str(exc), "不明な形式です") from None
    response = Response(data, content_type=_content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response
