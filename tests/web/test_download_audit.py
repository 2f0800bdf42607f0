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

from engine.audit import record_download
from engine.store.models import Receipt, UtilityAccount
from tests.factories import NOW, create_account
from tests.web.pages import (TODAY, assert_download_audited, audited_downloads, bill, charge,  # noqa: F401
                             fixed_clock)
from tests.web.test_counter_pages import pay
from tests.web.test_csv_exports import customers_named_like_formulas
from webapp.cli.context import actor as command_line_actor

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


def test_a_printed_counter_receipt_writes_one_audit_row(fixed_clock, clerk, admin, db):
    """The receipt a clerk prints for the customer (their name, account and balance) is a download: one row per print;
    the receipt's page and a refused print write none."""
    account = create_account(db)
    charge(db, account, "120.00", on=date(2026, 1, 15), due_on=date(2026, 2, 5))
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    pay(clerk, account.number, "25.00", payer="Rosalind Quince")
    receipt = db.scalar(select(Receipt))
    assert clerk.get(f"/payments/receipts/{receipt.id}").status_code == 200
    assert clerk.get(f"/payments/receipts/{receipt.id}.pdf?paper=a4").status_code == 404
    assert audited_downloads(db) == []
    pdf = clerk.get(f"/payments/receipts/{receipt.id}.pdf?paper=letter&language=es")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("inline;")  # shown in the browser to print, as before
    [entry] = audited_downloads(db)
    assert_download_audited(entry, pdf.data, pdf.headers["Content-Disposition"], clerk.user.username, 1)
    assert (entry.detail["what"], entry.detail["filters"]) == (
        "A counter receipt", {"receipt": receipt.number, "paper": "letter", "language": "es"})
    page = admin.get("/admin/downloads").get_data(as_text=True)
    assert f"receipt {receipt.number}; paper letter; language Spanish" in page and clerk.user.full_name in page


CLI_LISTS = [
    (("reports", "aging", "--as-of", DAY), "Aging", {"as_of": DAY}, f"aging-{DAY}.csv"),
    (("reports", "billing-register", "--cycle", "A", "--period", "2026-01"), "Billing register",
     {"cycle": "A", "period": "2026-01"}, "billing-register-A-2026-01.csv"),
    (("reports", "corrections", "--date", DAY), "Voids, returns and adjustments", {"date": DAY},
     f"corrections-{DAY}.csv"),
    (("sweep", "phone-export", "--as-of", DAY), "Phone notification list", {"as_of": DAY}, f"phone-export-{DAY}.csv"),
]


def _owing_customers_billed(committing_db) -> None:
    """The four owing customers (and the one in credit), with January's bills, committed for the command line."""
    with committing_db() as session, session.begin():
        customers_named_like_formulas(session)
        for account in session.scalars(select(UtilityAccount)):
            bill(session, account, "2026-01", 12, due_on=date(2026, 2, 5))


def _written(committing_db) -> list:
    """The download rows the command line's database holds."""
    with committing_db() as session:
        return audited_downloads(session)


@pytest.mark.parametrize("args, what, filters, filename", CLI_LISTS)
def test_a_list_of_customers_the_command_line_writes_is_audited_first(cli, committing_db, args, what, filters,
                                                                       filename):
    """On standard output: one row by the command line (cli: and the system user; these commands name no member of
    staff), of exactly the bytes written, its rows counted."""
    _owing_customers_billed(committing_db)
    result = cli(*args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) >= 4  # the four owing customers at least
    [entry] = _written(committing_db)
    assert_download_audited(entry, result.stdout_bytes, f'attachment; filename="{filename}"', command_line_actor(),
                            len(rows))
    assert (entry.detail["what"], entry.detail["filters"]) == (what, filters)


def test_a_report_the_command_line_writes_to_a_file_names_the_file(cli, committing_db, tmp_path):
    """--output: the row names the file written and holds the SHA-256 of the file's bytes; the reports that name no
    customer write no row."""
    _owing_customers_billed(committing_db)
    out = tmp_path / "owed by age.csv"
    assert cli("reports", "aging", "--as-of", DAY, "--output", str(out)).exit_code == 0
    [entry] = _written(committing_db)
    data = out.read_bytes()
    assert_download_audited(entry, data, f'attachment; filename="{out.name}"', command_line_actor(),
                            len(list(csv.DictReader(io.StringIO(data.decode())))))
    for args in (("reports", "aging-by-service", "--as-of", DAY), ("reports", "daily-receipts", "--date", DAY),
                 ("reports", "trial-balance", "--as-of", DAY), ("reports", "rate-summary", "--period", "2026-01")):
        assert cli(*args).exit_code == 0, args
    assert len(_written(committing_db)) == 1


def test_the_downloads_page_says_the_command_line_and_the_api_in_words(fixed_clock, admin, db):
    for who in ("cli:ops", "api:portal"):
        record_download(db, actor=who, what="Aging", filename=f"aging-{DAY}.csv", filters={"as_of": DAY}, rows=4,
                        data=b"x", at=NOW)
    db.flush()
    page = admin.get("/admin/downloads").get_data(as_text=True)
    assert "The command line, as the system user ops" in page
    assert "Another system, with the API token portal" in page and "cli:ops" not in page
