"""The nightly sweeps as a supervisor reviews them: the runs, and each run's report and mailings."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("sweeps", __name__, url_prefix="/sweeps")
formatting.attach(bp)

from webapp.sweeps import routes  # noqa: E402,F401  (registers the views on bp)
