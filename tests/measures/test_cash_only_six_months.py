"""'Cash-only after more than one returned payment in 6 months', by publishing documents only.

A supervisor drafts a measure, returned-payments-6m (returned payments, a window of 6
months), and a revision of cash-only-status that reads its fact from 2026-11-24; both are
published through the rule store by a second person. No Python changes: returning a payment
reads the account's facts, the new measure's among them. Before the measure is published,
the criteria reading `returned_payments_6m` is refused: nothing would ever provide it.

A 6-month window on 2027-05-31 starts on 2026-11-30 (the same day six months before; the
window holds the days after it): a return on 2026-12-01 is inside, one on 2026-11-30 is not.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from engine.accounts.returns import return_payment
from engine.money import cash
from engine.money.payments import post_counter_payment
from engine.rulebook import revisions, store
from engine.rulebook.drafting import check_draft
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.users import add_user
from tests.factories import create_account
from tests.ledger.money_support import create_user

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)

MEASURE = """\
id: returned-payments-6m
kind: measure
title: Payments returned in the last 6 months
department: utilities
subject: account
provides: returned_payments_6m
versions:
  - effective: 2026-11-24
    reference: Ordinance 2026-31
    count:
      of: returned_payments
      within: {months: 6}
"""

SIX_MONTHS = """\
  returned_payments_6m: {type: integer, min: 0, required: false}
"""
NEW_VERSION = """\
  - effective: 2026-11-24
    reference: Ordinance 2026-31
    hit: first
    rules:
      - name: More than one returned payment in 6 months
        when: {fact: returned_payments_6m, gt: 1}
        then: {cash_only: true}
      - name: Otherwise
        then: {cash_only: false}
"""


def cash_only_six_months() -> str:
    """cash-only-status as published, with the input returned_payments_6m and a version reading it from today."""
    text = (RULES / "utilities" / "cash-only-status.yaml").read_text()
    text = text.replace("  returned_payments_12m: {type: integer, min: 0}\n",
                        "  returned_payments_12m: {type: integer, min: 0}\n" + SIX_MONTHS)
    return text + NEW_VERSION


@pytest.fixture()
def city(db):
    """The city's rules published in the store; a supervisor (sam) and an administrator (ana)."""
    for username, role in (("sam", "supervisor"), ("ana", "admin")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    store.import_documents(db, RuleLibrary.from_folder(RULES), actor="ana", now=NOW, today=TODAY,
                           author="sam", approver="ana")
    return db


def publish(db, text: str) -> None:
    """Drafted by sam, published by ana."""
    row = store.draft(db, check_draft(db, None, text, TODAY, source="draft.yaml"), "sam", NOW)
    store.publish(db, row.document_id, row.revision, "ana", NOW, TODAY)


def test_a_criteria_reading_a_fact_nothing_provides_is_refused(city):
    checked = check_draft(city, "cash-only-status", cash_only_six_months(), TODAY, source="cash-only-status.yaml")
    assert [str(e) for e in checked.errors] == [
        "cash-only-status.yaml:12: inputs.returned_payments_6m: no measure, record field or workflow field provides "
        "returned_payments_6m, so the document would never have it; publish a measure that provides "
        "returned_payments_6m (kind: measure) first, or give it a default"]
    with pytest.raises(DocumentErrors):
        store.draft(city, checked, "sam", NOW)


def returned(db, clerk, account, paid_on: date, returned_on: date, library) -> bool:
    """A check paid and returned: whether the account is cash-only after it."""
    if cash.drawer_of(db, clerk, paid_on) is None:
        cash.open_drawer(db, clerk=clerk, business_date=paid_on, opening=Decimal("0"), now=NOW)
    payment = post_counter_payment(db, account_id=account.id, amount="60.00", tender="check", clerk=clerk,
                                   on=paid_on, now=NOW, check_number="1042")
    return return_payment(db, payment.id, reason="NSF", on=returned_on, actor="sam", now=NOW,
                          library=library).cash_only


@pytest.mark.parametrize("first_return, cash_only", [(date(2026, 12, 1), True), (date(2026, 11, 30), False)])
def test_the_second_return_within_six_months_makes_the_account_cash_only(city, first_return, cash_only):
    """Returned 2026-12-01 and 2027-05-31: cash-only; 2026-11-30 and 2027-05-31 (two in 12 months): not."""
    publish(city, MEASURE)
    publish(city, cash_only_six_months())
    library = revisions.published_library(city)
    account, clerk = create_account(city), create_user(city)
    assert returned(city, clerk, account, first_return - timedelta(days=5), first_return, library) is False
    assert returned(city, clerk, account, date(2027, 5, 26), date(2027, 5, 31), library) is cash_only
