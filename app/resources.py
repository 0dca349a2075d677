"""Dereferenceable IRIs: every IRI under the base resolves here, for people and machines.

``<base IRI>def/core`` is served at ``/def/core``: HTML for browsers; Turtle,
JSON-LD, N-Triples or RDF/XML by Accept or ``?format=``. Unknown IRIs are 404, retired terms
410 with their replacement.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request

from app.errors import ApiError
from app.model_pages import model_page_html
from app.negotiation import FORMAT_PARAMETERS, GRAPH_MEDIA_TYPES
from app.pages import domain_html, term_html
from app.query_service import QueryService, query_service
from app.registry_pages import registry_html, registry_statements
from cityref.errors import QueryRefused, QuerySyntaxError
from cityref.registry.releases import is_release, list_releases
from cityref.sparql.describe import (
    Description,
    describe_graph,
    describe_module,
    describe_resource,
    is_safe_iri,
    status_query,
)
from cityref.sparql.query import QueryRequest
from cityref.sparql.results import GRAPH_FORMATS
from cityref.text import Bilingual

bp = Blueprint("resources", __name__)
#: Descriptions are of our own data, not of a user's query: a generous fixed bound.
DESCRIPTION_MAX_TRIPLES = 100_000
LABEL_PREDICATES = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
}


def _ask(service: QueryService, sparql: str) -> bool:
    settings = service.settings
    answer = service.run_own(QueryRequest(sparql, "json", 1, settings.query_timeout))
    return bool(json.loads(answer.data)["boolean"])


def _find(
    service: QueryService, iri: str, path: str, release: str | None = None
) -> Description | None:
    inferred = service.model.inferred_graph_iri
    if path.startswith("graph/") and release is None:
        candidates = [describe_graph(iri)]
    else:
        # A module's IRI is also a resource (its owl:Ontology header): the module wins.
        candidates = [
            describe_module(iri, inferred, release),
            describe_resource(iri, inferred, release),
        ]
    for description in candidates:
        if _ask(service, description.exists_query):
            return description
    return None


def _retired_replacement(service: QueryService, iri: str) -> tuple[bool, str | None]:
    base = service.model.base_iri
    answer = service.run_own(QueryRequest(status_query(iri, base), "json", 1, 5.0))
    rows = json.loads(answer.data)["results"]["bindings"]
    if not rows or rows[0].get("status", {}).get("value") != f"{base}def/status/retired":
        return False, None
    return True, rows[0].get("replacement", {}).get("value")


def _wanted_format() -> str:
    """``html`` or a graph format name, from ``?format=`` or the Accept header."""
    param = request.args.get("format")
    if param:
        if param.lower() == "html":
            return "html"
        name = FORMAT_PARAMETERS.get(param.lower(), (None, None))[1]
        if name is None:
            raise ApiError(
                400,
                Bilingual(
                    "不明な形式です",
                    f"unknown format {param!r}; use html, {', '.join(GRAPH_FORMATS)}",
                ),
            )
        return name
    best = request.accept_mimetypes.best_match(["text/html", *GRAPH_MEDIA_TYPES])
    if best is None or best == "text/html":
        return "html" if best or not request.accept_mimetypes else "turtle"
    return GRAPH_MEDIA_TYPES[best]


def _release_path(path: str) -> tuple[str | None, str]:
    """``release/<version>/<rest>`` (or ``release/latest/<rest>``) -> (version, rest); the
    rest is empty for the release itself."""
    if not path.startswith("release/"):
        return None, path
    version, _, rest = path.removeprefix("release/").partition("/")
    if version == "latest":
        releases = list_releases(query_service().model.root)
        if not releases:
            raise ApiError(404, Bilingual("リリースはまだありません", "there is no release yet"))
        version = releases[-1].version
    return version, rest


@bp.route("/<path:path>")
def resource(path: str) -> Response | str:
    service = query_service()
    release, path = _release_path(path)
    if release is not None and not path:  # a release's version IRI: its page
        if not is_release(service.model.root, release):
            raise ApiError(
                404, Bilingual(f"リリース {release} はありません", f"no release {release}")
            )
        return redirect(f"/registry/release/{release}", code=303)  # type: ignore[return-value]
    iri = service.model.term_iri(path)
    not_found = ApiError(
        404, Bilingual(f"この IRI は存在しません: <{iri}>", f"no such IRI: <{iri}>")
    )
    if not is_safe_iri(iri):
        raise not_found
    try:
        retired, replacement = service.memo(
            f"retired {iri}", lambda: _retired_replacement(service, iri)
        )
    except (QuerySyntaxError, QueryRefused):
        raise not_found from None  # an IRI Oxigraph will not read is not one of ours
    if retired:
        headers = {"Link": f'<{replacement}>; rel="successor-version"'} if replacement else {}
        raise ApiError(
            410,
            Bilingual(
                f"<{iri}> は廃止されました"
                + (f"。代わりに <{replacement}> を使ってください" if replacement else ""),
                f"<{iri}> is retired" + (f"; use <{replacement}>" if replacement else ""),
            ),
            headers=headers,
        )
    wanted = _wanted_format()
    if wanted == "html" and path.startswith("def/") and release is None:
        # A domain, class or property has its own page, which says it exists.
        rich = domain_html(iri) if path.startswith("def/domain/") else term_html(iri)
        if rich is not None:
            return rich
    if wanted == "html" and release is None:
        model_page = model_page_html(iri, path)  # a profile, shape or module: a page of words
        if model_page is not None:
            return model_page
    if wanted == "html" and path.startswith("registry/") and release is None:
        registry_page = registry_html(path)  # a standard, release, system, record, proposal
        if registry_page is not None:
            return registry_page
    try:
        # What an IRI is changes only with the build: found once per build and process.
        description = service.memo(
            f"find {release} {iri}", lambda: _find(service, iri, path, release)
        )
    except (QuerySyntaxError, QueryRefused):
        description = None  # an IRI Oxigraph will not read is not one of ours
    fmt = "ntriples" if wanted == "html" else wanted
    if description is None:
        recent = registry_statements(path, fmt) if release is None and wanted != "html" else None
        if recent is None:
            raise not_found
        return recent
    settings = service.settings
    answer = service.run_own(
        QueryRequest(
            description.construct_query, fmt, DESCRIPTION_MAX_TRIPLES, settings.query_timeout
        )
    )
    if wanted == "html":
        return _html(iri, description, answer.data, answer.truncated)
    response = Response(answer.data, content_type=answer.media_type)  # cached: app.http_cache
    if answer.truncated:
        response.headers["X-Cityref-Truncated"] = "true"
    return response


def _html(iri: str, description: Description, ntriples: bytes, truncated: bool) -> str:
    """Group the description by subject and predicate, with the labels it carries."""
    triples = [q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    triples.sort(key=str)  # the page, not the engine, decides the order (stores differ)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for t in triples:
        if t.predicate.value in LABEL_PREDICATES and isinstance(t.object, ox.Literal):
            labels[t.subject.value][t.object.language or ""] = t.object.value
    subjects: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
    for t in triples:
        if description.kind != "graph" and not _described(t.subject, description):
            continue  # the labels of linked terms are shown beside their links
        subject = subjects.setdefault(t.subject.value, defaultdict(list))
        subject[t.predicate.value].append(t.object)
    return render_template(
        "resource.html",
        iri=iri,
        kind=description.kind,
        subjects=subjects,
        labels=labels,
        truncated=truncated,
    )


def _described(subject: object, description: Description) -> bool:
    if not isinstance(subject, ox.NamedNode):
        return False
    return subject.value == description.iri or subject.value.startswith(description.iri + "#")


@bp.app_template_global("base_iri")
def base_iri() -> str:
    """The model's base IRI, for the pages' scripts (``<body data-base-iri>``)."""
    return query_service().model.base_iri


@bp.app_template_filter("href")
def href(iri: str) -> str | None:
    """Where a link to ``iri`` goes: our own IRIs stay on this server; only http(s) links."""
    base = query_service().model.base_iri
    if iri.startswith(base):
        return "/" + iri[len(base) :].replace("#", "%23")
    if iri.startswith(("http://", "https://")):
        return iri
    return None
