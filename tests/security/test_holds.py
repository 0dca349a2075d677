"""The attack groups of issue 11 that already held, kept held: one test per group.

Against the server as ``scripts/run`` starts it (see conftest), with a canary HTTP server
watching for outbound requests: every test that names the canary asserts it saw nothing, not
even a bare connection.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.security.canary import Canary
from tests.security.conftest import (
    CITYREF,
    LiveServer,
    LiveServerFactory,
    Reply,
    copy_sources,
)

SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SMALL_UPLOAD_LIMIT = 1024 * 1024
BODY_TIMEOUT = 5
TEST_GRAPH = "urn:cityref-test:holds"
FACILITY = "https://w3id.org/cityref/def/core#Facility"
#: Profiles whose input is RDF (any syntax), and NGSI-LD JSON.
RDF, NGSI_LD = "gif-facility", "ngsi-ld-entity"
RDF_XML_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">'
)


@pytest.fixture(scope="module")
def tight(live_server_with: LiveServerFactory) -> LiveServer:
    """Updates on (for token holders), a 1 MiB body limit, a 5 s body deadline, and sources
    of its own that the registry writers and the builds may change."""
    return live_server_with(
        {
            "CITYREF_ALLOW_UPDATES": "true",
            "CITYREF_MAX_UPLOAD_BYTES": str(SMALL_UPLOAD_LIMIT),
            "CITYREF_REQUEST_BODY_TIMEOUT": str(BODY_TIMEOUT),
        },
        copy_of_sources=True,
    )


def _query(server: LiveServer, text: str, how: str) -> Reply:
    if how == "get":
        return server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text}))
    if how == "form":
        body = urllib.parse.urlencode({"query": text}).encode()
        return server.request("POST", "/sparql", body, FORM)
    return server.request("POST", "/sparql", text.encode(), SPARQL_QUERY)


def _validate(server: LiveServer, data: bytes, media_type: str, profile: str | None) -> Reply:
    query = f"?lang=en&profile={profile}" if profile else "?lang=en"
    return server.request("POST", "/api/validate" + query, data, {"Content-Type": media_type})


def _current_build(server: LiveServer) -> Path:
    return (server.store / "current").resolve()


def _model_answers(server: LiveServer) -> str:
    """The served build's id (ETag prefix), after checking the model answers a real query."""
    reply = _query(server, f"ASK {{ <{FACILITY}> a ?type }}", "get")
    assert reply.status == 200, reply.text
    assert reply.json()["boolean"] is True
    return reply.headers["etag"].strip('"').rsplit("-", 1)[0]


# -- no network ------------------------------------------------------------------------------
def test_service_from_from_named_and_load_written_plainly_fetch_nothing(
    live_server: LiveServer, canary: Canary
) -> None:
    refused = {
        f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}": "SERVICE",
        f"SELECT * WHERE {{ SERVICE SILENT <{canary.url}/sparql> {{ ?s ?p ?o }} }}": "SERVICE",
        f"SELECT * FROM <{canary.url}/data.ttl> WHERE {{ ?s ?p ?o }}": "FROM",
        f"SELECT * FROM NAMED <{canary.url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}": "FROM",
        f"LOAD <{canary.url}/data.ttl>": "LOAD",
    }
    for text, keyword in refused.items():
        for how in ("get", "form", "body"):
            reply = _query(live_server, text, how)
            assert reply.status in (400, 403), (how, text, reply.text)
            assert keyword in reply.json()["error"]["en"], (how, text, reply.text)
            assert reply.json()["error"]["ja"].strip()
    update = urllib.parse.urlencode({"update": f"LOAD <{canary.url}/x>"})
    assert live_server.request("GET", "/sparql?" + update).status == 403
    assert canary.outbound() == []


