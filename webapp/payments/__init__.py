"""Counter payments and the cash drawer: post a payment, open, count and balance a drawer, close the day."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("payments", __name__, url_prefix="/payments")
formatting.attach(bp)

from webapp.payments import routes  # noqa: E402,F401  (registers the views on bp)
