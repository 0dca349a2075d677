"""The pages people read: the landscape, search, the query page, and front-end libraries.

Each view asks :mod:`cityref.pages.browse` / :mod:`cityref.pages.search` for plain data through the
time-limited query worker and renders it in the page language.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file

from app.errors import ApiError
from app.fairness import expensive_work
from app.i18n import MESSAGES, current_language, translate
from app.query_service import query_service
from app.validate import data_profiles
from cityref.pages import browse
from cityref.pages.questions import grouped, questions
from cityref.pages.search import Answer, Entry, SearchQueryTooLong, search_words
from cityref.pages.search import search as run_search
from cityref.text import Bilingual

bp = Blueprint("pages", __name__)

REPO = Path(__file__).resolve().parents[1]
#: Files of npm packages the pages use, served from node_modules (never copied into the repo).
VENDOR_FILES = {
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
}


def node_modules() -> Path:
    return REPO / "node_modules"


@bp.route("/")
def home() -> str:
    service = query_service()
    return render_template(
        "home.html",
        rows=service.page("landscape"),
        kinds=browse.STATEMENT_KINDS,
        layers=service.page("layers"),
        principles=service.page("principles"),
        funding=service.page("funding"),
        profiles=data_profiles(),
    )


def _search(query: str, *, include_retired: bool, limit: int) -> Answer:
    """Hits for a bounded query (400 beyond); a search is expensive work for the client's
    limit (see app.fairness), the index itself comes from the memo."""
    try:
        if not search_words(query):
            return Answer([])  # the page before a search: no need for the index
        index = query_service().search_index()
        with expensive_work():
            return run_search(index, query, include_retired=include_retired, limit=limit)
    except SearchQueryTooLong as exc:
        raise ApiError.from_error(400, exc) from None


def hit_href(entry: Entry) -> str | None:
    """Where a hit links: the page of its IRI, at the column's row for a profile's column."""
    from app.resources import href  # app.resources imports this module's page makers

    page = href(entry.iri)
    return f"{page}#{quote(entry.anchor)}" if page and entry.anchor else page


def suggestion_href(suggestion: str, *, include_retired: bool) -> str:
    """The search page for the query "did you mean" offers."""
    return "/search?" + urlencode(
        {"q": suggestion, **({"retired": "1"} if include_retired else {})}
    )


@bp.route("/search")
def search_page() -> str:
    query = request.args.get("q", "")
    include_retired = request.args.get("retired") == "1"
    answer = _search(query, include_retired=include_retired, limit=50)
    return render_template(
        "search.html",
        query=query,
        answer=answer,
        retired=include_retired,
        hit_href=hit_href,
        suggestion_href=suggestion_href,
    )


@bp.route("/api/search")
def search_api() -> Response:
    """As-you-type search: ranked hits with labels in the page language, each with its kind,
    and a corrected query when the hits are few (docs/api.md)."""
    include_retired = request.args.get("retired") == "1"
    answer = _search(request.args.get("q", ""), include_retired=include_retired, limit=20)
    lang = current_language()
    suggestion = answer.suggestion
    return jsonify(
        {
            "lang": lang,
            "hits": [
                {
                    "iri": h.entry.iri,
                    "href": hit_href(h.entry),
                    "kind": h.entry.kind,
                    "kind_label": h.entry.kind_label.in_language(lang),
                    "label": h.entry.label.in_language(lang),
                    "definition": h.entry.definition.in_language(lang),
                    "within": h.entry.within.in_language(lang),
                    "status": h.entry.status,
                    "score": h.score,
                }
                for h in answer.hits
            ],
            "suggestion": suggestion,
            "suggestion_href": suggestion
            and suggestion_href(suggestion, include_retired=include_retired),
        }
    )


@bp.route("/query")
def query_page() -> str:
    """YASGUI opened on an example (``?example=NN``, else the first), the examples beside it
    by group; without JavaScript, a form opened on the same example and plain links."""
    service = query_service()
    found = service.memo("questions", lambda: questions(service.model))
    asked = request.args.get("example")
    current = found[0] if found else None
    if asked is not None:
        number = int(asked) if asked.isdecimal() else None  # ?example=5 and 05 alike
        current = next((q for q in found if int(q.number) == number), None)
        if current is None:
            raise ApiError(
                404,
                Bilingual(
                    f"質問例 '{asked[:20]}' はありません。/query に質問例の一覧があります。",
                    f"there is no example '{asked[:20]}'; /query lists the examples.",
                ),
            )
    words = {
        key.removeprefix("yasgui."): translate(key) for key in MESSAGES if key.startswith("yasgui.")
    }
    return render_template("query.html", groups=grouped(found), current=current, yasgui_words=words)


@bp.route("/vendor/<name>")
def vendor(name: str) -> Response:
    """A front-end library file from node_modules, by an allow-listed name only."""
    relative = VENDOR_FILES.get(name)
    if relative is None or not (node_modules() / relative).is_file():
        abort(404)
    response = send_file(node_modules() / relative, max_age=86400)
    return response


def domain_html(iri: str) -> str | None:
    """The rich page of a domain concept, or ``None`` when ``iri`` is not one."""
    service = query_service()
    page = service.page("domain", iri)
    if page is None:
        return None
    return render_template(
        "domain.html", page=page, kinds=browse.STATEMENT_KINDS, funding=service.page("funding")
    )


def term_html(iri: str) -> str | None:
    """The rich page of a class or property, or ``None`` when ``iri`` is neither."""
    page = query_service().page("term", iri)
    if page is None:
        return None
    return render_template("term.html", page=page)


@bp.route("/registry/standards")
def standards_page() -> str:
    service = query_service()
    matrix_file = service.model.root / "docs" / "examples" / "coverage-matrix.rq"
    # A sources tree other than the checkout may have no such query: the page shows no cells.
    query = service.model.read(matrix_file).decode("utf-8") if matrix_file.is_file() else ""
    matrix = service.page("coverage-matrix", query)
    return render_template("standards.html", matrix=matrix)
