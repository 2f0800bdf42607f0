"""The streaming bulk reader gives the same standings as the per-account one, whatever the chunk size."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.money import ledger
from engine.money.ledger import LedgerError
from tests.factories import NOW, create_account


def _bills(db, account, amounts):
    """Post one monthly bill per amount, due on the 21st."""
    for month, amount in enumerate(amounts, start=1):
        ledger.post_charge(db, account.id, Decimal(amount), on=date(2026, month, 1), due_on=date(2026, month, 21),
                           now=NOW, actor="billing:A-2026-0%d" % month, description="Water and sewer")


def test_bulk_standings_match_each_account(db):
    """Five accounts of varied history, read in chunks of 3 rows, agree with standing() one by one."""
    accounts = [create_account(db) for _ in range(5)]
    for n, account in enumerate(accounts):
        _bills(db, account, ["52.03"] * (n + 1))
        if n % 2:
            ledger.post_adjustment(db, account.id, Decimal("-10.00"), on=date(2026, 5, 2), now=NOW,
                                   actor="supervisor1", reason="leak credit")
    as_of = date(2026, 6, 30)
    ids = {a.id for a in accounts}
    bulk = {account_id: s for account_id, s in ledger.standings(db, as_of, chunk=3) if account_id in ids}
    assert bulk == {a.id: ledger.standing(db, a.id, as_of) for a in accounts}
    listed = dict(ledger.standings(db, as_of, account_ids=[a.id for a in accounts] + [10**9], chunk=2))
    assert listed[10**9].balance_cents == 0
    assert {k: v for k, v in listed.items() if k in ids} == bulk
    assert bulk[accounts[3].id].balance_cents == 4 * 5203 - 1000


def test_posted_entries_cannot_be_changed(db):
    """The database refuses UPDATE of a ledger entry: corrections are reversals."""
    account = create_account(db)
    entry = ledger.post_fee(db, account.id, Decimal("25.00"), on=date(2026, 3, 1), now=NOW, actor="clerk1",
                            description="Returned payment fee")
    with pytest.raises(DBAPIError), db.begin_nested():
        db.execute(text("UPDATE ledger_entries SET amount_cents = 1 WHERE id = :id"), {"id": entry.id})
    reversal = ledger.reverse(db, entry.id, on=date(2026, 3, 2), now=NOW, actor="supervisor1", reason="waived")
    assert reversal.amount_cents == -2500 and reversal.reverses_id == entry.id
    assert ledger.balance_cents(db, account.id) == 0
    lines = ledger.statement(db, account.id)
    assert [(line["kind"], line["amount_cents"], line["balance_cents"]) for line in lines] == [
        ("fee", 2500, 2500), ("reversal", -2500, 0)]
    with pytest.raises(LedgerError, match="itself a reversal"):
        ledger.reverse(db, reversal.id, on=date(2026, 3, 2), now=NOW, actor="supervisor1", reason="again")


def test_signs_are_checked_by_kind(db):
    """A negative charge or a positive payment is refused with a message, not posted."""
    account = create_account(db)
    with pytest.raises(LedgerError, match="positive"):
        ledger.post_fee(db, account.id, Decimal("-5.00"), on=date(2026, 3, 1), now=NOW, actor="clerk1",
                        description="bad")
    with pytest.raises(LedgerError, match="cent"):
        ledger.post_adjustment(db, account.id, Decimal("1.005"), on=date(2026, 3, 1), now=NOW, actor="clerk1",
                               reason="bad")
    assert ledger.balance_cents(db, account.id) == 0


def test_every_posting_writes_an_audit_row(db):
    """One audit row per posting, naming the actor and the entry."""
    from sqlalchemy import select

    from engine.store.models import AuditEntry
    account = create_account(db)
    entry = ledger.post_adjustment(db, account.id, Decimal("7.50"), on=date(2026, 3, 1), now=NOW, actor="clerk9",
                                   reason="meter test")
    row = db.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.adjustment")
                     .order_by(AuditEntry.id.desc())).first()
    assert row.actor == "clerk9" and row.detail["entry_id"] == entry.id and row.subject_id == str(account.id)
