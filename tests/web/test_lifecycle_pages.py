"""The service pages: stop, start and transfer, each a form, a confirmation of every amount, then the posting."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.accounts.meters import NewMeter, install_meter
from engine.money.deposits import take_deposit
from engine.money.ledger.posting import balance_cents
from engine.money.ledger.verify import check_balances
from engine.store.meters import Meter
from engine.store.models import Bill, Case, LedgerEntry, UtilityAccount
from tests.factories import NOW
from tests.ledger.billing_support import account_with_reads, library
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

READS = [("2025-12", date(2025, 12, 13), 980, 6), ("2026-01", date(2026, 1, 13), 988, 8),
         ("2026-02", date(2026, 2, 13), 993, 5)]  # winter average 6 CCF


@pytest.fixture()
def home(db):
    """A 3/4" account read on Feb 13, on meter M-100, with a 185.00 deposit held."""
    account = account_with_reads(db, READS)
    install_meter(db, NewMeter("M-100", '3/4"', 4, "front yard", "A-07"), property_id=account.property_id,
                  account_id=account.id, on=date(2024, 1, 1), now=NOW, actor="test")
    take_deposit(db, account.id, on=date(2025, 3, 1), now=NOW, actor="test", library=library())
    db.flush()
    return account


def text(response) -> str:
    """A page's text without tags, spaces folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


STOP = {"move_out_on": "2026-03-02", "final_reading": "1005", "settle_by": "refund", "transfer_to": ""}


def test_a_clerk_reviews_then_posts_a_final_bill_with_the_deposit_and_a_refund(fixed_clock, clerk, db, home):
    form = clerk.get(f"/service/stop/{home.number}")
    assert form.status_code == 200 and "Final reading" in text(form)
    review = clerk.post(f"/service/stop/{home.number}/review", data=STOP)
    page = text(review)
    assert review.status_code == 200, page
    # Feb 14 to Mar 2: 17 days of 30; 12 CCF
    assert "Final bill for Feb 14, 2026 to Mar 2, 2026 (17 days, 12 CCF: reading 993 to 1005)" in page
    assert "prorated for 17 days of 30" in page
    for figure in ("$15.31", "$27.20", "$9.25", "$10.81", "$3.13", "$65.70", "-$185.00", "-$119.30", "$119.30"):
        assert figure in page, figure
    assert not db.scalars(select(Bill)).all(), "the confirmation posts nothing"
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"|name="seen" value="([^"]+)"',
                     review.get_data(as_text=True))
    posted = clerk.post(f"/service/stop/{home.number}", data={**STOP, "seen": seen[1] or seen[2]})
    assert posted.status_code == 302, text(posted)
    db.expire_all()
    assert db.get(UtilityAccount, home.id).status == "closed"
    assert balance_cents(db, home.id) == -11930
    case = db.scalar(select(Case).where(Case.subject_id == home.id))
    assert case.fields["amount"] == "119.30"
    shown = text(clerk.get(f"/accounts/{home.number}"))
    assert "final bill $65.70, deposit applied $185.00. A refund of $119.30 was requested" in shown
    assert check_balances(db).agrees


def test_a_stop_posted_without_its_confirmation_posts_nothing(fixed_clock, clerk, db, home):
    refused = clerk.post(f"/service/stop/{home.number}", data=STOP)
    assert refused.status_code == 400 and "Review the final bill before posting it." in text(refused)
    altered = clerk.post(f"/service/stop/{home.number}",
                         data={**STOP, "seen": "bill=100;deposit=18500;balance=0;transfer=0;refund=18400"})
    assert altered.status_code == 400, text(altered)
    assert "Service not stopped: The amounts changed since the confirmation" in text(altered), text(altered)
    assert not db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == home.id)).all()


def test_a_final_reading_below_the_last_names_both_readings(fixed_clock, clerk, db, home):
    refused = clerk.post(f"/service/stop/{home.number}/review", data={**STOP, "final_reading": "990"})
    assert refused.status_code == 400
    assert "Final read: reading 990 is below the previous reading 993 of Feb 13, 2026" in text(refused)


def test_a_move_in_at_the_same_address_takes_the_deposit_the_rule_asks(fixed_clock, clerk, db, home):
    home.status = "closed"
    meter = db.scalar(select(Meter).where(Meter.number == "M-100"))
    meter.account_id = None
    db.flush()
    parcel = home.property.parcel
    found = clerk.get("/service/start", query_string={"where": parcel})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/service/start/{parcel}")
    start = {"name": "Ana Ruiz", "mailing_street": "12 Birch Lane", "mailing_city": "Alder Creek",
             "mailing_state": "CA", "mailing_zip": "95601", "language": "en", "meter": str(meter.id),
             "rate_class": "residential", "sewer": "y", "start_on": "2026-03-03", "start_reading": "1005",
             "take_deposit": "y"}
    review = clerk.post(f"/service/start/{parcel}/review", data=start)
    page = text(review)
    assert review.status_code == 200, page
    assert "meter size 3/4\": 185.00" in page and "$185.00" in page and "Resolution 2024-38" in page
    assert "version of Jul 1, 2024" in page
    posted = clerk.post(f"/service/start/{parcel}", data={**start, "seen_deposit": "185.00"})
    assert posted.status_code == 302, text(posted)
    db.expire_all()
    account = db.scalar(select(UtilityAccount).where(UtilityAccount.customer.has(name="Ana Ruiz")))
    assert account.opened_on == date(2026, 3, 3) and meter.account_id == account.id
    assert account.number in posted.headers["Location"]
    assert check_balances(db).agrees


def test_a_transfer_is_reviewed_then_posted(fixed_clock, clerk, db, home):
    data = {**STOP, "name": "Lee Park", "mailing_street": "9 Oak Street", "mailing_city": "Alder Creek",
            "mailing_state": "CA", "mailing_zip": "95601", "language": "en", "rate_class": "residential",
            "sewer": "y", "take_deposit": "y"}
    review = clerk.post(f"/service/transfer/{home.number}/review", data=data)
    page = text(review)
    assert review.status_code == 200, page
    assert "$65.70" in page and "Lee Park moves in" in page and "Starts Mar 3, 2026, meter reading 1005" in page
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"|name="seen" value="([^"]+)"',
                     review.get_data(as_text=True))
    posted = clerk.post(f"/service/transfer/{home.number}",
                        data={**data, "seen": seen[1] or seen[2], "seen_deposit": "185.00"})
    assert posted.status_code == 302, text(posted)
    db.expire_all()
    assert db.get(UtilityAccount, home.id).status == "closed"
    assert check_balances(db).agrees


def test_a_meter_exchange_is_recorded_and_a_bad_final_reading_refused(fixed_clock, clerk, db, home):
    page = clerk.get(f"/service/meter/{home.number}")
    assert page.status_code == 200 and "M-100, 3/4\", 4 dials" in text(page)
    data = {"exchanged_on": "2026-02-20", "old_final_reading": "990", "new_meter_number": "M-200",
            "new_meter_size": '3/4"', "new_meter_dials": "4", "new_meter_location": "front yard",
            "new_meter_route": "A-07", "new_first_reading": "0"}
    refused = clerk.post(f"/service/meter/{home.number}", data=data)
    assert refused.status_code == 400
    assert "Meter not exchanged: Old meter's final read 990 is below its previous reading 993." in text(refused)
    posted = clerk.post(f"/service/meter/{home.number}", data={**data, "old_final_reading": "997"})
    assert posted.status_code == 302, text(posted)
    db.expire_all()
    assert db.scalar(select(Meter.account_id).where(Meter.number == "M-200")) == home.id
    assert "Meter M-100 (final reading 997) replaced by M-200 (first reading 0)" in text(
        clerk.get(f"/accounts/{home.number}"))
