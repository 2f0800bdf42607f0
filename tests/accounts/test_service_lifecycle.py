"""Start, stop, transfer and meter exchange, to the cent and to the day, on the sample city's rules and workflows.

Every figure is worked out by hand in the comments from rules/utilities (FY2025-26 rates,
version 2025-07-01: 3/4" water base 27.02, use 7 CCF x 2.05 then 2.57, sewer base 16.33,
sewer use 3.18 a CCF of the winter average, franchise fee 5%; deposit-amount version
2024-07-01: 3/4" 185.00) and the rates' `proration:` block (base charges and sewer use by
days of 30; 25 to 35 days bill whole). After each, the kept balances agree with the ledger
(`ordinance ledger verify`) and the audit chain holds.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.accounts.meters import NewMeter, exchange_meter, install_meter
from engine.accounts.service_start import NewCustomer, StartError, StartRequest, plan_start, start_service
from engine.accounts.service_stop import StopError, StopRequest, plan_stop, stop_service
from engine.accounts.service_transfer import plan_transfer, transfer_service
from engine.audit import verify_chain
from engine.workflow.move_out_refunds import MoveOutRefunds
from engine.money import ledger
from engine.money.billing import BillingRun, ReadRow, _bill_chunk
from engine.money.deposits import take_deposit
from engine.money.ledger.posting import balance_cents
from engine.money.ledger.verify import check_balances
from engine.store.meters import Meter, MeterExchange
from engine.store.models import AuditEntry, Bill, Case, Deposit, LedgerEntry, MeterRead, UtilityAccount
from tests.factories import NOW, create_account, create_customer
from tests.ledger.billing_support import account_with_reads
from tests.workflow.conftest import add_staff, catalog  # noqa: F401  (fixture)

READS = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8),
         ("2026-02", date(2026, 2, 28), 993, 5)]  # winter average (6 + 8 + 5) / 3 = 6.33, whole: 6 CCF


@pytest.fixture()
def home(db, catalog):  # noqa: F811
    """A 3/4" residential account read through 2026-02-28, on meter M-100, with a 185.00 deposit held."""
    add_staff(db)
    account = account_with_reads(db, READS)
    install_meter(db, NewMeter("M-100", '3/4"', 4, "front yard", "A-07"), property_id=account.property_id,
                  account_id=account.id, on=date(2024, 1, 1), now=NOW, actor="carla")
    take_deposit(db, account.id, on=date(2025, 3, 1), now=NOW, actor="carla", library=catalog.rules)
    db.flush()
    return account


def _cycle_bill(db, catalog, number: str, read_on: date, reading: int) -> None:
    """Cycle A's March billing of one read, as run_billing bills each chunk, in the test's transaction."""
    run = BillingRun(catalog.rules, "A", "2026-03", date(2026, 3, 31), date(2026, 4, 21), NOW)
    done = _bill_chunk(db, run, [ReadRow(2, number, read_on, reading, None)])
    assert not done.problems, done.problems


def _verified(db) -> None:
    """The kept balances agree with the ledger and the audit chain is whole."""
    db.flush()
    check = check_balances(db)
    assert check.agrees, check.differences
    assert verify_chain(db).intact


