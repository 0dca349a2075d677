"""Asking a SPARQL 1.1 Protocol endpoint (Oxigraph server, Virtuoso, …) the compiled queries.

Validation in place sends only queries and reads back only result rows: the data stays in the
engine. The client speaks the protocol through SPARQLWrapper, reads the answer as SPARQL JSON
results with pyoxigraph (the same term objects the embedded store gives), scopes every query
to the data graph (the named graphs given, as ``default-graph-uri``; the endpoint's default
graph when none), and pages a SELECT whose answer may be large (``ORDER BY`` every projected
variable, ``LIMIT`` / ``OFFSET``), so that one response never holds more than a page; the
rows are handed on as they are read (:meth:`EndpointClient.rows`), never gathered. An answer
is read in one request, so the server evaluates each query once; only an answer the server
says it cut at its row limit is read again in ordered pages (each evaluating the whole query
again). With ``focus_batch`` set, the checker names a shape's IRI focus nodes in batches of
that many (cityref.validation.in_place), which keeps each answer small for such a server.
Every failure becomes an :class:`EndpointError` that says what happened and where, in both
languages: unreachable, an HTTP error, a timeout, an answer that is not SPARQL results.
"""

from __future__ import annotations

import http.client
import io
import math
import re
import time
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolution, parse_query_results
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from cityref.text import Bilingual
from cityref.validation.errors import ValidationError

