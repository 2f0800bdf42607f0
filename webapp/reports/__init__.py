"""Money reports as pages with a CSV download: aging, billing register, rate summary, receipts, trial balance."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("reports", __name__, url_prefix="/reports")
formatting.attach(bp)

from webapp.reports import routes  # noqa: E402,F401  (registers the views on bp)
