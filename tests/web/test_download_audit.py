"""Each staff download of customers' names, phones, addresses or balances writes one audit row (engine.audit
.record_download): who took it, which list with its filters, how many rows and the SHA-256 of the bytes; a refused
download, a page view and a download naming no customer write none. (The PDFs are checked where their pages are:
test_sweep_pages, test_case_pages, test_read_review_pages, tests/sweeps/test_mailed_is_mailed.)"""
from __future__ import annotations

import csv
import hashlib
import io

from datetime import date

import pytest
from sqlalchemy import select

from engine.store.models import UtilityAccount

from tests.web.pages import TODAY, assert_download_audited, bill, audited_downloads, fixed_clock  # noqa: F401  (fixture)
from tests.web.test_csv_exports import customers_named_like_formulas

DAY = TODAY.isoformat()


@pytest.mark.parametrize("path, what, filters", [
    (f"/reports/aging?as_of={DAY}&format=csv", "Aging as of Mar 2, 2026", {"as_of": DAY}),
    ("/reports/billing-register?cycle=A&period=2026-01&format=csv", "Billing register, cycle A 2026-01",
     {"cycle": "A", "period": "2026-01"}),
    (f"/reports/corrections?date={DAY}&format=csv", "Voids, returns and adjustments, Mar 2, 2026", {"date": DAY}),
    ("/sweeps/phone-export.csv", "Phone notification list", {"as_of": DAY}),
])
def test_a_list_of_customers_downloaded_writes_one_audit_row(fixed_clock, supervisor, db, path, what, filters):
    customers_named_like_formulas(db)
    for account in db.scalars(select(UtilityAccount)):  # January's bills, for the billing register
        bill(db, account, "2026-01", 12, due_on=date(2026, 2, 5))
    if path.startswith("/reports/"):
        assert supervisor.get(path.replace("&format=csv", "")).status_code == 200  # the page: no row
        assert audited_downloads(db) == []
    response = supervisor.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) >= 4  # the four owing customers at least
    [entry] = audited_downloads(db)
    assert_download_audited(entry, response.get_data(), response.headers["Content-Disposition"],
                            supervisor.user.username, len(rows))
    assert (entry.detail["what"], entry.detail["filters"]) == (what, filters)
    again = supervisor.get(path)
    assert [e.detail["sha256"] for e in audited_downloads(db)] == [entry.detail["sha256"]] * 2
    assert again.get_data() == response.get_data()


def test_a_refused_download_writes_no_audit_row(fixed_clock, clerk, client, db):
    customers_named_like_formulas(db)
    assert clerk.get("/sweeps/phone-export.csv").status_code == 403  # supervisors' list
    assert clerk.get(f"/reports/corrections?date={DAY}&format=csv").status_code == 403
    assert client.get(f"/reports/aging?as_of={DAY}&format=csv").status_code == 302  # not signed in: to the sign-in
    assert audited_downloads(db) == []


def test_a_report_naming_no_customer_is_not_audited(fixed_clock, supervisor, db):
    customers_named_like_formulas(db)
    for path in (f"/reports/aging-by-service?as_of={DAY}&format=csv", f"/reports/daily-receipts?date={DAY}&format=csv",
                 f"/reports/trial-balance?as_of={DAY}&format=csv", "/reports/rate-summary?period=2026-01&format=csv"):
        assert supervisor.get(path).status_code == 200, path
    assert audited_downloads(db) == []


def test_the_downloads_page_says_who_took_which_list_in_words(fixed_clock, supervisor, clerk, admin, db):
    customers_named_like_formulas(db)
    phones = supervisor.get("/sweeps/phone-export.csv")
    assert clerk.get("/admin/downloads").status_code == 403
    assert supervisor.get("/admin/downloads").status_code == 403
    page = admin.get("/admin/downloads").get_data(as_text=True)
    # the day in the city's style (Mar 2, 2026), as every page writes it; the file's name stays in the row
    spelled = f"{TODAY.strftime('%b')} {TODAY.day}, {TODAY.year}"
    assert "Phone notification list" in page and f"as of {spelled}" in page and DAY not in page
    assert supervisor.user.full_name in page and hashlib.sha256(phones.get_data()).hexdigest() in page
    assert ">download<" not in page  # the action's id is not what the page says
