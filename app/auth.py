"""Bearer-token checks for the write surfaces (tokens from ``cityref token create``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request

from app.errors import ApiError
from app.query_service import query_service
from cityref.services.tokens import check_token
from cityref.text import Bilingual

F = TypeVar("F", bound=Callable[..., Any])


def require_scope(scope: str) -> Callable[[F], F]:
    """Refuse the view with 401 without a token, 403 with one that lacks ``scope``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                raise ApiError(
                    401,
                    Bilingual(
                        "ベアラートークンが必要です（Authorization: Bearer …）",
                        "this needs a bearer token (Authorization: Bearer …)",
                    ),
                    headers={"WWW-Authenticate": 'Bearer realm="cityref"'},
                )
            record = check_token(query_service().settings.tokens_file, header[7:].strip(), scope)
            if record is None:
                raise ApiError(
                    403,
                    Bilingual(
                        f"トークンが無効か、'{scope}' の権限がありません",
                        f"the token is unknown, revoked, or lacks the '{scope}' scope",
                    ),
                )
            g.token_name = record.name
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate
