"""``POST /api/validate?endpoint=NAME&graph=IRI…&profile=ID``: validation in place.

The data is at a SPARQL endpoint the server's settings name (``validation_endpoints``); a
client chooses one by that name only, never by URL, so nothing it sends can make the server
reach a host of its choosing. The validation runs as a job like an upload's (polled at
``/api/jobs/<id>``), its queries at the endpoint (docs/validate-in-place.md).
"""

from __future__ import annotations

from app.errors import ApiError
from app.query_service import query_service
from app.validate import SYNC_WAIT_SECONDS, submit_job
from cityref.errors import CityrefError
from cityref.registry.versioned import release_context
from cityref.services.jobs import Job
from cityref.services.validation_endpoints import named_endpoint
from cityref.text import Bilingual

#: Most named graphs one request may give.
MAX_GRAPHS = 100


def start_in_place(name: str, graphs: list[str], profile: str | None) -> Job:
    """A job validating the graphs of the configured endpoint ``name`` against ``profile``;
    waited for (up to the usual wait), since nothing was uploaded."""
    settings = query_service().settings
    if profile is None:
        raise ApiError(
            400,
            Bilingual(
                "その場での検証には ?profile=ID が必要です",
                "validation in place needs ?profile=ID",
            ),
        )
    if len(graphs) > MAX_GRAPHS:
        raise ApiError(
            400,
            Bilingual(
                f"graph は {MAX_GRAPHS} 個までです", f"at most {MAX_GRAPHS} graph parameters"
            ),
        )
    try:
        # Checked here, so that a job starts only for a configured endpoint and a profile
        # that exists, with graph names that are IRIs.
        named_endpoint(settings, name, tuple(graphs), settings.validation_timeout)
        release_context(profile, query_service().model)
    except CityrefError as exc:
        raise ApiError.from_error(400, exc) from None
    submitted = submit_job(b"", name, profile, None, endpoint=name, graphs=tuple(graphs))
    return submitted.wait(min(SYNC_WAIT_SECONDS, settings.validation_timeout + 5))
