"""The impact of a draft: a rate increase on hand-made accounts, to the cent; changed decisions listed.

Each report is checked as the impact job keeps it: worked out with progress told, then taken
through JSON text and back (`worked_out`).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from engine.money import ledger
from engine.rulebook.impact import Change, ImpactReport, band_of, first_new_effective, impact_of_draft
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import Bill, MeterRead
from tests.factories import NOW, create_account, create_business, create_license

TODAY = date(2026, 11, 24)
REPO_RULES = Path(__file__).resolve().parents[2] / "rules"

RATES = """\
id: water-rates-residential
kind: schedule
title: Residential water and sewer service
inputs:
  meter_size: {type: text, values: ['3/4"', '1"']}
  consumption_ccf: {type: number, min: 0}
  winter_average_ccf: {type: number, min: 0, default: 5}
  sewer: {type: boolean, default: true}
versions:
  - effective: 2025-07-01
    lines:
      - name: Water base charge
        table: {fact: meter_size, values: {'3/4"': 20.00, '1"': 30.00}}
      - name: Water use
        per_unit: {fact: consumption_ccf, rate: 2.00}
      - name: Sewer use (winter average)
        when: {sewer: true}
        per_unit: {fact: winter_average_ccf, rate: 3.00, max_units: 12}
"""
BILLING = """\
id: billing-policy
kind: billing
title: How utility bills are made
versions:
  - effective: 2025-01-01
    rate_schedules: {residential: water-rates-residential}
    due_without_calendar: {days: 21}
    winter_average: {months: [12, 1, 2], within: {days: 366}, places: 0}
"""
RATES_2027 = """\
  - effective: 2027-01-01
    lines:
      - name: Water base charge
        table: {fact: meter_size, values: {'3/4"': 24.00, '1"': 30.00}}
      - name: Water use
        per_unit: {fact: consumption_ccf, rate: 2.10}
      - name: Sewer use (winter average)
        when: {sewer: true}
        per_unit: {fact: winter_average_ccf, rate: 2.50, max_units: 12}
"""
SHUTOFF = """\
id: shutoff-eligibility
kind: criteria
title: Whether water service may be shut off
inputs:
  past_due_balance: {type: money}
  days_past_due: {type: integer, min: 0}
versions:
  - effective: 2025-01-01
    hit: first
    rules:
      - name: $50.00 or more, 60 days or more
        when: {all: [{fact: past_due_balance, gte: 50.00}, {fact: days_past_due, gte: 60}]}
        then: {eligible: true}
      - name: Otherwise
        then: {eligible: false}
"""
SHUTOFF_2027 = """\
  - effective: 2027-01-01
    hit: first
    rules:
      - name: $100.00 or more, 60 days or more
        when: {all: [{fact: past_due_balance, gte: 100.00}, {fact: days_past_due, gte: 60}]}
        then: {eligible: true}
      - name: Otherwise
        then: {eligible: false}