def test_a_17_day_final_bill_is_prorated_the_deposit_applied_and_a_refund_case_opened(db, catalog, home):
    request = StopRequest(home.id, move_out_on=date(2026, 3, 17), final_reading=1005, billed_on=date(2026, 3, 17))
    plan = plan_stop(db, catalog.rules, request, now=NOW, actor="carla")
    assert (plan.service_from, plan.service_to, plan.consumption_ccf) == (date(2026, 3, 1), date(2026, 3, 17), 12)
    # 17 of 30 days: water base 27.02 x 17/30 = 15.311 -> 15.31; use 7 x 2.05 + 5 x 2.57 = 27.20 (not prorated);
    # sewer base 16.33 x 17/30 = 9.254 -> 9.25; sewer use 6 x 3.18 = 19.08 x 17/30 = 10.812 -> 10.81;
    # franchise fee 5% of 62.57 = 3.1285 -> 3.13; total 65.70.
    assert [(name, amount) for name, amount, _, _ in plan.bill_lines] == [
        ("Water base charge", Decimal("15.31")), ("Water use", Decimal("27.20")),
        ("Sewer base charge", Decimal("9.25")), ("Sewer use (winter average)", Decimal("10.81")),
        ("Franchise fee", Decimal("3.13"))]
    assert "prorated for 17 days of 30" in plan.bill_lines[0][2]
    assert plan.bill_cents == 6570 and plan.deposit_cents == 18500 and plan.balance_before_cents == 0
    assert plan.refund_cents == 11930 and plan.transfer_cents == 0  # 185.00 - 65.70
    assert plan.due_on == date(2026, 4, 7)
    assert not db.scalars(select(Bill)).all()  # planning wrote nothing

    done = stop_service(db, catalog.rules, request, refunds=MoveOutRefunds(catalog), now=NOW, actor="carla",
                        seen=plan.figures())
    account = db.get(UtilityAccount, home.id)
    assert (account.status, account.closed_on) == ("closed", date(2026, 3, 17))
    bill = db.get(Bill, done.bill_id)
    assert (bill.total_cents, bill.period, bill.service_from, bill.service_to) == (
        6570, "2026-03", date(2026, 3, 1), date(2026, 3, 17))
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == home.id).order_by(LedgerEntry.id)).all()
    # one charge per service: water 15.31 + 27.20 = 42.51, sewer 9.25 + 10.81 = 20.06, fees 3.13
    assert [(e.kind, e.service, e.amount_cents) for e in entries] == [
        ("charge", "water", 4251), ("charge", "sewer", 2006), ("charge", "fees", 313), ("deposit", None, -18500)]
    assert sum(e.amount_cents for e in entries) == -11930 == balance_cents(db, home.id)
    assert db.scalars(select(Deposit.status).where(Deposit.account_id == home.id)).all() == ["applied"]
    case = db.get(Case, done.refund_case_id)
    assert (case.workflow_id, case.subject_id, case.state, case.fields["amount"]) == (
        "refunds", home.id, "requested", "119.30")
    meter = db.scalar(select(Meter).where(Meter.number == "M-100"))
    assert meter.account_id is None and meter.removed_on is None  # stays on the property for the next occupant
    final = db.scalar(select(MeterRead).where(MeterRead.account_id == home.id, MeterRead.period == "2026-03"))
    assert (final.reading, final.consumption_ccf, final.meter_id, final.source) == (1005, 12, meter.id, "final read")
    stopped = db.scalar(select(AuditEntry).where(AuditEntry.action == "account.service_stopped"))
    assert stopped.detail["refund"] == "119.30"
    _verified(db)


def test_a_stop_is_refused_when_the_amounts_changed_since_the_confirmation(db, catalog, home):
    request = StopRequest(home.id, move_out_on=date(2026, 3, 17), final_reading=1005, billed_on=date(2026, 3, 17))
    seen = plan_stop(db, catalog.rules, request, now=NOW, actor="carla").figures()
    ledger.post_fee(db, home.id, Decimal("10.00"), on=date(2026, 3, 17), now=NOW, actor="carla", description="Fee")
    with pytest.raises(StopError, match="amounts changed"):
        stop_service(db, catalog.rules, request, refunds=MoveOutRefunds(catalog), now=NOW, actor="carla",
                     seen=seen)


def test_a_final_read_below_the_last_one_is_refused_by_name(db, catalog, home):
    request = StopRequest(home.id, move_out_on=date(2026, 3, 17), final_reading=990, billed_on=date(2026, 3, 17))
    with pytest.raises(StopError, match="final read: reading 990 is below the previous reading 993"):
        plan_stop(db, catalog.rules, request, now=NOW, actor="carla")


def test_the_balance_moves_to_the_customers_other_account(db, catalog):
    add_staff(db)
    customer = create_customer(db)
    leaving = account_with_reads(db, READS, customer=customer)
    staying = create_account(db, customer=customer)
    ledger.post_charge(db, leaving.id, Decimal("50.00"), on=date(2026, 3, 5), due_on=date(2026, 3, 26), now=NOW,
                       actor="carla", description="Water and sewer")
    request = StopRequest(leaving.id, move_out_on=date(2026, 3, 17), final_reading=1005, billed_on=date(2026, 3, 17),
                          settle_by="transfer", transfer_to=staying.number)
    plan = plan_stop(db, catalog.rules, request, now=NOW, actor="carla")
    assert (plan.bill_cents, plan.transfer_cents, plan.refund_cents) == (6570, 11570, 0)  # 50.00 + 65.70
    done = stop_service(db, catalog.rules, request, refunds=MoveOutRefunds(catalog), now=NOW, actor="carla",
                        seen=plan.figures())
    assert balance_cents(db, leaving.id) == 0
    assert balance_cents(db, staying.id) == 11570
    moved = [db.get(LedgerEntry, i) for i in done.transfer_entry_ids]
    assert [(e.account_id, e.kind, e.amount_cents) for e in moved] == [(leaving.id, "adjustment", -11570),
                                                                      (staying.id, "adjustment", 11570)]
    assert moved[1].description == f"Adjustment: balance transferred from account {leaving.number}"
    _verified(db)


