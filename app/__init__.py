"""The Flask front end of cityref: an app factory; each surface is its own blueprint.

The app holds no domain logic: it calls :mod:`cityref` and turns the answers into HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app import (
    contexts,
    errors,
    http_cache,
    i18n,
    limits,
    model_pages,
    openapi,
    pages,
    registry,
    registry_pages,
    resources,
    sparql,
    time_words,
    validate,
)
from app.query_service import QueryService
from cityref.services.job_service import job_service
from cityref.services.shared_state import share_writes
from cityref.settings import Settings, load_settings
from cityref.store.sources import ModelFiles


def create_app(
    settings: Settings | None = None, test_config: Mapping[str, Any] | None = None
) -> Flask:
    """Make the web app for ``settings`` (default: the environment's)."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Japanese stays readable
    settings = settings or load_settings()
    app.config.from_mapping(
        CITYREF_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_query_bytes * 2,
        MAX_FORM_PARTS=100,
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["cityref.queries"] = QueryService(settings, ModelFiles.from_settings(settings))
    app.extensions[validate.JOBS] = job_service(settings)
    share_writes(settings.state)  # registry and token writes ordered across instances
    limits.init_app(app)
    http_cache.init_app(app, app.extensions["cityref.rate_limiter"].retry_after)
    i18n.init_app(app)
    time_words.init_app(app)
    errors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(contexts.bp)
    app.register_blueprint(validate.bp)
    app.register_blueprint(registry.bp)
    app.register_blueprint(model_pages.bp)
    app.register_blueprint(registry_pages.bp)
    app.register_blueprint(resources.bp)  # last: it answers every other path under the base
    return app