"""


def worked_out(db, draft, library, today: date = TODAY, **options) -> ImpactReport:
    """The impact as the job keeps it: worked out with progress told, then through JSON text and back, unchanged."""
    report = impact_of_draft(db, draft, library, today, progress=lambda *told: None, **options)
    kept = ImpactReport.from_json(json.loads(json.dumps(report.to_json())))
    assert kept == report
    return kept


def billed(db, consumption: int, *, meter: str = '3/4"', sewer: bool = True, winter: tuple[int, ...] = (),
           **account):
    """An account whose last bill (October 2026) used `consumption` CCF, with winter reads of `winter` CCF."""
    services = ["water", "sewer"] if sewer else ["water"]
    found = create_account(db, meter_size=meter, services=services, **account)
    for day, used in zip((date(2025, 12, 20), date(2026, 1, 20), date(2026, 2, 20)), winter):
        db.add(MeterRead(account_id=found.id, period=f"{day:%Y-%m}", read_on=day, reading=used, consumption_ccf=used))
    db.add(Bill(account_id=found.id, cycle="A", period="2026-10", service_from=date(2026, 9, 21),
                service_to=date(2026, 10, 20), billed_on=date(2026, 10, 25), due_on=date(2026, 11, 15),
                consumption_ccf=consumption, total_cents=1, rule_id="water-rates-residential",
                rule_version="2025-07-01", explanation={}))
    db.flush()
    return found


def test_a_rate_increase_on_six_accounts_is_worked_out_to_the_cent(db):
    """Six billed residential accounts; a commercial, a closed and an unbilled one are left out."""
    library = RuleLibrary.from_documents([load_document(RATES, "rates.yaml"), load_document(BILLING, "billing.yaml")])
    a = billed(db, 30, winter=(6, 8, 7))
    db.add(Bill(account_id=a.id, cycle="A", period="2026-11", service_from=date(2026, 10, 21),
                service_to=date(2026, 11, 20), billed_on=date(2026, 11, 21), due_on=date(2026, 12, 12),
                consumption_ccf=10, total_cents=1, rule_id="water-rates-residential", rule_version="2025-07-01",
                explanation={}))
    b = billed(db, 4, meter='1"', sewer=False)
    c = billed(db, 2, sewer=False)
    billed(db, 30, meter='1"', winter=(12, 12, 12))
    e = billed(db, 20, sewer=False)
    f = billed(db, 10, winter=(6, 8, 7))
    billed(db, 10, rate_class="commercial")
    billed(db, 10, status="closed")
    create_account(db)

    report = worked_out(db, load_document(RATES + RATES_2027, "draft"), library, TODAY)

    money = report.money
    assert (report.effective, report.version_now) == (date(2027, 1, 1), date(2025, 7, 1))
    assert money.affected == 6
    # a: 20 + 10 x 2.00 + 7 x 3.00 = 61.00 -> 24 + 21 + 17.50 = 62.50 (f the same); b: 38.00 -> 38.40;
    # c: 24.00 -> 28.20; the 1" 30 CCF sewer account: 126.00 -> 123.00; e: 60.00 -> 66.00
    assert money.before_total == Decimal("370.00")
    assert money.after_total == Decimal("380.60")
    assert money.bands == {"decrease": 1, "no change": 0, "up to 5%": 3, "5% to 10%": 1, "more than 10%": 1}
    assert [(c.number, c.before, c.after) for c in money.largest_increases] == [
        (e.number, Decimal("60.00"), Decimal("66.00")), (c.number, Decimal("24.00"), Decimal("28.20")),
        (a.number, Decimal("61.00"), Decimal("62.50")), (f.number, Decimal("61.00"), Decimal("62.50")),
        (b.number, Decimal("38.00"), Decimal("38.40"))]
    # by meter size, a month's bills and a year of them (twelve monthly bills like the last)
    assert money.group_by == "meter_size" and money.per_year == 12
    assert money.groups == {'3/4"': [4, Decimal("206.00"), Decimal("219.20")],
                            '1"': [2, Decimal("164.00"), Decimal("161.40")]}
    assert money.yearly(money.after_total - money.before_total) == Decimal("127.20")
    first = money.examples[0]
    assert first.change.number == a.number
    assert all(example.change.difference for example in money.examples)  # examples that did change
    assert first.facts["winter_average_ccf"] == 7 and first.facts["consumption_ccf"] == 10  # as JSON has them
    assert ("Sewer use (winter average)", Decimal("17.50")) in [(n, amount) for n, amount, _ in first.after_lines]


def test_change_bands_name_the_percent():
    """A 5% rise is in "up to 5%"; 5.1% in "5% to 10%"; anything from zero in "more than 10%"."""
    assert band_of(Change("1", Decimal("100.00"), Decimal("105.00"))) == "up to 5%"
    assert band_of(Change("1", Decimal("100.00"), Decimal("105.10"))) == "5% to 10%"
    assert band_of(Change("1", Decimal("0.00"), Decimal("1.00"))) == "more than 10%"
    assert band_of(Change("1", Decimal("9.00"), Decimal("8.99"))) == "decrease"


def owe(db, account, amount: str, days_late: int) -> None:
    """A charge of `amount` that fell due `days_late` days before today."""
    due = TODAY - timedelta(days=days_late)
    ledger.post_charge(db, account.id, Decimal(amount), on=due - timedelta(days=21), due_on=due, now=NOW,
                       actor="billing", description="Water and sewer")


def test_a_stricter_shutoff_threshold_lists_the_accounts_whose_decision_changes(db):
    """$75 owed 90 days: eligible now, not under the $100 draft; the others keep their decision."""
    library = RuleLibrary.from_documents([load_document(SHUTOFF, "shutoff.yaml")])
    x, y, z, w = (create_account(db) for _ in range(4))
    owe(db, x, "75.00", 90)
    owe(db, y, "150.00", 90)
    owe(db, z, "75.00", 10)
    ledger.post_charge(db, w.id, Decimal("80.00"), on=TODAY, due_on=TODAY + timedelta(days=21), now=NOW,
                       actor="billing", description="Water and sewer")

    report = worked_out(db, load_document(SHUTOFF + SHUTOFF_2027, "draft"), library, TODAY)

    outcomes = report.outcomes
    assert outcomes.counted == 3
    assert outcomes.changed == [(x.number, "eligible: true", "eligible: false")]
    assert dict(outcomes.before) == {"eligible: true": 2, "eligible: false": 1}
    assert dict(outcomes.after) == {"eligible: true": 1, "eligible: false": 2}


def test_the_first_new_version_is_the_one_compared():
    """A draft that keeps the published versions and adds one is compared on the added one's date."""
    published = load_document(SHUTOFF, "published")
    assert first_new_effective(load_document(SHUTOFF + SHUTOFF_2027, "draft"), published) == date(2027, 1, 1)


