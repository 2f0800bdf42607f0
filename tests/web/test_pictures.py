"""Pictures where people would rather look: usage on the account page, aging and payments on the dashboard."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from sqlalchemy.orm import Session

from engine.money.ledger.balances import bucket_totals
from engine.money.ledger.standing import standings
from engine.store.models import Bill
from tests.factories import NOW, create_account
from webapp.charts import Bars, bar_chart


def svg_of(page: str, label_start: str) -> str:
    """The inline SVG whose aria-label starts with `label_start`."""
    match = re.search(r'<svg role="img" aria-label="' + re.escape(label_start) + r'.*?</svg>', page, re.DOTALL)
    assert match, f"no chart labelled {label_start!r}"
    return match.group(0)


def add_bills(db: Session, account, uses: list[int]) -> None:
    """Bills for consecutive months of 2026 with these uses (CCF)."""
    for month, used in enumerate(uses, start=1):
        db.add(Bill(account_id=account.id, cycle="A", period=f"2026-{month:02d}", service_from=date(2026, month, 1),
                    service_to=date(2026, month, 28), billed_on=date(2026, month, 28), due_on=date(2026, month, 28),
                    consumption_ccf=used, total_cents=1000 * used, rule_id="water-rates-residential",
                    rule_version="2026-01-01", explanation={}))
    db.flush()


def test_a_chart_is_inline_svg_titled_for_screen_readers_and_the_same_each_time():
    bars = Bars("Water use", ["Jan 2026", "Feb 2026"], [12, 30], "CCF", "Water use by bill: Jan 2026 12 CCF.")
    svg = bar_chart(bars)
    assert svg.startswith('<svg role="img" aria-label="Water use. Water use by bill: Jan 2026 12 CCF."')
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "Jan 2026" in svg and "Feb 2026" in svg  # text stays text
    assert bar_chart(bars) == svg


def test_totals_that_move_by_less_than_a_pixel_reuse_the_drawing_with_their_own_words():
    """The dashboard's totals change with each receipt: the picture is drawn again only when a bar would change."""
    from webapp.charts import _drawn, drawn_heights

    assert drawn_heights([1_234_567, 1_000, 0]) == (1_230_000, 0, 0)
    assert drawn_heights([12, 30, 7]) == (12, 30, 7)  # small counts and CCF are drawn as they are
    assert drawn_heights([0, 0]) == (0, 0)
    _drawn.cache_clear()
    before = bar_chart(Bars("Payments", ["Nov 1", "", "Dec 6"], [80_000, 91_000, 1_234_560], "dollars", "$1,405,560."))
    after = bar_chart(Bars("Payments", ["Nov 1", "", "Dec 6"], [80_000, 91_000, 1_234_610], "dollars", "$1,405,610."))
    assert _drawn.cache_info().misses == 1 and _drawn.cache_info().hits == 1
    assert 'aria-label="Payments. $1,405,610."' in after and 'aria-label="Payments. $1,405,560."' in before
    assert after.replace("1,405,610", "1,405,560") == before


def test_the_account_page_shows_the_last_12_bills_use_as_a_chart_with_its_words(db, clerk):
    account = create_account(db)
    uses = [10, 11, 12, 9, 8, 14, 30, 12, 11, 10, 9, 12, 13]  # 13 months: the chart shows the last 12
    add_bills(db, account, uses[:12])
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "<figcaption>Water use by bill: Jan 2026 10 CCF, Feb 2026 11 CCF" in page
    picture = re.search(r'<img class="chart" src="([^"]+)"\s+alt="Water use, last 12 bills"', page)
    assert picture, "the page names its picture"
    answer = clerk.get(picture.group(1))
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.headers["Cache-Control"] == "private, max-age=86400"  # its address names its numbers
    svg = svg_of(answer.get_data(as_text=True), "Water use, last 12 bills")
    assert "Jul 2026 30 CCF" in svg and "Jan 2026 10 CCF" in svg
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg  # a picture of its own, as an <img> needs

    db.add(Bill(account_id=account.id, cycle="A", period="2027-01", service_from=date(2027, 1, 1),
                service_to=date(2027, 1, 28), billed_on=date(2027, 1, 28), due_on=date(2027, 1, 28),
                consumption_ccf=uses[12], total_cents=1000 * uses[12], rule_id="water-rates-residential",
                rule_version="2026-01-01", explanation={}))  # a new month's bill
    db.flush()
    later = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert picture.group(1) not in later  # new numbers, a new address: no browser shows the old picture
    stale = clerk.get(picture.group(1))
    assert stale.headers["Cache-Control"] == "private, no-cache"  # an old address is answered, never kept