def test_a_transfer_to_someone_elses_account_is_refused(db, catalog, home):
    other = create_account(db)
    request = StopRequest(home.id, move_out_on=date(2026, 3, 17), final_reading=1005, billed_on=date(2026, 3, 17),
                          settle_by="transfer", transfer_to=other.number)
    with pytest.raises(StopError, match=f"account {other.number} is not this customer's"):
        plan_stop(db, catalog.rules, request, now=NOW, actor="carla")


def test_a_meter_exchange_mid_cycle_bills_both_meters_reads(db, catalog, home):
    exchange_meter(db, home.id, on=date(2026, 3, 10), old_final_reading=997,
                   new_meter=NewMeter("M-200", '3/4"', 4, "front yard", "A-07"), new_first_reading=0,
                   now=NOW + timedelta(days=8), actor="carla")  # recorded on the day of the exchange
    old, new = (db.scalar(select(Meter).where(Meter.number == n)) for n in ("M-100", "M-200"))
    assert (old.removed_on, old.account_id, new.installed_on, new.account_id) == (
        date(2026, 3, 10), None, date(2026, 3, 10), home.id)
    _cycle_bill(db, catalog, home.number, date(2026, 3, 28), 8)
    bill = db.scalar(select(Bill).where(Bill.account_id == home.id))
    # old meter 993 -> 997: 4 CCF; new meter 0 -> 8: 8 CCF; 12 CCF over 28 days (a whole period):
    # 27.02 + 27.20 + 16.33 + 19.08 = 89.63, franchise fee 4.4815 -> 4.48, total 94.11
    assert (bill.consumption_ccf, bill.total_cents) == (12, 9411)
    assert [(r["meter_id"], r["from"], r["to"], r["ccf"]) for r in bill.explanation["meter_reads"]] == [
        (old.id, 993, 997, 4), (new.id, 0, 8, 8)]
    read = db.scalar(select(MeterRead).where(MeterRead.account_id == home.id, MeterRead.period == "2026-03"))
    assert (read.reading, read.consumption_ccf, read.meter_id) == (8, 12, new.id)
    assert db.scalar(select(MeterExchange.old_final_reading)) == 997
    _verified(db)


def test_move_in_at_the_same_address_with_a_deposit_then_a_prorated_first_bill(db, catalog, home):
    stop_service(db, catalog.rules, StopRequest(home.id, move_out_on=date(2026, 3, 17), final_reading=1005,
                                                billed_on=date(2026, 3, 17)), refunds=MoveOutRefunds(catalog),
                 now=NOW, actor="carla")
    meter = db.scalar(select(Meter).where(Meter.number == "M-100"))
    request = StartRequest(property_id=home.property_id, start_on=date(2026, 3, 18), start_reading=1005,
                           rate_class="residential", services=("water", "sewer"), meter_id=meter.id,
                           new_customer=NewCustomer("Ana Ruiz", "12 Birch Lane", "Alder Creek", "CA", "95601",
                                                    phone="530-555-0199"))
    plan = plan_start(db, catalog.rules, request)
    assert (plan.deposit, plan.deposit_version, plan.meter_number, plan.cycle) == (
        Decimal("185.00"), "2024-07-01", "M-100", "A")
    assert [(d.name, d.amount, d.detail) for d in plan.deposit_lines] == [
        ("Service deposit", Decimal("185.00"), 'meter size 3/4": 185.00')]
    assert plan.deposit_reference.startswith("Resolution 2024-38")
    started = start_service(db, catalog.rules, request, now=NOW, actor="carla", seen_deposit=plan.deposit)
    account = started.account
    assert account.number == plan.account_number and account.opened_on == date(2026, 3, 18)
    assert meter.account_id == account.id
    assert db.get(Deposit, started.deposit_id).amount_cents == 18500
    start_read = db.scalar(select(MeterRead).where(MeterRead.account_id == account.id))
    assert (start_read.period, start_read.read_on, start_read.reading) == ("2026-02", date(2026, 3, 17), 1005)
    _cycle_bill(db, catalog, account.number, date(2026, 3, 28), 1010)
    bill = db.scalar(select(Bill).where(Bill.account_id == account.id))
    # 2026-03-18 to 03-28, 11 days of 30, 5 CCF, no winter reads (the rule's default 5 CCF):
    # base 27.02 x 11/30 = 9.907 -> 9.91; use 5 x 2.05 = 10.25; sewer base 16.33 x 11/30 = 5.988 -> 5.99;
    # sewer use 15.90 x 11/30 = 5.83; fee 5% of 31.98 = 1.599 -> 1.60; total 33.58
    assert (bill.service_from, bill.service_to, bill.consumption_ccf, bill.total_cents) == (
        date(2026, 3, 18), date(2026, 3, 28), 5, 3358)
    _verified(db)


