"""Start, stop and transfer of service: guided pages, each a form, a confirmation of every amount, a posting."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("service", __name__, url_prefix="/service")
formatting.attach(bp)

from webapp.service import routes  # noqa: E402,F401  (registers the views on bp)