def test_the_use_picture_of_an_account_without_bills_or_of_no_account_is_not_found_and_needs_a_sign_in(db, clerk,
                                                                                                      client):
    account = create_account(db)
    assert clerk.get(f"/accounts/{account.number}/usage.svg").status_code == 404
    assert clerk.get("/accounts/999999-99/usage.svg").status_code == 404
    add_bills(db, account, [10])
    assert clerk.get(f"/accounts/{account.number}/usage.svg").status_code == 200
    assert client.get(f"/accounts/{account.number}/usage.svg").status_code == 302  # to the sign-in page


def test_the_dashboard_shows_aging_and_payments_and_its_tiles_link_to_their_lists(db, clerk):
    page = clerk.get("/").get_data(as_text=True)
    assert svg_of(page, "What accounts owe, by age")
    assert svg_of(page, "Payments, last 30 days")
    for link in ('href="/accounts/"', 'href="/reports/aging"', 'href="/businesses/"', 'href="/reports/daily-receipts"'):
        assert link in page


def test_the_city_aging_from_the_kept_balances_equals_the_sum_of_every_standing(db):
    from engine.money.ledger.posting import post

    accounts = [create_account(db) for _ in range(3)]
    for n, account in enumerate(accounts):
        post(db, account_id=account.id, kind="charge", amount=Decimal(100 + n), on=date(2026, 1, 5), now=NOW, actor="test",
             description="bill", due_on=date(2026, 1, 25))
    post(db, account_id=accounts[0].id, kind="payment", amount=Decimal(-40), on=date(2026, 2, 1), now=NOW, actor="test",
         description="paid")
    on = date(2026, 3, 2)
    expected: dict[str, int] = {}
    for _, found in standings(db, on):
        for name, cents in found.buckets().items():
            expected[name] = expected.get(name, 0) + cents
    assert bucket_totals(db, on) == expected
    assert expected["days_31_60"] == (100 + 101 + 102 - 40) * 100


@pytest.mark.parametrize("earlier", [
    (3.0, 14.0, 0.0, 22.0), (0.0, 0.0, 0.0, 0.0), (-40.0, 10.0, 5.0, 1200.0), (7.5, 7.5, 7.5, 7.5)])
def test_a_chart_drawn_on_a_board_drawn_before_is_the_chart_a_new_figure_draws(earlier):
    """The board a thread keeps for a chart's frame (its labels, unit and size) is drawn again with each chart's
    heights and colours: what it gives after another chart is exactly what a new figure gives."""
    from webapp import charts

    labels = ("Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026")
    wanted = [Bars("Use", labels, (12.0, 0.0, 31.0, 4.0), "CCF", "", None),
              Bars("Use", labels, (0.0, 0.0, 0.0, 0.0), "CCF", "", 2),
              Bars("Use", labels, (-5.0, 250.0, 3.0, 9.0), "CCF", "", 3)]
    drawn = charts._drawn.__wrapped__
    charts._boards.kept = {}
    for chart in wanted:
        new = charts._svg(charts._new_board(chart, 6.4, 2.4)[0])  # a figure of its own, drawn once
        drawn(Bars("Use", labels, earlier, "CCF", "", 1), 6.4, 2.4)  # the thread's board drawn with other heights
        assert drawn(chart, 6.4, 2.4) == new


def test_a_cancelled_bill_is_in_neither_the_words_nor_the_picture(db, clerk):
    account = create_account(db)
    add_bills(db, account, [10, 11, 40])
    march = db.query(Bill).filter_by(account_id=account.id, period="2026-03").one()
    march.cancelled_on = date(2026, 3, 30)  # rebilled, say: its use is not the account's
    db.flush()
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "<figcaption>Water use by bill: Jan 2026 10 CCF, Feb 2026 11 CCF.</figcaption>" in page
    picture = re.search(r'<img class="chart" src="([^"]+)"', page).group(1)
    svg = clerk.get(picture).get_data(as_text=True)
    assert "Feb 2026 11 CCF." in svg and "Mar 2026" not in svg
