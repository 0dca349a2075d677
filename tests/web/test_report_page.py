"""A long report page as a clerk reads it: sections titled in words, folded past a few rows,
narrowed by severity and column (issue 13, deliver 4). Ichikawa's AED file has 573 warnings,
191 per rule, on three columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat

from app.i18n import MESSAGES
from cityref.pages.browse import store_select
from cityref.pages.report_sections import SHOWN_PER_SECTION, shape_words
from cityref.store.oxigraph import OxigraphStore
from tests.conftest import BASE_IRI, REAL_DATA, REPO
from tests.web.test_i18n import _interface_texts

AED = REAL_DATA / "ichikawa-122033" / "122033_108_aed.csv"


def _validated(client: FlaskClient, data: Path, profile: str = "") -> str:
    """The job id of ``data`` validated through the API (against ``profile``, else detected)."""
    with open(data, "rb") as handle:
        response = client.post(
            "/api/validate",
            data={"file": (handle, data.name), "profile": profile},
            content_type="multipart/form-data",
        )
    assert response.status_code == 200 and response.json, response.data[:400]
    return str(response.json["job"])


@pytest.fixture(scope="module")
def aed_job(model_app: Flask) -> str:
    return _validated(model_app.test_client(), AED)


def _sections(page: str) -> dict[str, str]:
    """Each result section of the page by its anchor."""
    found = re.findall(
        r'<section class="shape-group" id="([^"]+)"[^>]*>(.*?)</section>', page, re.S
    )
    return dict(found)


def _heading(section: str) -> str:
    """The section's heading as text (tags removed, spaces collapsed)."""
    match = re.search(r"<h3[^>]*>(.*?)</h3>", section, re.S)
    assert match, section[:500]
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def _rows(html: str) -> int:
    return len(re.findall(r'<tr class="(?:violation|warning|info)">', html))


def test_sections_are_titled_by_column_and_rule_not_shape_ids(
    model_client: FlaskClient, aed_job: str
) -> None:
    ja = _sections(model_client.get(f"/validate/{aed_job}?lang=ja").get_data(as_text=True))
    en = _sections(model_client.get(f"/validate/{aed_job}?lang=en").get_data(as_text=True))
    assert len(ja) == len(en) == 3
    headings_ja = [_heading(s) for s in ja.values()]
    headings_en = [_heading(s) for s in en.values()]
    kana_ja = next(h for h in headings_ja if h.startswith("名称_カナ"))
    assert "Name (kana)" in kana_ja and "全角カタカナで書きます" in kana_ja
    kana_en = next(h for h in headings_en if h.startswith("名称_カナ"))
    assert "Name (kana)" in kana_en and "write full-width katakana" in kana_en
    for heading in headings_ja + headings_en:
        assert not re.search(r"-(full-width|recommended|required)\b", heading), heading
        assert not re.search(r"[0-9a-f]{16}", heading), heading
    # The shape's id stays one click away, as a small link under the heading.
    kana = next(s for s in ja.values() if _heading(s).startswith("名称_カナ"))
    link = re.search(r'class="shape-id">[^<]*<a href="([^"]+)"><code>([^<]+)</code>', kana)
    assert link and link.group(2) == "名称_カナ-full-width"
    assert link.group(1).startswith("/shapes/ods-aed/")


def test_each_section_shows_a_few_rows_and_folds_the_rest(
    model_client: FlaskClient, aed_job: str
) -> None:
    page = model_client.get(f"/validate/{aed_job}?lang=en").get_data(as_text=True)
    for anchor, section in _sections(page).items():
        shown, folded = section.split('<details class="more">', 1)
        assert _rows(shown) == SHOWN_PER_SECTION, anchor
        rest = 191 - SHOWN_PER_SECTION
        assert f"<summary>Show {rest} more</summary>" in folded, anchor
        assert _rows(folded) == rest, anchor
        # The summary on top links to the section.
        assert f'href="#{anchor}"' in page.split('id="results"', 1)[0]
    ja = model_client.get(f"/validate/{aed_job}?lang=ja").get_data(as_text=True)
    assert f"<summary>残り {191 - SHOWN_PER_SECTION} 件を表示</summary>" in ja


