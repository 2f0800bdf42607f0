"""POST /api/v1/payments: the portal's payments, posted through the payment import, once per transaction id."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.money.payments import import_payments, parse_payment_file
from engine.store.models import AuditEntry, LedgerEntry, Payment
from tests.factories import NOW, create_account


@pytest.fixture()
def portal(api):
    """The payment portal's client."""
    return api("payments:write")


@pytest.fixture()
def account(db):
    """The account the portal's customer pays."""
    return create_account(db)


def entries(db, account) -> list[LedgerEntry]:
    """The account's ledger entries."""
    return db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id)).all()


def payment(account, **changes) -> dict:
    """A portal payment of $52.03 on 2026-03-02."""
    return {"account_number": account.number, "amount": "52.03", "paid_on": "2026-03-02",
            "transaction_id": "WEB-20260302-0001", **changes}


def test_a_payment_posts_once_and_a_retry_answers_the_same_payment(portal, db, account):
    first = portal.post("/api/v1/payments", json=payment(account))
    assert first.status_code == 201, first.data
    assert first.json == {"payment_id": first.json["payment_id"], "duplicate": False,
                          "account_number": account.number, "amount": "52.03", "paid_on": "2026-03-02",
                          "tender": "card", "status": "posted"}
    retry = portal.post("/api/v1/payments", json=payment(account))
    assert retry.status_code == 200
    assert retry.json == {**first.json, "duplicate": True}
    (entry,) = entries(db, account)
    assert (entry.kind, entry.amount_cents, str(entry.effective_on)) == ("payment", -5203, "2026-03-02")
    row = db.get(Payment, first.json["payment_id"])
    assert (row.source, row.idempotency_key, row.posted_at) == ("online", "online:WEB-20260302-0001", NOW)


def test_the_payment_is_audited_by_the_payment_service(portal, db, account):
    posted = portal.post("/api/v1/payments", json=payment(account)).json
    (audit,) = db.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.payment")).all()
    assert audit.subject_id == str(account.id)
    assert audit.detail["payment_id"] == posted["payment_id"] and audit.detail["amount"] == "-52.03"
    assert audit.actor.startswith("import:api:")


def test_a_json_number_amount_is_read_exactly(portal, db, account):
    response = portal.post("/api/v1/payments", data='{"account_number": "%s", "amount": 19.99, "paid_on": '
                           '"2026-03-01", "transaction_id": "N-1"}' % account.number,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 201 and response.json["amount"] == "19.99"
    assert [e.amount_cents for e in entries(db, account)] == [-1999]


@pytest.mark.parametrize("changes, field, words", [
    ({"amount": "52.031"}, "amount", "more than two decimals"),
    ({"amount": 52.031}, "amount", "more than two decimals"),
    ({"amount": "0.00"}, "amount", "more than 0.00"),
    ({"amount": "-5.00"}, "amount", "more than 0.00"),
    ({"amount": "fifty"}, "amount", "not an amount of money"),
    ({"amount": True}, "amount", "must be an amount"),
    ({"amount": None}, "amount", "amount is required"),
    ({"paid_on": "03/02/2026"}, "paid_on", "YYYY-MM-DD"),
    ({"paid_on": "2026-02-30"}, "paid_on", "not a date on the calendar"),
    ({"paid_on": "2026-03-03"}, "paid_on", "after today"),
    ({"transaction_id": ""}, "transaction_id", "non-empty string"),
    ({"transaction_id": "x" * 121}, "transaction_id", "at most 120"),
    ({"account_number": 100123}, "account_number", "non-empty string"),
    ({"tip": "5.00"}, "tip", "Unknown field 'tip'"),
])
def test_bad_input_is_400_naming_the_field_and_posts_nothing(portal, db, account, changes, field, words):
    response = portal.post("/api/v1/payments", json=payment(account, **changes))
    assert response.status_code == 400, response.data
    assert response.json["field"] == field and words in response.json["error"]
    assert entries(db, account) == []


@pytest.mark.parametrize("body", ['{"account_number": "T-1", "amount": ', "[1, 2]", "NaN", "\xff"])
def test_a_body_that_is_not_a_json_object_is_400(portal, db, body):
    response = portal.post("/api/v1/payments", data=body.encode("latin-1"), headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["field"] == "body"
    assert db.scalar(select(func.count()).select_from(Payment)) == 0


def test_an_unknown_account_is_404_and_posts_nothing(portal, db):
    response = portal.post("/api/v1/payments", json={"account_number": "999-NOPE", "amount": "10.00",
                                                      "paid_on": "2026-03-02", "transaction_id": "T-404"})
    assert response.status_code == 404 and response.json["field"] == "account_number"
    assert db.scalar(select(func.count()).select_from(Payment)) == 0


def test_a_transaction_id_reused_for_another_amount_is_a_conflict(portal, db, account):
    assert portal.post("/api/v1/payments", json=payment(account)).status_code == 201
    response = portal.post("/api/v1/payments", json=payment(account, amount="60.00"))
    assert response.status_code == 409 and response.json["field"] == "transaction_id"
    assert [e.amount_cents for e in entries(db, account)] == [-5203]


def test_the_same_transaction_in_the_portals_file_later_posts_nothing_more(portal, db, app, account):
    assert portal.post("/api/v1/payments", json=payment(account)).status_code == 201
    rows, problems = parse_payment_file(["account_number,amount,paid_on,transaction_id",
                                         f"{account.number},52.03,2026-03-02,WEB-20260302-0001"], "online")
    with app.app_context():
        from webapp.extensions import database
        report = import_payments(database.factory(), rows, source="online", file_name="portal.csv", now=NOW)
    assert (problems, report.posted, report.already_posted) == ([], 0, 1)
    assert len(entries(db, account)) == 1
