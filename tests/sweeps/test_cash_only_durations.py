"""Cash-only for a duration: set by the rule's `for:` on the day of the return that triggers it, ended on that day.

The sample city's cash-only-status holds an account cash-only for 12 months from the second
returned payment in 12 months (`for: {months: 12}`). The cash-only review keeps it through
the day before and clears it on the day, although the trailing count of returns drops below
two before then. A city that publishes a 24-month duration gets 24 months; a version that
later shortens it to 12 applies to statuses decided from its effective date on, and a status
already decided keeps its day (docs/rules-format.md, "How long an outcome lasts").
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.returns import return_payment
from engine.money import cash
from engine.money.payments import post_counter_payment
from engine.rulebook import revisions, store
from engine.rulebook.drafting import check_draft
from engine.rules.library import RuleLibrary
from engine.store.models import AuditEntry, UtilityAccount
from engine.users import add_user
from engine.workflow.definitions import WorkflowSet
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_account
from tests.ledger.money_support import create_user
from tests.sweeps.conftest import sweep

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 2, 1, 17, 0, tzinfo=timezone.utc)


def returned_check(factory, account_id: int, returned_on: date, library: RuleLibrary, tender: str = "check") -> None:
    """A $60.00 check (or card) paid at the counter a week before `returned_on` and returned by the bank that day."""
    paid_on = returned_on - timedelta(days=7)
    with factory() as session, session.begin():
        clerk = create_user(session)
        cash.open_drawer(session, clerk=clerk, business_date=paid_on, opening=Decimal("0"), now=NOW)
        payment = post_counter_payment(session, account_id=account_id, amount="60.00", tender=tender, clerk=clerk,
                                       on=paid_on, now=NOW,
                                       check_number=f"{returned_on:%m%d}" if tender == "check" else None)
        return_payment(session, payment.id, reason="NSF", on=returned_on, actor="sam", now=NOW, library=library)


def status(factory, account_id: int) -> tuple[bool, date | None, str | None]:
    """(cash_only, cash_only_until, cash_only_reason) of the account."""
    with factory() as session:
        account = session.get(UtilityAccount, account_id)
        return account.cash_only, account.cash_only_until, account.cash_only_reason


def audit_rows(factory, account_id: int) -> list[dict]:
    """The details of the account's cash-only audit rows, oldest first."""
    with factory() as session:
        return [row.detail for row in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account.cash_only",
                                     AuditEntry.subject_id == str(account_id)).order_by(AuditEntry.id))]


def review(factory, catalog: Catalog, on: date) -> dict:
    """The cash-only review on a night: its steps."""
    outcome = sweep(factory, catalog, on=on, name="cash-only-review")
    assert outcome.status == "done" and outcome.report["exceptions"] == []
    return outcome.report["steps"]


def test_twelve_months_from_the_second_return_kept_the_day_before_cleared_on_the_day(committing_db, catalog):
    """Returns on 2026-02-27 and 2026-03-02: cash-only until 2027-03-02, though the count drops to 1 on 2027-02-27."""
    with committing_db() as session, session.begin():
        account_id = create_account(session).id
    returned_check(committing_db, account_id, date(2026, 2, 27), catalog.rules)
    assert status(committing_db, account_id) == (False, None, None)
    returned_check(committing_db, account_id, date(2026, 3, 2), catalog.rules)
    assert status(committing_db, account_id) == (True, date(2027, 3, 2), "Two or more returned payments in 12 months")
    [set_row] = audit_rows(committing_db, account_id)
    assert set_row["until"] == "2027-03-02" and set_row["returned_payments_12m"] == 2
    assert set_row["rule"] == "Two or more returned payments in 12 months" and set_row["rule_id"] == "cash-only-status"
    # 2027-02-27: the first return has aged out of the 365-day count (1 left); the status stays.
    for night in (date(2027, 2, 27), date(2027, 3, 1)):
        assert review(committing_db, catalog, night) == {"keep_cash_only": 1}
        assert status(committing_db, account_id)[0] is True, night
    assert review(committing_db, catalog, date(2027, 3, 2)) == {"clear_cash_only": 1}
    assert status(committing_db, account_id) == (False, None, None)
    ended = audit_rows(committing_db, account_id)[-1]
    assert ended == {"cash_only": False, "until": "2027-03-02", "ended": "until", "as_of": "2027-03-02"}