def test_filters_by_column_and_severity_narrow_the_sections(
    model_client: FlaskClient, aed_job: str
) -> None:
    page = model_client.get(f"/validate/{aed_job}?lang=en").get_data(as_text=True)
    for field in ("severity", "column"):  # each filter is a labelled control of a GET form
        assert (
            f'<label for="filter-{field}">' in page
            and f'id="filter-{field}" name="{field}"' in page
        )
    assert '<option value="名称_カナ">名称_カナ / Name (kana) (191)</option>' in page
    assert "Showing 573 of 573 results." in page

    one = model_client.get(
        f"/validate/{aed_job}", query_string={"lang": "en", "column": "名称_カナ"}
    )
    narrowed = one.get_data(as_text=True)
    sections = _sections(narrowed)
    assert [_heading(s).split(" ")[0] for s in sections.values()] == ["名称_カナ"]
    assert "Showing 191 of 573 results." in narrowed
    assert '<option value="名称_カナ" selected>' in narrowed
    # The summary still lists every line; those filtered away link to the whole report.
    summary = narrowed.split('id="results"', 1)[0]
    assert summary.count('href="?#shape-') == 2 and summary.count('href="#shape-') == 1

    warnings = model_client.get(
        f"/validate/{aed_job}", query_string={"lang": "en", "severity": "Warning"}
    ).get_data(as_text=True)
    assert len(_sections(warnings)) == 3 and "Showing 573 of 573 results." in warnings
    none = model_client.get(
        f"/validate/{aed_job}", query_string={"lang": "ja", "severity": "Violation"}
    ).get_data(as_text=True)
    assert not _sections(none)
    assert "573 件中 0 件を表示しています。" in none and "この条件に合う結果はありません。" in none


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://w3id.org/cityref/shapes/example/> .
ex:Named a sh:PropertyShape ; sh:path ex:code ; sh:pattern "^[0-9]{4}$" ;
    sh:message "コードは4桁です。"@ja , "The code is four digits."@en .
ex:code rdfs:label "コード"@ja , "code"@en .
ex:Silent a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:maxLength 20 .
"""


def test_shape_words_come_from_labels_messages_else_the_constraints() -> None:
    store = OxigraphStore.in_memory()
    store.load_graph(f"{BASE_IRI}graph/shapes/example", SHAPES.encode(), RdfFormat.TURTLE)
    words = shape_words(store_select(store, BASE_IRI))
    named = words["https://w3id.org/cityref/shapes/example/Named"]
    assert (named.subject.ja, named.subject.en) == ("コード", "code")
    assert named.rule.en == "The code is four digits."
    silent = words["https://w3id.org/cityref/shapes/example/Silent"]
    assert silent.subject.en == "name"  # no label: the path's local name
    assert silent.rule.en == "at most 20 characters; at least 1 value(s)"
    assert silent.rule.ja == "20 文字以下、1 個以上の値が必要"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_report_page_speaks_one_language(
    model_client: FlaskClient, aed_job: str, lang: str
) -> None:
    html = model_client.get(f"/validate/{aed_job}?lang={lang}").get_data(as_text=True)
    texts = _interface_texts(html, lang)
    other = "ja" if lang == "en" else "en"
    leaked = [
        text.in_language(other)
        for key, text in MESSAGES.items()
        if key.startswith(("report.", "severity.")) and text.in_language(other) in texts
    ]
    assert not leaked, leaked


def test_an_rdf_report_is_titled_by_properties_and_filters_by_path(
    model_client: FlaskClient,
) -> None:
    """RDF results have no column: sections are titled by the property's label, filtered by
    its path; a node's own constraint (sh:or, no path) shows under "all" only."""
    facility = REPO / "shapes" / "gif-facility" / "examples" / "invalid" / "facility.ttl"
    job = _validated(model_client, facility, "gif-facility")
    page = model_client.get(f"/validate/{job}?lang=en").get_data(as_text=True)
    headings = [_heading(s) for s in _sections(page).values()]
    assert "名称（カナ） (name (kana)) — The kana name contains half-width kana;" in " | ".join(
        headings
    )
    assert any(h.startswith("GIF 施設連絡先 (GIF facility contact) — ") for h in headings)
    column_filter = page.split('id="filter-column"', 1)[1].split("</select>", 1)[0]
    assert column_filter.count('<option value="">') == 1 and " selected" not in column_filter
    kana = f"{BASE_IRI}def/core#nameKana"
    assert f'<option value="{kana}">' in column_filter
    narrowed = model_client.get(
        f"/validate/{job}", query_string={"lang": "en", "column": kana}
    ).get_data(as_text=True)
    assert [_heading(s)[:6] for s in _sections(narrowed).values()] == ["名称（カナ）"]
