"""The registry over HTTP: releases and diffs, proposals, systems and their records.

Pages for people under ``/registry/…``; JSON for machines under ``/api/registry/…``. Reading
is open; creating proposals, systems and records needs a bearer token with the ``write``
scope. The records themselves are Turtle files of the sources (see :mod:`cityref.registry`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, redirect, render_template, request, url_for

from app import write_schemas
from app.auth import require_scope
from app.csrf import form_token, page_with_token, require_form_token
from app.errors import ApiError
from app.i18n import api_language
from app.json_body import read_json_body
from app.query_service import query_service
from cityref.errors import CityrefError
from cityref.pages.registry_pages import system_pages
from cityref.profiles import list_profiles
from cityref.registry import proposals as props
from cityref.registry import records as recs
from cityref.registry.changeset import Changeset
from cityref.registry.diff import Change, semantic_diff
from cityref.registry.durable import RegistryBusy
from cityref.registry.releases import WORKING, list_releases, tree
from cityref.services.tokens import check_token
from cityref.text import Bilingual

bp = Blueprint("registry", __name__)


def _root() -> Path:
    return query_service().model.root


def _base() -> str:
    return query_service().model.base_iri


def _json(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False, default=str)
    return Response(body, status=status, mimetype="application/json")


def _registry_error(exc: CityrefError, status: int = 400) -> ApiError:
    if isinstance(exc, RegistryBusy):  # the shared lock, not the request: try again
        return ApiError(503, exc.text, headers={"Retry-After": "5"})
    return ApiError.from_error(status, exc)


def semantic_changes(old: str, new: str) -> list[Change]:
    """The changes from release ``old`` to ``new`` (or ``working``); 404 for an unknown one."""
    if old == new and old == WORKING:
        return []  # nothing released yet: the working tree against itself
    try:
        return query_service().memo(
            f"diff {old} {new}",
            lambda: semantic_diff(tree(_root(), old), tree(_root(), new), _base()),
        )
    except CityrefError as exc:
        raise _registry_error(exc, 404) from None


def _releases() -> list[dict[str, str]]:
    model = query_service().model  # a release's record is written under the default base
    return [
        {"version": r.version, "iri": model.rebase_iri(r.iri), "issued": r.issued}
        for r in list_releases(_root())
    ]


# -- pages -----------------------------------------------------------------------------------
@bp.route("/registry/releases")
def releases_page() -> str:
    return render_template("releases.html", releases=_releases(), working=WORKING)


@bp.route("/registry/diff")
def diff_page() -> str:
    versions = [r["version"] for r in _releases()]
    old = request.args.get("old") or (versions[-1] if versions else WORKING)
    new = request.args.get("new") or WORKING
    changes = semantic_changes(old, new)
    return render_template(
        "diff.html", old=old, new=new, changes=changes, versions=[*versions, WORKING]
    )


@bp.route("/registry/proposals")
def proposals_page() -> Response:
    token = form_token()
    page = render_template(
        "proposals.html", proposals=props.list_proposals(_root()), kinds=props.KINDS, csrf=token
    )
    return page_with_token(page, token)


@bp.route("/registry/proposals", methods=["POST"])
def submit_proposal() -> Response:
    """The form for token holders: the token is typed in, checked like the API's."""
    require_form_token()
    settings = query_service().settings
    if check_token(settings.tokens_file, request.form.get("token", ""), "write") is None:
        raise ApiError(
            403, Bilingual("書き込み権限のあるトークンが必要です", "a write token is needed")
        )
    form = request.form
    try:
        proposal = props.create_proposal(
            _root(),
            _base(),
            kind=form.get("kind", ""),
            proposer=form.get("proposer", ""),
            changeset=Changeset.from_trig(
                form.get("additions", "").encode(), form.get("deletions", "").encode()
            ),
            rationale={"ja": form.get("rationale_ja", ""), "en": form.get("rationale_en", "")},
            evidence=[line for line in form.get("evidence", "").splitlines() if line.strip()],
            targets=[line for line in form.get("targets", "").split() if line] or None,
        )
    except CityrefError as exc:
        raise _registry_error(exc) from None
    return redirect(url_for("registry_pages.proposal_page", ident=proposal.id), code=303)  # type: ignore[return-value]


@bp.route("/registry/systems")
def systems_page() -> str:
    return render_template("systems.html", systems=system_pages(_root(), _base()))


def _model_words(record: recs.ConformanceRecord) -> str:
    """Which Reference Model release the badge's verdict is against (records written before
    releases were named say nothing)."""
    if not record.model_release:
        return ""
    if record.model_release == "working":
        return " · model: working tree"
    return f" · model {record.model_release}"


