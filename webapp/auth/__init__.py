"""Signing in and out, and who may open which page (deny by default)."""
from flask import Blueprint

from webapp.auth.access import ADMINS, STAFF, SUPERVISORS, duty_required, may_open, public, role_required

bp = Blueprint("auth", __name__)

from webapp.auth import routes  # noqa: E402,F401  (registers the views on bp)

__all__ = ["ADMINS", "STAFF", "SUPERVISORS", "bp", "duty_required", "may_open", "public", "role_required"]
