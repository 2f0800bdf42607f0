"""The menu: each item is shown only if its page exists and the signed-in person may open it.

Pages not written yet are simply absent from app.view_functions, so they never show. A
page's roles come from its own `role_required`, so the menu can never offer a page that
would then refuse the person.
"""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from engine.city import get_city
from webapp.auth.access import may_open
from webapp.auth.forms import LogoutForm
from webapp.extensions import database

MENU = (
    ("Dashboard", "main.dashboard"),
    ("Accounts", "accounts.index"),
    ("Businesses", "businesses.index"),
    ("Cases", "cases.index"),
    ("Field work", "field.index"),
    ("Workflows", "workflows.index"),
    ("Payments", "payments.index"),
    ("Cash drawer", "payments.drawer"),
    ("Payment files", "payments.files"),
    ("Read review", "reads.review_page"),
    ("Billing", "billing.index"),
    ("Reports", "reports.index"),
    ("Rules", "rules.index"),
    ("Sweeps", "sweeps.index"),
    ("Approvals", "rules.approvals"),
    ("Users", "admin.users_page"),
    ("API tokens", "admin.tokens"),
    ("Roles", "admin.roles_page"),
    ("City settings", "admin.city_settings"),
    ("Assistance programs", "admin.assistance_programs"),
    ("Waiting changes", "admin.changes"),
    ("Downloads taken", "admin.downloads"),
)


def menu() -> list[tuple[str, str]]:
    """The (label, endpoint) items the signed-in person may open."""
    if not current_user.is_authenticated:
        return []
    return [(label, endpoint) for label, endpoint in MENU if may_open(endpoint)]


def _layout() -> dict[str, object]:
    """What base.html needs on every page."""
    return {"menu": menu(), "current_endpoint": request.endpoint,
            "logout_form": LogoutForm() if current_user.is_authenticated else None,
            "city_name": _city_name(), "find_box": current_user.is_authenticated and may_open("search.index")}


def _city_name() -> str:
    """The city's name for the header; the default if the database cannot say (error pages)."""
    try:
        return get_city(database.session).name
    except Exception:  # an error page must render even when the database is the error
        database.rollback()
        return "Ordinance"


def init_app(app: Flask) -> None:
    """Give every template the menu and the layout's values."""
    app.context_processor(_layout)