def test_updates_need_a_write_token_and_load_stays_refused_with_one(
    live_server: LiveServer, tight: LiveServer, canary: Canary
) -> None:
    insert = f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}".encode()
    # Updates off (the default): refused whatever the token, by POST or GET.
    off = live_server.request("POST", "/sparql", insert, SPARQL_UPDATE)
    assert off.status == 403 and "read-only" in off.json()["error"]["en"]
    # Updates on: 401 without a token, 403 with a read token, LOAD refused even with a write token.
    missing = tight.request("POST", "/sparql", insert, SPARQL_UPDATE)
    assert missing.status == 401 and "bearer token" in missing.json()["error"]["en"]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    reader = {"Authorization": "Bearer " + tight.make_token("holds-reader", "read")}
    weak = tight.request("POST", "/sparql", insert, SPARQL_UPDATE | reader)
    assert weak.status == 403 and "'write' scope" in weak.json()["error"]["en"]
    writer = {"Authorization": "Bearer " + tight.make_token("holds-writer")}
    for load in (f"LOAD <{canary.url}/x>", f"LOAD SILENT <{canary.url}/x> INTO GRAPH <urn:g>"):
        reply = tight.request("POST", "/sparql", load.encode(), SPARQL_UPDATE | writer)
        assert reply.status == 400 and "LOAD" in reply.json()["error"]["en"], reply.text
    # The write token does work, so the refusals above are about the request, not the token.
    assert tight.request("POST", "/sparql", insert, SPARQL_UPDATE | writer).status == 204
    asked = _query(tight, f"ASK {{ GRAPH <{TEST_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}", "get")
    assert asked.json()["boolean"] is True
    assert canary.outbound() == []


# -- uploads ---------------------------------------------------------------------------------
def test_remote_contexts_and_imports_in_uploads_fetch_nothing(
    live_server: LiveServer, canary: Canary
) -> None:
    remote = f"{canary.url}/context.jsonld"
    # Plain JSON-LD: the parser has no loader for remote contexts, so the upload is refused.
    for document in (
        {"@context": remote, "@id": "https://example.org/a", "name": "a"},
        {"@context": [remote, {"s": "http://schema.org/"}], "@id": "https://example.org/b"},
        {"@id": "https://example.org/c", "s:knows": {"@context": remote, "@id": "urn:x"}},
    ):
        reply = _validate(live_server, json.dumps(document).encode(), "application/ld+json", RDF)
        assert reply.status == 422, reply.text[:500]
        assert "remote context" in reply.json()["error"]["en"], reply.text[:500]
    # NGSI-LD: the bundled core context is used instead, and the report says so.
    entity = {"id": "urn:ngsi-ld:Aed:1", "type": "Aed", "@context": [remote]}
    reply = _validate(live_server, json.dumps(entity).encode(), "application/json", NGSI_LD)
    assert reply.status == 200, reply.text[:500]
    messages = [result["message"]["en"] for result in reply.json()["results"]]
    assert any("@context" in message for message in messages), messages
    # owl:imports in the data is data: it is not followed.
    imports = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://example.org/o> a owl:Ontology ; owl:imports <{canary.url}/onto.ttl> .\n"
    ).encode()
    assert _validate(live_server, imports, "text/turtle", RDF).json()["conforms"] is True
    xml_imports = (
        f'{RDF_XML_HEAD}<rdf:Description rdf:about="https://example.org/o">'
        f'<owl:imports xmlns:owl="http://www.w3.org/2002/07/owl#" rdf:resource="{canary.url}/o"/>'
        "</rdf:Description></rdf:RDF>"
    ).encode()
    assert _validate(live_server, xml_imports, "application/rdf+xml", RDF).json()["conforms"]
    assert canary.outbound() == []


def _assert_doctype_refused(reply: Reply) -> None:
    assert reply.status == 422, reply.text[:500]
    assert "DOCTYPE is refused" in reply.json()["error"]["en"], reply.text[:500]
    assert reply.seconds < 30


