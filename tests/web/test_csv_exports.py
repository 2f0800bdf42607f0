"""Every CSV export, pages and command line, with customers named like formulas: no cell runs in the clerk's sheet."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.exports import FORMULA_STARTS, NUMBER_COLUMNS, PLAIN_NUMBER
from engine.money import ledger
from engine.store.models import AuditEntry, User
from tests.factories import NOW, create_account, create_case, create_customer
from tests.web.pages import TODAY, fixed_clock  # noqa: F401  (fixture)

FORMULA_NAMES = ('=HYPERLINK("x")', "+1", "-1", "@x")
DAY = TODAY.isoformat()


def customers_named_like_formulas(session: Session) -> None:
    """Four owing customers named like formulas, each with a shut-off date and a correction today whose reason is
    the name as typed; one customer with a $12.50 credit."""
    for name in FORMULA_NAMES:
        account = create_account(session, customer=create_customer(session, name=name), cycle="A")
        ledger.post_charge(session, account.id, Decimal("52.03"), on=date(2026, 1, 15), due_on=date(2026, 2, 5),
                           now=NOW, actor="billing", description="Water and sewer")
        ledger.post(session, account_id=account.id, kind="adjustment", amount=Decimal("-1.00"), on=TODAY, now=NOW,
                    actor="clerk1", description=name)
        create_case(session, subject_id=account.id, account_id=account.id, state="shutoff_notice",
                    fields={"shutoff_on": "2026-03-20"})
    credit = create_account(session, customer=create_customer(session, name="Credit Customer"), cycle="A")
    ledger.post(session, account_id=credit.id, kind="payment", amount=Decimal("-12.50"), on=TODAY, now=NOW,
                actor="lockbox", description="Payment (lockbox)", reference="overpaid")
    session.flush()


def assert_spreadsheet_safe(text: str) -> list[dict]:
    """Every cell starts with no formula character, unless it is a plain amount in a column of amounts."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for column, cell in row.items():
            if cell.startswith(FORMULA_STARTS):
                assert column in NUMBER_COLUMNS and PLAIN_NUMBER.fullmatch(cell), (column, cell)
    return rows


def assert_names_escaped(rows: list[dict], column: str) -> None:
    """Each formula-like name is there, written as text."""
    names = {row[column] for row in rows}
    assert {f"'{name}" for name in FORMULA_NAMES} <= names
    assert not set(FORMULA_NAMES) & names


@pytest.mark.parametrize("path", [
    "/reports/aging?format=csv",
    "/reports/aging-by-service?format=csv",
    f"/reports/corrections?date={DAY}&format=csv",
    "/reports/billing-register?cycle=A&period=2026-01&format=csv",
    "/reports/rate-summary?period=2026-01&format=csv",
    f"/reports/daily-receipts?date={DAY}&format=csv",
    f"/reports/trial-balance?as_of={DAY}&format=csv",
    f"/payments/day/gl-export.csv?date={DAY}",
    f"/payments/day/counter-journal.csv?date={DAY}",
    "/sweeps/phone-export.csv",
])
def test_every_csv_download_of_the_pages_is_spreadsheet_safe(fixed_clock, supervisor, db, path):
    customers_named_like_formulas(db)
    response = supervisor.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = assert_spreadsheet_safe(response.get_data(as_text=True))
    if path.startswith("/reports/aging?"):
        assert_names_escaped(rows, "customer")
        assert {row["balance"] for row in rows if row["customer"] == "Credit Customer"} == {"-12.50"}
    if path.startswith("/reports/corrections"):
        assert_names_escaped(rows, "reason")
    if path.startswith("/sweeps/phone-export"):
        assert_names_escaped(rows, "name")


def test_every_csv_of_the_command_line_is_spreadsheet_safe(cli, committing_db):
    with committing_db() as session, session.begin():
        customers_named_like_formulas(session)
        session.add(User(username="sam", full_name="Sam Supervisor", role="supervisor", password_hash="-",
                         created_at=NOW))
    exports = {
        "aging": ("reports", "aging", "--as-of", DAY),
        "aging-by-service": ("reports", "aging-by-service", "--as-of", DAY),
        "corrections": ("reports", "corrections", "--date", DAY),
        "billing-register": ("reports", "billing-register", "--cycle", "A", "--period", "2026-01"),
        "rate-summary": ("reports", "rate-summary", "--period", "2026-01"),
        "daily-receipts": ("reports", "daily-receipts", "--date", DAY),
        "trial-balance": ("reports", "trial-balance", "--as-of", DAY),
        "gl-export": ("reports", "gl-export", "--date", DAY, "--as", "sam"),
        "phone-export": ("sweep", "phone-export", "--as-of", DAY),
        "balancing": ("cash", "balancing", "--date", DAY),
    }
    written = {}
    for name, args in exports.items():
        result = cli(*args)
        assert result.exit_code == 0, (name, result.output)
        written[name] = assert_spreadsheet_safe(result.stdout)
    assert_names_escaped(written["aging"], "customer")
    assert_names_escaped(written["phone-export"], "name")
    assert_names_escaped(written["corrections"], "reason")
    assert {row["balance"] for row in written["aging"] if row["customer"] == "Credit Customer"} == {"-12.50"}
    assert all(row["amount"] == "51.03" for row in written["phone-export"])  # the bill less today's $1.00 credit


@pytest.mark.parametrize("path, label", [
    ("/reports/aging?format=csv&as_of=", "As of"),
    ("/reports/aging-by-service?format=csv&as_of=", "As of"),
    ("/reports/corrections?format=csv&date=", "Day"),
    ("/reports/daily-receipts?format=csv&date=", "Day"),
    ("/reports/trial-balance?format=csv&as_of=", "As of"),
    ("/payments/day/gl-export.csv?date=", "Business day"),
    ("/payments/day/counter-journal.csv?date=", "Business day"),
])
@pytest.mark.parametrize("typed", ["2026-02-30", "²", "yesterday"])
def test_a_csv_asked_for_a_day_that_is_not_one_is_refused_naming_it(fixed_clock, supervisor, db, path, label, typed):
    """Each gave today's file for a day it could not read (the GL export audited as taken); the page shows today
    with the field's message, the download is a 400 that names the field and writes nothing."""
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    response = supervisor.get(path + typed)
    assert response.status_code == 400
    assert f"{label}: “{typed}” is not a day (YYYY-MM-DD); nothing was downloaded." in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before
    if "format=csv" in path:  # the report's page still shows today's, with the field's message
        assert supervisor.get(path.replace("format=csv&", "") + typed).status_code == 200
