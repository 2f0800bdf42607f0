"""Charges by service: a bill of water, sewer and garbage; a partial payment applied oldest first or by a service
priority; the published payment order changing on a date; the kept balances by service. To the cent."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.money import ledger
from engine.money.billing import bill_lines_summing_to_total, charges_by_service, parse_reads, run_billing
from engine.money.ledger import kept
from engine.money.ledger.aging import Posting, age, unpaid_debits
from engine.money.ledger.verify import check_balances
from engine.rulebook import store
from engine.rulebook.drafting import check_draft
from engine.rulebook.impact import impact_of_draft
from engine.rulebook.revisions import published_library
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.rules.services import PaymentOrder, PaymentOrders, payment_orders_of
from engine.store.models import AccountServiceBalance, AuditEntry, Bill, LedgerEntry
from engine.users import add_user
from tests.factories import create_account
from tests.ledger.billing_support import REPO, account_with_reads, reads_file

NOW = datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc)
DUE = date(2026, 3, 23)
BEFORE_THE_CHANGE, AFTER_THE_CHANGE = date(2026, 3, 24), date(2026, 4, 1)
WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]
GARBAGE = """\
      - name: Garbage collection, 64-gallon cart
        service: garbage
        amount: 25.00
"""
ORDER = """\
id: payment-order
kind: payment-order
title: How payments are applied
versions:
  - effective: 2024-07-01
    order: oldest_due_first
  - effective: 2026-03-25
    reference: Resolution 2026-12
    order: {by_service: [garbage, sewer, water]}
"""
BY_SERVICE = PaymentOrders(((date(2026, 1, 1), PaymentOrder(("garbage", "sewer", "water"))),))


def _rules() -> list:
    """The sample city's rules, its residential rates with a garbage line before the franchise fee."""
    docs = []
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.stem == "water-rates-residential":
            text = text.replace("      - name: Franchise fee\n", GARBAGE + "      - name: Franchise fee\n")
        if path.stem == "payment-order":
            text = ORDER
        docs.append(load_document(text, str(path)))
    return docs


# --- aging, pure --------------------------------------------------------------------------------------

def _bill(first_id: int, due: date, water: int, sewer: int, garbage: int) -> list[Posting]:
    """A bill's three charges (cents), one per service."""
    return [Posting(first_id + n, cents, due, due, None, service)
            for n, (service, cents) in enumerate((("water", water), ("sewer", sewer), ("garbage", garbage)))]


FEBRUARY = _bill(1, date(2026, 2, 20), 4000, 3000, 2000)
MARCH = _bill(4, date(2026, 3, 20), 4500, 3000, 2000)
PAID = [Posting(7, -10000, date(2026, 3, 1))]
ON = date(2026, 3, 25)


def test_oldest_due_first_pays_february_then_march_s_water():
    """$100.00 paid on bills of $90.00 (due Feb 20) and $95.00 (due Mar 20): February paid, $10.00 of March's water."""
    standing = age(FEBRUARY + MARCH + PAID, ON)
    assert standing.unpaid_by_service() == {"garbage": 2000, "sewer": 3000, "water": 3500}
    assert standing.past_due_by_service() == {"garbage": 2000, "sewer": 3000, "water": 3500}
    assert (standing.past_due_cents, standing.oldest_unpaid_due, standing.days_1_30, standing.days_31_60) == (
        8500, date(2026, 3, 20), 8500, 0)


def test_by_service_pays_every_garbage_then_sewer_charge_first():
    """garbage, sewer, water: both garbage charges ($40.00), both sewer ($60.00); all the water is left."""
    standing = age(FEBRUARY + MARCH + PAID, ON, BY_SERVICE)
    assert standing.unpaid_by_service() == {"water": 8500}
    assert (standing.past_due_cents, standing.oldest_unpaid_due, standing.days_31_60, standing.days_1_30) == (
        8500, date(2026, 2, 20), 4000, 4500)
    assert standing.balance_cents == 8500 and sum(standing.buckets().values()) == 8500
    [water] = standing.by_service
    assert water.buckets() == {"current": 0, "days_1_30": 4500, "days_31_60": 4000, "days_61_90": 0, "over_90": 0}
    assert unpaid_debits(FEBRUARY + MARCH + PAID, ON, BY_SERVICE) == {
        2: 0, 5: 0, 3: 0, 6: 0, 1: 4000, 4: 4500}  # garbage, sewer, then water, oldest due first within each


