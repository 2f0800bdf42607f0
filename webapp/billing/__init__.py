"""The Billing page: a cycle's month before the run, the run as a background job, its register, the bills printed."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("billing", __name__, url_prefix="/billing")
formatting.attach(bp)

from webapp.billing import routes  # noqa: E402,F401  (registers the views on bp)
