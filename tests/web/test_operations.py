"""What operators see: readiness, Prometheus metrics, a request id on every request and JSON log lines."""
from __future__ import annotations

import json
import logging
from datetime import date

from sqlalchemy import create_engine

from engine.store.models import Job, SweepRun
from engine.store.schema import newest_revision, upgrade
from tests.factories import NOW
from webapp.app import create_app
from webapp.config import TestConfig
from webapp.observability import JsonLines


def test_ready_says_what_it_checked(client):
    answer = client.get("/ready")
    assert answer.status_code == 200
    assert answer.json["status"] == "ready"
    assert answer.json["checks"]["database"] == "answers"
    assert answer.json["checks"]["schema"] == f"migration {newest_revision()}"
    assert answer.json["problems"] == []


def test_a_database_an_older_code_left_is_not_ready(tmp_path):
    """A database at an earlier migration: 503, naming the migration and the command that fixes it."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    upgrade(engine, "0017")
    engine.dispose()
    app = create_app(TestConfig(database_url=url, instance=tmp_path))
    answer = app.test_client().get("/ready")
    assert answer.status_code == 503
    assert answer.json["status"] == "not ready"
    assert answer.json["problems"] == [f"the database is at migration 0017; this code needs {newest_revision()}: "
                                       "run `ordinance db upgrade` (one machine) before sending traffic here"]


def test_metrics_count_requests_and_read_sweeps_and_jobs_from_the_database(client, db):
    db.add(SweepRun(sweep="delinquency", as_of=date(2026, 11, 20), dry_run=False, status="running", started_at=NOW,
                    runner="web1:7", heartbeat_at=NOW, cursor=1500, report={"subjects": 1200}))
    db.add(Job(kind="rule-impact", input={}, status="queued", requested_by="sam", created_at=NOW))
    db.flush()
    client.get("/login")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'ordinance_request_seconds_count{endpoint="auth.login",method="GET",status="200"}' in body
    assert 'ordinance_jobs{status="queued"} 1.0' in body
    assert 'ordinance_sweep_running{sweep="delinquency"} 1.0' in body
    assert 'ordinance_sweep_subjects{sweep="delinquency"} 1200.0' in body
    assert 'ordinance_sweep_cursor{sweep="delinquency"} 1500.0' in body


def test_metrics_answer_another_machine_only_with_the_token(app):
    app.config["METRICS_TOKEN"] = "s3cret-token-for-prometheus"
    remote = app.test_client()
    assert remote.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 403
    assert remote.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.9"},
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert remote.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.9"},
                      headers={"Authorization": "Bearer s3cret-token-for-prometheus"}).status_code == 200


def test_every_answer_carries_a_request_id_kept_from_the_caller_when_it_is_plain(client):
    given = client.get("/login", headers={"X-Request-ID": "lb-2f9c1e77aa"})
    assert given.headers["X-Request-ID"] == "lb-2f9c1e77aa"
    made = client.get("/login", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    assert client.get("/login").headers["X-Request-ID"] != made


def test_an_error_page_shows_the_reference_the_log_line_has(app, client, caplog):
    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    boom.ordinance_public = True
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the traceback
    with caplog.at_level(logging.INFO):
        answer = client.get("/boom-for-test")
    reference = answer.headers["X-Request-ID"]
    assert answer.status_code == 500
    assert f"<code>{reference}</code>" in answer.get_data(as_text=True)
    error = next(r for r in caplog.records if r.name == "ordinance.errors")
    line = json.loads(JsonLines().format(error))
    assert line["request_id"] == reference and "RuntimeError: boom" in line["error"]
    request = next(r for r in caplog.records if r.name == "ordinance.requests")
    assert (request.status, request.path, request.request_id) == (500, "/boom-for-test", reference)


def test_a_json_log_line_has_the_time_in_utc_the_level_and_the_fields():
    record = logging.makeLogRecord({"name": "ordinance.requests", "levelname": "INFO", "msg": "GET %s 200",
                                    "args": ("/accounts",), "created": 1764979200.5, "ms": 12.5,
                                    "request_id": "abc12345"})
    line = json.loads(JsonLines().format(record))
    assert line == {"time": "2025-12-06T00:00:00.500+00:00", "level": "info", "logger": "ordinance.requests",
                    "message": "GET /accounts 200", "request_id": "abc12345", "ms": 12.5}