def test_services_not_listed_come_after_oldest_due_first_and_the_catch_all_is_other():
    """water only: then sewer and garbage and a fee without a service, oldest due first among them."""
    fee = Posting(8, 500, date(2026, 2, 25), date(2026, 2, 25))
    water_first = PaymentOrders(((date(2026, 1, 1), PaymentOrder(("water",))),))
    standing = age(FEBRUARY + MARCH + PAID + [fee], ON, water_first)
    # water 85.00 paid, then $15.00 of February's sewer (due Feb 20, before the fee of Feb 25)
    assert standing.unpaid_by_service() == {"garbage": 4000, "other": 500, "sewer": 4500}
    assert payment_orders_of(None).on(ON) == PaymentOrder()


def test_a_reversed_charge_owes_nothing_of_its_service():
    reversal = Posting(8, -3000, date(2026, 3, 21), date(2026, 3, 20), 5, "sewer")
    assert age(MARCH + [reversal], ON).unpaid_by_service() == {"garbage": 2000, "water": 4500}


# --- a bill of water, sewer and garbage, charged per service ---------------------------------------

def test_a_bill_is_charged_one_entry_per_service_summing_to_its_total():
    """12 CCF, winter average 7, on 2026-03-01: water 54.22, sewer 38.59, garbage 25.00, franchise fee 5.89."""
    library = RuleLibrary.from_documents(_rules())
    facts = {"meter_size": '3/4"', "consumption_ccf": 12, "winter_average_ccf": 7}
    result = library.evaluate("water-rates-residential", facts, date(2026, 3, 1))
    assert result.total == Decimal("123.70")
    assert charges_by_service(bill_lines_summing_to_total(result)) == [
        ("water", 5422), ("sewer", 3859), ("garbage", 2500), ("fees", 589)]


def test_a_period_across_a_rate_change_is_prorated_per_service():
    """2026-06-16 to 2026-07-15, 15 days at each year's rates, total 58.51 + 60.78 = 119.29: sewer 16.12 + 16.93,
    garbage 25.00, fees 2.79 + 2.90; water 27.11 + 28.46 less the 2 cents the parts' own rounding left over."""
    library = RuleLibrary.from_documents(_rules())
    facts = {"meter_size": '3/4"', "consumption_ccf": 12}
    result = library.evaluate("water-rates-residential", facts, date(2026, 7, 20),
                              period=(date(2026, 6, 16), date(2026, 7, 15)))
    lines = bill_lines_summing_to_total(result)
    assert result.total == Decimal("119.29") and sum(amount for _, amount, _, _ in lines) == result.total
    assert dict(charges_by_service(lines)) == {"water": 5555, "sewer": 3305, "garbage": 2500, "fees": 569}
    assert [service for name, _, _, service in lines if name.startswith("Proration")] == ["water", "sewer", "fees"]


def _published(session) -> None:
    """The rules, with the payment order that turns to garbage, sewer, water on 2026-03-25, published."""
    store.import_documents(session, _rules(), actor="test", now=NOW, today=date(2026, 3, 1))


