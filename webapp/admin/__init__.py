"""Administration: staff users, approval roles and the city's settings."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from webapp.admin import assistance, downloads, roles, routes, staff  # noqa: E402,F401  (registers the views on bp)