def test_xxe_reads_no_file_and_fetches_nothing(
    live_server: LiveServer, canary: Canary, tmp_path: Path
) -> None:
    secret = f"SECRET-{uuid.uuid4().hex}"
    (tmp_path / "secret.txt").write_text(secret)
    for entity in ((tmp_path / "secret.txt").as_uri(), "file:///etc/passwd", canary.url + "/xxe"):
        for where in ("value", "parameter"):
            if where == "value":
                doctype = f'<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{entity}">]>'
                use = "&xxe;"
            else:  # a parameter entity expands inside the DTD itself
                doctype = f'<!DOCTYPE rdf:RDF [<!ENTITY % xxe SYSTEM "{entity}"> %xxe;]>'
                use = "x"
            upload = (
                f'<?xml version="1.0"?>{doctype}{RDF_XML_HEAD}'
                f'<rdf:Description rdf:about="https://example.org/a"><s:name>{use}</s:name>'
                "</rdf:Description></rdf:RDF>"
            ).encode()
            reply = _validate(live_server, upload, "application/rdf+xml", RDF)
            _assert_doctype_refused(reply)
            assert secret not in reply.text and "root:x:0:0" not in reply.text
    stored = [p for p in (live_server.store / "jobs").rglob("*") if p.is_file()]
    assert not [p for p in stored if secret.encode() in p.read_bytes()]
    assert canary.outbound() == []


def test_billion_laughs_is_refused(live_server: LiveServer) -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    upload = (
        f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]>{RDF_XML_HEAD}'
        '<rdf:Description rdf:about="https://example.org/a"><s:name>&l9;</s:name>'
        "</rdf:Description></rdf:RDF>"
    ).encode()
    reply = _validate(live_server, upload, "application/rdf+xml", RDF)
    _assert_doctype_refused(reply)
    assert "lol" * 10 not in reply.text
    assert _query(live_server, "ASK {}", "get").status == 200


# -- size limits -----------------------------------------------------------------------------
def test_bodies_over_the_upload_limit_are_413(tight: LiveServer) -> None:
    over = b"a,b\n" + b"1,2\n" * (SMALL_UPLOAD_LIMIT // 4 + 1)
    sent = tight.request("POST", "/api/validate", over, {"Content-Type": "text/csv"})
    assert sent.status == 413 and sent.json()["error"]["ja"].strip(), sent.text
    boundary = "holds-boundary"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + over
        + f"\r\n--{boundary}--\r\n".encode()
    )
    parts = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    assert tight.request("POST", "/api/validate", multipart, parts).status == 413
    # Announced but never sent: a 413 by the body deadline at the latest (the server drains
    # what the client sends meanwhile, so that a client still sending sees the answer).
    for path, media_type in (("/api/validate", "text/csv"), ("/sparql", FORM["Content-Type"])):
        conn = tight.connection(timeout=BODY_TIMEOUT + 30)
        try:
            conn.putrequest("POST", path)
            conn.putheader("Content-Type", media_type)
            conn.putheader("Content-Length", str(1 << 30))
            conn.endheaders()
            started = time.monotonic()
            response = conn.getresponse()
            assert response.status == 413, path
            assert json.loads(response.read())["error"]["en"]
            assert time.monotonic() - started < BODY_TIMEOUT + 10
        finally:
            conn.close()


