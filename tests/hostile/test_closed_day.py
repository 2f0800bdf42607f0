"""Closed means closed: after April 30 is closed and exported, every way of posting dated April 30 lands on May 1.

The counter (the web form), the payment portal (the API, and a payment dated a month
earlier), a lockbox file, a returned check and the night's late fees all still post, each
on the next open day with its own date kept; the closed day's GL export (its CSV bytes)
and daily receipts are exactly what they were at the close.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.money import reports
from engine.money.payments import import_payments, parse_payment_file
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import LedgerEntry, Payment
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import run_sweep
from engine.workflow.services import Catalog
from tests.api.conftest import TokenClient, add_token
from tests.sweeps.conftest import build_city
from tests.web.conftest import PASSWORD, create_user
from webapp.app import create_app
from webapp.config import TestConfig
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]
CLOSED, NEXT_OPEN = date(2026, 4, 30), date(2026, 5, 1)
AFTERNOON = datetime(2026, 4, 30, 23, 0, tzinfo=timezone.utc)  # 16:00 in the city: the day is closed already


@pytest.fixture()
def sessions(committing_url: str) -> sessionmaker[Session]:
    """Sessions on a database of the test's own (the sweep and the imports commit)."""
    return make_sessionmaker(make_engine(committing_url))


@pytest.fixture()
def town(sessions) -> dict:
    """Nine accounts billed in April (three still owing), staff, a portal token, checks paid on April 28 and 30."""
    with sessions() as s, s.begin():
        ids = build_city(s, 9)
        staff = {role: create_user(s, role).username for role in ("clerk", "supervisor")}
        token = add_token(s, "payments:write")
    rows, _ = parse_payment_file(["account_number,amount,paid_on,tender,check_number,transaction_id",
                                  "B-000000,20.00,2026-04-28,check,1042,LBX-0428-1",
                                  "B-000003,25.00,2026-04-30,check,1043,LBX-0430-0"], "lockbox")
    assert import_payments(sessions, rows, source="lockbox", file_name="lockbox.csv", now=AFTERNOON).posted == 2
    with sessions() as s:
        check_id = s.scalar(select(Payment.id).where(Payment.check_number == "1042"))
    return {"ids": ids, "token": token, "check_id": check_id, **staff}


@pytest.fixture()
def office(committing_url: str, tmp_path: Path):
    """The web app on the town's database, its clock at four in the afternoon of April 30."""
    return create_app(TestConfig(database_url=committing_url, instance=tmp_path, CLOCK=lambda: AFTERNOON))


def signed_in(office, username: str) -> FlaskClient:
    """A browser signed in as the user."""
    client = office.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_every_way_of_posting_after_the_close_lands_on_the_next_open_day(sessions, town, office):
    supervisor, clerk = signed_in(office, town["supervisor"]), signed_in(office, town["clerk"])
    closed = supervisor.post("/payments/day/close", data={"business_date": CLOSED.isoformat()},
                             follow_redirects=True)
    assert "Business day Apr 30, 2026 closed" in closed.get_data(as_text=True)
    export = supervisor.get(f"/payments/day/gl-export.csv?date={CLOSED}").data
    with sessions() as s:
        receipts = reports.daily_receipts(s, CLOSED)
        last_before = s.scalar(select(LedgerEntry.id).order_by(LedgerEntry.id.desc()).limit(1))
    assert export == (b"date,fund,account,account_name,debit,credit\r\n"
                      b"2026-04-30,510,1010,Cash,25.00,0.00\r\n"
                      b"2026-04-30,510,1210,Accounts receivable - utility customers,0.00,25.00\r\n")

    # The counter: today is closed, so the drawer and the booking are May 1's; the payment is dated April 30.
    opened = clerk.post("/payments/drawer/open", data={"opening": "100.00"}, follow_redirects=True)
    assert "Your drawer is open for May 1, 2026" in opened.get_data(as_text=True)
    counter = clerk.post("/payments/", data={"lines-0-what": "account", "lines-0-number": "B-000002",
                                             "lines-0-amount": "$1,000.00", "tenders-0-tender": "cash",
                                             "tenders-0-amount": "$1,000.00", "key": "after-close"})
    assert counter.status_code == 302
    # The portal: a payment dated April 30, and one dated a month before.
    portal = TokenClient(office.test_client(), town["token"])
    for paid_on, transaction in ((CLOSED, "WEB-0430"), (date(2026, 3, 31), "WEB-0331")):
        answer = portal.post("/api/v1/payments", json={"account_number": "B-000005", "amount": "30.00",
                                                       "paid_on": paid_on.isoformat(), "transaction_id": transaction})
        assert answer.status_code == 201, answer.data
    # A lockbox file of April 30.
    rows, problems = parse_payment_file(["account_number,amount,paid_on,tender,check_number,transaction_id",
                                         "B-000008,40.00,2026-04-30,check,77,LBX-0430-1"], "lockbox")
    assert problems == [] and import_payments(sessions, rows, source="lockbox", file_name="lockbox-0430.csv",
                                              now=AFTERNOON).posted == 1
    # The bank returns April 28's check, recorded on April 30 (reversal and the returned-payment fee).
    returned = supervisor.post(f"/accounts/B-000000/payments/{town['check_id']}/return", data={"reason": "NSF"},
                               follow_redirects=True)
    assert f"Payment {town['check_id']} returned." in returned.get_data(as_text=True)
    # The night's sweep for April 30: late fees on the accounts still owing.
    outcome = run_sweep(sessions, get_sweep("delinquency"), as_of=CLOSED, today=CLOSED, clock=lambda: AFTERNOON,
                        runner="test", services=Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS))
    assert outcome.status == "done" and outcome.report["exceptions"] == []

    assert supervisor.get(f"/payments/day/gl-export.csv?date={CLOSED}").data == export  # byte for byte
    with sessions() as s:
        assert reports.daily_receipts(s, CLOSED) == receipts
        after = s.scalars(select(LedgerEntry).where(LedgerEntry.id > last_before).order_by(LedgerEntry.id)).all()
        assert {(e.kind, e.actor.split(":")[0]) for e in after} >= {
            ("payment", town["clerk"]), ("payment", "import"), ("reversal", town["supervisor"]),
            ("fee", town["supervisor"]), ("fee", "sweep")}
        assert {e.effective_on for e in after} == {NEXT_OPEN}
        assert sorted({e.dated_on for e in after}) == [date(2026, 3, 31), CLOSED]
        assert [e.dated_on for e in after if e.reference == "WEB-0331" or "WEB-0331" in e.reference] == [
            date(2026, 3, 31)]
        counter_payment = s.scalar(select(Payment).where(Payment.source == "counter"))
        assert (counter_payment.received_on, counter_payment.amount_cents) == (CLOSED, 100000)
    page = supervisor.get("/accounts/B-000002").get_data(as_text=True)
    assert "dated Apr 30, 2026 (that day was closed)" in page
    assert supervisor.get(f"/payments/drawer?date={NEXT_OPEN}").status_code == 200