#: Rows per page of a paged SELECT: well under Virtuoso's default ResultSetMaxRows (10,000 in
#: a stock virtuoso.ini would cut a page short, so a full page is checked, see _page).
DEFAULT_PAGE_ROWS = 10_000
#: Focus IRIs per batch (None: no batches, each query on the whole target set by its
#: pattern). A batch names its focus nodes in a VALUES block, which keeps answers small for a
#: server that cuts them, but costs the server some three times the pattern's work per node
#: (Oxigraph server, bench/validate_in_place.py --focus-batch): off by default.
DEFAULT_FOCUS_BATCH: int | None = None
DEFAULT_TIMEOUT = 300.0
# The projection of a SELECT (between SELECT and the first WHERE / '{'), for ORDER BY.
_PROJECTION = re.compile(r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s*(?:WHERE\b|\{)", re.S)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_AS_VARIABLE = re.compile(r"\bAS\s+[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\)", re.I)


# Virtuoso writes a blank node in JSON results as "nodeID://b10016" (a label pyoxigraph
# refuses) and in an N-Triples export as _:b10016: the label is what follows "nodeID://".
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


def _parsed(body: bytes) -> QueryBoolean | list[QuerySolution]:
    if b"nodeID://" in body:
        body = _VIRTUOSO_BNODE.sub(rb"\1", body)
    parsed = parse_query_results(body, format=QueryResultsFormat.JSON)
    return parsed if isinstance(parsed, QueryBoolean) else list(parsed)


class _PlainBlankNodes(io.RawIOBase):
    """An answer as it is read, with Virtuoso's blank node labels made plain (see _parsed).

    Each chunk is rewritten up to a point no label's marker spans: before the last
    ``"type"`` near its end (a marker is far shorter than the 256 bytes held back)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._ready = b""
        self._held = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready and not self._done:
            chunk = self._raw.read(1 << 16)
            text = self._held + chunk
            if not chunk:
                self._done, cut = True, len(text)
            else:
                cut = max(0, len(text) - 256)
                marker = text.rfind(b'"type"', max(0, cut - 256), cut)
                cut = marker if marker >= 0 else cut
            self._held = text[cut:]
            self._ready = _VIRTUOSO_BNODE.sub(rb"\1", text[:cut])
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size


#: The HTTP status of each error SPARQLWrapper raises for one.
_STATUS = {
    "QueryBadFormed": "HTTP 400",
    "EndPointNotFound": "HTTP 404",
    "URITooLong": "HTTP 414",
    "EndPointInternalError": "HTTP 500",
}


class EndpointError(ValidationError):
    """The endpoint could not be asked, or did not answer as a SPARQL endpoint does."""


@dataclass(frozen=True)
class Endpoint:
    """Where the data is: a SPARQL 1.1 Protocol query URL, the named graphs that make the data
    graph (none: the endpoint's default graph), and credentials (never shown)."""

    url: str
    graphs: tuple[str, ...] = ()
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    page_rows: int = DEFAULT_PAGE_ROWS
    focus_batch: int | None = DEFAULT_FOCUS_BATCH

    def __post_init__(self) -> None:
        for name, size in (("page_rows", self.page_rows), ("focus_batch", self.focus_batch)):
            if size is not None and size < 1:
                raise EndpointError(
                    Bilingual(
                        f"{name} は 1 以上にしてください: {size}",
                        f"{name} must be at least 1: {size}",
                    )
                )
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EndpointError(
                Bilingual(
                    f"SPARQL エンドポイントは http(s) の URL にしてください: {self.url!r}",
                    f"a SPARQL endpoint must be an http(s) URL: {self.url!r}",
                )
            )
        if parts.username or parts.password:
            raise EndpointError(
                Bilingual(
                    "URL に利用者名やパスワードを書かないでください（設定で渡します）",
                    "do not put a user or password in the URL (give them as settings)",
                )
            )
        for graph in self.graphs:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*", graph):
                raise EndpointError(
                    Bilingual(f"グラフ名が IRI ではありません: {graph!r}", f"not an IRI: {graph!r}")
                )

    def describe(self) -> str:
        """The endpoint and graphs as a report names the data."""
        return self.url + "".join(f" <{g}>" for g in self.graphs)


def order_variables(query: str) -> list[str]:
    """The variables a SELECT projects, in order (empty for ``SELECT *`` or no SELECT)."""
    found = _PROJECTION.match(query)
    if found is None or found.group(1).strip() == "*":
        return []
    projection = found.group(1)
    named = _AS_VARIABLE.findall(projection)
    plain = _VARIABLE.findall(re.sub(r"\(.*?\bAS\s+[?$]\w+\s*\)", " ", projection, flags=re.S))
    return list(dict.fromkeys([*plain, *named]))


class _Deadlocked(EndpointError):
    """The server stopped the query as deadlocked with other transactions (SQL state 40001);
    running it again is the remedy."""


#: How many times a deadlocked query is sent in all before its error is the report's.
DEADLOCK_TRIES = 3


class EndpointClient:
    """Runs queries at one endpoint, counting them; ``deadline`` (time.monotonic) bounds all."""

    def __init__(self, endpoint: Endpoint, deadline: float | None = None) -> None:
        self.endpoint = endpoint
        self.deadline = deadline
        self.requests = 0
        self._digest = False  # the server asked for HTTP Digest (Virtuoso's /sparql-auth)

    # -- the protocol ------------------------------------------------------------------
    def _wrapper(self, query: str) -> SPARQLWrapper:
        w = SPARQLWrapper(self.endpoint.url)
        w.setMethod(POST)  # compiled queries are long; POST has no URL length limit
        w.setReturnFormat(JSON)
        w.setQuery(query)
        w.setTimeout(max(1, math.ceil(self._seconds_left())))
        for graph in self.endpoint.graphs:
            w.addParameter("default-graph-uri", graph)
        if self.endpoint.user is not None:
            w.setHTTPAuth(DIGEST if self._digest else BASIC)
            w.setCredentials(self.endpoint.user, self.endpoint.password or "")
        return w

    def _seconds_left(self) -> float:
        if self.deadline is None:
            return self.endpoint.timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._timeout()
        return min(left, self.endpoint.timeout)

    def _timeout(self) -> EndpointError:
        return EndpointError(
            Bilingual(
                f"{self.endpoint.url}: SPARQL エンドポイントが時間内に答えませんでした",
                f"{self.endpoint.url}: the SPARQL endpoint did not answer in time",
            )
        )

    @contextmanager
    def _transport(self) -> Iterator[None]:
        """Every failure of a request, or of reading its answer, as an EndpointError."""
        url = self.endpoint.url
        try:
            yield
        except Unauthorized:
            raise EndpointError(
                Bilingual(
                    f"{url}: 認証に失敗しました（HTTP 401）。"
                    "利用者名とパスワードの設定を確かめてください",
                    f"{url}: authentication failed (HTTP 401); check the user and password "
                    "settings",
                )
            ) from None
        except SPARQLWrapperException as exc:
            status = _STATUS.get(type(exc).__name__, type(exc).__name__)
            # SPARQLWrapper keeps the server's answer only inside its message.
            answer = str(exc).partition("Response:\n")[2] or str(exc)
            if "SR353" in answer:  # Virtuoso: a sorted page beyond MaxSortedTopRows
                raise self._sorted_rows_limit() from None
            if "40001" in answer:  # SQL's serialisation failure (Virtuoso SR172: deadlock)
                raise _Deadlocked(self._http_error(status, answer).text) from None
            raise self._http_error(status, answer) from None
        except urllib.error.HTTPError as exc:
            raise self._http_error(f"HTTP {exc.code}", exc.reason) from None
        except TimeoutError:
            raise self._timeout() from None
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise self._timeout() from None
            raise EndpointError(
                Bilingual(
                    f"{url}: SPARQL エンドポイントに接続できません: {reason}",
                    f"{url}: cannot reach the SPARQL endpoint: {reason}",
                )
            ) from None

    def _open(self, query: str) -> Any:
        """The response to ``query``, its body not yet read; every failure as an
        :class:`EndpointError`. A query the server gave up as deadlocked with other work
        (SQL state 40001: to be run again, by definition) is sent again, up to
        :data:`DEADLOCK_TRIES` times in all."""
        for attempt in range(1, DEADLOCK_TRIES + 1):
            try:
                return self._open_once(query)
            except _Deadlocked:
                if attempt == DEADLOCK_TRIES:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _open_once(self, query: str) -> Any:
        self.requests += 1
        with self._transport():
            try:
                response = self._wrapper(query).query().response
            except Unauthorized:
                if self.endpoint.user is None:
                    raise
                # Basic refused: the server may want Digest. Already Digest: once more, with a
                # new challenge (Virtuoso refused a digest answer now and then in the tests,
                # about one run in six, while another of its answers was still being read).
                self._digest = True
                response = self._wrapper(query).query().response
        # Virtuoso answers a query stopped by its own limits with HTTP 200 and partial rows.
        headers = response.headers
        state = headers.get("X-SQL-State")
        if state:
            response.close()
            raise EndpointError(
                Bilingual(
                    f"{self.endpoint.url}: サーバーが途中までの結果を返しました（{state}: "
                    f"{headers.get('X-SQL-Message', '')}）",
                    f"{self.endpoint.url}: the server returned incomplete results ({state}: "
                    f"{headers.get('X-SQL-Message', '')})",
                )
            )
        return response

    def _send(self, query: str) -> bytes:
        """The raw answer to ``query``; every failure as an :class:`EndpointError`."""
        response = self._open(query)
        with self._transport():
            body: bytes = response.read()
        return body

    def _sorted_rows_limit(self) -> EndpointError:
        return EndpointError(
            Bilingual(
                f"{self.endpoint.url}: Virtuoso が MaxSortedTopRows を超える行の並べ替えを"
                "断りました。結果は順序付きのページで読むため、virtuoso.ini の [Parameters] "
                "で MaxSortedTopRows を、一つのクエリの結果の行数より大きくしてください",
                f"{self.endpoint.url}: Virtuoso refused to sort more rows than its "
                "MaxSortedTopRows; results are read in ordered pages, so raise "
                "MaxSortedTopRows in [Parameters] of virtuoso.ini above the rows one query "
                "answers",
            )
        )

    def _http_error(self, what: str, detail: object) -> EndpointError:
        text = str(detail).strip().replace("\n", " ")[:300]
        return EndpointError(
            Bilingual(
                f"{self.endpoint.url}: SPARQL エンドポイントがエラーを返しました（{what}）: {text}",
                f"{self.endpoint.url}: the SPARQL endpoint answered with an error ({what}): {text}",
            )
        )

    def _parse(self, body: bytes) -> QueryBoolean | list[QuerySolution]:
        try:
            return _parsed(body)
        except (SyntaxError, ValueError) as exc:
            # Only the message is kept: the parser's objects must be dropped on this thread.
            problem = str(exc)
        raise self._unparsable(problem)

    def _unparsable(self, problem: str) -> EndpointError:
        return EndpointError(
            Bilingual(
                f"{self.endpoint.url}: 答えが SPARQL の結果（JSON）ではありません: {problem}",
                f"{self.endpoint.url}: the answer is not SPARQL results (JSON): {problem}",
            )
        )

    def _streamed(self, response: Any) -> Iterator[QuerySolution]:
        """The rows of an open response as they are parsed (the answer is never held)."""
        try:
            problem = None
            with self._transport():
                try:
                    parsed = parse_query_results(
                        io.BufferedReader(_PlainBlankNodes(response)),
                        format=QueryResultsFormat.JSON,
                    )
                except (SyntaxError, ValueError) as exc:
                    problem = str(exc)
            if problem is not None:
                raise self._unparsable(problem)
            if isinstance(parsed, QueryBoolean):
                raise self._not_results("SELECT")
            solutions = iter(parsed)
            while True:
                with self._transport():
                    try:
                        row = next(solutions)
                    except StopIteration:
                        return
                    except (SyntaxError, ValueError) as exc:
                        problem = str(exc)
                if problem is not None:
                    raise self._unparsable(problem)
                yield row
        finally:
            response.close()

    # -- queries -----------------------------------------------------------------------
    def ask(self, query: str) -> bool:
        answer = self._parse(self._send(query))
        if not isinstance(answer, QueryBoolean):
            raise self._not_results("ASK")
        return bool(answer)

    def _rows(self, query: str) -> list[QuerySolution]:
        answer = self._parse(self._send(query))
        if isinstance(answer, QueryBoolean):
            raise self._not_results("SELECT")
        return answer

    def _not_results(self, kind: str) -> EndpointError:
        return EndpointError(
            Bilingual(
                f"{self.endpoint.url}: {kind} クエリに合わない答えが返りました",
                f"{self.endpoint.url}: the answer does not fit a {kind} query",
            )
        )

    def select(self, query: str) -> list[QuerySolution]:
        """Every row of a SELECT, fetched a page at a time."""
        return list(self.rows(query))

    def rows(self, query: str) -> Iterator[QuerySolution]:
        """The rows of a SELECT as they are read, never gathered.

        One request, read as it comes: the server evaluates the query once. Only when the
        server says it may have cut the answer at its row limit (Virtuoso's
        ``X-SPARQL-MaxRows``, sent when the rows reach its ResultSetMaxRows) is the answer
        read again in ordered pages (:meth:`pages`), each at most that limit."""
        order = order_variables(query)
        response = self._open(query)
        limit = response.headers.get("X-SPARQL-MaxRows")
        if limit is None or not order:  # nothing to order by (SELECT *): as it is
            yield from self._streamed(response)
            return
        response.close()
        size = min(self.endpoint.page_rows, int(limit)) if limit.isdigit() else None
        for page in self.pages(query, size):
            yield from page

    def pages(self, query: str, size: int | None = None) -> Iterator[list[QuerySolution]]:
        """The rows of a SELECT page by page (``size`` rows, ``page_rows`` by default),
        ordered by every projected variable so that OFFSET is stable (one request when the
        first page is not full). Each page evaluates the whole query again at the server:
        only for a server that cuts answers (see :meth:`rows`)."""
        order = order_variables(query)
        if not order:  # nothing to order by (SELECT *): one request
            yield self._rows(query)
            return
        size = max(1, size or self.endpoint.page_rows)
        by = " ".join(f"?{v}" for v in order)
        offset = 0
        while True:
            page = self._rows(
                f"SELECT * WHERE {{ {{ {query} }} }} ORDER BY {by} LIMIT {size} OFFSET {offset}"
            )
            yield page
            if len(page) < size:
                return
            offset += size
