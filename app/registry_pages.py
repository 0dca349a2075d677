"""The registry's pages for people at its IRIs: a standard, a release, a system, a conformance
record, any other named thing (an agency, a publisher…); the review of a proposal by holders of
a write token.

:func:`registry_html` answers a browser at ``/registry/standard/<id>``,
``/registry/release/<version>``, ``/registry/system/<id>[/record/<run>]`` and
``/registry/proposal/<id>``; the raw statements stay at the same IRI by ``?format=`` or Accept.

Reviewing: a visitor who types a write token once (``POST /registry/reviewer``) keeps it in an
HttpOnly, SameSite=Strict cookie, so it is never in a page; proposal pages then show the review
form, whose POST is checked for the CSRF token and the write token like the API's writes.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request, send_file
from pyoxigraph import serialize

from app.csrf import form_token, page_with_token, require_form_token
from app.errors import ApiError
from app.query_service import query_service
from app.registry import semantic_changes
from cityref.errors import CityrefError
from cityref.pages import registry_pages as data
from cityref.registry import proposals as props
from cityref.registry.records import check_id
from cityref.services.tokens import TokenRecord, check_token
from cityref.sparql.results import GRAPH_FORMATS
from cityref.text import Bilingual

bp = Blueprint("registry_pages", __name__)
REVIEWER_COOKIE = "cityref_reviewer"
#: A review form's decisions: the form's value -> the registry function that records it.
REVIEW_DECISIONS = ("accept", "request-changes", "reject")


# The words of a proposal's kind, state and review decisions, for every registry page.
bp.add_app_template_global(data.proposal_kind_words, "kind_words")
bp.add_app_template_global(data.proposal_state_words, "state_words")
bp.add_app_template_global(data.decision_words, "decision_words")


def _root() -> Path:
    return query_service().model.root


def _base() -> str:
    return query_service().model.base_iri


def registry_html(path: str) -> Response | str | None:
    """The page of the registry IRI at ``path`` (``registry/…``), or ``None`` when it is not
    one this module shows (the generic description answers then)."""
    parts = path.split("/")
    kind, rest = parts[1] if len(parts) > 1 else "", parts[2:]
    if kind == "standard" and len(rest) == 1:
        return _standard(query_service().model.term_iri(path))
    if kind in ("standard-version", "crosswalk") and len(rest) == 1:
        standard = query_service().page("standard-of", query_service().model.term_iri(path))
        return _see_other(f"{_local(standard)}#{rest[0]}") if standard else None
    if kind == "release" and len(rest) == 1:
        return _release(rest[0])
    if kind == "system" and len(rest) == 1:
        return _system(rest[0])
    if kind == "system" and len(rest) == 3 and rest[1] == "record":
        return _record(rest[0], rest[2])
    if kind == "proposal" and len(rest) == 1:
        return _see_other(f"/registry/proposals/{rest[0]}")
    if kind not in ("system", "release"):  # an agency, organisation, programme, law…
        named = query_service().page("named", query_service().model.term_iri(path))
        return None if named is None else render_template("named.html", page=named)
    return None


def _see_other(location: str) -> Response:
    """303 to the page that shows the thing an IRI names."""
    return Response(status=303, headers={"Location": location})


def registry_statements(path: str, fmt: str) -> Response | None:
    """A system's or a record's statements in the graph format ``fmt``, from the registry's
    files, for one the store does not hold yet (written since the last build)."""
    triples = data.system_statements(_root(), _base(), path)
    if not triples:
        return None
    rdf_format = GRAPH_FORMATS[fmt]
    body = serialize(triples, format=rdf_format) or b""
    return Response(body, content_type=rdf_format.media_type)


def _local(iri: str) -> str:
    return "/" + iri.removeprefix(_base())


def _standard(iri: str) -> str | None:
    page = query_service().page("standard", iri)
    return None if page is None else render_template("standard.html", page=page)


def _release(version: str) -> str | None:
    page = data.release_page(_root(), version)
    if page is None:
        return None
    return render_template("release.html", page=page, changes=_changes(page))


def _changes(page: data.ReleasePage) -> tuple[int, int] | None:
    """(changes, breaking changes) since the previous release, ``None`` for the first."""
    if not page.previous:
        return None
    found = semantic_changes(page.previous, page.release.version)
    return len(found), sum(1 for c in found if c.breaking)


def _system(ident: str) -> str | None:
    try:
        check_id(ident)
    except CityrefError:
        return None
    page = data.system_page(_root(), _base(), ident)
    return None if page is None else render_template("system.html", system=page)


def _record(ident: str, run_id: str) -> str | None:
    try:
        check_id(ident)
    except CityrefError:
        return None
    system = data.system_page(_root(), _base(), ident)
    found = data.record_page(_root(), _base(), ident, run_id)
    if system is None or found is None:
        return None
    shapes = " ".join(sorted(found.record.failures))
    titles = query_service().page("shape-titles", shapes)
    return render_template("record.html", system=system, view=found, titles=titles)


@bp.route("/registry/system/<ident>/record/<run_id>/report.jsonld")
def record_report(ident: str, run_id: str) -> Response:
    """The validation report stored with a conformance record (JSON-LD), as a download."""
    found = None
    try:
        check_id(ident)
        found = data.record_page(_root(), _base(), ident, run_id)
    except CityrefError:
        pass
    if found is None or not found.report_file:
        raise ApiError(
            404,
            Bilingual(
                f"適合記録 {ident}/{run_id} の検証結果はありません",
                f"conformance record {ident}/{run_id} has no stored report",
            ),
        )
    return send_file(
        (_root() / found.report_file).resolve(),
        mimetype="application/ld+json",
        as_attachment=True,
        download_name=f"{ident}-{run_id}-report.jsonld",
    )


# -- proposals and their review --------------------------------------------------------------
def reviewer() -> TokenRecord | None:
    """The write token the visitor holds (bearer header, else the reviewer cookie), if any."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    token = token or request.cookies.get(REVIEWER_COOKIE, "")
    if not token:
        return None
    return check_token(query_service().settings.tokens_file, token, "write")


