"""The pages people read: the landscape, search, the query page, and front-end libraries.

Each view asks :mod:`cityref.pages.browse` / :mod:`cityref.pages.search` for plain data through the
time-limited query worker and renders it in the page language.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file

from app.errors import ApiError
from app.fairness import expensive_work
from app.i18n import MESSAGES, current_language, translate
from app.query_service import query_service
from app.validate import data_profiles
from cityref.pages import browse
from cityref.pages.questions import grouped, questions
from cityref.pages.search import Hit, SearchQueryTooLong
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


def _search(query: str, *, include_retired: bool, limit: int) -> list[Hit]:
    """Hits for a bounded query (400 beyond); a search is expensive work for the client's
    limit (see app.fairness), the index itself comes from the memo."""
    index = query_service().search_index()
    try:
        with expensive_work():
            return run_search(index, query, include_retired=include_retired, limit=limit)
    except SearchQueryTooLong as exc:
        raise ApiError.from_error(400, exc) from None


@bp.route("/search")
def search_page() -> str:
    query = request.args.get("q", "")
    include_retired = request.args.get("retired") == "1"
    hits = _search(query, include_retired=include_retired, limit=50)
    return render_template("search.html", query=query, hits=hits, retired=include_retired)


@bp.route("/api/search")
def search_api() -> Response:
    """As-you-type search: ranked hits with labels in the page language."""
    hits = _search(
        request.args.get("q", ""), include_retired=request.args.get("retired") == "1", limit=20
    )
    lang = current_language()
    return jsonify(
        {
            "lang": lang,
            "hits": [
                {
                    "iri": h.entry.iri,
                    "label": h.entry.label.in_language(lang),
                    "definition": h.entry.definition.in_language(lang),
                    "status": h.entry.status,
                    "score": h.score,
                }
                for h in hits
            ],
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
