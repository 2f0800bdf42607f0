"""Businesses and their licenses: search, the business page, opening a licensing case."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("businesses", __name__, url_prefix="/businesses")
formatting.attach(bp)

from webapp.businesses import routes  # noqa: E402,F401  (registers the views on bp)
from webapp.businesses import intake  # noqa: E402,F401  (the application form and the certificate check)
