"""The pages of the model's own things for people: a profile (its columns, template, examples
and history), a shape, an ontology module; and the profile's downloads.

:func:`model_page_html` is asked by :func:`app.resources.resource` when a browser wants an IRI
of ours; it answers ``None`` for anything else, which then gets the raw view.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request

from app.errors import ApiError
from app.query_service import QueryService, query_service
from cityref.pages.browse import Row, Select, Value
from cityref.pages.profile_page import (
    ProfilePage,
    csv_template,
    example_download,
    find_profile,
    profile_page,
)
from cityref.profiles import Profile
from cityref.registry.releases import release_facts
from cityref.sparql.query import QueryRequest
from cityref.text import Bilingual

bp = Blueprint("model_pages", __name__)
#: The most rows one page query may give: the statements of a profile's shapes are some
#: thousands (GTFS-JP's are the most); our own data, so a generous fixed bound.
PAGE_MAX_ROWS = 100_000


def _worker_select(service: QueryService) -> Select:
    """A :class:`Select` whose queries run in the query worker, for page data that also
    needs the sources folder, which the confined worker cannot read."""

    def run(sparql: str) -> list[Row]:
        request = QueryRequest(sparql, "json", PAGE_MAX_ROWS, service.settings.query_timeout)
        bindings = json.loads(service.run_own(request).data)["results"]["bindings"]
        return [{name: _value(b) for name, b in binding.items()} for binding in bindings]

    return Select(run, service.model.base_iri)


def _value(binding: dict[str, str]) -> Value:
    """A SPARQL JSON results term as :class:`Value` (blank nodes ``_:id``, as the store's)."""
    if binding["type"] == "uri":
        return Value(binding["value"], "iri")
    if binding["type"] == "bnode":
        return Value("_:" + binding["value"], "bnode")
    return Value(
        binding["value"], "literal", binding.get("xml:lang", ""), binding.get("datatype", "")
    )


def _profile_page(profile_id: str) -> ProfilePage | None:
    service = query_service()
    return service.memo(
        f"profile page {profile_id}",
        lambda: profile_page(_worker_select(service), service.model, profile_id),
    )


def _with_query(location: str) -> str:
    query = request.query_string.decode("ascii", "replace")
    return f"{location}?{query}" if query else location


def model_page_html(iri: str, path: str) -> Response | str | None:
    """The page of a profile, shape or module at ``path`` (``iri``); ``None`` when it is none
    of them."""
    service = query_service()
    parts = path.split("/")
    if parts[0] == "shapes" and len(parts) == 2 and parts[1]:
        # The profile's IRI ends in "/": lead "shapes/<id>" there, where its links resolve.
        if _profile_page(parts[1]) is not None:
            return redirect(_with_query(f"/{path}/"), code=301)  # type: ignore[return-value]
        return None
    if parts[0] == "shapes" and len(parts) == 3 and not parts[2]:
        page = _profile_page(parts[1])
        if page is not None and page.iri == iri:
            return render_template("profile.html", page=page, **release_facts(service.model.root))
        return None
    if parts[0] == "shapes" and len(parts) > 3 and parts[2] == "column":
        # A column's IRI: its row on the profile page says everything about it.
        page = _profile_page(parts[1])
        for table in page.tables if page is not None else []:
            for row in table.rows:
                if row.iri == iri:
                    return redirect(
                        _with_query(f"/shapes/{parts[1]}/") + f"#{row.anchor}", code=303
                    )  # type: ignore[return-value]
    if parts[0] == "shapes":
        shape = service.page("shape", iri)
        return render_template("shape.html", page=shape) if shape is not None else None
    if parts[0] == "def":
        module = service.page("module", iri)
        return render_template("module.html", page=module) if module is not None else None
    return None


def _profile(profile_id: str) -> Profile:
    profile = find_profile(query_service().model, profile_id)
    if profile is None:
        raise ApiError(
            404,
            Bilingual(f"プロファイル {profile_id!r} はありません", f"no profile {profile_id!r}"),
        )
    return profile


def _download(content: bytes, name: str, media_type: str) -> Response:
    response = Response(content, content_type=media_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@bp.route("/shapes/<profile_id>/template.csv")
@bp.route("/shapes/<profile_id>/template.zip")
def template(profile_id: str) -> Response:
    """The profile's empty file(s): the header row of its columns."""
    found = csv_template(_profile(profile_id))
    if found is None or not request.path.endswith(Path(found[1]).suffix):
        raise ApiError(
            404,
            Bilingual(
                f"プロファイル {profile_id} にはこの形のひな形はありません",
                f"profile {profile_id} has no template of this kind",
            ),
        )
    return _download(*found)


@bp.route("/shapes/<profile_id>/examples/<path:name>")
def example(profile_id: str, name: str) -> Response:
    """One of the profile's example inputs (a folder of GTFS files as a zip)."""
    found = example_download(_profile(profile_id), f"examples/{name}")
    if found is None:
        raise ApiError(
            404,
            Bilingual(
                f"プロファイル {profile_id} に例 {name} はありません",
                f"profile {profile_id} has no example {name}",
            ),
        )
    return _download(*found)
