"""Search on the repository's model, as a clerk types it (issue 13: "search misses"): the
everyday word finds the class or profile, typos get a "did you mean", every hit says what it is."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from cityref.pages.search import KINDS

BASE = "https://w3id.org/cityref/"


def _api(client: FlaskClient, query: str, **params: str) -> dict[str, Any]:
    response = client.get("/api/search", query_string={"q": query, "lang": "en", **params})
    assert response.status_code == 200, response.data[:300]
    answer: dict[str, Any] = response.get_json()
    return answer


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("避難所", {"def/infrastructure#EvacuationSite", "shapes/ods-evacuation-site/"}),
        ("evacuation shelter", {"def/infrastructure#EvacuationSite"}),
        ("バス停", {"def/mobility#PublicTransportStop", "shapes/gtfs-jp/"}),
        ("bus stop", {"def/mobility#PublicTransportStop", "shapes/gtfs-jp/"}),
        ("保育園", {"shapes/ods-childcare-facility/"}),
        ("保育所", {"shapes/ods-childcare-facility/"}),
        ("ﾄｲﾚ", {"shapes/ods-public-toilet/"}),
        ("文化財", {"shapes/ods-cultural-property/"}),
        ("AED", {"shapes/ods-aed/"}),
    ],
)
def test_the_everyday_word_finds_the_class_or_profile_in_the_first_three(
    model_client: FlaskClient, query: str, wanted: set[str]
) -> None:
    top = [hit["iri"].removeprefix(BASE) for hit in _api(model_client, query)["hits"][:3]]
    assert wanted <= set(top), top


def test_every_hit_has_a_kind_with_its_badge_word(model_client: FlaskClient) -> None:
    hits = _api(model_client, "避難")["hits"] + _api(model_client, "名称", lang="ja")["hits"]
    kinds = {hit["kind"] for hit in hits}
    assert {"class", "property", "profile", "column"} <= kinds, kinds
    for hit in hits:
        assert hit["kind_label"] in {KINDS[hit["kind"]].en, KINDS[hit["kind"]].ja}, hit


def test_a_column_links_to_its_row_on_the_profile_page(model_client: FlaskClient) -> None:
    hits = _api(model_client, "stop_lat")["hits"]
    column = next(hit for hit in hits if hit["kind"] == "column")
    assert column["href"] == "/shapes/gtfs-jp/#col-stop_lat"
    assert "GTFS-JP" in column["within"]


def test_standards_are_found(model_client: FlaskClient) -> None:
    hits = _api(model_client, "標準的なバス情報フォーマット")["hits"]
    assert hits[0]["kind"] == "standard", hits[0]


def test_a_typo_gets_a_did_you_mean_in_the_api_and_on_the_page(model_client: FlaskClient) -> None:
    answer = _api(model_client, "evacuaton")
    assert answer["suggestion"] == "evacuation"
    assert answer["suggestion_href"] == "/search?q=evacuation"
    page = model_client.get("/search", query_string={"q": "evacuaton", "lang": "en"})
    html = page.get_data(as_text=True)
    assert 'class="did-you-mean"' in html and '<a href="/search?q=evacuation">' in html
    assert _api(model_client, "evacuation")["suggestion"] is None


def test_the_page_shows_a_kind_badge_on_every_hit_in_the_page_language(
    model_client: FlaskClient,
) -> None:
    html = model_client.get("/search", query_string={"q": "バス停", "lang": "ja"}).get_data(
        as_text=True
    )
    hits = html.count("<li class=")
    assert hits and html.count('<span class="kind kind-') == hits
    assert '<span class="kind kind-class">クラス</span>' in html
    assert '<span class="kind kind-profile">プロファイル</span>' in html


def test_a_query_on_the_built_index_takes_milliseconds(model_client: FlaskClient) -> None:
    _api(model_client, "施設")  # the index is made once per build and process
    started = time.perf_counter()
    for query in ("避難所", "bus stop", "evacuaton shelter", "ｼｾﾂ"):
        _api(model_client, query)
    assert (time.perf_counter() - started) / 4 < 0.2  # a loose bound for a shared machine
