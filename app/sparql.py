"""``/sparql``: the SPARQL 1.1 Protocol, read-only, with a service description.

Queries arrive by GET (``?query=``), by POST form (``query=``) or by POST with
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri`` choose the
dataset. Answers are negotiated from the Accept header (or ``?format=``). Updates are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, request

from app.auth import require_scope
from app.errors import ApiError, engine_error_answer
from app.negotiation import choose_formats
from app.query_service import query_service
from app.strict_params import check_request_utf8
from cityref.errors import CityrefError, QueryRefused, QuerySyntaxError, QueryTimeout
from cityref.sparql.query import QueryRequest
from cityref.sparql.service_description import endpoint_iri, service_description
from cityref.store.oxigraph import Dataset
from cityref.text import Bilingual

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
TRUNCATED_HEADER = "X-Cityref-Truncated"
ROW_LIMIT_HEADER = "X-Cityref-Row-Limit"
#: The named graphs of the store, asked once per build (the protocol dataset is checked
#: against them as FROM is by the query guard).
# Oxigraph evaluates a call to a function it does not know as an error, not a syntax error.
_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ApiError(
            400,
            Bilingual(f"'{name}' パラメータが複数あります", f"more than one '{name}' parameter"),
        )
    return values[0] if values else None


def _read_request() -> tuple[str | None, Dataset | None]:
    """The query text and protocol dataset, or an :class:`ApiError` saying what is wrong."""
    settings = query_service().settings
    media_type = (request.mimetype or "").lower()
    # Werkzeug would replace bytes that are not UTF-8; a query must run as it was sent.
    # A form may carry a query of max_query_bytes percent-encoded (up to three times as long)
    # and the dataset parameters: beyond four times, it cannot hold a query within the limit.
    check_request_utf8(FORM, 4 * settings.max_query_bytes)
    if (request.method == "POST" and media_type == UPDATE_BODY) or "update" in request.values:
        raise UpdateRequested()
    if request.method == "GET":
        query = _single(request.args.getlist("query"), "query")
    elif media_type == FORM:
        query = _single(request.form.getlist("query"), "query")
    elif media_type == QUERY_BODY:
        query = _text_body(settings.max_query_bytes, "query", "クエリ")
    else:
        raise ApiError(
            415,
            Bilingual(
                f"クエリは {FORM} または {QUERY_BODY} で POST してください",
                f"POST a query as {FORM} or {QUERY_BODY}, not {media_type or 'no media type'}",
            ),
        )
    if query is not None and len(query.encode("utf-8")) > settings.max_query_bytes:
        raise _too_long(settings.max_query_bytes)
    defaults = request.args.getlist("default-graph-uri") + request.form.getlist("default-graph-uri")
    named = request.args.getlist("named-graph-uri") + request.form.getlist("named-graph-uri")
    dataset = Dataset(tuple(defaults), tuple(named)) if defaults or named else None
    return query, dataset


def _too_long(limit: int, what: str = "query", what_ja: str = "クエリ") -> ApiError:
    return ApiError(
        413,
        Bilingual(
            f"{what_ja}が {limit} バイトを超えています", f"the {what} is longer than {limit} bytes"
        ),
    )


def _text_body(limit: int, what: str, what_ja: str) -> str:
    """The request body as UTF-8 text of at most ``limit`` bytes (413, 415 or 400 if not)."""
    if (request.content_length or 0) > limit:
        raise _too_long(limit, what, what_ja)
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise _too_long(limit, what, what_ja)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(
            415, Bilingual(f"{what_ja}は UTF-8 で送ってください", f"the {what} must be UTF-8")
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            Bilingual(
                f"{what_ja}（本文）が UTF-8 ではありません（{exc.start} バイト目）",
                f"the {what} (request body) is not valid UTF-8 at byte {exc.start}",
            ),
        ) from None


def _store_graphs() -> frozenset[str]:
    """The store's named graphs, once per build and process."""
    return query_service().named_graphs()


