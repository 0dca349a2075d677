"""The two GTFS-JP editions on the web: each profile page names its edition and its own
files, and a feed posted without a profile is reported against the edition it follows."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.profiles.test_gtfs_editions import edition_feed


def test_each_edition_page_names_its_edition_and_files(model_client: FlaskClient) -> None:
    current = model_client.get("/shapes/gtfs-jp/", headers={"Accept-Language": "ja"})
    older = model_client.get("/shapes/gtfs-jp-v2/", headers={"Accept-Language": "ja"})
    assert current.status_code == older.status_code == 200
    current_page, older_page = current.get_data(as_text=True), older.get_data(as_text=True)
    assert "第3版" in current_page and "pattern_jp.txt" in current_page
    assert "field_value" in current_page and "routes_jp.txt" not in current_page
    assert "第2版" in older_page and "routes_jp.txt" in older_page and "trans_id" in older_page


def test_a_posted_feed_is_reported_against_its_edition(model_client: FlaskClient) -> None:
    for profile_id, edition in (("gtfs-jp", "3rd edition"), ("gtfs-jp-v2", "2nd edition")):
        response = model_client.post(
            "/api/validate", data=edition_feed(profile_id), content_type="application/zip"
        )
        assert response.status_code == 200, response.data[:500]
        answer = response.get_data(as_text=True)
        assert f"{profile_id}@" in answer and edition in answer
