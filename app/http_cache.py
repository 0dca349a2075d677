"""HTTP caching for readers: validators tied to the build, 304s, and who may store what.

An answer that depends only on the build (pages of the model, dereferenced IRIs, GET
``/sparql``, the model's API GETs) carries a strong ETag made of the build id, the server's
own identity (its code and settings: a new version renders other bytes from the same build)
and a digest of everything in the request that shapes the answer: path, query string,
``Accept``, and (except for ``/sparql``, whose answers have no words) ``Accept-Language`` and
the language cookie (:mod:`app.i18n`). The tag is therefore known from the request alone: a
conditional GET is answered 304 by :class:`BuildFront` in front of Flask, after the rate
limit and before routing, sessions, queries or templates; a repeated GET is answered there
from the answers it kept. ``If-Modified-Since`` alone (no tag) is answered by a Flask hook,
where the endpoint is known.

Answers that depend on a person (forms with a CSRF cookie, job reports, registry writes, a
bearer token) or that set a cookie are ``private``; answers of the registry's records change
with writes, not builds, and carry no build validator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.http import http_date, parse_cookie, parse_date, parse_etags

from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.limits import RATE_LIMIT_WAIT
from app.query_service import QueryService
from cityref.errors import CityrefError
from cityref.settings import Settings
from cityref.sparql.answer_cache import ENTRY_OVERHEAD, LARGEST_SHARE, BuildCache

# A model changes only at a build or an update, and readers can bear a minute of lag: a
# proxy or CDN serves its copy for 60 s without asking, then for up to 10 minutes more it
# serves that copy while it revalidates in the background (a cheap 304 here), so readers never
# wait on this server for an unchanged model. must-revalidate would make every reader after
# the minute wait for the origin; a longer max-age would show an old model longer after a build.
PUBLIC = "public, max-age=60, stale-while-revalidate=600"
PRIVATE = "private, no-store"
#: Set on answers to requests from a person (a cookie set, a bearer token): their own cache only.
OWN_CACHE_ONLY = "private, no-cache"
SPARQL_PATH = "/sparql"
#: Endpoints whose GET answers depend on the build (and the request) alone.
BUILD_ENDPOINTS = frozenset(
    {
        "sparql.endpoint",
        "resources.resource",
        "pages.home",
        "pages.search_page",
        "pages.search_api",
        "pages.query_page",
        "pages.standards_page",
        "model_pages.template",
        "model_pages.example",
        "contexts.profile_context_document",
        "contexts.vocabulary_context_document",
        "openapi.openapi",
        "registry.releases_page",
        "registry.diff_page",
        "registry.api_standards",
        "registry.api_profiles",
        "registry.api_releases",
        "registry.api_diff",
    }
)
#: Under ``resources.resource``: the registry's systems, records and proposals change with
#: writes, not builds (the other registry IRIs, standards and agencies, are of the build).
WRITTEN_PATHS = ("/registry/system/", "/registry/proposal/")
#: Files whose content makes the server's answers: its code and templates.
CODE_ROOTS = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "cityref")


#: Settings of one machine or process that no answer shows: replicas that differ only in
#: these give the same tags. Any other setting (a new one too) is part of the tag.
LOCAL_SETTINGS = frozenset(
    {
        "host",
        "port",
        "store",
        "tokens_file",
        "workers",
        "threads",
        "query_workers",
        "query_memory_mb",
        "query_cache_bytes",
        "client_concurrency",
        "client_queue",
        "request_body_timeout",
        "validation_jobs",
        "validation_memory_mb",
        "jobs_max_bytes",
        "jobs_max_age_days",
    }
)


def server_identity(settings: Settings, roots: Iterable[Path] = CODE_ROOTS) -> str:
    """A digest of the server's code and settings: the same build gives the same bytes only
    from the same code and settings (a row limit, the base IRI)."""
    shaping = {k: v for k, v in settings.as_dict().items() if k not in LOCAL_SETTINGS}
    digest = hashlib.sha256(repr(sorted(shaping.items())).encode())
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\x00")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def request_key(environ: dict[str, Any]) -> str:
    """A digest of what in a request shapes a build-only answer (the same for GET and HEAD)."""
    path = environ.get("PATH_INFO", "")
    parts = [path, environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", "")]
    if path != SPARQL_PATH:  # the words of pages and API answers follow the reader's language
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(LANGUAGE_COOKIE, "")
        parts += [environ.get("HTTP_ACCEPT_LANGUAGE", ""), cookie]
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:20]


def vary(path: str) -> str:
    return "Accept" if path == SPARQL_PATH else "Accept, Accept-Language, Cookie"


class BuildValidators:
    """The current build's id and time, and the tags of answers made from it."""

    def __init__(self, queries: QueryService) -> None:
        self.queries = queries
        # Once, as the app is made (some ms): the workers of a server, made together from
        # the same files, agree on it.
        self.identity = server_identity(queries.settings)
        self._modified: dict[str, datetime] = {}

    def build_id(self) -> str:
        return self.queries.build_id()

    def etag(self, environ: dict[str, Any], build_id: str) -> str:
        return f"{build_id}-{self.identity}-{request_key(environ)}"

    def last_modified(self, build_id: str) -> datetime:
        """When the build was made (its record), or last updated."""
        found = self._modified.get(build_id)
        if found is None:
            found = self.queries.last_modified()
            if len(self._modified) > 100:
                self._modified.clear()
            self._modified[build_id] = found
        return found

    def headers(self, environ: dict[str, Any], build_id: str) -> list[tuple[str, str]]:
        """The validators and caching headers of a build-only answer (and of its 304)."""
        return [
            ("ETag", f'"{self.etag(environ, build_id)}"'),
            ("Last-Modified", http_date(self.last_modified(build_id))),
            ("Cache-Control", PUBLIC),
            ("Vary", vary(environ.get("PATH_INFO", ""))),
        ]


