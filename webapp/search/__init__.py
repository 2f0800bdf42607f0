"""Find anyone: one search box on every staff page, one page of ranked results."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("search", __name__, url_prefix="/search")
formatting.attach(bp)

from webapp.search import routes  # noqa: E402,F401  (registers the views on bp)
