"""Kept balances after a bill's charges: moved on by the charges where that is what age() gives, else worked out."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.money import ledger
from engine.money.ledger.aging import Posting, Standing, age
from engine.money.ledger.bulk import NewCharge, post_charges
from engine.money.ledger.charged import Charged, charged
from engine.money.ledger.verify import check_balances
from engine.rules.services import OLDEST_FIRST_ALWAYS, SAMPLE_AGING
from engine.store.models import Bill
from tests.factories import NOW, create_account

DAY = date(2026, 3, 1)

entries = st.lists(st.tuples(st.integers(-30000, 30000).filter(bool), st.integers(-150, 60),
                             st.sampled_from([None, "water", "sewer", "fees"])), max_size=8)
new_charges = st.lists(st.tuples(st.integers(1, 20000), st.sampled_from([-40, 0, 21]),
                                 st.sampled_from([None, "water", "sewer", "fees"])), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None)
@given(entries, new_charges)
def test_moved_on_by_the_charges_is_what_age_gives_whenever_the_run_takes_that_path(old, new):
    """Whatever the account's entries, when it has no credit, or nothing of it is due after the new charges, the
    kept standing moved on by them equals age() of all the entries."""
    postings = [Posting(n + 1, cents, DAY - timedelta(days=90), DAY + timedelta(days=due), None, service)
                for n, (cents, due, service) in enumerate(old)]
    added = [Charged(7, cents, DAY, DAY + timedelta(days=due), service) for cents, due, service in new]
    lowest = min((p.amount_cents for p in postings), default=0)
    latest = max((p.due_on for p in postings), default=None)
    if not (lowest >= 0 or latest is None or latest <= min(c.due_on for c in added)):
        return  # the run works this account out from its ledger
    after = postings + [Posting(100 + n, c.cents, DAY, c.due_on, None, c.service) for n, c in enumerate(added)]
    assert charged(age(postings, DAY), added, DAY, SAMPLE_AGING) == age(after, DAY, OLDEST_FIRST_ALWAYS)


def bill(db, account_id: int) -> int:
    """A bill of the account's to hang its charges on."""
    found = Bill(account_id=account_id, cycle="A", period="2026-03", service_from=date(2026, 1, 29),
                 service_to=date(2026, 2, 26), billed_on=DAY, due_on=date(2026, 3, 22), consumption_ccf=8,
                 total_cents=5000, rule_id="water-rates-residential", rule_version="2025-07-01", explanation={})
    db.add(found)
    db.flush()
    return found.id


def test_an_earlier_due_charge_on_a_credited_account_is_worked_out_from_the_ledger(db):
    """$80 due in April paid by an $80 credit, then a $30 bill due March 22: the credit pays the bill first (oldest
    due first), leaving $30 of the April fee unpaid; kept as age() says, and the check finds nothing wrong."""
    account = create_account(db).id
    ledger.post_fee(db, account, Decimal("80.00"), on=DAY, due_on=date(2026, 4, 30), now=NOW, actor="t",
                    description="Later fee", service="fees")
    ledger.post_adjustment(db, account, Decimal("-80.00"), on=DAY, now=NOW, actor="t", reason="credit")
    post_charges(db, [NewCharge(account, 3000, DAY, date(2026, 3, 22), "Water", "bill 1", "water-rates", "2025-07-01",
                                bill(db, account), "water")], now=NOW, actor="billing")
    found = ledger.standing(db, account, DAY)
    assert found.unpaid_by_service() == {"fees": 3000}
    assert check_balances(db).agrees


def test_charges_on_accounts_with_history_keep_what_the_ledger_says(db):
    """Bills posted in bulk on a new account, one owing, one past due and one in credit: every kept row checks out."""
    fresh, owing, late, credit = (create_account(db).id for _ in range(4))
    ledger.post_charge(db, owing, Decimal("40.00"), on=DAY, due_on=date(2026, 3, 10), now=NOW, actor="t",
                       description="Water")
    ledger.post_charge(db, late, Decimal("55.00"), on=date(2026, 1, 2), due_on=date(2026, 1, 23), now=NOW,
                       actor="t", description="Water")
    ledger.post_adjustment(db, credit, Decimal("-25.00"), on=DAY, now=NOW, actor="t", reason="credit")
    bills = {account: bill(db, account) for account in (fresh, owing, late, credit)}
    post_charges(db, [NewCharge(account, cents, DAY, date(2026, 3, 22), service, "bill", "water-rates", "2025-07-01",
                                bills[account], service)
                      for account in (fresh, owing, late, credit) for service, cents in (("water", 3100),
                                                                                         ("sewer", 1900))],
                 now=NOW, actor="billing")
    assert check_balances(db).agrees
    assert ledger.standing(db, credit, DAY).balance_cents == 2500
    assert ledger.standing(db, late, DAY).past_due_cents == 5500
    assert isinstance(ledger.standing(db, fresh, DAY), Standing)
