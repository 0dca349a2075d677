"""CSRF protection for the HTML forms: a random token in a SameSite cookie and in the form
(double submit). The JSON APIs use bearer tokens instead and need none."""

from __future__ import annotations

import secrets

from flask import Response, request

from app.errors import ApiError
from cityref.text import Bilingual

COOKIE = "cityref_csrf"


def form_token() -> str:
    """The token to put in a form (the visitor's, or a new one)."""
    return request.cookies.get(COOKIE) or secrets.token_urlsafe(24)


def page_with_token(page: str, token: str) -> Response:
    """The page, setting the token cookie the form's POST will be checked against."""
    response = Response(page, mimetype="text/html")
    response.set_cookie(COOKIE, token, samesite="Strict", httponly=True)
    return response


def require_form_token() -> None:
    """403 unless the form carries the token of the visitor's cookie."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or not secrets.compare_digest(cookie, request.form.get("csrf", "")):
        raise ApiError(
            403,
            Bilingual(
                "フォームの有効期限が切れました。ページを開き直してください",
                "the form has expired: open the page again",
            ),
        )
