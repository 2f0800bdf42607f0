"""What is owed of each service on the pages: the account page's table and the aging-by-service report."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from engine.money import ledger, reports
from tests.factories import NOW, create_account
from tests.web.pages import TODAY, credit, fixed_clock  # noqa: F401  (fixture)


def _charge(db, account, amount: str, service: str | None, due_on: date) -> None:
    """One charge of a bill, of a service."""
    ledger.post_charge(db, account.id, Decimal(amount), on=date(2026, 1, 2), due_on=due_on, now=NOW, actor="billing",
                       description="Bill", service=service)
    db.flush()


def test_the_account_page_shows_what_is_owed_of_each_service(fixed_clock, clerk, db):
    """Water 54.22 and sewer 38.59 due January 23, $30.00 paid: oldest first, the water is paid first (posted first)."""
    account = create_account(db)
    _charge(db, account, "54.22", "water", date(2026, 1, 23))
    _charge(db, account, "38.59", "sewer", date(2026, 1, 23))
    _charge(db, account, "10.00", None, date(2099, 1, 1))  # not due yet, no service: other
    credit(db, account, "30.00")
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    table = page[page.index('id="by-service"'):]
    table = table[:table.index("</table>")]
    assert "Owed by service" in table
    assert '<th scope="row">Water</th><td class="num">$24.22</td><td class="num bad-text">$24.22</td>' in table
    assert '<th scope="row">Sewer</th><td class="num">$38.59</td><td class="num bad-text">$38.59</td>' in table
    assert '<th scope="row">Other charges</th><td class="num">$10.00</td><td class="num">$0.00</td>' in table


def test_the_aging_by_service_page_and_csv_show_the_engines_rows(fixed_clock, clerk, db):
    account = create_account(db)
    _charge(db, account, "54.22", "water", date(2026, 1, 23))
    _charge(db, account, "25.00", "garbage", date(2026, 1, 23))
    page = clerk.get("/reports/aging-by-service").get_data(as_text=True)
    assert "Aging by service" in page and "Download CSV" in page
    response = clerk.get("/reports/aging-by-service?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    downloaded = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    rows = reports.aging_by_service(db, TODAY)
    assert downloaded == [{k: str(v) for k, v in row.items()} for row in rows]
    services = {row["service"]: row for row in rows}
    assert services["TOTAL"]["unpaid"] == str(sum(Decimal(row["unpaid"]) for row in rows[:-1]))
    assert Decimal(services["garbage"]["past_due"]) >= Decimal("25.00")
    assert "Aging by service" in clerk.get("/reports/").get_data(as_text=True)


def test_aging_by_service_adds_up_each_service_s_buckets(db):
    """Two accounts: what each owes of water is summed, by age, as of TODAY."""
    first, second = create_account(db), create_account(db)
    _charge(db, first, "40.00", "water", date(2026, 1, 23))
    _charge(db, second, "15.00", "water", TODAY)
    before = {row["service"]: row for row in reports.aging_by_service(db, TODAY)}.get("water")
    assert before is not None and before["accounts"] >= 2
    assert Decimal(before["unpaid"]) == sum(Decimal(before[bucket]) for bucket in ledger.BUCKETS)
    assert Decimal(before["unpaid"]) - Decimal(before["past_due"]) == Decimal(before["current"])
