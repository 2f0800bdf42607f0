"""Report pages and their CSV downloads: the same rows as engine.money.reports."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.money import reports
from engine.money import format_money
from tests.factories import create_account
from tests.web.pages import TODAY, bill, credit, fixed_clock  # noqa: F401  (fixture)


def csv_rows(response) -> list[dict]:
    """The rows of a CSV download."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def as_text(rows: list[dict]) -> list[dict]:
    """Rows with every value as CSV text."""
    return [{k: str(v) for k, v in row.items()} for row in rows]


@pytest.fixture()
def billed(db):
    """An account billed for January and February 2026, $20.00 paid."""
    account = create_account(db, cycle="Q")
    bill(db, account, "2026-01", 12, due_on=date(2026, 2, 5))
    bill(db, account, "2026-02", 9, due_on=date(2026, 3, 5))
    credit(db, account, "20.00")
    return account


@pytest.mark.parametrize("path", ["/reports/", "/reports/aging", "/reports/billing-register",
                                  "/reports/rate-summary", "/reports/daily-receipts"])
def test_clerks_open_the_working_reports(fixed_clock, clerk, path):
    assert clerk.get(path).status_code == 200


def test_the_trial_balance_is_for_supervisors(fixed_clock, clerk, supervisor):
    assert clerk.get("/reports/trial-balance").status_code == 403
    assert clerk.get("/reports/trial-balance?format=csv").status_code == 403
    assert supervisor.get("/reports/trial-balance").status_code == 200
    assert "Trial balance" not in clerk.get("/reports/").get_data(as_text=True)


def test_the_aging_page_and_csv_show_the_engines_rows(fixed_clock, clerk, db, billed):
    page = clerk.get("/reports/aging").get_data(as_text=True)
    assert f'href="/accounts/{billed.number}"' in page and "Download CSV" in page
    downloaded = csv_rows(clerk.get("/reports/aging?format=csv"))
    assert downloaded == as_text(list(reports.aging(db, TODAY)))
    mine = next(row for row in downloaded if row["account_number"] == billed.number)
    assert f'<td class="num">{format_money(Decimal(mine["balance"]))}</td>' in page


def test_the_billing_register_of_a_cycle_and_period(fixed_clock, clerk, db, billed):
    page = clerk.get("/reports/billing-register?cycle=Q&period=2026-01").get_data(as_text=True)
    assert billed.number in page and "water-rates-residential" in page
    downloaded = csv_rows(clerk.get("/reports/billing-register?cycle=Q&period=2026-01&format=csv"))
    assert downloaded == as_text(reports.billing_register(db, "Q", "2026-01"))
    assert downloaded[0]["account_number"] == billed.number and downloaded[-1]["account_number"] == "TOTAL"


def test_a_badly_written_period_is_told(fixed_clock, clerk):
    page = clerk.get("/reports/billing-register?cycle=Q&period=Jan-2026").get_data(as_text=True)
    assert "Write the period as YYYY-MM, e.g. 2026-03." in page and "Download CSV" not in page


def test_rate_summary_daily_receipts_and_trial_balance_downloads(fixed_clock, supervisor, db, billed):
    assert csv_rows(supervisor.get("/reports/rate-summary?period=2026-02&format=csv")) == \
        as_text(reports.summary_by_rate(db, "2026-02"))
    assert csv_rows(supervisor.get("/reports/daily-receipts?date=2026-03-02&format=csv")) == \
        as_text(reports.daily_receipts(db, TODAY))
    trial = csv_rows(supervisor.get("/reports/trial-balance?as_of=2026-03-02&format=csv"))
    assert trial == as_text(reports.trial_balance(db, TODAY))
    assert trial[-1]["debit"] == trial[-1]["credit"]


def test_the_aging_pages_head_their_columns_with_the_payment_orders_buckets(fixed_clock, clerk, db, billed, tmp_path):
    """A city whose payment order ages in 30/60/120 days: the aging pages say 61–120 and over 120 days (the CSV's
    column names stay: they name the first to the last bucket)."""
    import shutil

    from engine.rulebook import store
    from tests.factories import NOW
    folder = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "rules", folder)
    order = folder / "finance" / "payment-order.yaml"
    order.write_text(order.read_text(encoding="utf-8").replace("aging: [30, 60, 90]", "aging: [30, 60, 120]"),
                     encoding="utf-8")
    store.import_folder(db, folder, actor="test", now=NOW, today=TODAY)
    for path in ("/reports/aging", "/reports/aging-by-service"):
        page = clerk.get(path).get_data(as_text=True)
        assert ">61–120 days</th>" in page and ">Over 120 days</th>" in page, path
        assert "61–90" not in page and "over 90" not in page.lower(), path
    assert list(csv_rows(clerk.get("/reports/aging?format=csv"))[0])[3:8] == [
        "current", "days_1_30", "days_31_60", "days_61_90", "over_90"]


@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-02-15", "9999-12-31"])
@pytest.mark.parametrize("path", ["/reports/aging", "/reports/aging-by-service"])
def test_an_aging_as_of_the_first_or_last_day_a_date_holds_answers(fixed_clock, clerk, billed, path, as_of):
    """A tester's as_of=0001-01-01 was a 500 (date arithmetic under the year 1); each day answers, page and CSV."""
    assert clerk.get(f"{path}?as_of={as_of}").status_code == 200
    downloaded = csv_rows(clerk.get(f"{path}?as_of={as_of}&format=csv"))
    if path == "/reports/aging":  # owing only by the last day; nothing was due in the year 1
        assert (billed.number in {row["account_number"] for row in downloaded}) is (as_of == "9999-12-31")
