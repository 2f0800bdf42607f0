"""The sample city looks like a real one: cycles, languages, tenants, delinquency, returned checks, cases."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from engine.audit import verify_chain
from engine.money.billing import charge_description
from samplecity.cases import PATH
from engine.money.ledger.balances import PAST_DUE, count_of, kept_on
from engine.money.ledger.standing import standings
from engine.money.ledger.verify import check_balances
from engine.money import from_cents, to_cents
from engine.store.models import (AuditEntry, Bill, BillLine, Case, CaseEvent, CitySettings, Customer, Deposit,
                                 LedgerEntry, License, MeterRead, Notice, Payment, Property, UtilityAccount)
from tests.demo.conftest import ACCOUNTS, AS_OF, LICENSES
from tests.factories import sample_version


def count(session: Session, model) -> int:
    """Rows in a table."""
    return session.scalar(select(func.count()).select_from(model))


def test_every_account_has_twelve_reads_and_bills_in_all_four_cycles(city: Engine) -> None:
    with Session(city) as session:
        assert count(session, UtilityAccount) == ACCOUNTS
        assert count(session, MeterRead) == count(session, Bill) == 12 * ACCOUNTS
        cycles = Counter(session.scalars(select(UtilityAccount.cycle)))
        assert set(cycles) == {"A", "B", "C", "D"}
        periods = sorted(set(session.scalars(select(Bill.period))))
        assert periods[0] == "2025-11" and periods[-1] == "2026-10" and len(periods) == 12


def test_customers_speak_english_and_spanish_and_a_third_of_homes_are_rented(city: Engine) -> None:
    with Session(city) as session:
        residents = session.execute(select(Customer.language, Customer.mailing_city)
                                    .join(UtilityAccount, UtilityAccount.customer_id == Customer.id)).all()
        spanish = sum(1 for language, _ in residents if language == "es")
        assert 0.10 <= spanish / len(residents) <= 0.32
        tenants = session.scalar(select(func.count()).select_from(UtilityAccount)
                                 .join(Property, UtilityAccount.property_id == Property.id)
                                 .where(UtilityAccount.customer_id != Property.owner_id))
        assert 0.18 <= tenants / ACCOUNTS <= 0.42
        away = session.scalar(select(func.count()).select_from(Customer).where(Customer.mailing_city != "Alder Creek"))
        assert away > 0, "some landlords receive their mail elsewhere"
        parcels = session.scalars(select(Property.parcel)).all()
        assert all(len(p) == 11 and p[3] == p[7] == "-" for p in parcels)
        assert count(session, Deposit) > 0


def test_meters_are_mostly_small_and_commercial_ones_larger(city: Engine) -> None:
    with Session(city) as session:
        rows = session.execute(select(UtilityAccount.rate_class, UtilityAccount.meter_size)).all()
        residential = Counter(size for rate_class, size in rows if rate_class == "residential")
        assert residential['5/8"'] + residential['3/4"'] > 0.7 * sum(residential.values())
        commercial = [size for rate_class, size in rows if rate_class == "commercial"]
        assert 0 < len(commercial) < 0.2 * ACCOUNTS


def test_each_bill_is_the_sum_of_its_lines_and_is_charged_to_the_ledger(city: Engine) -> None:
    with Session(city) as session:
        lines = (select(BillLine.bill_id, func.sum(BillLine.amount_cents).label("total"))
                 .group_by(BillLine.bill_id).subquery())
        wrong = session.scalar(select(func.count()).select_from(Bill).join(lines, lines.c.bill_id == Bill.id)
                               .where(lines.c.total != Bill.total_cents))
        assert wrong == 0
        assert session.scalar(select(func.count(func.distinct(BillLine.bill_id)))) == count(session, Bill)
        charges = (select(LedgerEntry.bill_id, func.sum(LedgerEntry.amount_cents).label("total"))
                   .where(LedgerEntry.kind == "charge").group_by(LedgerEntry.bill_id).subquery())
        charged = session.scalar(select(func.count()).select_from(Bill).join(
            charges, (charges.c.bill_id == Bill.id) & (charges.c.total == Bill.total_cents)))
        assert charged == count(session, Bill)


def test_each_bill_is_charged_by_service_as_the_billing_run_charges_it(city: Engine) -> None:
    """One charge per service of the bill's lines, its amount theirs, due when the bill is, described as the
    billing run describes it; the bill lines carry their services."""
    with Session(city) as session:
        lines = Counter()
        for bill_id, service, cents in session.execute(select(BillLine.bill_id, BillLine.service,
                                                              BillLine.amount_cents)):
            lines[bill_id, service] += cents
        assert None not in {service for _, service in lines}
        assert {service for _, service in lines} == {"water", "sewer", "fees"}
        charges = session.execute(select(LedgerEntry.bill_id, LedgerEntry.service, LedgerEntry.amount_cents,
                                         LedgerEntry.due_on, LedgerEntry.description, Bill.due_on,
                                         Bill.service_from, Bill.service_to)
                                  .join(Bill, Bill.id == LedgerEntry.bill_id)
                                  .where(LedgerEntry.kind == "charge")).all()
        assert {(bill_id, service): cents for bill_id, service, cents, *_ in charges} == {
            key: cents for key, cents in lines.items() if cents}
        assert len(charges) == len({(bill_id, service) for bill_id, service, *_ in charges}) > count(session, Bill)
        assert all(due_on == bill_due for _, _, _, due_on, _, bill_due, _, _ in charges)
        assert all(words == charge_description(service, start, end)
                   for _, service, _, _, words, _, start, end in charges)


def test_bills_are_priced_by_the_rate_schedules_with_their_explanation(city: Engine, city_rules) -> None:
    with Session(city) as session:
        bill = session.scalars(select(Bill).join(UtilityAccount).where(
            UtilityAccount.rate_class == "residential", Bill.period == "2026-09", Bill.consumption_ccf > 0)
            .order_by(Bill.id).limit(1)).one()
        assert bill.rule_id == "water-rates-residential" and bill.rule_version == "2026-07-01"
        assert bill.explanation["total"] == str(from_cents(bill.total_cents))
        assert bill.explanation["as_of"] == bill.service_to.isoformat()
        assert [line.name for line in bill.lines] == [line["name"] for line in bill.explanation["lines"]]
        assert bill.due_on > bill.billed_on
        rule_ids = set(session.scalars(select(Bill.rule_id)))
        assert rule_ids == {"water-rates-residential", "water-rates-commercial"}


def test_some_accounts_are_over_90_days_past_due_and_most_are_current(city: Engine) -> None:
    with Session(city) as session:
        aged = dict(standings(session, AS_OF))
        over_90 = [a for a, s in aged.items() if s.over_90 > 0]
        assert over_90, "the chronically delinquent accounts have balances over 90 days"
        assert len(over_90) < 0.1 * ACCOUNTS
        current = [a for a, s in aged.items() if s.past_due_cents == 0]
        assert len(current) > 0.7 * ACCOUNTS


def test_returned_checks_are_reversed_and_charged_the_returned_payment_fee(city: Engine) -> None:
    with Session(city) as session:
        returned = session.scalars(select(Payment).where(Payment.status == "returned")).all()
        assert returned
        for payment in returned:
            assert payment.tender == "check" and payment.returned_on > payment.received_on
            credit = session.scalars(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id,
                                                                LedgerEntry.kind == "payment")).one()
            reversal = session.scalars(select(LedgerEntry).where(LedgerEntry.reverses_id == credit.id)).one()
            assert reversal.kind == "reversal" and reversal.amount_cents == -credit.amount_cents
            fee = session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == payment.account_id,
                                                             LedgerEntry.kind == "fee",
                                                             LedgerEntry.rule_id == "returned-payment-fee")).one()
            assert fee.amount_cents == 2500 and fee.effective_on == payment.returned_on


def test_payments_have_unique_keys_and_the_usual_tenders(city: Engine) -> None:
    with Session(city) as session:
        keys = session.scalars(select(Payment.idempotency_key)).all()
        assert len(keys) == len(set(keys)) and all(k.startswith("demo:") for k in keys)
        tenders = set(session.scalars(select(Payment.tender)))
        sources = set(session.scalars(select(Payment.source)))
        assert tenders == {"cash", "check", "card", "ach"} and sources == {"counter", "lockbox", "online"}
        assert session.scalar(select(func.max(Payment.received_on))) <= AS_OF


def test_ledger_balances_are_the_sums_of_entries_by_account(city: Engine) -> None:
    with Session(city) as session:
        by_sql = dict(session.execute(select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_cents))
                                      .group_by(LedgerEntry.account_id)).all())
        by_aging = {a: s.balance_cents for a, s in standings(session, AS_OF)}
        assert by_sql == by_aging


def test_licenses_stand_at_every_point_of_their_year(city: Engine) -> None:
    with Session(city) as session:
        statuses = Counter(session.scalars(select(License.status)))
        assert count(session, License) == LICENSES
        assert statuses["active"] > LICENSES / 2
        assert {"applied", "active", "lapsed"} <= set(statuses)
        applied = session.scalars(select(License).where(License.status == "applied")).all()
        assert all(lic.issued_on is None and lic.fee_cents > 0 for lic in applied)
        active = session.scalars(select(License).where(License.status == "active")).all()
        assert all(lic.expires_on.month == 12 and lic.expires_on.day == 31 for lic in active)


def test_open_cases_follow_the_workflows(city: Engine) -> None:
    with Session(city) as session:
        cases = session.scalars(select(Case)).all()
        by_workflow = Counter(case.workflow_id for case in cases)
        assert by_workflow["delinquency"] >= 4 and by_workflow["refunds"] == 1
        applied = session.scalar(select(func.count()).select_from(License).where(License.status == "applied"))
        assert by_workflow["licensing"] == applied
        aged = dict(standings(session, AS_OF))
        for case in cases:
            events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                     .order_by(CaseEvent.id)).all()
            assert events[0].step == "open" and events[0].from_state is None
            assert events[-1].to_state == case.state and all(e.on_date <= AS_OF for e in events)
            if case.workflow_id == "delinquency":
                assert case.subject_type == "utility_account" and case.account_id == case.subject_id
                assert case.state in PATH and case.workflow_version == sample_version("delinquency")
                assert aged[case.account_id].days_past_due > 0
                assert [e.to_state for e in events] == list(PATH[:len(events)])
                assert case.fields["period"] < AS_OF.isoformat()[:7]
            if case.workflow_id == "refunds":
                assert case.state == "requested" and case.fields["requested_by"] == "clerk"
                assert case.fields["source"] == "overpayment"
                assert aged[case.account_id].balance_cents < 0
                assert to_cents(Decimal(case.fields["amount"])) <= -aged[case.account_id].balance_cents
        states = Counter(case.state for case in cases if case.workflow_id == "delinquency")
        assert states["reminded"] and states["shutoff_notice"], states


def test_reminded_cases_were_charged_the_late_fee_and_sent_a_letter(city: Engine) -> None:
    with Session(city) as session:
        reminded = session.scalars(select(Case).where(Case.workflow_id == "delinquency",
                                                      Case.state != "past_due")).all()
        assert reminded
        for case in reminded:
            late_fees = session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == case.account_id,
                                                                   LedgerEntry.rule_id == "late-fee")).all()
            assert len(late_fees) == 1 and late_fees[0].kind == "fee"
            letters = session.scalars(select(Notice.notice_type).where(Notice.case_id == case.id)).all()
            assert "past-due-reminder" in letters


def test_the_bulk_load_is_one_audit_row_after_the_logins(city: Engine) -> None:
    with Session(city) as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[:3] == ["user.add", "user.add", "user.add"] and actions[-1] == "demo.load"
        assert actions.count("demo.load") == 1
        assert len(actions) < 300, "the bulk rows are not audited one by one"
        load = session.scalars(select(AuditEntry).where(AuditEntry.action == "demo.load")).one()
        assert load.actor == "demo" and load.detail["seed"] == 2026
        assert load.detail["rows"]["utility_accounts"] == ACCOUNTS
        assert verify_chain(session).intact
        settings = session.scalars(select(CitySettings)).one()
        assert settings.name == "City of Alder Creek" and settings.timezone == "America/Los_Angeles"


def test_new_rows_after_the_load_get_fresh_ids(city: Engine) -> None:
    """The loader assigns ids itself; PostgreSQL's sequences must have moved past them."""
    with Session(city) as session:
        customer = Customer(name="Walk-in Customer", mailing_street="1 Main Street", mailing_city="Alder Creek",
                            mailing_state="CA", mailing_zip="95601", created_at=load_time(session))
        session.add(customer)
        session.flush()
        assert customer.id > ACCOUNTS
        session.rollback()


