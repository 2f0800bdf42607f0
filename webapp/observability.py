"""What operators see of a running Ordinance: a request id on every request and log line, logs as JSON lines,
and Prometheus metrics of request times.

Every request gets an id: the caller's `X-Request-ID` when it is a plain token (a load balancer's), else a new
one. It is sent back in the response's `X-Request-ID`, printed on error pages, and added to every log line
written while the request runs, so a clerk's "it said error 5f3a..." finds its lines in the logs of whichever
web machine served it.

`configure_logging("json")` makes every log record one JSON object per line on stderr (time in UTC, level,
logger, message, and the request id when there is one); `ordinance serve`, `ordinance scheduler` and
`ordinance sweep worker` call it (ORDINANCE_LOG_FORMAT=text for a person reading a terminal).

Request times go to the histogram `ordinance_request_seconds{endpoint, method, status}`. Under gunicorn each
worker is a process of its own: `ordinance serve` sets PROMETHEUS_MULTIPROC_DIR (prometheus_client's way of
adding up several processes) before any worker starts, and the metrics are created on a worker's first
request, after the fork, never at import.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger("ordinance.requests")


def request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record written while a request is served (None otherwise)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record; only adds the id."""
        record.request_id = getattr(record, "request_id", None) or request_id()
        return True


@lru_cache(maxsize=1)
def stamp_records() -> None:
    """Every log record made from now on carries the id of the request it was written in (once per process)."""
    make = logging.getLogRecordFactory()

    def with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        """The usual record, with `request_id`."""
        record = make(*args, **kwargs)
        record.request_id = request_id()
        return record

    logging.setLogRecordFactory(with_request_id)


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO), level, logger, message, request id and any extra fields."""

    PLAIN = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        """The record as a line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if getattr(record, "request_id", None):
            line["request_id"] = record.request_id
        line.update({k: v for k, v in vars(record).items() if k not in self.PLAIN and not k.startswith("_")})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(style: str | None = None, level: int = logging.INFO) -> None:
    """Log to stderr as JSON lines (`json`) or plain text (`text`); ORDINANCE_LOG_FORMAT when `style` is None."""
    style = (style or os.environ.get("ORDINANCE_LOG_FORMAT") or "json").lower()
    if style not in ("json", "text"):
        raise ValueError(f"ORDINANCE_LOG_FORMAT={style!r}: use json or text")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonLines() if style == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


@lru_cache(maxsize=1)
def request_seconds():
    """The request-time histogram, made once per process on first use (after gunicorn's fork)."""
    from prometheus_client import Histogram

    return Histogram("ordinance_request_seconds", "Time to answer a request, by endpoint, method and status",
                     ["endpoint", "method", "status"],
                     buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def _begin() -> None:
    """Give the request its id and note when it started."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _end(response: Response) -> Response:
    """Send the id back, time the request, and write its log line."""
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "unknown"
    request_seconds().labels(endpoint, request.method, str(response.status_code)).observe(seconds)
    if endpoint not in ("main.health", "operations.ready", "operations.metrics", "static"):
        from flask_login import current_user

        log.info("%s %s %s", request.method, request.path, response.status_code,
                 extra={"method": request.method, "path": request.path, "endpoint": endpoint,
                        "status": response.status_code, "ms": round(seconds * 1000, 1),
                        "user": getattr(current_user, "username", None) if current_user else None})
    return response


def init_app(app: Flask) -> None:
    """A request id, a timing and a log line for every request."""
    stamp_records()
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)  # before the access check, which may refuse
    app.after_request(_end)
    app.jinja_env.globals["request_id"] = request_id
