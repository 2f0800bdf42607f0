"""A lien only for water at most 120 days past due and six months of sewer: documents only, to the cent and day.

The account has a water and a sewer charge on each monthly bill from December 2025 to July
2026, a late fee, and a $127.00 payment that paid December's charges, January's water and
all but three cents of January's sewer (oldest due first). On 2026-07-28 the notice of
intent is mailed:

    water, at most 120 days past due:   April 42.20 + May 43.30 + June 44.40            = 129.90
        (February, 151 days, and March, 121 days, are too old; July is not yet past due)
    sewer, the newest six past due:      January 0.03 + February to June 25.03..25.07   = 125.28
        (December is paid; July is not yet past due)
    lien amount                                                                          = 255.18

The late fee and everything else stay out of the lien, which the past-due balance would not.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.facts import facts_for_account
from samplecity.city import APPROVAL_ROLE_IDS
from engine.money import ledger
from engine.money.ledger import standing
from engine.store.models import Bill, Notice
from engine.workflow import services
from engine.workflow.services import Catalog
from tests.factories import create_account, create_customer
from tests.workflow.conftest import add_staff, at

REPO = Path(__file__).resolve().parents[2]
INTENT = date(2026, 7, 28)
MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
WATER = {"2026-02": "40.00", "2026-03": "41.10", "2026-04": "42.20", "2026-05": "43.30", "2026-06": "44.40",
         "2026-07": "45.50", "2025-12": "38.00", "2026-01": "39.00"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The sample city's rules and workflows."""
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


def due_of(period: str) -> date:
    """Each bill falls due on the 28th of its month (2026-02-27 for February's, a short month here)."""
    year, month = map(int, period.split("-"))
    return date(year, month, 27 if month == 2 else 28)


def bill(db, account, period: str) -> None:
    """A monthly bill of a water and a sewer charge (sewer 25.01 in December, a cent more each month)."""
    due = due_of(period)
    water, sewer = Decimal(WATER[period]), Decimal("25.01") + Decimal("0.01") * MONTHS.index(period)
    billed = due - timedelta(days=21)
    row = Bill(account_id=account.id, cycle=account.cycle, period=period, service_from=billed - timedelta(days=30),
               service_to=billed, billed_on=billed, due_on=due, consumption_ccf=8,
               total_cents=int((water + sewer) * 100), rule_id="water-rates-residential", rule_version="2026-01-01",
               explanation={})
    db.add(row)
    db.flush()
    for service, amount in (("water", water), ("sewer", sewer)):
        ledger.post_charge(db, account.id, amount, on=billed, due_on=due, now=at(billed), actor="billing",
                           description=f"{service.capitalize()} service, {period}", bill_id=row.id, service=service)


@pytest.fixture()
def owner(db):
    """An owner-occupied account with eight months of bills, a late fee and a $127.00 payment."""
    add_staff(db)
    account = create_account(db, customer=create_customer(db, language="es"), cycle="B")
    for period in MONTHS:
        bill(db, account, period)
    ledger.post_fee(db, account.id, Decimal("10.00"), on=date(2026, 3, 1), now=at(date(2026, 3, 1)),
                    actor="sweep:delinquency", description="Late fee", rule_id="late-fee", rule_version="2025-07-01")
    ledger.post(db, account_id=account.id, kind="payment", amount=Decimal("-127.00"), on=date(2026, 3, 5),
                now=at(date(2026, 3, 5)), actor="carla", description="Payment", reference="check 101")
    return account


def test_the_lien_is_for_water_at_most_120_days_past_due_and_six_months_of_sewer(db, catalog, owner):
    lien = services.open_case(db, catalog, "liens", owner.id, actor="sweep:liens", on=INTENT, now=at(INTENT))
    facts = services.show_case(db, catalog, lien.id, on=INTENT)["facts"]
    shown = {f["name"]: f["value"] for f in facts}
    assert (shown["lien_water_charges"], shown["lien_sewer_charges"]) == ("129.90", "125.28")
    # past due: water February to June 211.00, sewer 125.28, the late fee 10.00
    assert shown["past_due_balance"] == str(standing(db, owner.id, INTENT).past_due_balance) == "346.28"
    services.take_step(db, catalog, lien.id, "mail_intent", user="sweep:liens", on=INTENT, now=at(INTENT),
                       version=lien.version, form={})
    intent = db.scalars(select(Notice).where(Notice.case_id == lien.id)).one()
    assert (intent.language, intent.data["amount_due"], intent.data["lien_amount"]) == ("es", "255.18", "255.18")
    water, sewer = intent.data["lien_lines"]
    assert (water["name"], water["amount"], water["measure"]) == (
        "Water charges at most 120 days past due", "129.90", "lien-water-charges")
    assert [(c["service"], c["period"], c["due_date"], c["amount"]) for c in water["charges"]] == [
        ("water", "2026-04", "2026-04-28", "42.20"), ("water", "2026-05", "2026-05-28", "43.30"),
        ("water", "2026-06", "2026-06-28", "44.40")]
    assert (sewer["amount"], [(c["period"], c["amount"]) for c in sewer["charges"]]) == ("125.28", [
        ("2026-01", "0.03"), ("2026-02", "25.03"), ("2026-03", "25.04"), ("2026-04", "25.05"), ("2026-05", "25.06"),
        ("2026-06", "25.07")])


def test_the_april_water_charge_is_in_the_lien_120_days_past_due_and_out_at_121(db, catalog, owner):
    """April's water charge (due 04-28) is 120 days past due on 08-26, in the lien; on 08-27 it is out."""
    def lien_water(on: date) -> Decimal:
        return facts_for_account(db, owner.id, on, catalog.rules)["lien_water_charges"]

    assert lien_water(date(2026, 8, 26)) == Decimal("175.40")  # April 42.20 + May 43.30 + June 44.40 + July 45.50
    assert lien_water(date(2026, 8, 27)) == Decimal("133.20")  # May, June, July


@pytest.mark.parametrize("language, words", [
    ("en", ["Water charges at most 120 days past due", "Water", "Sewer", "Total"]),
    ("es", ["Cargos de agua con 120 días de atraso o menos", "Agua", "Alcantarillado", "Total"])])
def test_the_notice_prints_how_the_amount_was_made_up(db, catalog, owner, renderer, language, words):
    lien = services.open_case(db, catalog, "liens", owner.id, actor="sweep:liens", on=INTENT, now=at(INTENT))
    services.take_step(db, catalog, lien.id, "mail_intent", user="sweep:liens", on=INTENT, now=at(INTENT),
                       version=lien.version, form={})
    intent = db.scalars(select(Notice).where(Notice.case_id == lien.id)).one()
    text = " ".join(re.sub(r"<[^>]+>", " ", renderer.render_html("lien-intent", language, intent.data)).split())
    for word in words:
        assert word in text
    amounts = re.findall(r"\$[0-9,]+\.[0-9]{2}", text)
    assert amounts.count("$255.18") >= 2  # the summary and the table's total
    for amount in ("$129.90", "$42.20", "$43.30", "$44.40", "$125.28", "$0.03", "$25.07"):
        assert amount in amounts, amount
    assert "$10.00" not in amounts and "$346.28" not in amounts  # the late fee and the whole past due stay out