@bp.route("/registry/systems/<ident>/badge.svg")
def badge(ident: str) -> Response:
    """An SVG badge with the system's latest verdict per claimed profile, at a stable URL."""
    try:
        recs.check_id(ident)
    except CityrefError as exc:
        raise _registry_error(exc, 404) from None
    records = recs.list_records(_root(), ident)
    latest = records[-1] if records else None
    if latest is None:
        label, colour = "no record", "#6b6b6b"
    elif latest.verdict == "pass":
        # Warnings alone do not fail, and the badge says they are there.
        warned = " (warnings)" if latest.warnings else ""
        label, colour = f"{latest.profile} pass{warned}{_model_words(latest)}", "#1d6b2a"
    else:
        label, colour = f"{latest.profile} fail{_model_words(latest)}", "#a00000"
    width = 70 + 7 * len(label)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="cityref: {escape(label)}"><title>cityref: {escape(label)}</title>'
        f'<rect width="64" height="20" fill="#333"/>'
        f'<rect x="64" width="{width - 64}" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="Verdana,sans-serif" font-size="11">'
        '<text x="8" y="14">cityref</text>'
        f'<text x="70" y="14">{escape(label)}</text></g></svg>'
    )
    response = Response(svg, mimetype="image/svg+xml")
    # Embedded in other sites' pages: anyone may keep it 5 minutes, then ask if it changed
    # (the records change with writes, not builds: the tag is of the badge's own bytes).
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    response.make_conditional(request)  # a 304 when the tag matches (in place)
    return response


# -- read API --------------------------------------------------------------------------------
@bp.route("/api/registry/standards")
def api_standards() -> Response:
    rows = query_service().page("standards")
    return _json(
        [
            {
                "iri": s.iri,
                "title": {"ja": s.title.ja, "en": s.title.en},
                "publisher": {"ja": s.publisher.ja, "en": s.publisher.en},
                "status": {"ja": s.status.ja, "en": s.status.en},
                "version": s.version,
                "homepage": s.homepage,
                "domains": s.domains,
            }
            for s in rows
        ]
    )


@bp.route("/api/registry/profiles")
def api_profiles() -> Response:
    return _json(
        [
            {
                "id": p.id,
                "iri": p.iri,
                "version": p.version,
                "title": p.title,
                "status": p.status,
                "domains": list(p.domains),
                "standards": list(p.standards),
            }
            for p in list_profiles(query_service().model)
        ]
    )


@bp.route("/api/registry/releases")
def api_releases() -> Response:
    return _json(_releases())


@bp.route("/api/registry/diff")
def api_diff() -> Response:
    old, new = request.args.get("old"), request.args.get("new", WORKING)
    if not old:
        raise ApiError(
            400, Bilingual("?old= に版を指定してください", "give ?old=VERSION (and ?new=)")
        )
    return _json([c.as_dict(api_language()) for c in semantic_changes(old, new)])


@bp.route("/api/registry/proposals")
def api_proposals() -> Response:
    status = request.args.get("status")
    return _json([p.as_dict() for p in props.list_proposals(_root(), status)])


@bp.route("/api/registry/proposals/<ident>")
def api_proposal(ident: str) -> Response:
    try:
        return _json(props.read_proposal(_root(), ident).as_dict())
    except CityrefError as exc:
        raise _registry_error(exc, 404) from None


@bp.route("/api/registry/systems")
def api_systems() -> Response:
    return _json(recs.list_systems(_root()))


@bp.route("/api/registry/records")
def api_records() -> Response:
    system = request.args.get("system")
    return _json([r.as_dict() for r in recs.list_records(_root(), system)])


# -- write API (token with the write scope) ---------------------------------------------------
# Each body is checked against its schema in app.write_schemas (the one the OpenAPI document
# publishes) before a registry function sees it, so a wrong type is a 400 naming the field.
@bp.route("/api/registry/proposals", methods=["POST"])
@require_scope("write")
def api_propose() -> Response:
    """Create a proposal: kind, proposer, rationale {ja, en}, evidence [], targets [],
    additions and deletions as TriG text."""
    body = read_json_body(write_schemas.PROPOSAL, write_schemas.MAX_WRITE_BODY_BYTES)
    try:
        changeset = Changeset.from_trig(
            body.get("additions", "").encode(), body.get("deletions", "").encode()
        )
        proposal = props.create_proposal(
            _root(),
            _base(),
            kind=body["kind"],
            proposer=body["proposer"],
            changeset=changeset,
            rationale=body["rationale"],
            evidence=body.get("evidence", []),
            targets=body.get("targets") or None,
        )
    except CityrefError as exc:
        raise _registry_error(exc) from None
    return _json(proposal.as_dict(), 201)


@bp.route("/api/registry/systems", methods=["POST"])
@require_scope("write")
def api_register_system() -> Response:
    """Register a system: id, vendor, product, version, domains [], claims [id@version]."""
    body = read_json_body(write_schemas.SYSTEM, write_schemas.MAX_WRITE_BODY_BYTES)
    try:
        recs.register_system(
            _root(),
            _base(),
            body["id"],
            vendor=body["vendor"],
            product=body["product"],
            version=body["version"],
            domains=body.get("domains", []),
            claims=body.get("claims", []),
        )
    except CityrefError as exc:
        raise _registry_error(exc) from None
    created = [s for s in recs.list_systems(_root()) if s["id"] == body["id"]]
    return _json(created[0] if created else {"id": body["id"]}, 201)
