"""SERVICE and LOAD hidden every way the engine's grammar allows: refused, never followed.

Hypothesis writes queries that point SERVICE at the canary with the disguises the engine
reads through (comments ended by CR, CRLF or LF with form feeds inside, ``\\u`` / ``\\U``
escapes in IRIs, prefixed names and BASE, keyword case, nesting in sub-selects, EXISTS,
OPTIONAL, MINUS, UNION, GRAPH, after property paths, the engine's ``ex:a.b.SERVICE`` reading
of a prefixed name, FROM with escaped IRIs, and \\u escapes in the keyword itself, which
the engine does not decode), and updates with LOAD likewise. Every query
goes through the real worker path (a confined QueryWorker on a small store); the canary must
see nothing and every query must be refused. A sample is also given to the engine itself in
a confined process, to show the disguises are real: it parses them and tries the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityref.errors import QueryRefused, QuerySyntaxError
from cityref.sparql.guard import check_update
from cityref.sparql.query import DiskStoreRef, QueryRequest, QueryWorker
from tests.security.canary import Canary, canary_server
from tests.security.test_query_walls import small_store

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is Linux only")

_comment_text = st.text(st.sampled_from("abc SERVICE{}<>'\"\f\v\t#"), max_size=8)
_comment = st.builds(
    lambda text, end: f"#{text}{end}", _comment_text, st.sampled_from(["\r", "\n", "\r\n"])
)
_space = st.lists(
    st.one_of(st.sampled_from([" ", "\t", "\r", "\n", "\r\n"]), _comment), min_size=1, max_size=4
).map("".join)


@st.composite
def keyword(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.lower() if flip else c for c, flip in zip(word, flips, strict=True))


@st.composite
def escaped_iri(draw: st.DrawFn, iri: str) -> str:
    """``<iri>`` with some characters written as \\u or \\U escapes."""
    out = []
    for char in iri:
        form = draw(st.sampled_from(["plain", "plain", "u", "U"]))
        if form == "u":
            out.append(f"\\u{ord(char):04X}")
        elif form == "U":
            out.append(f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "<" + "".join(out) + ">"


@st.composite
def endpoint(draw: st.DrawFn, url: str) -> tuple[str, str]:
    """(prologue, endpoint term) naming ``url``/x: an IRI, a prefixed name or BASE-relative."""
    form = draw(st.sampled_from(["iri", "pname", "empty-prefix", "base"]))
    if form == "iri":
        return "", draw(escaped_iri(url + "/x"))
    if form == "base":
        return f"BASE {draw(escaped_iri(url + '/'))}\n", "<x>"
    name = "" if form == "empty-prefix" else draw(st.sampled_from(["c", "ex", "se.rv"]))
    prefix = draw(keyword("PREFIX"))
    return f"{prefix} {name}: {draw(escaped_iri(url + '/'))}\n", f"{name}:x"


@st.composite
def service_query(draw: st.DrawFn, url: str, escape_keyword: bool = False) -> str:
    """A query with SERVICE to ``url`` in some disguise; ``escape_keyword`` writes a letter
    of SERVICE as a \\u escape (which the engine reads as a syntax error)."""
    prologue, target = draw(endpoint(url))
    space = draw(_space)
    silent = draw(st.sampled_from(["", f"{draw(keyword('SILENT'))}{draw(_space)}"]))
    word = draw(keyword("SERVICE"))
    if escape_keyword:
        at = draw(st.integers(0, len(word) - 1))
        word = f"{word[:at]}\\u{ord(word[at]):04X}{word[at + 1 :]}"
    service = f"{word}{space}{silent}{target}{draw(_space)}{{ ?s ?p ?o }}"
    wrap = draw(
        st.sampled_from(
            [
                "{s}",
                "{{ {s} }}",
                "{{ SELECT * WHERE {{ {s} }} }}",
                "FILTER EXISTS {{ {s} }}",
                "FILTER NOT EXISTS {{ {s} }}",
                "OPTIONAL {{ {s} }}",
                "MINUS {{ {s} }}",
                "{{ ?a ?b ?c }} UNION {{ {s} }}",
                "GRAPH ?g {{ {s} }}",
                "?a <http://example.org/p>/^<http://example.org/q>* ?b . {s}",
                "?a <http://example.org/p>|!(a|^a) ?b ; a ?t . {s}",
                "BIND(EXISTS {{ {s} }} AS ?e)",
                "FILTER(?o<?s&&?s>?o) {s}",
            ]
        )
    )
    body = wrap.format(s=service)
    for _ in range(draw(st.integers(0, 3))):
        body = draw(st.sampled_from(["{{ {b} }}", "OPTIONAL {{ {b} }}"])).format(b=body)
    if draw(st.booleans()):  # the engine reads ex:a.b.SERVICE as ex:a.b . SERVICE
        prologue += "PREFIX ex2: <http://example.org/>\n"
        body = "?s ?p ex2:a.b." + body.lstrip()
    head = draw(st.sampled_from(["SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o }", "select ?s"]))
    dataset = ""
    if draw(st.booleans()):
        dataset = f" {draw(keyword('FROM'))} {draw(escaped_iri(url + '/graph'))}"
    return f"{prologue}{head}{dataset}{draw(_space)}WHERE {{{draw(_space)}{body} }}"


@st.composite
def load_update(draw: st.DrawFn, url: str) -> str:
    prologue, target = draw(endpoint(url))
    load = f"{draw(keyword('LOAD'))}{draw(_space)}"
    if draw(st.booleans()):
        load += f"{draw(keyword('SILENT'))}{draw(_space)}"
    load += target
    if draw(st.booleans()):
        load += " INTO GRAPH <http://example.org/g>"
    before = draw(
        st.sampled_from(["", "CLEAR ALL ;", "INSERT DATA { <http://e/a> <http://e/b> 1 } ;"])
    )
    return f"{prologue}{before}{draw(_space)}{load}"


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with canary_server() as server:
        yield server


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryWorker]:
    ref = DiskStoreRef(small_store(tmp_path_factory.mktemp("obfuscation")))
    query_worker = QueryWorker(lambda: ref, memory_mb=256)
    yield query_worker
    query_worker.stop()


@pytest.mark.slow
def test_obfuscated_service_queries_are_refused_through_the_worker(
    canary: Canary, worker: QueryWorker
) -> None:
    refused: list[str] = []

    @settings(
        max_examples=1000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def one(data: st.DataObject) -> None:
        escape_keyword = data.draw(st.integers(0, 7)) == 0  # one in eight
        sparql = data.draw(service_query(canary.url, escape_keyword))
        # From the worker, what the guard cannot read comes back as the syntax error it is.
        with pytest.raises((QueryRefused, QuerySyntaxError)) as caught:
            worker.run(QueryRequest(sparql, "json", 10, 10.0))
        message = str(caught.value)
        expected = ("SERVICE", "FROM", "syntax error") if escape_keyword else ("SERVICE", "FROM")
        assert any(word in message for word in expected), (sparql, message)
        refused.append(sparql)

    one()
    time.sleep(0.2)
    assert len(refused) >= 1000
    assert canary.hits == [] and canary.connections == []


@pytest.mark.slow
def test_obfuscated_load_updates_are_refused(canary: Canary) -> None:
    @settings(max_examples=1000, deadline=None)
    @given(st.data())
    def one(data: st.DataObject) -> None:
        update = data.draw(load_update(canary.url))
        with pytest.raises(QueryRefused, match="LOAD"):
            check_update(update)

    one()
    assert canary.hits == []


def test_the_disguises_are_real_the_engine_reads_them_and_tries_the_network(
    canary: Canary,
) -> None:
    """A sample given to pyoxigraph itself, in a confined process: each one parses and
    fails on the network (denied by the sandbox), none is a syntax error."""
    sample: list[str] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        sparql = data.draw(service_query(canary.url))
        if " FROM " not in sparql.upper().replace("\n", " "):
            sample.append(sparql)

    collect()
    script = (
        "import json, sys\nimport pyoxigraph as ox\nfrom cityref.services.sandbox import confine\n"
        "assert confine([], []).seccomp\n"
        "store = ox.Store()\nsyntax = denied = 0\n"
        "for query in json.load(sys.stdin):\n"
        "    try:\n"
        "        result = store.query(query)\n"
        "        list(result) if hasattr(result, '__iter__') else bool(result)\n"
        "    except SyntaxError as exc:\n"
        "        syntax += 1; print('SYNTAX', repr(query), exc)\n"
        "    except OSError as exc:\n"
        "        denied += 'os error 13' in str(exc)\n"
        "    except Exception:\n"
        "        pass\n"
        "print('SYNTAX ERRORS', syntax, 'NETWORK DENIED', denied)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(sample),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert "SYNTAX ERRORS 0 " in done.stdout, done.stdout[:2000]
    denied = int(done.stdout.rsplit("NETWORK DENIED", 1)[1])
    assert denied > 0  # without SILENT, the engine went for the network and was stopped
    assert canary.hits == []
