"""The city's workflow definitions in the rule store: draft a version, preview it on open cases, publish it."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("workflows", __name__, url_prefix="/workflows")
formatting.attach(bp)

from webapp.workflows import routes  # noqa: E402,F401  (registers the views on bp)
