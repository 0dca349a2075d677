"""The SPARQL servers the remote-backend tests run against answer the protocols cityref
speaks: a graph put through the Graph Store Protocol, changed by an update, read by a query."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from tests.sparql_servers import Endpoints

TURTLE = '<http://example.org/a> <http://example.org/name> "名前"@ja .\n'.encode()


def _opener(endpoints: Endpoints) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if endpoints.user is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoints.query.rsplit("/", 1)[0], endpoints.user,
                               endpoints.password or "")  # fmt: skip
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def _names(endpoints: Endpoints, graph: str) -> list[str]:
    query = f"SELECT ?name WHERE {{ GRAPH <{graph}> {{ ?s <http://example.org/name> ?name }} }}"
    url = endpoints.query + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        rows = json.load(response)["results"]["bindings"]
    return sorted(row["name"]["value"] for row in rows)


@pytest.mark.parametrize("server", ["oxigraph_server", "virtuoso_server"])
def test_graph_store_update_and_query(server: str, request: pytest.FixtureRequest) -> None:
    endpoints: Endpoints = request.getfixturevalue(server)
    graph = "http://example.org/graph/test-sparql-servers"
    opener = _opener(endpoints)
    put = urllib.request.Request(
        endpoints.graph_store + "?" + urllib.parse.urlencode({"graph": graph}),
        data=TURTLE, method="PUT", headers={"Content-Type": "text/turtle"},
    )  # fmt: skip
    with opener.open(put, timeout=30) as response:
        assert response.status in (200, 201, 204)
    assert _names(endpoints, graph) == ["名前"]
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/b> <http://example.org/name>"
        ' "name"@en } }'
    )
    post = urllib.request.Request(
        endpoints.update, data=urllib.parse.urlencode({"update": update}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with opener.open(post, timeout=30) as response:
        assert response.status in (200, 204)
    assert _names(endpoints, graph) == ["name", "名前"]
