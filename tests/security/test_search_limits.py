"""Search with bounds (issue 11, group 12), against the server as ``scripts/run`` starts it.

An 8 KB query of 4,000 words took 6 s and four at once stalled ``ASK {}`` for 11.8 s. Now a
query beyond the bounds is refused at once (400, both languages), a bounded one costs
milliseconds, and a search is expensive work for the client's limit.
"""

from __future__ import annotations

import json
import string
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from cityref.pages.search import MAX_QUERY_CHARS, MAX_WORDS
from cityref.settings import load_settings
from tests.security.clients import CHEAP, HEAVY, Answer, query, request
from tests.security.conftest import LiveServer, LiveServerFactory

MARGIN = 3.0  # the acceptance asks for 1 s; generous on a shared 2-core machine
#: 4,000 words in 8 KB: as much as fits in gunicorn's request line.
HOSTILE = " ".join(string.ascii_lowercase[i % 26] for i in range(4000))


@pytest.fixture(scope="module")
def live(live_server_with: LiveServerFactory) -> LiveServer:
    return live_server_with({"CITYREF_QUERY_TIMEOUT": "3"})


def _search(live: LiveServer, text: str, *, api: bool = True, source: str = "127.0.0.1") -> Answer:
    path = ("/api/search?" if api else "/search?") + urllib.parse.urlencode({"q": text})
    return request(live.url, path, source=source, headers={"Accept": "application/json"})


def test_the_4000_word_query_is_refused_at_once_in_both_languages(live: LiveServer) -> None:
    assert len(HOSTILE.split()) == 4000 and len(HOSTILE) < 8192
    for api in (True, False):
        answer = _search(live, HOSTILE, api=api)
        assert answer.status == 400
        assert answer.seconds < MARGIN
        body = json.loads(answer.body)
        assert str(MAX_QUERY_CHARS) in body["error"]["en"] and "検索語" in body["error"]["ja"]
    many = " ".join(f"w{i}" for i in range(MAX_WORDS + 1))
    assert _search(live, many).status == 400


def test_a_bounded_search_answers_in_milliseconds(live: LiveServer) -> None:
    _search(live, "施設")  # the index is made once per build and process
    words = " ".join(["し", "a", "e", "i", "o", "n", "r", "s", "t", "データ"])
    answer = _search(live, words)
    assert answer.status == 200
    assert answer.seconds < MARGIN
    assert json.loads(_search(live, "施設").body)["hits"]


def test_four_hostile_searches_at_once_do_not_stall_ask(live: LiveServer) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        started = time.monotonic()
        searches = [pool.submit(_search, live, HOSTILE) for _ in range(4)]
        ask = query(live.url, CHEAP, source="127.0.0.2")
        answers = [f.result() for f in searches]
    assert ask.status == 200 and ask.seconds < MARGIN
    assert all(a.status == 400 for a in answers)
    assert time.monotonic() - started < MARGIN


@pytest.mark.slow
def test_a_search_takes_one_of_the_clients_places(live: LiveServer) -> None:
    client = "127.0.0.5"
    defaults = load_settings({})
    places = defaults.client_concurrency + defaults.client_queue
    # Words no other test searches for: an answer kept from an earlier search of the same
    # build is replayed without a search, so it needs no place (app.http_cache).
    words = "施設 公園"
    with ThreadPoolExecutor(max_workers=places) as pool:
        held = [pool.submit(query, live.url, HEAVY, source=client) for _ in range(places)]
        time.sleep(0.5)
        refused = _search(live, words, source=client)
        other = _search(live, "施設 学校", source="127.0.0.6")
        for future in held:
            future.result()
    assert refused.status == 429 and "Retry-After" in refused.headers
    assert other.status == 200
    assert _search(live, words, source=client).status == 200  # places free again
