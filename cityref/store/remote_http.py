"""HTTP to a remote SPARQL server: kept-alive connections for queries, credentials, and the
server's failures as cityref's errors.

Queries go through SPARQLWrapper, which opens each request with urllib's installed opener
(``urllib.request.urlopen``, as its own ``setUseKeepAlive`` relies on). urllib's own handler
sends ``Connection: close`` and closes the socket after every answer, so each query paid a TCP
connection (and the server a new accepted socket). :func:`keep_connections_alive` installs, in
a query worker process, an opener whose :class:`KeepAliveHandler` keeps one HTTP/1.1
connection per server and thread and sends every query on it.

Only queries use it: a query is safe to send again, so a kept connection that the server had
closed while idle (its keep-alive timeout) is retried once on a new connection. Updates and
Graph Store Protocol writes are not safe to repeat and keep urllib's one connection per request.

Virtuoso specifics handled here: it answers a query stopped by its ``timeout`` parameter with
the rows found so far and an ``X-SQL-State`` header (see :mod:`cityref.store.remote`), refuses
a query by its estimated cost before running it (the time limit, not a failure), and echoes
every graph of the dataset as a response header (http.client's cap on headers is raised).
"""

from __future__ import annotations

import base64
import http.client
import ssl
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from SPARQLWrapper import SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

from cityref.errors import CityrefError, QueryRefused, QueryTimeout
from cityref.text import Bilingual

if TYPE_CHECKING:
    from cityref.store.remote import RemoteEndpoints

#: Response headers allowed besides one per graph of the dataset.
HEADERS_BESIDE_GRAPHS = 100
#: Files a confined worker reads to resolve the server's host name.
RESOLVER_FILES = (
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
)
#: Virtuoso refuses a query whose estimated cost is beyond its MaxQueryCostEstimationTime
#: (error 42000, "The estimated execution time N (sec) exceeds the limit of M (sec)"),
#: before running it: the same outcome as a query stopped at the time limit. How much data
#: the server holds changes the estimate, so the same query may run or be refused.
VIRTUOSO_ESTIMATE_REFUSED = "The estimated execution time"
#: A server that closed a kept connection while it was idle shows it on the next request so.
_CLOSED_WHILE_IDLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class KeepAliveHandler(urllib.request.AbstractHTTPHandler):
    """urllib's HTTP(S) handler on persistent connections: one per (scheme, host) and thread,
    reused while the previous answer was read to its end (else closed and opened anew)."""

    handler_order = 400  # before urllib's default HTTP(S) handlers (500)

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self._open(req, "http")

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self._open(req, "https")

    http_request = urllib.request.AbstractHTTPHandler.do_request_
    https_request = urllib.request.AbstractHTTPHandler.do_request_

    def close_all(self) -> None:
        """Close this thread's connections."""
        for connection, _answer in self._kept().values():
            connection.close()
        self._kept().clear()

    def _kept(self) -> dict[tuple[str, str], tuple[http.client.HTTPConnection, Any]]:
        kept: dict[tuple[str, str], tuple[http.client.HTTPConnection, Any]]
        kept = self._local.__dict__.setdefault("connections", {})
        return kept

    def _connection(
        self, scheme: str, host: str, timeout: float | None
    ) -> http.client.HTTPConnection:
        kept = self._kept()
        connection, answer = kept.get((scheme, host), (None, None))
        if connection is not None and answer is not None and not answer.isclosed():
            connection.close()  # an answer left unread (an error nobody read): start clean
            connection = None
        if connection is None:
            if scheme == "https":
                context = ssl.create_default_context()
                connection = http.client.HTTPSConnection(host, timeout=timeout, context=context)
            else:
                connection = http.client.HTTPConnection(host, timeout=timeout)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        kept[(scheme, host)] = (connection, None)
        return connection

    def _open(self, req: urllib.request.Request, scheme: str) -> http.client.HTTPResponse:
        # As urllib's do_open, without its "Connection: close" and its closing of the socket.
        headers = dict(req.unredirected_hdrs)
        headers.update({k: v for k, v in req.headers.items() if k not in headers})
        headers = {name.title(): value for name, value in headers.items()}
        timeout: float | None = getattr(req, "timeout", None)
        for attempt in (1, 2):
            connection = self._connection(scheme, req.host, timeout)
            reused = connection.sock is not None
            try:
                connection.request(req.get_method(), req.selector, req.data, headers)
                answer = connection.getresponse()
            except _CLOSED_WHILE_IDLE:
                connection.close()
                if reused and attempt == 1:
                    continue  # closed by the server while idle: once more, on a new one
                raise
            except BaseException:
                connection.close()
                raise
            self._kept()[(scheme, req.host)] = (connection, answer)
            answer.url = req.get_full_url()  # as urllib sets it
            answer.msg = answer.reason  # type: ignore[assignment]  # as urllib sets it
            return answer
        raise AssertionError("unreachable: the second attempt returns or raises")