def _personal(environ: dict[str, Any]) -> bool:
    """A request whose answer may depend on who sends it."""
    return "HTTP_AUTHORIZATION" in environ


@dataclass(frozen=True)
class StoredAnswer:
    """A whole build-only answer as the app gave it, to give again."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


def _stored_size(tag: str, answer: StoredAnswer) -> int:
    fields = sum(len(name) + len(value) for name, value in answer.headers)
    return len(tag) + len(answer.body) + fields + ENTRY_OVERHEAD


class BuildFront:
    """In front of Flask, for a GET of a build-only answer: 304 when ``If-None-Match`` holds
    the tag this server gives that request under the current build, else the answer kept
    from an earlier identical request; both once the rate limit lets the request through.

    The tag is a digest of the request under this build and code, so only an answer this
    server tagged (a build-only one) can match it; anything else goes on to Flask, and a
    build-only answer of a GET that comes back from it is kept (in memory, per process,
    bounded like the query cache by ``query_cache_bytes``; a new build empties it).
    """

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        validators: BuildValidators,
        rate_limit_wait: Callable[[str], float | None],
        max_bytes: int,
    ) -> None:
        self.app = app
        self.validators = validators
        self.rate_limit_wait = rate_limit_wait
        self.answers: BuildCache[str, StoredAnswer] = BuildCache(max_bytes, _stored_size)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or _personal(environ):
            return self.app(environ, start_response)
        try:
            build = self.validators.build_id()
        except CityrefError:
            return self.app(environ, start_response)  # no store: Flask says so
        tag = self.validators.etag(environ, build)
        tags = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
        if not tags.star_tag and tags.contains_weak(tag):
            if not self._let_through(environ):
                return self.app(environ, start_response)
            start_response("304 Not Modified", self.validators.headers(environ, build) + CORS)
            return []
        if method != "GET" or "HTTP_IF_MODIFIED_SINCE" in environ:
            return self.app(environ, start_response)  # a HEAD; a 304 by date is Flask's
        stored = self.answers.get(build, tag)
        if stored is None:
            return self._keeping(environ, start_response, build, tag)
        if not self._let_through(environ):
            return self.app(environ, start_response)
        start_response(stored.status, list(stored.headers))
        return [stored.body]

    def _let_through(self, environ: dict[str, Any]) -> bool:
        """Count the request; ``False`` when the rate limit refuses it (Flask answers 429)."""
        wait = self.rate_limit_wait(environ.get("REMOTE_ADDR") or "unknown")
        if wait is None:
            return True
        environ[RATE_LIMIT_WAIT] = wait  # counted: Flask's hook answers the 429
        return False

    def _keeping(
        self, environ: dict[str, Any], start_response: Callable[..., Any], build: str, tag: str
    ) -> Iterable[bytes]:
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            seen.append((status, headers))
            return start_response(status, headers, *exc_info)

        body = self.app(environ, capture)
        if not seen or not self._keepable(*seen[-1], tag):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        self.answers.put(build, tag, StoredAnswer(seen[-1][0], list(seen[-1][1]), data))
        return [data]

    def _keepable(self, status: str, headers: list[tuple[str, str]], tag: str) -> bool:
        """A 200 that the app tagged as this request's build-only answer (so neither private
        nor setting a cookie), of a known length the cache may hold."""
        fields = {name.lower(): value for name, value in headers}
        length = fields.get("content-length", "")
        return (
            status.startswith("200 ")
            and fields.get("etag") == f'"{tag}"'
            and fields.get("cache-control") == PUBLIC
            and "set-cookie" not in fields
            and length.isdecimal()
            and int(length) <= self.answers.max_bytes // LARGEST_SHARE
        )


#: A 304 refreshes what a browser stored from a cross-origin fetch: it keeps CORS open.
CORS = [("Access-Control-Allow-Origin", "*")]


def build_only() -> bool:
    """Whether this request's answer depends on the build and the request alone."""
    if request.method not in ("GET", "HEAD") or _personal(request.environ):
        return False
    if request.endpoint not in BUILD_ENDPOINTS:
        return False
    return not (request.endpoint == "resources.resource" and request.path.startswith(WRITTEN_PATHS))