def test_the_citys_own_late_fee_draft_is_worked_out_on_past_due_accounts(db):
    """The late fee (10%, at least $2.00, at most $75.00) raised to 12% in 2027, on the repo's rules."""
    library = RuleLibrary.from_folder(REPO_RULES)
    text = (REPO_RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
    assert "rate: 10" in text
    draft_text = text.rstrip("\n") + "\n" + """\
  - effective: 2027-01-01
    lines:
      - name: Late payment penalty (12%)
        when: {fact: past_due_balance, gte: 10.00}
        percent: {of: {fact: past_due_balance}, rate: 12}
        min: 2.00
        max: 75.00
"""
    owe(db, create_account(db), "100.00", 30)
    owe(db, create_account(db), "5.00", 30)

    report = worked_out(db, load_document(draft_text, "draft"), library, TODAY)

    assert report.money.affected == 2
    assert (report.money.before_total, report.money.after_total) == (Decimal("10.00"), Decimal("12.00"))


def test_a_new_holiday_moves_the_shutoff_days_around_it():
    """A holiday on Wednesday 2027-01-27 (a one-off beside the yearly holidays) bars shut-offs that day and on the
    office day before it."""
    library = RuleLibrary.from_folder(REPO_RULES)
    text = (REPO_RULES / "calendar" / "city-calendar.yaml").read_text(encoding="utf-8")
    at = text.index("    holidays_observed:", text.index("  - effective: 2027-01-01"))
    draft = load_document(text[:at] + "    holidays: {2027-01-27: Staff day}\n" + text[at:], "draft")

    report = worked_out(None, draft, library, TODAY)

    assert report.outcomes.counted == 92
    assert report.outcomes.changed == [
        ("2027-01-26", "shut-offs allowed", "no shut-offs: 2027-01-26 is the office day before a holiday (Staff day)"),
        ("2027-01-27", "shut-offs allowed", "no shut-offs: 2027-01-27 is a holiday (Staff day)")]


def test_a_document_not_yet_published_has_nothing_to_compare_with(db):
    """A new document: no version is in force, so the report says so and counts nothing."""
    library = RuleLibrary.from_documents([load_document(RATES, "rates.yaml"), load_document(BILLING, "billing.yaml")])
    report = worked_out(db, load_document(SHUTOFF, "new"), library, TODAY)
    assert report.money is None and report.outcomes is None
    assert report.population.startswith("nothing: the document is not published yet")


def test_a_license_fee_change_is_worked_out_on_active_licenses(db):
    """Retail base fee $97.90 -> $100.00 from 2027: a 3-employee shop $101.90 -> $104.00; a 10-employee
    restaurant is unchanged ($149.50 + $49.50 + $4.00 = $203.00); an expired license is left out."""
    library = RuleLibrary.from_folder(REPO_RULES)
    text = (REPO_RULES / "licensing" / "business-license-fee.yaml").read_text(encoding="utf-8")
    newest = text[text.index("  - effective: 2026-07-01"):]
    draft = load_document(text.rstrip("\n") + "\n" + newest.replace("2026-07-01", "2027-01-01")
                          .replace("retail: 97.90", "retail: 100.00"), "draft")
    shop = create_license(db)
    create_license(db, create_business(db, category="restaurant", employees=10))
    create_license(db, status="expired")

    report = worked_out(db, draft, library, TODAY)

    money = report.money
    assert (money.subjects, money.affected) == ("licenses", 2)
    assert (money.before_total, money.after_total) == (Decimal("304.90"), Decimal("307.00"))
    assert [(c.number, c.before, c.after) for c in money.largest_increases] == [
        (shop.number, Decimal("101.90"), Decimal("104.00"))]
    assert money.bands["no change"] == 1 and money.bands["up to 5%"] == 1


def shorter_grace() -> tuple[RuleLibrary, object]:
    """The city's rules, and a renewal draft that cuts the grace period from 31 to 15 days from 2027."""
    library = RuleLibrary.from_folder(REPO_RULES)
    text = (REPO_RULES / "licensing" / "business-license-renewal.yaml").read_text(encoding="utf-8")
    version = text[text.index("  - effective: 2025-01-01"):]
    return library, load_document(text.rstrip("\n") + "\n" + version.replace("effective: 2025-01-01",
                                                                               "effective: 2027-01-01")
                                  .replace("grace: {days: 31}", "grace: {days: 15}"), "draft")


def test_a_shorter_grace_period_moves_renewal_statuses(db):
    """A license expiring 2026-12-31, checked on Dec 1, Jan 1 and Feb 1: only Feb 1 moves (grace -> late)."""
    library, draft = shorter_grace()
    lic = create_license(db)

    outcomes = worked_out(db, draft, library, TODAY).outcomes

    assert outcomes.counted == 3
    assert outcomes.changed == [(f"{lic.number} on 2027-02-01", "grace", "late")]


def test_progress_is_told_after_each_chunk_of_accounts(db):
    """Seven active residential accounts (one never billed) in chunks of three: 0, 3, 6, then 7 of 7."""
    library = RuleLibrary.from_documents([load_document(RATES, "rates.yaml"), load_document(BILLING, "billing.yaml")])
    for consumption in range(6):
        billed(db, consumption)
    billed(db, 10, rate_class="commercial")
    create_account(db)
    told: list[tuple[int, int, str]] = []

    report = impact_of_draft(db, load_document(RATES + RATES_2027, "draft"), library, TODAY, chunk=3,
                             progress=lambda *progress: told.append(progress))

    assert report.money.affected == 6
    assert told == [(0, 7, "accounts"), (3, 7, "accounts"), (6, 7, "accounts"), (7, 7, "accounts")]


def test_progress_on_past_due_accounts_counts_the_accounts_past_due(db):
    """Three accounts owe, two of them past due: the kept balances name those two, so 2 of 2."""
    library = RuleLibrary.from_documents([load_document(SHUTOFF, "shutoff.yaml")])
    owe(db, create_account(db), "75.00", 90)
    owe(db, create_account(db), "20.00", 10)
    ledger.post_charge(db, create_account(db).id, Decimal("80.00"), on=TODAY, due_on=TODAY + timedelta(days=21),
                       now=NOW, actor="billing", description="Water and sewer")
    told: list[tuple[int, int, str]] = []

    impact_of_draft(db, load_document(SHUTOFF + SHUTOFF_2027, "draft"), library, TODAY,
                    progress=lambda *progress: told.append(progress))

    assert told[0] == (0, 2, "accounts") and told[-1] == (2, 2, "accounts")