def query_opener(endpoints: RemoteEndpoints) -> urllib.request.OpenerDirector:
    """An opener on kept-alive connections, answering a Digest challenge with the store's
    credentials (SPARQLWrapper's own Digest support installs an opener of its own)."""
    handlers: list[urllib.request.BaseHandler] = [KeepAliveHandler()]
    if endpoints.user and endpoints.password and endpoints.auth == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoints.query, endpoints.user, endpoints.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


#: The endpoints whose queries this process sends on kept-alive connections, if any.
_kept_alive: RemoteEndpoints | None = None


def keep_connections_alive(endpoints: RemoteEndpoints) -> None:
    """Send this process's queries (SPARQLWrapper's requests) on kept-alive connections.
    For a process that only queries this store: a query worker."""
    global _kept_alive
    urllib.request.install_opener(query_opener(endpoints))
    _kept_alive = endpoints


def opener_has_credentials(endpoints: RemoteEndpoints) -> bool:
    """Whether the installed opener answers these endpoints' Digest challenges itself."""
    return _kept_alive == endpoints


def allow_headers(graphs: int) -> None:
    """Let http.client read one response header per graph of the dataset: Virtuoso echoes
    each as ``X-SPARQL-named-graph``, past http.client's cap of 100 headers."""
    needed = HEADERS_BESIDE_GRAPHS + graphs
    if needed > http.client._MAXHEADERS:  # type: ignore[attr-defined]  # no API raises it
        http.client._MAXHEADERS = needed  # type: ignore[attr-defined]


def send_query(wrapper: SPARQLWrapper, timeout: float) -> Any:
    """The HTTP response of a SPARQLWrapper request, or cityref's error for what failed."""
    try:
        return wrapper.query().response
    except QueryBadFormed as exc:
        raise server_error(400, str(exc).encode()) from None
    except Unauthorized:
        raise server_error(401, b"") from None
    except SPARQLWrapperException as exc:
        if VIRTUOSO_ESTIMATE_REFUSED in str(exc):
            raise QueryTimeout(timeout) from None
        raise server_error(500, str(exc).encode()) from None
    except urllib.error.HTTPError as exc:
        raise server_error(exc.code, exc.read()) from None
    except TimeoutError:
        raise QueryTimeout(timeout) from None
    except OSError as exc:
        raise unreachable(wrapper.endpoint, exc) from None


def graph_store_opener(
    endpoints: RemoteEndpoints, request: urllib.request.Request
) -> urllib.request.OpenerDirector:
    """An opener with the store's credentials: Basic sent at once, Digest on the challenge."""
    if not (endpoints.user and endpoints.password):
        return urllib.request.build_opener()
    if endpoints.auth == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoints.graphs, endpoints.user, endpoints.password)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
    token = base64.b64encode(f"{endpoints.user}:{endpoints.password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    return urllib.request.build_opener()


def server_error(status: int, body: bytes) -> CityrefError:
    """cityref's error for the server's HTTP status ``status`` and its message ``body``."""
    text = body.decode("utf-8", "replace").strip()[:2000]
    if status == 400:
        return QueryRefused(
            Bilingual(
                f"リモートストアがクエリを拒否しました: {text}",
                f"the remote store refused the query: {text}",
            )
        )
    if status in (401, 403):
        return QueryRefused(
            Bilingual(
                f"リモートストアが認証を拒否しました（HTTP {status}）",
                f"the remote store refused the credentials (HTTP {status})",
            )
        )
    return CityrefError(
        Bilingual(
            f"リモートストアのエラー（HTTP {status}）: {text}",
            f"the remote store failed (HTTP {status}): {text}",
        )
    )


def unreachable(url: str, exc: OSError) -> CityrefError:
    """cityref's error for a server that could not be reached at ``url``."""
    return CityrefError(
        Bilingual(
            f"リモートストア {url} に接続できません: {exc}",
            f"cannot reach the remote store at {url}: {exc}",
        )
    )


def resolver_files() -> list[Path]:
    """What a confined worker must read to reach the server by name."""
    return [Path(p) for p in RESOLVER_FILES]
