"""Builds into one remote store from several machines: the shared state service's lock lets
one build at a time switch the readers, and a build whose lease lapsed switches nothing.

Without the lock, each build drops what it takes for leftovers of killed builds, which includes
a concurrent build's staging graphs (cityref/store/remote_build.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityref.errors import CityrefError
from cityref.services.shared_state import connect, held_lock
from cityref.settings import Settings, load_settings
from cityref.store.remote import RemoteEndpoints, RemoteStore
from cityref.store.remote_build import build_configured
from cityref.store.sources import ModelFiles
from tests.conftest import BASE_IRI
from tests.sparql_servers import Endpoints, remote_environment


@pytest.fixture
def settings(cli_env: dict[str, str], oxigraph_server: Endpoints, redis_url: str) -> Settings:
    """The toy model's settings on Oxigraph server, with the shared state service."""
    return load_settings(
        cli_env | remote_environment(oxigraph_server) | {"CITYREF_STATE": redis_url}
    )


def _build_id(settings: Settings) -> str:
    endpoints = RemoteEndpoints.from_settings(settings)
    assert endpoints is not None
    pointer = RemoteStore(endpoints, None).pointer()
    assert pointer is not None
    return str(pointer.build_id)


@pytest.fixture
def model(settings: Settings, toy_sources: Path) -> ModelFiles:
    """The toy model, built into the server once."""
    files = ModelFiles(toy_sources, BASE_IRI)
    build_configured(settings, files, force=True)
    return files


def test_a_build_is_refused_while_another_machine_holds_the_build_lock(
    settings: Settings, model: ModelFiles, redis_url: str
) -> None:
    before = _build_id(settings)
    # Another machine's build: it has its own lock folder, only the state service is shared.
    other = held_lock(connect(redis_url), f"build:{settings.store_update_endpoint}")
    with other, pytest.raises(CityrefError) as refused:
        build_configured(settings, model, force=True)
    assert "another build into" in str(refused.value.text.en)
    assert "別のビルド" in str(refused.value.text.ja)
    assert _build_id(settings) == before
    build_configured(settings, model, force=True)  # the lock is free again
    assert _build_id(settings) != before


def test_a_build_whose_lease_lapsed_switches_nothing(
    settings: Settings, model: ModelFiles, redis_url: str
) -> None:
    before = _build_id(settings)
    client = connect(redis_url)

    def lapse(message: str) -> None:
        """Once the graphs are loaded, the lease is gone (as when the builder stalled past
        it and another build took the lock)."""
        if message.startswith("loaded"):
            for key in client.scan_iter("cityref:lock:build:*"):
                if not key.endswith(b":fence"):
                    client.delete(key)

    with pytest.raises(CityrefError) as lost:
        build_configured(settings, model, force=True, progress=lapse)
    assert "lease" in str(lost.value.text.en)
    assert _build_id(settings) == before
