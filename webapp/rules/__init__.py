"""The city's rule documents, read-only for supervisors: versions in force, content, and a trial evaluation."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("rules", __name__, url_prefix="/rules")
formatting.attach(bp)

from webapp.rules import routes  # noqa: E402,F401  (registers the views on bp)
from webapp.rules import drafts  # noqa: E402,F401  (the draft, impact and publish views)
from webapp.rules import editor  # noqa: E402,F401  (the form editor)