def test_queries_over_max_query_bytes_are_413_before_parsing(live_server: LiveServer) -> None:
    limit = 64 * 1024  # CITYREF_MAX_QUERY_BYTES by default
    # Each would be a 400, or worse, if it were parsed. (The form's text needs no escaping,
    # so that the form body stays under its own cap of twice the query limit.)
    not_sparql = {"form": "x" * (limit + 1), "body": "(" * (limit + 1)}
    for how, text in not_sparql.items():
        reply = _query(live_server, text, how)
        assert reply.status == 413, (how, reply.text[:300])
        assert f"longer than {limit} bytes" in reply.json()["error"]["en"]
    multibyte = "SELECT * WHERE { ?s ?p " + '"' + "都" * (limit // 3) + '" }'
    assert _query(live_server, multibyte, "body").status == 413  # bytes are counted, not chars
    just_under = "ASK {} #" + "x" * (limit - 100)
    assert _query(live_server, just_under, "body").status == 200


# -- registry writers ------------------------------------------------------------------------
@pytest.mark.slow
def test_16_concurrent_registry_writers_lose_nothing(tight: LiveServer) -> None:
    writers = 16
    tokens = [tight.make_token(f"holds-proposer-{n}") for n in range(4)]
    folder = Path(tight.env["CITYREF_SOURCES"]) / "registry" / "proposals"
    before = set(folder.glob("*.ttl")) if folder.is_dir() else set()
    start = threading.Barrier(writers)
    replies: list[Reply | None] = [None] * writers

    def propose(number: int) -> None:
        note = f"holds writer {number} says hello"
        proposal = {
            "kind": "change-term",
            "proposer": f"holds-writer-{number}",
            "rationale": {"ja": f"書き込み {number}", "en": f"writer {number}"},
            "evidence": [f"https://example.org/evidence/{number}"],
            "targets": [FACILITY],
            "additions": f"<https://w3id.org/cityref/graph/ontology/core> {{ <{FACILITY}> "
            f'<http://www.w3.org/2000/01/rdf-schema#comment> "{note}"@en . }}',
            "deletions": "",
        }
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {tokens[number % 4]}",
        }
        start.wait()
        replies[number] = tight.request(
            "POST",
            "/api/registry/proposals",
            json.dumps(proposal).encode(),
            headers,
            source=f"127.0.0.{10 + number}",  # sixteen token holders, sixteen addresses
        )

    threads = [threading.Thread(target=propose, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = [r.status if r else None for r in replies]
    assert statuses == [201] * writers, [r.text[:300] if r else None for r in replies]
    ids = {r.json()["id"] for r in replies if r}
    assert len(ids) == writers
    listed = {p["id"]: p for p in tight.request("GET", "/api/registry/proposals").json()}
    for number in range(writers):
        mine = [p for p in listed.values() if p["proposer"] == f"holds-writer-{number}"]
        assert len(mine) == 1, number
        assert mine[0]["rationale"] == {"ja": f"書き込み {number}", "en": f"writer {number}"}
        assert f"holds writer {number} says hello" in mine[0]["additions"]
    new_files = set(folder.glob("*.ttl")) - before
    assert len(new_files) == writers
    for path in new_files:  # whole files: each parses and holds its proposal
        triples = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))
        assert any(t.object.value.startswith("holds-writer-") for t in triples), path


# -- builds ----------------------------------------------------------------------------------
def test_broken_build_leaves_the_previous_store_answering(
    tight: LiveServer, tmp_path: Path
) -> None:
    served, build_id = _current_build(tight), _model_answers(tight)
    broken = copy_sources(tmp_path / "broken")
    core = broken / "ontology" / "core.ttl"
    lines = core.read_text(encoding="utf-8").count("\n")
    core.write_text(core.read_text(encoding="utf-8") + "<urn:x> <urn:y> .\n", encoding="utf-8")
    done = tight.cli("build", "--force", CITYREF_SOURCES=str(broken))
    assert done.returncode != 0
    assert "core.ttl" in done.stderr and f":{lines + 1}:" in done.stderr, done.stderr
    assert _current_build(tight) == served
    assert _model_answers(tight) == build_id


def test_killed_build_leaves_the_previous_store_answering(tight: LiveServer) -> None:
    served, build_id = _current_build(tight), _model_answers(tight)
    builds = tight.store / "builds"
    existing = set(builds.iterdir())
    process = subprocess.Popen(
        [CITYREF, "build", "--force"],
        cwd=tight.cwd,
        env=tight.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: bool(set(builds.iterdir()) - existing), seconds=60)
        time.sleep(0.5)  # into the loading, well before the swap
        assert _current_build(tight) == served, "the build finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _current_build(tight) == served
    assert _model_answers(tight) == build_id
    # The lock died with the killed build: the next one runs (it rebuilds when the registry
    # writers above added proposals to these sources) and is served.
    again = tight.cli("build")
    assert again.returncode == 0, again.stderr
    _model_answers(tight)


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