def _bill_the_account(sessions, tmp_path) -> int:
    """One residential account billed for 2026-03 (bill date March 1, due March 23); its id."""
    with sessions() as s, s.begin():
        _published(s)
        account = account_with_reads(s, WINTER)
    with open(reads_file(tmp_path, [f"{account.number},2026-02-26,1000"]), newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(sessions, RuleLibrary.from_documents(_rules()), cycle="A", period="2026-03", rows=rows,
                         as_of=date(2026, 3, 1), now=NOW)
    assert report.billed == 1 and report.billed_cents == 12370
    return account.id


def test_a_partial_payment_applies_by_the_order_in_force_on_the_day(committing_db, tmp_path):
    """$60.00 paid on March 10: until March 24 oldest due first (the water, then $5.78 of the sewer);
    from March 25 by service (the garbage, then $35.00 of the sewer). The kept balances follow the night it changes."""
    account = _bill_the_account(committing_db, tmp_path)
    with committing_db() as s, s.begin():
        bill = s.scalar(select(Bill).where(Bill.account_id == account))
        assert [line.service for line in bill.lines] == ["water", "water", "sewer", "sewer", "garbage", "fees"]
        charges = s.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account)
                            .order_by(LedgerEntry.id)).all()
        assert [(c.service, c.amount_cents, c.due_on, c.bill_id) for c in charges] == [
            ("water", 5422, DUE, bill.id), ("sewer", 3859, DUE, bill.id), ("garbage", 2500, DUE, bill.id),
            ("fees", 589, DUE, bill.id)]
        ledger.post(s, account_id=account, kind="payment", amount=Decimal("-60.00"), on=date(2026, 3, 10), now=NOW,
                    actor="carla", description="Payment (cash, counter)")
    with committing_db() as s:
        before = ledger.standing(s, account, BEFORE_THE_CHANGE)
        after = ledger.standing(s, account, AFTER_THE_CHANGE)
        unpaid = ledger.unpaid_entries(s, account, AFTER_THE_CHANGE)
    assert before.past_due_by_service() == {"fees": 589, "garbage": 2500, "sewer": 3281}
    assert after.past_due_by_service() == {"fees": 589, "sewer": 359, "water": 5422}
    assert before.past_due_cents == after.past_due_cents == 6370
    assert [unpaid[c.id] for c in charges] == [5422, 359, 0, 589]
    for night in (BEFORE_THE_CHANGE, AFTER_THE_CHANGE):
        with committing_db() as s, s.begin():
            kept.roll_over(s, night, now=NOW, actor="balances-rollover")
        with committing_db() as s:
            assert check_balances(s).agrees
            rows = s.execute(select(AccountServiceBalance.service, AccountServiceBalance.unpaid_cents,
                                    AccountServiceBalance.past_due_cents)
                             .where(AccountServiceBalance.account_id == account)).all()
            expected = before if night == BEFORE_THE_CHANGE else after
            assert {service: (u, p) for service, u, p in rows} == {
                owed.service: (owed.unpaid_cents, owed.past_due_cents) for owed in expected.by_service}