def test_a_transfer_stops_the_owner_and_starts_the_tenant_on_the_same_meter(db, catalog, home):
    tenant = create_customer(db, name="Lee Park")
    stop = StopRequest(home.id, move_out_on=date(2026, 3, 17), final_reading=1005, billed_on=date(2026, 3, 17))
    start = StartRequest(property_id=0, start_on=date(2026, 1, 1), start_reading=0, rate_class="residential",
                         services=("water", "sewer"), customer_id=tenant.id)
    plan = plan_transfer(db, catalog.rules, stop, start, now=NOW, actor="carla")
    assert (plan.stop.bill_cents, plan.start.deposit, plan.start.meter_number) == (6570, Decimal("185.00"), "M-100")
    stopped, started = transfer_service(db, catalog.rules, stop, start, refunds=MoveOutRefunds(catalog), now=NOW,
                                        actor="carla", seen=plan.stop.figures(), seen_deposit=plan.start.deposit)
    assert started.account.customer_id == tenant.id and started.account.opened_on == date(2026, 3, 18)
    assert started.meter.account_id == started.account.id
    assert db.get(UtilityAccount, home.id).status == "closed"
    _verified(db)


def test_a_start_with_a_meter_still_serving_someone_is_refused(db, catalog, home):
    meter = db.scalar(select(Meter).where(Meter.number == "M-100"))
    request = StartRequest(property_id=home.property_id, start_on=date(2026, 3, 18), start_reading=1005,
                           rate_class="residential", services=("water", "sewer"), meter_id=meter.id,
                           customer_id=home.customer_id)
    with pytest.raises(StartError, match=f"meter M-100 still serves account {home.number}"):
        plan_start(db, catalog.rules, request)


def test_a_stop_without_any_read_on_file_is_refused_by_name(db, catalog):
    account = create_account(db)
    request = StopRequest(account.id, move_out_on=date(2026, 3, 17), final_reading=10, billed_on=date(2026, 3, 17))
    with pytest.raises(StopError, match=f"final read: account {account.number} has no read on file"):
        plan_stop(db, catalog.rules, request, now=NOW, actor="carla")


def test_a_final_bill_across_a_rate_change_is_prorated_for_its_days_then_split_by_version(db, catalog):
    add_staff(db)
    account = account_with_reads(db, [("2026-05", date(2026, 5, 20), 500, 9), ("2026-06", date(2026, 6, 19), 510, 10)])
    request = StopRequest(account.id, move_out_on=date(2026, 7, 6), final_reading=522, billed_on=date(2026, 7, 6))
    plan = plan_stop(db, catalog.rules, request, now=NOW, actor="carla")
    # Jun 20 to Jul 6: 17 days, 12 CCF, no winter reads (the rule's default 5 CCF). Each version's whole, its
    # bases and sewer use prorated 17/30: FY2025-26 15.31 + 27.20 + 9.25 + 9.01 + fee 3.04 = 63.81;
    # FY2026-27 16.08 + 28.55 + 9.72 + 9.46 + fee 3.19 = 67.00. Then by days: 63.81 x 11/17 = 41.29 and
    # 67.00 x 6/17 = 23.65; total 64.94.
    assert (plan.service_from, plan.service_to, plan.consumption_ccf, plan.bill_cents) == (
        date(2026, 6, 20), date(2026, 7, 6), 12, 6494)
    assert sum(amount for _, amount, _, _ in plan.bill_lines) == Decimal("64.94")
    done = stop_service(db, catalog.rules, request, refunds=MoveOutRefunds(catalog), now=NOW, actor="carla",
                        seen=plan.figures())
    bill = db.get(Bill, done.bill_id)
    assert [(p["days"], p["total"]) for p in bill.explanation["parts"]] == [(11, "41.29"), (6, "23.65")]
    assert balance_cents(db, account.id) == 6494 and done.refund_case_id is None
    _verified(db)
