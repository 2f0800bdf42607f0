"""`ordinance demo` from the command line: loads once, prints the logins, and the logins sign in."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from samplecity.city import DEMO_LOGINS
from engine import roles
from engine.store.db import make_engine
from engine.store.models import Bill, User, UtilityAccount
from engine.users import authenticate
from tests.conftest import REPO
from webapp.cli import main

ARGS = ["demo", "--accounts", "30", "--licenses", "5", "--as-of", "2026-11-24", "--rules-dir", str(REPO / "rules"),
        "--workflows-dir", str(REPO / "workflows")]


def run(url: str, *extra: str):
    """`ordinance demo` against the database at `url`."""
    return CliRunner().invoke(main, ARGS + list(extra), env={"DATABASE_URL": url}, catch_exceptions=False)


def counts(url: str) -> tuple[int, int]:
    """(accounts, bills) in the database."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return (session.scalar(select(func.count()).select_from(UtilityAccount)),
                    session.scalar(select(func.count()).select_from(Bill)))
    finally:
        engine.dispose()


def test_demo_loads_the_city_and_prints_the_logins(committing_url: str) -> None:
    result = run(committing_url)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000" in result.output
    for login in DEMO_LOGINS:
        assert login.username in result.output and login.password in result.output
    assert counts(committing_url) == (30, 360)


def test_if_new_leaves_a_loaded_city_alone_but_still_prints_the_logins(committing_url: str) -> None:
    assert run(committing_url).exit_code == 0
    result = run(committing_url, "--if-new", "--seed", "5")
    assert result.exit_code == 0
    assert "nothing loaded" in result.output and "clerk-demo-2026" in result.output
    assert counts(committing_url) == (30, 360)


def test_loading_twice_without_if_new_is_refused(committing_url: str) -> None:
    assert run(committing_url).exit_code == 0
    result = CliRunner().invoke(main, ARGS, env={"DATABASE_URL": committing_url})
    assert result.exit_code == 1
    assert "already holds a city" in result.output
    assert counts(committing_url) == (30, 360)


def test_if_new_on_an_empty_database_migrates_and_loads(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run(url, "--if-new")
    assert result.exit_code == 0, result.output
    assert counts(url) == (30, 360)


def test_the_demo_logins_sign_in_with_their_roles(committing_url: str) -> None:
    """Each login signs in with its page role and holds its approval roles (the refunds' three approvers)."""
    assert run(committing_url).exit_code == 0
    engine = make_engine(committing_url)
    try:
        with Session(engine) as session:
            for login in DEMO_LOGINS:
                signed_in = authenticate(session, login.username, login.password,
                                         datetime(2026, 11, 24, 18, tzinfo=timezone.utc))
                assert signed_in.ok and signed_in.user.role == login.role
                assert roles.grants_of(session, login.username) == frozenset(login.grants)
            user = session.scalars(select(User).where(User.username == "clerk")).one()
            assert not authenticate(session, "clerk", "not-the-password",
                                    datetime(2026, 11, 24, 18, tzinfo=timezone.utc)).ok
            assert user.active
    finally:
        engine.dispose()


def test_without_as_of_the_bills_run_to_last_month_in_alder_creek(committing_url: str) -> None:
    args = [a for a in ARGS if a not in ("--as-of", "2026-11-24")]
    today = datetime.now(ZoneInfo("America/Los_Angeles")).date()
    result = CliRunner().invoke(main, args, env={"DATABASE_URL": committing_url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    engine = make_engine(committing_url)
    try:
        with Session(engine) as session:
            last = session.scalar(select(func.max(Bill.period)))
    finally:
        engine.dispose()
    previous = today.replace(day=1) - timedelta(days=1)
    assert last == f"{previous.year}-{previous.month:02d}"
