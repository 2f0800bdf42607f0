"""GET /api/v1/accounts/<number>: what the payment portal shows a customer before they pay."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import ledger
from engine.store.models import Bill
from tests.factories import NOW, create_account


def bill(db, account, period: str, total: str, *, billed_on: date, due_on: date) -> Bill:
    """A bill of `total` for a period, charged to the ledger and due on `due_on`."""
    row = Bill(account_id=account.id, cycle="A", period=period, service_from=billed_on, service_to=billed_on,
               billed_on=billed_on, due_on=due_on, consumption_ccf=12, total_cents=int(Decimal(total) * 100),
               rule_id="water-sewer-rates", rule_version="2026-01-01", explanation={})
    db.add(row)
    db.flush()
    ledger.post_charge(db, account.id, Decimal(total), on=billed_on, due_on=due_on, now=NOW, actor="billing",
                       description=f"Water and sewer {period}", bill_id=row.id)
    return row


def test_an_account_shows_what_it_owes_in_money_strings(api, db):
    account = create_account(db, cash_only=True)
    bill(db, account, "2026-01", "52.03", billed_on=date(2026, 1, 5), due_on=date(2026, 1, 26))
    bill(db, account, "2026-02", "48.10", billed_on=date(2026, 2, 5), due_on=date(2026, 3, 9))
    response = api("accounts:read").get(f"/api/v1/accounts/{account.number}")
    assert response.status_code == 200
    assert response.json == {"account_number": account.number, "as_of": "2026-03-02", "balance": "100.13",
                             "past_due": "52.03", "days_past_due": 35, "last_bill_due_on": "2026-03-09",
                             "status": "active", "cash_only": True}


def test_an_account_never_billed_owes_nothing(api, db):
    account = create_account(db)
    body = api("accounts:read").get(f"/api/v1/accounts/{account.number}").json
    assert (body["balance"], body["past_due"], body["days_past_due"], body["last_bill_due_on"]) == (
        "0.00", "0.00", 0, None)


def test_an_unknown_account_is_404_naming_the_field(api):
    response = api("accounts:read").get("/api/v1/accounts/999-NOPE")
    assert response.status_code == 404
    assert response.json == {"error": "There is no utility account numbered '999-NOPE'.", "field": "account_number"}
    long = api("accounts:read").get("/api/v1/accounts/" + "9" * 5000)
    assert long.status_code == 404 and len(long.json["error"]) < 150 and "(5000 characters)" in long.json["error"]