def test_a_third_return_while_cash_only_starts_the_twelve_months_again(committing_db, catalog):
    """Checks returned 2026-03-02 and 2026-03-09, a card charged back 2026-10-05: until 2027-03-09, then 2027-10-05."""
    with committing_db() as session, session.begin():
        account_id = create_account(session).id
    for day in (date(2026, 3, 2), date(2026, 3, 9)):
        returned_check(committing_db, account_id, day, catalog.rules)
    assert status(committing_db, account_id)[1] == date(2027, 3, 9)
    returned_check(committing_db, account_id, date(2026, 10, 5), catalog.rules, tender="card")  # a card charged back
    assert status(committing_db, account_id)[1] == date(2027, 10, 5)
    extended = audit_rows(committing_db, account_id)[-1]
    assert (extended["change"], extended["until_before"], extended["until"]) == ("extended", "2027-03-09",
                                                                                  "2027-10-05")
    assert review(committing_db, catalog, date(2027, 10, 4)) == {"keep_cash_only": 1}
    assert review(committing_db, catalog, date(2027, 10, 5)) == {"clear_cash_only": 1}


# --- a city's own durations, published through the rule store ------------------------------


def new_version(effective: str, months: int) -> str:
    """A version of cash-only-status holding the account cash-only `months` months from the second return."""
    return f"""\
  - effective: {effective}
    reference: Ordinance {effective[:4]}-{months}
    hit: first
    rules:
      - name: Second returned payment in 12 months
        when: {{fact: returned_payments_12m, gte: 2}}
        then: {{cash_only: true}}
        for: {{months: {months}}}
      - name: Otherwise
        then: {{cash_only: false}}
"""


def publish(factory, text: str, today: date) -> RuleLibrary:
    """Drafted by sam, published by ana on `today`: the published library after it."""
    now = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc)
    with factory() as session, session.begin():
        row = store.draft(session, check_draft(session, None, text, today, source="draft.yaml"), "sam", now)
        store.publish(session, row.document_id, row.revision, "ana", now, today)
    with factory() as session:
        return revisions.published_library(session)


@pytest.fixture()
def published(committing_db):
    """The sample city's rules imported into the store on 2026-02-01 by ana (drafted by sam)."""
    with committing_db() as session, session.begin():
        for username, role in (("sam", "supervisor"), ("ana", "admin")):
            add_user(session, username=username, full_name=username.title(), role=role, password="correct horse",
                     actor="test", now=NOW)
        store.import_documents(session, RuleLibrary.from_folder(REPO / "rules"), actor="ana", now=NOW,
                               today=NOW.date(), author="sam", approver="ana")
    return committing_db


def catalog_of(library: RuleLibrary) -> Catalog:
    """The sweeps' catalog on a published library."""
    return Catalog(rules=library, workflows=WorkflowSet.from_folder(REPO / "workflows", library, APPROVAL_ROLE_IDS))


def test_a_published_24_month_duration_and_a_later_12_month_version(published):
    """24 months from 2026-07-10 ends on 2028-07-10; 12 months, published for 2026-09-01, from 2026-09-15 on
    2027-09-15; the 24-month status decided before keeps its day under the 12-month version."""
    text = (REPO / "rules" / "utilities" / "cash-only-status.yaml").read_text()
    library = publish(published, text + new_version("2026-06-01", 24), date(2026, 5, 1))
    with published() as session, session.begin():
        first, second = create_account(session).id, create_account(session).id
    for day in (date(2026, 7, 1), date(2026, 7, 10)):
        returned_check(published, first, day, library)
    assert status(published, first) == (True, date(2028, 7, 10), "Second returned payment in 12 months")
    assert audit_rows(published, first)[0]["rule_version"] == "2026-06-01"

    library = publish(published, text + new_version("2026-06-01", 24) + new_version("2026-09-01", 12),
                      date(2026, 8, 1))
    for day in (date(2026, 9, 5), date(2026, 9, 15)):
        returned_check(published, second, day, library)
    assert status(published, second)[:2] == (True, date(2027, 9, 15))
    assert status(published, first)[1] == date(2028, 7, 10)  # decided under the 24-month version: kept

    catalog = catalog_of(library)
    assert review(published, catalog, date(2027, 9, 14)) == {"keep_cash_only": 2}
    assert review(published, catalog, date(2027, 9, 15)) == {"keep_cash_only": 1, "clear_cash_only": 1}
    assert (status(published, first)[0], status(published, second)[0]) == (True, False)
    assert review(published, catalog, date(2028, 7, 9)) == {"keep_cash_only": 1}
    assert status(published, first)[0] is True
    assert review(published, catalog, date(2028, 7, 10)) == {"clear_cash_only": 1}
    assert status(published, first) == (False, None, None)
    assert audit_rows(published, first)[-1]["until"] == "2028-07-10"
