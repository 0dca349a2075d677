"""The JSON-LD @context of each profile, and of the whole vocabulary, at stable URLs.

``/shapes/<profile>/context.jsonld`` and ``/def/context.jsonld``; generated from the model,
cached for a day (they change only with a release).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response

from app.errors import ApiError
from app.query_service import query_service
from cityref.profiles import ProfileNotFound, load_profile
from cityref.profiles.contexts import profile_context, vocabulary_context
from cityref.text import Bilingual

bp = Blueprint("contexts", __name__)
MEDIA_TYPE = "application/ld+json"


def _answer(document: dict[str, object]) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(body, content_type=f"{MEDIA_TYPE}; charset=utf-8")  # cached: app.http_cache


@bp.route("/shapes/<profile_id>/context.jsonld")
def profile_context_document(profile_id: str) -> Response:
    service = query_service()
    try:
        profile = load_profile(profile_id, service.model)
    except ProfileNotFound:
        raise ApiError(
            404,
            Bilingual(f"プロファイル {profile_id!r} はありません", f"no profile {profile_id!r}"),
        ) from None
    return _answer(service.memo(f"context {profile_id}", lambda: profile_context(profile)))


@bp.route("/def/context.jsonld")
def vocabulary_context_document() -> Response:
    service = query_service()
    model = service.model
    return _answer(service.memo("context vocabulary", lambda: vocabulary_context(model)))