def test_publishing_an_order_in_force_on_the_kept_day_rebuilds_the_kept_balances(db):
    """Kept on November 24; a version from that day (by service: sewer, then water) is published: the kept rows
    follow at once, and the rebuild is audited."""
    today = date(2026, 11, 24)
    store.import_folder(db, REPO / "rules", actor="test", now=NOW, today=today)
    for username, role in (("sam", "supervisor"), ("ana", "admin")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    account = create_account(db).id
    for service, dollars, due in (("water", "60.00", date(2026, 11, 1)), ("sewer", "40.00", date(2026, 11, 20))):
        ledger.post_charge(db, account, Decimal(dollars), on=date(2026, 10, 20), due_on=due, now=NOW,
                           actor="billing", description="Bill", service=service)
    ledger.post(db, account_id=account, kind="payment", amount=Decimal("-50.00"), on=date(2026, 11, 10), now=NOW,
                actor="carla", description="Payment")
    kept.roll_over(db, today, now=NOW, actor="balances-rollover")

    def kept_by_service() -> dict[str, int]:
        return dict(db.execute(select(AccountServiceBalance.service, AccountServiceBalance.unpaid_cents)
                               .where(AccountServiceBalance.account_id == account)).all())

    assert kept_by_service() == {"water": 1000, "sewer": 4000}  # oldest due first: the water bill first
    text = (REPO / "rules" / "finance" / "payment-order.yaml").read_text(encoding="utf-8") + (
        "  - effective: 2026-11-24\n    reference: Resolution 2026-88\n    order: {by_service: [sewer, water]}\n")
    row = store.draft(db, check_draft(db, "payment-order", text, today), "sam", NOW)
    store.publish(db, "payment-order", row.revision, "ana", NOW, today)
    assert kept_by_service() == {"water": 5000}  # the sewer first, then $10.00 of the water
    assert check_balances(db).agrees
    assert db.scalar(select(AuditEntry.actor).where(AuditEntry.action == "ledger.balances_rebuilt")) == "ana"


def test_the_impact_of_a_payment_order_lists_the_accounts_whose_services_past_due_change(db):
    """Oldest first, the account has water and sewer past due; sewer first, only water."""
    today = date(2026, 11, 24)
    store.import_folder(db, REPO / "rules", actor="test", now=NOW, today=today)
    account = create_account(db)
    for service, dollars, due in (("water", "60.00", date(2026, 11, 1)), ("sewer", "40.00", date(2026, 11, 20))):
        ledger.post_charge(db, account.id, Decimal(dollars), on=date(2026, 10, 20), due_on=due, now=NOW,
                           actor="billing", description="Bill", service=service)
    ledger.post(db, account_id=account.id, kind="payment", amount=Decimal("-50.00"), on=date(2026, 11, 10),
                now=NOW, actor="carla", description="Payment")
    text = (REPO / "rules" / "finance" / "payment-order.yaml").read_text(encoding="utf-8") + (
        "  - effective: 2026-12-01\n    order: {by_service: [sewer, water]}\n")
    report = impact_of_draft(db, load_document(text, "payment-order (draft)"), published_library(db), today)
    assert report.effective == date(2026, 12, 1) and "past due of" in report.population
    assert (account.number, "past due: sewer, water", "past due: water") in report.outcomes.changed


def test_the_aging_buckets_are_the_payment_order_s_in_force_on_the_day():
    """A charge 100 days late: over 90 under [30, 60, 90]; in the third bucket (61-120) from a version saying
    [30, 60, 120]; the buckets' names follow."""
    from engine.money.ledger.aging import age
    orders = PaymentOrders(((date(2024, 7, 1), PaymentOrder()),
                            (date(2027, 1, 1), PaymentOrder(aging=(30, 60, 120)))))
    charge = [Posting(1, 5000, date(2026, 9, 1), date(2026, 9, 22))]
    before = age(charge, date(2026, 12, 31), orders)  # 100 days after 2026-09-22
    after = age(charge, date(2027, 1, 1), orders)     # 101 days
    assert (before.over_90, before.days_61_90) == (5000, 0)
    assert (after.over_90, after.days_61_90) == (0, 5000)
    assert orders.on(date(2027, 1, 1)).bucket_words() == ("Current", "1–30 days", "31–60 days", "61–120 days",
                                                          "Over 120 days")
    assert orders.changes_between(date(2026, 12, 31), date(2027, 1, 1))


def test_publishing_other_aging_buckets_on_the_kept_day_rebuilds_the_kept_balances_and_the_page_says_them(db):
    """Kept on November 24 with a charge 95 days late (over 90); a version from that day ages in 30/60/120: the kept
    row moves to the third bucket at once."""
    from engine.money.ledger.balances import standings_on
    from engine.store.models import AccountBalance
    today = date(2026, 11, 24)
    store.import_folder(db, REPO / "rules", actor="test", now=NOW, today=today)
    for username, role in (("sam", "supervisor"), ("ana", "admin")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    account = create_account(db).id
    ledger.post_charge(db, account, Decimal("60.00"), on=date(2026, 7, 30), due_on=date(2026, 8, 21), now=NOW,
                       actor="billing", description="Bill", service="water")
    kept.roll_over(db, today, now=NOW, actor="balances-rollover")

    def kept_buckets() -> tuple[int, int]:
        row = db.get(AccountBalance, account)
        return row.days_61_90_cents, row.over_90_cents

    assert kept_buckets() == (0, 6000)
    text = (REPO / "rules" / "finance" / "payment-order.yaml").read_text(encoding="utf-8") + (
        "  - effective: 2026-11-24\n    reference: Resolution 2026-88\n    order: oldest_due_first\n"
        "    aging: [30, 60, 120]\n")
    row = store.draft(db, check_draft(db, "payment-order", text, today), "sam", NOW)
    store.publish(db, "payment-order", row.revision, "ana", NOW, today)
    assert kept_buckets() == (6000, 0)
    assert standings_on(db, today, [account])[account].days_61_90 == 6000
    assert check_balances(db).agrees


def test_aging_buckets_that_do_not_ascend_are_refused():
    from engine.rules.errors import DocumentErrors
    from engine.rules.loader import load_document
    text = ("id: payment-order\nkind: payment-order\ntitle: Order\nversions:\n  - effective: 2026-01-01\n"
            "    order: oldest_due_first\n    aging: [30, 90, 60]\n")
    with pytest.raises(DocumentErrors) as refused:
        load_document(text, "payment-order.yaml")
    assert [str(e) for e in refused.value.errors] == [
        "payment-order.yaml:7: versions[0].aging[2]: the buckets must ascend: 60 days comes after 90"]