@bp.route("/registry/proposals/<ident>")
def proposal_page(ident: str) -> Response:
    """A proposal: its state, author, change in words and as a patch, its reviews; the review
    form for a visitor holding a write token, else how reviewing works."""
    try:
        proposal = props.read_proposal(_root(), ident)
    except CityrefError as exc:
        raise ApiError.from_error(404, exc) from None
    additions, deletions = proposal.changeset.to_trig()
    csrf = form_token()
    page = render_template(
        "proposal.html",
        proposal=proposal,
        additions=additions,
        deletions=deletions,
        lines=data.change_lines(proposal),
        reviewer=reviewer(),
        csrf=csrf,
    )
    return page_with_token(page, csrf)


@bp.route("/registry/proposals/<ident>/review", methods=["POST"])
def review(ident: str) -> Response:
    """The review form's POST: approve, request changes or reject, with a comment."""
    require_form_token()
    holder = reviewer()
    if holder is None:
        raise ApiError(
            403, Bilingual("書き込み権限のあるトークンが必要です", "a write token is needed")
        )
    decision = request.form.get("decision", "")
    comment = request.form.get("comment", "").strip()
    root = _root()
    try:
        if decision == "accept":
            props.accept_proposal(root, _base(), ident, holder.name, comment)
        elif decision == "request-changes":
            props.request_changes(root, ident, holder.name, comment)
        elif decision == "reject":
            props.reject_proposal(root, ident, holder.name, comment)
        else:
            raise ApiError(
                400,
                Bilingual(
                    "判断を選んでください（採択・修正を依頼・却下）",
                    f"choose a decision: {', '.join(REVIEW_DECISIONS)}",
                ),
            )
    except CityrefError as exc:
        raise ApiError.from_error(400, exc) from None
    return redirect(f"/registry/proposals/{ident}", code=303)  # type: ignore[return-value]


@bp.route("/registry/reviewer", methods=["POST"])
def sign_in() -> Response:
    """Keep a write token in an HttpOnly cookie, so that proposal pages offer the review."""
    require_form_token()
    token = request.form.get("token", "").strip()
    if check_token(query_service().settings.tokens_file, token, "write") is None:
        raise ApiError(
            403,
            Bilingual(
                "トークンが無効か、書き込み権限がありません",
                "the token is unknown, revoked, or lacks the 'write' scope",
            ),
        )
    response = redirect(_back(), code=303)
    response.set_cookie(
        REVIEWER_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/registry/",
    )
    return response  # type: ignore[return-value]


@bp.route("/registry/reviewer/sign-out", methods=["POST"])
def sign_out() -> Response:
    require_form_token()
    response = redirect(_back(), code=303)
    response.delete_cookie(REVIEWER_COOKIE, path="/registry/")
    return response  # type: ignore[return-value]


def _back() -> str:
    """Where a sign-in form returns: a proposal page of this site, else the proposals list."""
    back = request.form.get("next", "")
    if back.startswith("/registry/proposals/") and "//" not in back and "\\" not in back:
        return back
    return "/registry/proposals"
