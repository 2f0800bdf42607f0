"""Utility accounts: search, and the account page a clerk answers the phone with."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
formatting.attach(bp)

from webapp.accounts import routes  # noqa: E402,F401  (registers the views on bp)
from webapp.accounts import record_routes  # noqa: E402,F401  (the customer record and notes)
from webapp.accounts import adjusting  # noqa: E402,F401  (adjust balance and rebill)
