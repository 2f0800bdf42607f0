"""Cases: the work queue by workflow and state, and the case page with its steps."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("cases", __name__, url_prefix="/cases")
formatting.attach(bp)

from webapp.cases import routes  # noqa: E402,F401  (registers the views on bp)
