"""`ordinance serve`: gunicorn by default, Flask's development server with --debug, one scheduler, the cookie rule."""
from __future__ import annotations

import http.client
import re
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import AuditEntry, SweepRun
from engine.store.schema import is_new
from tests.web.served import Served, running, start_serve
from webapp.app import create_app
from webapp.cli import serve
from webapp.config import Config, ConfigError, cookie_rule

SECURE = "cookies are Secure: serve behind https"
LOOPBACK = "cookies not Secure: plain http on loopback"
TRUSTED = "cookies not Secure: plain http on a trusted network (ORDINANCE_PLAIN_HTTP=trusted)"


@pytest.fixture()
def no_plain_http(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """ORDINANCE_PLAIN_HTTP unset, whatever the shell running the tests has."""
    monkeypatch.delenv("ORDINANCE_PLAIN_HTTP", raising=False)
    return monkeypatch


@pytest.mark.parametrize(("host", "plain_http", "secure", "reason"), [
    (None, "", True, SECURE),                 # a WSGI server started by hand on webapp.app:create_app()
    ("0.0.0.0", "", True, SECURE),
    ("10.20.0.5", "", True, SECURE),
    ("127.0.0.1", "", False, LOOPBACK),
    ("localhost", "", False, LOOPBACK),
    ("::1", "", False, LOOPBACK),
    ("127.0.1.1", "", False, LOOPBACK),       # Debian's name for the machine itself
    ("0.0.0.0", "trusted", False, TRUSTED),
    (None, "trusted", False, TRUSTED),
    ("127.0.0.1", "trusted", False, LOOPBACK),
])
def test_cookies_are_secure_unless_on_loopback_or_a_trusted_plain_http_network(no_plain_http, host, plain_http,
                                                                               secure, reason):
    no_plain_http.setenv("ORDINANCE_PLAIN_HTTP", plain_http)
    rule = cookie_rule(host)
    assert (rule.secure, rule.reason) == (secure, reason)


@pytest.mark.parametrize("value", ["yes", "TRUSTED", "1", "true"])
def test_any_other_plain_http_value_is_refused_naming_the_accepted_one(no_plain_http, value):
    no_plain_http.setenv("ORDINANCE_PLAIN_HTTP", value)
    with pytest.raises(ConfigError, match=f"ORDINANCE_PLAIN_HTTP='{value}' is not understood: the only accepted "
                                          "value is `trusted`"):
        cookie_rule("127.0.0.1")


@pytest.mark.parametrize(("host", "plain_http", "secure"), [
    ("0.0.0.0", "", True), ("127.0.0.1", "", False), ("0.0.0.0", "trusted", False)])
def test_the_session_cookie_carries_the_rule(no_plain_http, committing_url, tmp_path, host, plain_http, secure):
    """What the browser gets from the sign-in page: Set-Cookie with Secure only when the rule says so."""
    no_plain_http.setenv("ORDINANCE_PLAIN_HTTP", plain_http)
    no_plain_http.setenv("SECRET_KEY", "x")
    app = create_app(Config(database_url=committing_url, instance=tmp_path, host=host))
    assert (app.config["SESSION_COOKIE_SECURE"], app.config["REMEMBER_COOKIE_SECURE"]) == (secure, secure)
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert cookie.startswith("ordinance_session=") and ("; Secure" in cookie) is secure


def test_the_default_workers_suit_the_database():
    """Two on SQLite whatever the cores (one writer at a time); one per core on PostgreSQL, from 2 to 4."""
    assert [serve.default_workers("sqlite", cores) for cores in (1, 2, 16)] == [2, 2, 2]
    assert [serve.default_workers("postgresql", cores) for cores in (1, 2, 3, 16)] == [2, 2, 3, 4]


@pytest.fixture()
def gunicorn_runs(monkeypatch: pytest.MonkeyPatch) -> list:
    """Each GunicornServer that `serve` would run, not run: the list of them."""
    servers: list = []
    monkeypatch.setattr(serve.GunicornServer, "run", lambda server: servers.append(server))
    return servers


@pytest.mark.parametrize(("host", "plain_http", "says"), [
    ("127.0.0.1", "", LOOPBACK), ("0.0.0.0", "", SECURE), ("0.0.0.0", "trusted", TRUSTED)])
def test_serve_says_which_cookie_rule_applies(cli, gunicorn_runs, tmp_path, host, plain_http, says):
    result = cli("serve", "--host", host, "--no-scheduler", env_overrides={"ORDINANCE_PLAIN_HTTP": plain_http})
    assert result.exit_code == 0, result.output
    assert f"Sign-in {says}." in result.output
    assert gunicorn_runs[0].ordinance_config.SESSION_COOKIE_SECURE is (says == SECURE)


def test_serve_refuses_an_unknown_plain_http_value(cli, gunicorn_runs):
    result = cli("serve", env_overrides={"ORDINANCE_PLAIN_HTTP": "on"})
    assert result.exit_code == 2 and not gunicorn_runs
    assert "Error: ORDINANCE_PLAIN_HTTP='on' is not understood: the only accepted value is `trusted`" in result.stderr


def test_serve_migrates_a_new_database_then_runs_gunicorn_with_gthread_workers(cli, gunicorn_runs, tmp_path):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    result = cli("serve", "--port", "5099", "--no-scheduler", env_overrides={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Created a new, empty database" in result.output
    assert "with gunicorn: 2 worker process(es) x 8 threads" in result.output
    assert not is_new(make_engine(url))
    cfg = gunicorn_runs[0].cfg
    assert (cfg.bind, cfg.workers, cfg.threads, cfg.worker_class_str) == (["127.0.0.1:5099"], 2, 8, "gthread")
    assert cfg.accesslog is None and cfg.graceful_timeout == 30 and cfg.keepalive == serve.KEEP_ALIVE_SECONDS
    assert cfg.post_worker_init is serve.worker_ready
    assert cfg.when_ready.__name__ == "when_ready" and not hasattr(cfg.when_ready, "__self__")  # gunicorn's no-op
    app = gunicorn_runs[0].load()
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.config["DATABASE_URL"] == url
    # Each worker is ready before its first clerk: the catalog built, every page template compiled.
    assert "ordinance.catalog" in app.extensions
    compiled = {template.name for template in app.jinja_env.cache.values()}
    assert {"base.html", "accounts/show.html", "main/dashboard.html"} <= compiled
    assert not any(name.startswith("notices/") for name in compiled)


def test_serve_takes_workers_threads_an_ipv6_loopback_and_the_access_log(cli, gunicorn_runs):
    result = cli("serve", "--host", "::1", "--workers", "3", "--threads", "4", "--access-log")
    assert result.exit_code == 0, result.output
    cfg = gunicorn_runs[0].cfg
    assert (cfg.bind, cfg.workers, cfg.threads, cfg.accesslog) == (["[::1]:5000"], 3, 4, "/dev/stderr")
    assert cfg.when_ready.__self__.schedule == serve.SCHEDULE  # the scheduler starts once gunicorn listens


def test_serve_debug_runs_flasks_development_server_on_loopback_only(cli, gunicorn_runs, monkeypatch):
    started = {}
    monkeypatch.setattr("flask.Flask.run", lambda app, **options: started.update(options, app=app))
    monkeypatch.setattr("signal.signal", lambda *args: None)  # the test's own SIGTERM stays as it is
    result = cli("serve", "--debug", "--port", "5098", "--no-scheduler")
    assert result.exit_code == 0, result.output
    assert "Flask's development server, debug on" in result.output and not gunicorn_runs
    assert (started["host"], started["port"], started["debug"], started["use_reloader"]) == \
        ("127.0.0.1", 5098, True, False)

    refused = cli("serve", "--debug", "--host", "0.0.0.0")
    assert refused.exit_code == 2 and "on loopback only, not on 0.0.0.0" in refused.stderr


def test_a_mistake_in_the_schedule_stops_serve_with_its_line(cli, gunicorn_runs, tmp_path):
    bad = tmp_path / "schedule.yaml"
    bad.write_text("timezone: America/Los_Angeles\nsweeps:\n  - {sweep: parking, days: daily, at: '01:00'}\n")
    result = cli("serve", "--schedule", str(bad))
    assert result.exit_code == 2 and not gunicorn_runs
    assert f"{bad}:3: sweeps[0].sweep: no sweep named 'parking'" in result.stderr


def test_a_schedule_in_another_time_zone_than_the_citys_stops_serve_before_it_listens(cli, gunicorn_runs,
                                                                                     committing_db, tmp_path):
    """The scheduler beside the server would refuse the schedule and stop, leaving the nights unswept behind a
    server that runs: serve refuses it first, naming both zones; with the schedule in the city's zone it serves."""
    from tests.factories import save_city

    with committing_db() as session, session.begin():
        save_city(session).timezone = "Pacific/Honolulu"
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text("timezone: America/Los_Angeles\nsweeps:\n  - {sweep: delinquency, days: daily, at: '00:30'}\n")
    result = cli("serve", "--schedule", str(schedule))
    assert result.exit_code == 2 and not gunicorn_runs
    assert (f"cannot use the schedule: {schedule}: its timezone America/Los_Angeles is not the city's time zone, "
            "Pacific/Honolulu") in result.stderr
    schedule.write_text("timezone: Pacific/Honolulu\nsweeps:\n  - {sweep: delinquency, days: daily, at: '00:30'}\n")
    result = cli("serve", "--schedule", str(schedule))
    assert result.exit_code == 0 and len(gunicorn_runs) == 1, result.output


def settled(served: Served, sessions: sessionmaker[Session]) -> list[SweepRun]:
    """The run rows once both sweeps are done and the four workers are up (or what there is after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        with sessions() as session:
            runs = list(session.scalars(select(SweepRun).order_by(SweepRun.sweep)))
        up = served.output().count("Booting worker") == 4
        if (len(runs) == 2 and all(run.status == "done" for run in runs) and up) or time.monotonic() > deadline:
            return runs
        time.sleep(0.2)


def test_four_workers_one_scheduler_each_nights_sweep_once_then_a_clean_stop(tmp_path: Path):
    """The real server: gunicorn with 4 workers, the scheduler one child process that runs the due night once."""
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text("timezone: America/Los_Angeles\ncatch_up_days: 0\nsweeps:\n"
                        "  - {sweep: delinquency, days: daily, at: '00:00'}\n"
                        "  - {sweep: liens, days: daily, at: '00:00'}\n")
    night = datetime.now(ZoneInfo("America/Los_Angeles")).date()
    served = start_serve(tmp_path / "instance", "--workers", "4", "--schedule", str(schedule))
    engine = make_engine(f"sqlite:///{tmp_path / 'instance' / 'ordinance.db'}")
    try:
        with urllib.request.urlopen(served.url + "/login") as page:
            cookie = page.headers["Set-Cookie"]
        kept = kept_open_after_a_pause(served.url)
        runs = settled(served, make_sessionmaker(engine))
        scheduler_pid = int(re.search(r"Scheduler started \(process (\d+)\)", served.output())[1])
        assert served.stop() == 0, served.output()
        with make_sessionmaker(engine)() as session:
            starts = session.scalars(select(AuditEntry.id).where(AuditEntry.action == "sweep.start")).all()
    finally:
        served.stop()
        engine.dispose()
    output = served.output()
    assert "Sign-in cookies not Secure: plain http on loopback." in output
    assert "; Secure" not in cookie and "HttpOnly" in cookie
    assert [(run.sweep, run.status, run.dry_run) for run in runs] == [("delinquency", "done", False),
                                                                      ("liens", "done", False)], output
    assert {run.as_of for run in runs} <= {night, night + timedelta(days=1)}
    assert {run.runner.rsplit(":", 1)[1] for run in runs} == {str(scheduler_pid)}, output  # the child, not a worker
    assert len(starts) == 2  # each sweep started once: no second scheduler joined or found it done
    assert output.count("Scheduler started (process") == 1 and output.count("Scheduler running") == 1
    assert output.count("sweep Delinquency notices and shut-offs (delinquency) for") == 1
    assert output.count("sweep Liens (liens) for") == 1
    assert output.count("Booting worker") == 4 and "Caught up 2 missed run(s)." in output
    assert "Scheduler stopped." in output and "Shutting down: Master" in output
    assert not running(scheduler_pid)
    assert kept  # a clerk's next page, after a pause longer than gunicorn's own 2 s, comes on the same connection


def kept_open_after_a_pause(url: str, pause: float = 2.5) -> bool:
    """Whether a second request, `pause` seconds after the first, is answered on the first one's connection."""
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", "/health")
        connection.getresponse().read()
        first = connection.sock
        time.sleep(pause)
        connection.request("GET", "/health")
        answer = connection.getresponse()
        answer.read()
        return answer.status == 200 and connection.sock is first
    except (ConnectionError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def test_a_ready_worker_leaves_ctrl_c_to_the_arbiter_and_sets_what_it_holds_apart_from_the_collector():
    """Run in a child process: freezing the garbage collector is for good, not for the test's own process."""
    import subprocess
    import sys

    program = ("import gc, signal; from webapp.cli.serve import worker_ready; kept = [object() for _ in range(1000)]; "
               "worker_ready(None); print(gc.get_freeze_count() >= 1000, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.split() == ["True", "True"], done.stderr
