"""Meter reads before billing as staff review them: the exceptions, the decisions, the reread list for the field."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("reads", __name__, url_prefix="/reads")
formatting.attach(bp)

from webapp.reads import routes  # noqa: E402,F401  (registers the views on bp)