def unknown_graph(clause: str, iri: str) -> ApiError:
    """The answer to a dataset naming a graph the store lacks, the same for FROM (the query
    guard's refusal) and for the protocol's default-graph-uri and named-graph-uri."""
    return ApiError(
        400,
        Bilingual(
            f"{clause} <{iri}> は使えません：ストアにないグラフです",
            f"{clause} <{iri}> is refused: no such graph in the store",
        ),
    )


def _check_dataset(dataset: Dataset) -> None:
    graphs = _store_graphs()
    for clause, iris in (
        ("default-graph-uri", dataset.default_graphs),
        ("named-graph-uri", dataset.named_graphs),
    ):
        for iri in iris:
            if iri not in graphs:
                raise unknown_graph(clause, iri)


_POSITION = re.compile(r"line (\d+), column (\d+): ")


@contextmanager
def _as_http_errors(what_ja: str) -> Iterator[None]:
    """Engine errors of a query or update as HTTP errors: 400 with the position, or 503."""
    try:
        yield
    except QuerySyntaxError as exc:
        raise ApiError(400, exc.text, line=exc.line, column=exc.column) from None
    except QueryRefused as exc:
        # The guard says where ("line L, column C: …"): the answer carries it as fields too.
        where = _POSITION.match(exc.text.en)
        line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        raise ApiError(400, exc.text, line=line, column=column) from None
    except QueryTimeout as exc:
        raise ApiError(
            503, Bilingual(f"制限時間を超えたため{what_ja}を停止しました", exc.text.en)
        ) from None
    except CityrefError as exc:
        known = engine_error_answer(exc)
        if known is not None:
            raise known from None
        function = _UNKNOWN_FUNCTION.search(exc.text.en)
        if function:  # the client's mistake, as a misspelt keyword would be: a 400
            raise ApiError(
                400,
                Bilingual(
                    f"関数 <{function.group(1)}> はありません"
                    "（SPARQL 1.1 の関数と XSD の型変換のみ）",
                    f"unknown function <{function.group(1)}>: cityref has the SPARQL 1.1 "
                    "functions and the XSD casts, no others",
                ),
            ) from None
        raise ApiError(
            503, Bilingual(f"{what_ja}を実行できませんでした（{exc.text.ja}）", exc.text.en)
        ) from None


class UpdateRequested(Exception):
    """The request is a SPARQL Update, not a query."""


def _refuse_update() -> ApiError:
    return ApiError(
        403,
        Bilingual(
            "SPARQL Update は受け付けません（読み取り専用のエンドポイントです）",
            "SPARQL Update is refused: this endpoint is read-only",
        ),
    )


def _update() -> Response:
    """SPARQL Update by POST, when enabled, for holders of a write token."""
    service = query_service()
    if request.method != "POST" or not service.settings.allow_updates:
        raise _refuse_update()
    return _authorised_update()


@require_scope("write")
def _authorised_update() -> Response:
    limit = query_service().settings.max_query_bytes
    media_type = (request.mimetype or "").lower()
    texts = request.form.getlist("update") if media_type == FORM else []
    if media_type == UPDATE_BODY:
        texts = [_text_body(limit, "update", "更新")]
    text = _single(texts, "update")
    if not text:
        raise ApiError(400, Bilingual("更新が空です", "no update given"))
    if len(text.encode("utf-8")) > limit:
        raise _too_long(limit, "update", "更新")
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
    if dataset is not None:
        _check_dataset(dataset)
    try:
        formats = choose_formats(request.accept_mimetypes, request.args.get("format"))
    except ValueError as exc:
        raise ApiError(400, Bilingual("不明な形式です", str(exc))) from None
    settings = service.settings
    with _as_http_errors("クエリ"):
        answer = service.run(
            QueryRequest(query, formats, settings.max_rows, settings.query_timeout, dataset)
        )
    # Validators, Vary and Cache-Control: app.http_cache.
    response = Response(answer.data, content_type=_content_type(answer.media_type))
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
        # Never the request's Host header: the endpoint is named under the configured base.
        endpoint = endpoint_iri(query_service().model.base_iri)
        data, media_type = service_description(endpoint, formats.graph or "turtle")
    except ValueError as exc:
        raise ApiError(400, Bilingual("不明な形式です", str(exc))) from None
    return Response(data, content_type=_content_type(media_type))
