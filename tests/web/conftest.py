"""Fixtures for the web app: a store built from the toy model and an app with tight limits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from cityref.settings import Settings, load_settings
from cityref.store.build import build_store
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI, REPO, TOY


@pytest.fixture(scope="module")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store = tmp_path_factory.mktemp("web") / "store"
    build_store(store, ModelFiles(TOY, BASE_IRI))
    return load_settings(
        {
            "CITYREF_STORE": str(store),
            "CITYREF_SOURCES": str(TOY),
            "CITYREF_QUERY_TIMEOUT": "1",
            "CITYREF_MAX_ROWS": "5",
            "CITYREF_MAX_QUERY_BYTES": "4096",
            "CITYREF_RATE_LIMIT": "100000",
        }
    )


@pytest.fixture(scope="module")
def app(web_settings: Settings) -> Flask:
    return create_app(web_settings, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def store_path(settings: Settings) -> Path:
    return settings.store


@pytest.fixture(scope="session")
def model_app(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> Iterator[Flask]:
    store = tmp_path_factory.mktemp("model") / "store"
    shutil.copytree(built_store, store, symlinks=True)
    build_store(store, ModelFiles(REPO, BASE_IRI))  # up to date: skipped
    settings = load_settings(
        {"CITYREF_STORE": str(store), "CITYREF_SOURCES": str(REPO), "CITYREF_RATE_LIMIT": "100000"}
    )
    yield create_app(settings, {"TESTING": True})


@pytest.fixture
def model_client(model_app: Flask) -> FlaskClient:
    return model_app.test_client()
