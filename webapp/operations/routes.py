"""`/ready` and `/metrics`: thin views over webapp.operations.readiness and webapp.operations.metrics."""
from __future__ import annotations

import hmac

from flask import Response, abort, current_app, request

from webapp.auth import public
from webapp.config import is_loopback
from webapp.extensions import database
from webapp.operations import bp
from webapp.operations.metrics import exposition
from webapp.operations.readiness import readiness


@bp.route("/ready")
@public
def ready():
    """200 and what was checked when this machine may take requests; 503 and what is wrong when not."""
    report = readiness(database.session)
    return report.to_json(), 200 if report.ready else 503


@bp.route("/metrics")
@public
def metrics():
    """The Prometheus text format: request times, sweep progress, queue depths (loopback or the metrics token)."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    allowed = is_loopback(request.remote_addr) or (token and hmac.compare_digest(given.encode(), token.encode()))
    if not allowed:
        abort(403)
    body, content_type = exposition(database.session)
    return Response(body, content_type=content_type)