def init_app(app: Flask, rate_limit_wait: Callable[[str], float | None]) -> None:
    """Tag build-only answers, answer conditional requests, keep personal answers private.

    Call after :func:`app.limits.init_app`, whose rate limit comes first."""
    validators = BuildValidators(app.extensions["cityref.queries"])
    app.extensions["cityref.validators"] = validators
    front = BuildFront(
        app.wsgi_app, validators, rate_limit_wait, validators.queries.settings.query_cache_bytes
    )
    app.extensions["cityref.front"] = front
    app.wsgi_app = front  # type: ignore[method-assign]

    @app.before_request
    def _if_modified_since() -> Response | None:
        since = request.headers.get("If-Modified-Since")
        if not since or "If-None-Match" in request.headers or not build_only():
            return None  # with a tag, If-Modified-Since is not looked at (RFC 9110, 13.2.2)
        when = parse_date(since)
        try:
            build_id = validators.build_id()
        except CityrefError:
            return None
        if when is None or validators.last_modified(build_id) > when:
            return None
        return Response(status=304, headers=validators.headers(request.environ, build_id))

    @app.after_request
    def _caching(response: Response) -> Response:
        if response.status_code == 200 and build_only():
            try:
                build_id = validators.build_id()
            except CityrefError:
                build_id = ""
            if build_id:
                for name, value in validators.headers(request.environ, build_id):
                    response.headers[name] = value
        if response.headers.getlist("Set-Cookie") or _personal(request.environ):
            # A cookie set (the language chosen, a form's token) is for this reader alone.
            private = OWN_CACHE_ONLY if "ETag" in response.headers else PRIVATE
            response.headers["Cache-Control"] = private
        elif "Cache-Control" not in response.headers and request.endpoint != "static":
            # Everything else (job reports, registry records, errors) is nobody's to store:
            # a view that wants otherwise says so itself (a badge, a front-end library).
            response.headers["Cache-Control"] = PRIVATE
        return response
