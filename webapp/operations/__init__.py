"""Endpoints for the machines that run Ordinance: readiness (`/ready`) and Prometheus metrics (`/metrics`).

`/health` (webapp/main) says the process answers and reaches its database; a load balancer
sends traffic only to a machine whose `/ready` answers 200. Both are open without signing in
and say nothing about the city's data. `/metrics` answers on loopback, or to a caller with
the bearer token in ORDINANCE_METRICS_TOKEN.
"""
from flask import Blueprint

bp = Blueprint("operations", __name__)

from webapp.operations import routes  # noqa: E402,F401  (registers the routes)
