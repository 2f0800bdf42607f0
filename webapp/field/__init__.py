"""Field work: the crews' daily lists by route, the day's door hangers in one PDF, results entered in bulk."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("field", __name__, url_prefix="/field")
formatting.attach(bp)

from webapp.field import routes  # noqa: E402,F401  (registers the views on bp)
