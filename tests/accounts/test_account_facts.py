"""An account's facts come from one place: the same for one account or a chunk, and for every caller."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from engine.accounts import facts as account_facts
from engine.accounts.facts import ACCOUNT_FACT_NAMES, facts_for_account, facts_for_accounts
from engine.money import cash, ledger
from engine.money.deposits import apply_to_final_bill, take_deposit
from engine.accounts.returns import return_payment
from engine.money.payments import post_counter_payment
from engine.rulebook.impact import past_due_accounts
from engine.workflow.facts import ACCOUNT, FactContext, account_facts as workflow_account_facts, measure_facts
from tests.factories import NOW, create_account, create_case, create_customer, create_property
from tests.ledger.billing_support import library
from tests.ledger.money_support import create_user

ON = date(2026, 6, 1)
MEASURED = ("late_fee_waivers_12m", "late_payments_12m", "lien_sewer_charges", "lien_water_charges", "returned_payments_12m",
            "shutoffs_12m")  # the facts of the measures of rules/, in the order of their ids


def _charge(db, account, amount: str, on: date, due_on: date):
    """A bill charge posted on a day, due on another."""
    return ledger.post_charge(db, account.id, Decimal(amount), on=on, due_on=due_on, now=NOW, actor="billing",
                              description="Water and sewer")


def _paid_by_check(db, clerk, account, amount: str, on: date):
    """A check taken at the counter on a day (the clerk's drawer for the day opened if need be)."""
    if cash.drawer_of(db, clerk, on) is None:
        cash.open_drawer(db, clerk=clerk, business_date=on, opening=Decimal("0"), now=NOW)
    return post_counter_payment(db, account_id=account.id, amount=amount, tender="check", clerk=clerk, on=on,
                                now=NOW, check_number=f"chk-{on.isoformat()}")


@pytest.fixture()
def accounts(db) -> dict[str, int]:
    """Accounts as the city has them: quiet, past due, in credit, returned checks, reversals, closed, on a plan."""
    clerk, rules = create_user(db), library()
    made = {"quiet": create_account(db)}
    made["past_due"] = create_account(db, cycle="C", meter_size='1"')
    _charge(db, made["past_due"], "90.00", date(2026, 4, 15), date(2026, 5, 6))
    _charge(db, made["past_due"], "60.00", date(2026, 5, 15), date(2026, 6, 5))
    ledger.post(db, account_id=made["past_due"].id, kind="payment", amount=Decimal("-20.00"), on=date(2026, 5, 20),
                now=NOW, actor="carla", description="Payment", reference="test")
    made["in_credit"] = create_account(db)
    _charge(db, made["in_credit"], "50.00", date(2026, 4, 1), date(2026, 4, 22))
    _paid_by_check(db, clerk, made["in_credit"], "80.00", date(2026, 4, 20))
    made["returned_checks"] = create_account(db)
    _charge(db, made["returned_checks"], "100.00", date(2025, 1, 1), date(2025, 1, 22))
    old = _paid_by_check(db, clerk, made["returned_checks"], "100.00", date(2025, 1, 10))
    return_payment(db, old.id, reason="NSF", on=date(2025, 2, 1), actor=clerk.username, now=NOW, library=rules)
    _charge(db, made["returned_checks"], "70.00", date(2026, 4, 1), date(2026, 4, 22))
    for amount in ("100.00", "70.00"):
        recent = _paid_by_check(db, clerk, made["returned_checks"], amount, date(2026, 5, 4))
        return_payment(db, recent.id, reason="NSF", on=date(2026, 5, 10), actor=clerk.username, now=NOW,
                       library=rules)
    made["charge_reversed"] = create_account(db)
    wrong = _charge(db, made["charge_reversed"], "45.00", date(2026, 3, 1), date(2026, 3, 22))
    ledger.reverse(db, wrong.id, on=date(2026, 3, 5), now=NOW, actor="sam", reason="billed twice")
    tenant, landlord = create_customer(db, low_income=True), create_customer(db)
    made["closed_tenant"] = create_account(db, customer=tenant, property=create_property(db, owner=landlord),
                                           rate_class="commercial", status="closed", closed_on=date(2026, 5, 1))
    take_deposit(db, made["closed_tenant"].id, on=date(2025, 1, 2), now=NOW, actor="carla", library=rules)
    _charge(db, made["closed_tenant"], "120.00", date(2026, 5, 1), date(2026, 5, 22))
    apply_to_final_bill(db, made["closed_tenant"].id, on=date(2026, 5, 2), now=NOW, actor="carla")
    plan = create_case(db, state="payment_plan", fields={"payment_plan_active": True})
    made["on_a_plan"] = db.get(type(made["quiet"]), plan.account_id)
    _charge(db, made["on_a_plan"], "300.00", date(2026, 2, 1), date(2026, 2, 22))
    return {name: account.id for name, account in made.items()}


def test_each_account_s_facts_are_the_city_s_own_numbers(db, accounts):
    """Past due $70 for 26 days; a $30 credit; two checks back this year (one last year does not count)."""
    facts = facts_for_accounts(db, accounts.values(), ON, library())
    shown = {name: {k: facts[i][k] for k in ("balance", "past_due_balance", "days_past_due", "returned_payments_12m",
                                             "cash_only", "account_closed", "low_income", "owner_is_customer")}
             for name, i in accounts.items()}
    assert shown == {
        "quiet": _expect("0.00", "0.00", 0, 0),
        "past_due": _expect("130.00", "70.00", 26, 0),
        "in_credit": _expect("-30.00", "0.00", 0, 0),
        "returned_checks": _expect("255.00", "255.00", 495, 2, cash_only=True),
        "charge_reversed": _expect("0.00", "0.00", 0, 0),
        "closed_tenant": {**_expect("-65.00", "0.00", 0, 0), "account_closed": True, "low_income": True,
                          "owner_is_customer": False},
        "on_a_plan": _expect("300.00", "300.00", 99, 0),
    }
    assert facts[accounts["past_due"]]["cycle"] == "C" and facts[accounts["past_due"]]["meter_size"] == '1"'
    assert facts[accounts["closed_tenant"]]["rate_class"] == "commercial"


def _expect(balance: str, past_due: str, days: int, returned: int, **others) -> dict:
    """The expected facts of an active, owner-occupied account that is not cash-only."""
    return {"balance": Decimal(balance), "past_due_balance": Decimal(past_due), "days_past_due": days,
            "returned_payments_12m": returned, "cash_only": False, "account_closed": False, "low_income": False,
            "owner_is_customer": True, **others}


def test_one_account_and_a_chunk_give_the_same_facts(db, accounts, monkeypatch):
    """Whether read alone, together, or two to a query, every account's facts are identical."""
    together = facts_for_accounts(db, accounts.values(), ON, library())
    monkeypatch.setattr(account_facts, "ACCOUNT_CHUNK", 2)
    two_at_a_time = facts_for_accounts(db, accounts.values(), ON, library())
    for account_id in accounts.values():
        alone = facts_for_account(db, account_id, ON, library())
        assert alone == together[account_id] == two_at_a_time[account_id]
        assert tuple(alone) == ACCOUNT_FACT_NAMES + MEASURED


def test_every_documented_account_fact_is_given():
    """The record facts given are exactly the account facts workflows/README.md documents; the measures follow."""
    assert set(ACCOUNT_FACT_NAMES) == {fact.name for fact in ACCOUNT}
    assert set(measure_facts(library(), "account")) == set(MEASURED)


def test_a_chunk_costs_the_queries_of_one_account(db, accounts):
    """Eight queries for one account, eight for seven (the payment order in force is one, the customers' enrolments
    and the city's assistance programs two more): no query per account."""
    def queries(ids) -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.connection(), "before_cursor_execute", listener)
        try:
            facts_for_accounts(db, ids, ON, library())
        finally:
            event.remove(db.connection(), "before_cursor_execute", listener)
        return len(seen)

    assert queries([accounts["quiet"]]) == queries(list(accounts.values())) == 8


def test_the_workflow_and_a_draft_s_impact_read_the_same_facts(db, accounts):
    """A case's account facts, and the past-due population of an impact, are the provider's."""
    for account_id in accounts.values():
        assert workflow_account_facts(FactContext(session=db, rules=library(), on=ON), account_id) == \
            facts_for_account(db, account_id, ON, library())
    population = dict(past_due_accounts(db, ON, chunk=2, rules=library()))
    by_number = {facts["account_number"]: facts for facts in facts_for_accounts(db, accounts.values(), ON, library()).values()}
    mine = {number: facts for number, facts in population.items() if number in by_number}
    assert mine == {number: facts for number, facts in by_number.items() if facts["past_due_balance"] > 0}


def test_an_account_that_does_not_exist_is_named(db):
    with pytest.raises(LookupError, match="no utility account with id 987654"):
        facts_for_account(db, 987654, ON, library())

