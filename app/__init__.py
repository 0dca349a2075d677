"""The Flask front end of cityref: an app factory; each surface is its own blueprint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from cityref.settings import Settings, load_settings


def create_app(
    settings: Settings | None = None, test_config: Mapping[str, Any] | None = None
) -> Flask:
    """Make the web app for ``settings`` (default: the environment's)."""
    app = Flask(__name__)
    settings = settings or load_settings()
    app.config.from_mapping(
        CITYREF_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
    )
    if test_config:
        app.config.from_mapping(test_config)
    return app
