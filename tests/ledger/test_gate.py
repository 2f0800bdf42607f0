"""The posting gate: what every ledger entry must be, and every way of posting passes through it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.money import cash, gate, ledger
from engine.money.gate import NEW_BOOKS, Admitted, LedgerError, Posting, Reversed, admit_all, cents_of
from engine.money.ledger.bulk import NewCharge, post_charges
from engine.money.payments import post_counter_payment
from engine.store.models import Bill, LedgerEntry
from tests.factories import NOW, create_account
from tests.ledger.money_support import create_user

DAY = date(2026, 3, 2)


def test_a_charge_is_booked_to_water_sales_and_a_payment_to_cash():
    charge, payment = admit_all([Posting(1, "charge", 5203, DAY), Posting(1, "payment", -5203, DAY)], NEW_BOOKS)
    assert (charge.cents, charge.fund, charge.gl_account) == (5203, "510", "4210")
    assert (payment.cents, payment.fund, payment.gl_account) == (-5203, "510", "1010")


@pytest.mark.parametrize("kind, cents, message", [
    ("charge", -100, "a charge is a positive amount"),
    ("fee", -2500, "a fee is a positive amount"),
    ("payment", 100, "a payment is a negative amount"),
    ("write_off", 100, "a write_off is a negative amount"),
    ("adjustment", 0, r"a adjustment of \$0.00 posts nothing"),
    ("bonus", 100, "unknown kind of ledger entry 'bonus'"),
])
def test_an_entry_whose_sign_or_kind_does_not_fit_is_refused(kind, cents, message):
    with pytest.raises(LedgerError, match=message):
        admit_all([Posting(1, kind, cents, DAY)], NEW_BOOKS)


def test_one_bad_posting_refuses_the_whole_list():
    with pytest.raises(LedgerError, match="a fee is a positive amount"):
        admit_all([Posting(1, "charge", 100, DAY), Posting(2, "fee", -100, DAY)], NEW_BOOKS)


def test_a_reversal_mirrors_its_entry_and_is_booked_where_it_was():
    late_fee = Reversed(entry_id=7, cents=2500, fund="510", gl_account="4310")
    [admitted] = admit_all([Posting(1, "reversal", -2500, DAY, late_fee)], NEW_BOOKS)
    assert (admitted.fund, admitted.gl_account) == ("510", "4310")
    for wrong in (Posting(1, "reversal", -2400, DAY, late_fee), Posting(1, "reversal", -2500, DAY)):
        with pytest.raises(LedgerError, match="exact opposite amount"):
            admit_all([wrong], NEW_BOOKS)


@pytest.mark.parametrize("amount", ["52.035", "Infinity", "NaN"])
def test_fractions_of_a_cent_and_non_numbers_are_refused(amount):
    with pytest.raises(LedgerError, match="fractions of a cent"):
        cents_of(Decimal(amount))


def test_cents_must_be_whole():
    with pytest.raises(LedgerError, match="not a whole number of cents"):
        admit_all([Posting(1, "charge", Decimal("52.03"), DAY)], NEW_BOOKS)  # type: ignore[arg-type]


@pytest.fixture()
def refusing_gate(monkeypatch):
    """A gate that refuses every posting and counts what reached it."""
    seen: list[Posting] = []

    def refuse(posting: Posting) -> Admitted:
        seen.append(posting)
        raise LedgerError("the gate is closed")

    monkeypatch.setattr(gate, "_admit", refuse)
    return seen


def _entries(db) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry))


def test_every_way_of_posting_goes_through_the_gate(db, refusing_gate):
    """A single posting, a bulk charge, a counter payment and a reversal are each refused by a closed gate."""
    clerk, account = create_user(db), create_account(db)
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("100.00"), now=NOW)
    before = _entries(db)
    with pytest.raises(LedgerError):
        ledger.post_fee(db, account.id, Decimal("25.00"), on=DAY, now=NOW, actor="t", description="Late fee")
    with pytest.raises(LedgerError):
        post_counter_payment(db, account_id=account.id, amount="10.00", tender="cash", clerk=clerk, on=DAY,
                             now=NOW)
    bill = Bill(account_id=account.id, cycle="A", period="2026-02", service_from=date(2026, 1, 1),
                service_to=date(2026, 1, 31), billed_on=date(2026, 2, 1), due_on=date(2026, 2, 21),
                consumption_ccf=12, total_cents=5203, rule_id="water-rates-residential", rule_version="2026-01-01", explanation={})
    db.add(bill)
    db.flush()
    with pytest.raises(LedgerError):
        post_charges(db, [NewCharge(account.id, 5203, date(2026, 2, 1), date(2026, 2, 21), "Water", "A-2026-02",
                                    "water-rates-residential", "2026-01-01", bill.id)], now=NOW, actor="billing")
    assert [p.kind for p in refusing_gate] == ["fee", "payment", "charge"]
    assert _entries(db) == before


def test_a_reversal_goes_through_the_gate(db, monkeypatch):
    account = create_account(db)
    fee = ledger.post_fee(db, account.id, Decimal("25.00"), on=DAY, now=NOW, actor="t", description="Late fee")
    seen = []
    admit = gate._admit
    monkeypatch.setattr(gate, "_admit", lambda posting: seen.append(posting) or admit(posting))
    ledger.reverse(db, fee.id, on=DAY, now=NOW, actor="t", reason="waived")
    assert [(p.kind, p.cents, p.reverses.entry_id) for p in seen] == [("reversal", -2500, fee.id)]