def load_time(session: Session):
    """When the demo was loaded, from its audit row."""
    return session.scalar(select(AuditEntry.at).where(AuditEntry.action == "demo.load"))


def test_foreign_keys_hold_on_sqlite(city: Engine) -> None:
    if city.dialect.name != "sqlite":
        return
    with city.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_every_account_s_balance_is_kept_as_its_ledger_gives_it(city: Engine) -> None:
    """The loader keeps each account's balance as of the load's day, fees of the opened cases included."""
    with Session(city) as session:
        assert kept_on(session) == AS_OF
        check = check_balances(session)
        assert check.agrees and check.accounts == ACCOUNTS
        assert count_of(session, AS_OF, PAST_DUE) == sum(1 for _, s in standings(session, AS_OF)
                                                         if s.past_due_cents > 0) > 0


def test_the_workflows_are_published_in_the_rule_store_like_the_rules(city: Engine) -> None:
    """The sample city's five workflows, each at the version workflows/ gives, published by the demo's import byte for byte."""
    from pathlib import Path

    from engine.store.models import WorkflowVersion

    folder = Path(__file__).resolve().parents[2] / "workflows"
    with Session(city) as session:
        rows = session.scalars(select(WorkflowVersion).order_by(WorkflowVersion.workflow_id)).all()
        assert [(r.workflow_id, r.version, r.status, r.author, r.approver) for r in rows] == [
            (name, sample_version(name), "published", "import", "import") for name in (
                "adjustments", "delinquency", "licensing", "liens", "refunds")]
        assert all(r.yaml_text.encode("utf-8") == (folder / f"{r.workflow_id}.yaml").read_bytes() for r in rows)
        imported = session.scalars(select(AuditEntry).where(AuditEntry.action == "workflow.import")).one()
        assert imported.actor == "demo" and len(imported.detail["published"]) == 5
