"""Who may call which endpoint: a live bearer token granted the scope the endpoint declares.

    @bp.get("/accounts/<number>")
    @scope_required("accounts:read")
    def account(number): ...

The staff sign-in does not apply here (the views are marked public to it); this gate runs
before every view of the blueprint instead and refuses, in JSON, a call without a token
(401), with an unknown or revoked one (401), or whose token lacks the scope (403). A view
that declares no scope is refused to every token: deny by default, as for the web pages.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import Response, current_app, g, request

from engine import api_tokens
from webapp import clock
from webapp.api import bp
from webapp.api.errors import ApiError, api_error
from webapp.auth import public
from webapp.extensions import database

View = TypeVar("View", bound=Callable)
_SCOPE_ATTR = "ordinance_api_scope"
REALM = 'Bearer realm="ordinance"'


def scope_required(scope: str) -> Callable[[View], View]:
    """Declare the token scope a view needs (checked by `check_token` before the view runs)."""
    if scope not in api_tokens.SCOPES:
        raise ValueError(f"scope_required needs one of {api_tokens.SCOPES}, got {scope!r}")

    def declare(view: View) -> View:
        """Mark the view with its scope, and as outside the staff sign-in."""
        setattr(view, _SCOPE_ATTR, scope)
        return public(view)

    return declare


def api_actor(token_name: str) -> str:
    """Who a call with this token is in the audit log (its payments' and e-bills' rows): api: and the token's name."""
    return f"api:{token_name}"


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@bp.before_request
def check_token() -> None:
    """Refuse the call unless a live token granted the view's scope came with it."""
    scope = getattr(current_app.view_functions.get(request.endpoint), _SCOPE_ATTR, None)
    if scope is None:
        raise ApiError(403, "This API endpoint declares no scope, so no token may call it.")
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        raise ApiError(401, "Send an API token in the header `Authorization: Bearer <token>`.",
                       headers={"WWW-Authenticate": REALM})
    row = api_tokens.authenticate(database.session, token, clock.now())
    if row is None:
        raise ApiError(401, "The API token is unknown or has been revoked.",
                       headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    if scope not in row.scopes:
        raise ApiError(403, f"The token {row.name!r} is not granted the scope {scope} this endpoint needs.",
                       headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'})
    database.session.commit()  # last_used_at, kept whatever the call does next
    g.api_caller = row.name


@bp.after_request
def not_cached(response: Response) -> Response:
    """API answers carry people's data and balances: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


bp.register_error_handler(ApiError, api_error)
