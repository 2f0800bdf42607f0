"""Who may open which page: every endpoint declares its roles, or is public; the rest is refused.

    @bp.route("/cases")
    @role_required(*STAFF)
    def cases(): ...

The declaration is a mark on the view function itself (checked by `enforce`, which runs
before every request), so decorator order does not matter. An endpoint with no declaration,
a forgotten decorator, is refused with 403.
"""
from __future__ import annotations

from typing import Callable, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from engine import city
from engine.duties import DUTIES
from engine.store.models import ROLES
from webapp.extensions import database

View = TypeVar("View", bound=Callable)

STAFF = ("clerk", "supervisor", "admin")
SUPERVISORS = ("supervisor", "admin")
ADMINS = ("admin",)
PUBLIC_ENDPOINTS = frozenset({"static"})
_ROLES_ATTR = "ordinance_roles"
_PUBLIC_ATTR = "ordinance_public"
_DUTY_ATTR = "ordinance_duty"


def role_required(*roles: str) -> Callable[[View], View]:
    """Declare the roles that may open a view (checked before the request reaches it)."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"role_required needs roles among {ROLES}, got {roles}")

    def declare(view: View) -> View:
        """Mark the view with its roles."""
        setattr(view, _ROLES_ATTR, frozenset(roles))
        return view

    return declare


def duty_required(duty: str) -> Callable[[View], View]:
    """Declare a view as one of the counter's duties (engine.duties): the city's setting says which page roles
    may open it, checked before the request reaches it (supervisors and administrators by default)."""
    if duty not in DUTIES:
        raise ValueError(f"duty_required needs a duty among {tuple(DUTIES)}, got {duty!r}")

    def declare(view: View) -> View:
        """Mark the view with its duty; any page role may be let in, the city's setting decides."""
        setattr(view, _ROLES_ATTR, frozenset(ROLES))
        setattr(view, _DUTY_ATTR, duty)
        return view

    return declare


def duty_of(endpoint: str) -> str | None:
    """The counter duty an endpoint is, if any."""
    return getattr(current_app.view_functions.get(endpoint), _DUTY_ATTR, None)


def _duty_refusal(endpoint: str) -> str | None:
    """Why the signed-in person may not do the endpoint's duty (None: they may, or it is no duty)."""
    duty = duty_of(endpoint)
    if duty is None:
        return None
    return city.duty_refusal(database.session, role=current_user.role, username=current_user.username, duty=duty)


def public(view: View) -> View:
    """Declare a view open to anyone, signed in or not (login page, health check)."""
    setattr(view, _PUBLIC_ATTR, True)
    return view


def declared_roles(endpoint: str) -> frozenset[str] | None:
    """The roles an endpoint declared; None when it is public or undeclared."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, _ROLES_ATTR, None)


def is_public(endpoint: str) -> bool:
    """True for endpoints anyone may open."""
    view = current_app.view_functions.get(endpoint)
    return endpoint in PUBLIC_ENDPOINTS or bool(getattr(view, _PUBLIC_ATTR, False))


def may_open(endpoint: str) -> bool:
    """True when the endpoint exists and the current user may open it (used for navigation)."""
    if endpoint not in current_app.view_functions:
        return False
    if is_public(endpoint):
        return True
    roles = declared_roles(endpoint)
    return (bool(roles) and current_user.is_authenticated and current_user.role in roles
            and _duty_refusal(endpoint) is None)


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def enforce() -> object | None:
    """Before each request: let public endpoints through, send strangers to sign in, refuse the rest."""
    endpoint = request.endpoint
    if endpoint is None or is_public(endpoint):
        return None  # no such page: Flask answers 404
    roles = declared_roles(endpoint)
    if roles is None:
        current_app.logger.error("refused %s: the endpoint declares no roles", endpoint)
        abort(403)
    if not current_user.is_authenticated:
        flash("Please sign in to open that page.", "error")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role not in roles:
        abort(403)
    refused = _duty_refusal(endpoint)
    if refused:
        flash(f"Not done: {refused}.", "error")
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Run `enforce` before every request, ahead of the app's other hooks."""
    app.before_request_funcs.setdefault(None, []).insert(0, enforce)
