"""The JSON API under /api/v1 for other systems: the payment portal, the phone notification vendor,
title companies' lien searches.

Callers send `Authorization: Bearer <token>` (tokens: `ordinance tokens add`); each endpoint
declares the one scope it needs with `scope_required`. No cookies and no CSRF tokens: a
signed-in browser session opens nothing here. Every answer, errors included, is JSON.
"""
from flask import Blueprint

from webapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: a forged cross-site request carries no token

from webapp.api import gate, routes  # noqa: E402,F401  (registers the token gate and the views on bp)
from webapp.api.errors import init_app  # noqa: E402

__all__ = ["bp", "init_app"]
