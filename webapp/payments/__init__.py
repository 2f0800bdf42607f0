"""Counter payments, the cash drawer (open, count, balance, close the day), and payment files from the bank."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("payments", __name__, url_prefix="/payments")
formatting.attach(bp)

from webapp.payments import files, routes  # noqa: E402,F401  (registers the views on bp)
