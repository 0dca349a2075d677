"""The SPARQL endpoints whose data may be validated in place, as the settings name them.

``validation_endpoints`` lists ``name=URL`` pairs and ``validation_endpoint_credentials``
``name=user:password`` pairs. The API accepts only a configured name (nothing a client sends
may make the server reach a host of its choosing); the command line takes a name or a URL,
and a configured URL brings its credentials, so that no password is typed on a command line.
"""

from __future__ import annotations

import re
import urllib.parse

from cityref.errors import SettingsError
from cityref.settings import Settings
from cityref.text import Bilingual
from cityref.validation.endpoint import Endpoint, EndpointError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _pairs(raw: str, env: str, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for entry in raw.split():
        name, sep, value = entry.partition("=")
        if not sep or not _NAME.fullmatch(name) or not value:
            # The entry itself is not repeated: it may hold a password.
            raise SettingsError(
                Bilingual(
                    f"{env}: 各項目は `名前={what}` の形にしてください（{len(pairs) + 1} 番目）",
                    f"{env}: each entry must be `name={what}` (entry {len(pairs) + 1})",
                )
            )
        pairs[name] = value
    return pairs


def configured_endpoints(settings: Settings) -> dict[str, str]:
    """The configured endpoints' URLs by name."""
    return _pairs(settings.validation_endpoints, "CITYREF_VALIDATION_ENDPOINTS", "URL")


def endpoint_ports(settings: Settings, name: str) -> tuple[int, ...]:
    """The TCP port of the configured endpoint ``name`` (none for an unknown name): all a
    confined job of validation in place may connect to."""
    url = configured_endpoints(settings).get(name)
    if url is None:
        return ()
    parts = urllib.parse.urlsplit(url)
    try:
        return (parts.port or (443 if parts.scheme == "https" else 80),)
    except ValueError:  # a port out of range: the job fails saying so when it connects
        return ()


def _credentials(settings: Settings, name: str) -> tuple[str | None, str | None]:
    found = _pairs(
        settings.validation_endpoint_credentials,
        "CITYREF_VALIDATION_ENDPOINT_CREDENTIALS",
        "user:password",
    ).get(name)
    if found is None:
        return None, None
    user, _, password = found.partition(":")
    return user, password


def named_endpoint(
    settings: Settings, name: str, graphs: tuple[str, ...], timeout: float
) -> Endpoint:
    """The configured endpoint ``name`` over ``graphs``; an unknown name is an error that
    lists the names there are."""
    urls = configured_endpoints(settings)
    if name not in urls:
        known = ", ".join(sorted(urls)) or "-"
        raise EndpointError(
            Bilingual(
                f"設定にないエンドポイント名です: {name!r}（設定されている名前: {known}）",
                f"no endpoint of that name is configured: {name!r} (configured: {known})",
            )
        )
    user, password = _credentials(settings, name)
    return Endpoint(urls[name], graphs, user, password, timeout, focus_batch=_focus_batch(settings))


def endpoint_for_command_line(
    settings: Settings, name_or_url: str, graphs: tuple[str, ...], timeout: float
) -> Endpoint:
    """``--endpoint``: a configured name, or a URL (with the credentials of the configured
    endpoint of that URL, if any)."""
    urls = configured_endpoints(settings)
    if name_or_url in urls:
        return named_endpoint(settings, name_or_url, graphs, timeout)
    for name, url in urls.items():
        if url == name_or_url:
            return named_endpoint(settings, name, graphs, timeout)
    return Endpoint(name_or_url, graphs, timeout=timeout, focus_batch=_focus_batch(settings))


def _focus_batch(settings: Settings) -> int | None:
    """The focus batch size the settings ask for (0 there: none)."""
    return settings.validation_focus_batch or None
