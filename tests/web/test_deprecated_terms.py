"""A deprecated term's IRI still resolves in the web UI and says which IRI replaced it."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_deprecated_iri_still_resolves_and_names_its_replacement(
    model_client: FlaskClient,
) -> None:
    page = model_client.get("/def/landscape%23Organisation?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Replaced by" in text and "def/core#Organization" in text.replace("%23", "#")
