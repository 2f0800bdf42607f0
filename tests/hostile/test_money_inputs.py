"""Hostile money: each odd amount or date, through the counter form, the API, a payment file and the command line.

Every one is refused with a message that names the field and the limit (the ceiling, or the
shape money must have), changes nothing (row counts and the ledger's sum are the same after),
and never shows a traceback or a 500. "$10" and "1,000.00" are how people write money, so the
counter takes them; from a machine (the API, a payment file) they are refused.
"""
from __future__ import annotations

import html
import io
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from engine.city import DEFAULT_TIMEZONE, local_today
from engine.money.payments import import_payment_file, read_payment_file
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import AuditEntry, CashDrawer, LedgerEntry, Payment
from tests.factories import NOW, create_account
from tests.ledger.money_support import create_user

TODAY = date(2026, 3, 2)  # NOW in the city
FOUR_HUNDRED_DIGITS = "9" * 400
NOT_MONEY = "is not an amount of money; send digits with at most two decimals, e.g. 52.03 (no exponent, $ or commas)"
API = {"ceiling": "amount: at most $100,000.00 for an API payment", "negative": "amount must be more than 0.00",
       "too_much": "amount: at most $100,000.00 for an API payment"}
FILE = {"ceiling": "amount: at most $100,000.00 for a payment in a payment file",
        "negative": "amount: -5.00 is not more than $0.00",
        "too_much": "amount: at most $10,000,000.00 for any amount Ordinance keeps"}  # read before the city's ceiling

# What a machine sends (the API's "amount", a payment file's amount column), and the refusal it gets.
MACHINE_AMOUNTS = [
    ("1e3", f"amount: '1e3' {NOT_MONEY}"),
    ("$10", f"amount: '$10' {NOT_MONEY}"),
    ("1,000.00", f"amount: '1,000.00' {NOT_MONEY}"),
    (FOUR_HUNDRED_DIGITS, "{too_much}"),
    ("1e16", f"amount: '1e16' {NOT_MONEY}"),
    ("10000000000000000", "{too_much}"),         # 1e16 written out
    ("90000000000000000", "{too_much}"),         # 9e16
    ("100000.01", "{ceiling}"),                  # a cent over the city's ceiling
    ("-5.00", "{negative}"),
    ("0.001", "amount: '0.001' has more than two decimals"),
    ("NaN", f"amount: 'NaN' {NOT_MONEY}"),
    ("Infinity", f"amount: 'Infinity' {NOT_MONEY}"),
    ("5 0.00", f"amount: '5 0.00' {NOT_MONEY}"),
    ("١٠٠", f"amount: '١٠٠' {NOT_MONEY}"),
]

# What a person types at the counter, and the message beside the Amount field.
TYPED_AMOUNTS = [
    ("1e3", "Enter an amount of money, e.g. 52.03."),
    (FOUR_HUNDRED_DIGITS, "The amount must be at most $100,000.00 for a counter payment."),
    ("1e16", "Enter an amount of money, e.g. 52.03."),
    ("10000000000000000", "The amount must be at most $100,000.00 for a counter payment."),
    ("$100,000.01", "The amount must be at most $100,000.00 for a counter payment."),
    ("-5.00", "The amount must be more than $0.00."),
    ("0.001", "Use at most two decimals (dollars and cents), e.g. 52.03."),
    ("NaN", "Enter an amount of money, e.g. 52.03."),
    ("Infinity", "Enter an amount of money, e.g. 52.03."),
    ("   ", "Enter the amount received."),
    ("5 0.00", "Enter an amount of money, e.g. 52.03."),
    ("١٠٠", "Enter an amount of money, e.g. 52.03."),
]


def books(session) -> tuple:
    """What must not change: rows of payments, ledger entries, drawers and audit, and the ledger's sum."""
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return (count(Payment), count(LedgerEntry), count(CashDrawer), count(AuditEntry),
            session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))))


# --- the counter form ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed, message", TYPED_AMOUNTS)
def test_the_counter_form_refuses_hostile_amounts(app, clerk, db, typed, message):
    account = create_account(db)
    assert clerk.post("/payments/drawer/open", data={"opening": "0"}).status_code == 302
    before = books(db)
    response = clerk.post("/payments/", data={"lines-0-what": "account", "lines-0-number": account.number,
                                              "lines-0-amount": typed, "tenders-0-tender": "cash",
                                              "tenders-0-amount": typed, "key": "hostile"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Traceback" not in page
    assert f'<p class="error" id="lines-0-amount-error">{message}</p>' in page  # beside the line's Amount field
    assert books(db) == before


@pytest.mark.parametrize("typed", ["$10", "1,000.00", " 52.03 "])
def test_the_counter_takes_money_as_people_write_it(app, clerk, db, typed):
    account = create_account(db)
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    response = clerk.post("/payments/", data={"lines-0-what": "account", "lines-0-number": account.number,
                                              "lines-0-amount": typed, "tenders-0-tender": "cash",
                                              "tenders-0-amount": typed, "key": f"k-{typed}"})
    assert response.status_code == 302
    assert db.scalar(select(Payment.amount_cents).where(Payment.account_id == account.id)) in (1000, 100000, 5203)


@pytest.mark.parametrize("typed, message", [("$10,000,000.01", "The amount must be at most $10,000,000.00 for any "
                                                               "amount Ordinance keeps."),
                                            ("1e3", "Enter an amount of money, e.g. 52.03.")])
def test_the_drawer_float_is_bounded_too(app, clerk, db, typed, message):
    before = books(db)
    page = clerk.post("/payments/drawer/open", data={"opening": typed}, follow_redirects=True).get_data(as_text=True)
    assert message in page and books(db) == before


@pytest.mark.parametrize("typed, message", [
    ("1e999999999", "amount: &#39;1e999999999&#39; is not an amount of money"),
    ("1e16", "amount: &#39;1e16&#39; is not an amount of money"),
    ("NaN", "amount: &#39;NaN&#39; is not an amount of money"),
    ("Infinity", "amount: &#39;Infinity&#39; is not an amount of money"),
    ("99999999999999999999", "amount: at most $10,000,000.00 for any amount Ordinance keeps"),
    ("$100,000.01", "amount: at most $100,000.00 for an adjustment; this adjustment is $100,000.01"),
    ("0.001", "amount: &#39;0.001&#39; has more than two decimals"),
    ("-5.00", "amount: more than $0.00"),
])
def test_the_adjust_balance_form_refuses_hostile_amounts(app, clerk, db, typed, message):
    """Adjust balance (a credit a clerk asks for): each odd amount a 400 saying why, at review and at post."""
    app.config["CLOCK"] = lambda: NOW
    account = create_account(db)
    before = books(db)
    for step in ("review", "post"):
        response = clerk.post(f"/accounts/{account.number}/adjust", data={
            "code": "leak", "direction": "credit", "amount": typed, "fee": "", "note": "hostile", "step": step})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and "Traceback" not in page, (step, page[-600:])
    assert books(db) == before


# --- the API ------------------------------------------------------------------------------------


def _api_payment(portal, account, **changes):
    """POST a portal payment of $52.03 paid on TODAY, with changes."""
    body = {"account_number": account.number, "amount": "52.03", "paid_on": TODAY.isoformat(),
            "transaction_id": "HOSTILE-1", **changes}
    return portal.post("/api/v1/payments", json=body)


@pytest.mark.parametrize("sent, message", MACHINE_AMOUNTS)
def test_the_api_refuses_hostile_amounts(api, db, sent, message):
    account, portal = create_account(db), api("payments:write")
    before = books(db)
    response = _api_payment(portal, account, amount=sent)
    assert response.status_code == 400 and response.json["field"] == "amount"
    assert message.format(**API) in response.json["error"]
    assert books(db) == before


@pytest.mark.parametrize("raw, message", [
    ("1e16", f"amount: '1E+16' {NOT_MONEY}"),
    ("9e16", f"amount: '9E+16' {NOT_MONEY}"),
    ("1E3", f"amount: '1E+3' {NOT_MONEY}"),
    ("0.001", "amount: '0.001' has more than two decimals"),
    (FOUR_HUNDRED_DIGITS, API["ceiling"]),
    ("-0.01", "amount must be more than 0.00"),
])
def test_the_api_refuses_hostile_json_numbers(api, db, raw, message):
    account, portal = create_account(db), api("payments:write")
    before = books(db)
    body = '{"account_number": %s, "amount": %s, "paid_on": "2026-03-02", "transaction_id": "N-1"}' % (
        json.dumps(account.number), raw)
    response = portal.post("/api/v1/payments", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["field"] == "amount"
    assert message in response.json["error"]
    assert books(db) == before


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_the_api_refuses_what_json_does_not_have(api, db, raw):
    account, portal = create_account(db), api("payments:write")
    before = books(db)
    body = '{"account_number": %s, "amount": %s, "paid_on": "2026-03-02", "transaction_id": "N-1"}' % (
        json.dumps(account.number), raw)
    response = portal.post("/api/v1/payments", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["field"] == "body"
    assert books(db) == before


@pytest.mark.parametrize("body", ["[" * 100_000, '{"amount": ' * 50_000, '{"amount": ' + "9" * 5000 + "}"])
def test_the_api_refuses_a_body_nested_too_deep_or_a_number_too_long(api, db, body):
    """JSON nested 100,000 deep (a RecursionError in the reader) or a 5,000-digit number: a 400 naming the body."""
    portal = api("payments:write")
    before = books(db)
    response = portal.post("/api/v1/payments", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["field"] == "body", response.data[:300]
    assert response.json["error"].startswith("The request body is not valid JSON")
    assert books(db) == before


@pytest.mark.parametrize("paid_on, message", [
    ("1900-01-01", "paid_on: 1900-01-01 is more than 90 days before the business day 2026-03-02 "
                   "(the earliest is 2025-12-02)"),
    ("2099-01-01", "paid_on: 2099-01-01 is after today (2026-03-02)"),
    ("2026-03-03", "paid_on: 2026-03-03 is after today (2026-03-02)"),
])
def test_the_api_refuses_a_paid_on_date_outside_the_window(api, db, paid_on, message):
    account, portal = create_account(db), api("payments:write")
    before = books(db)
    response = _api_payment(portal, account, paid_on=paid_on)
    assert response.status_code == 400 and response.json["field"] == "paid_on"
    assert message in response.json["error"]
    assert books(db) == before


def test_two_huge_api_payments_cannot_overflow_the_ledger(api, db, supervisor):
    """The tester's 1e16 and 9e16: both refused; the pages that summed them still answer."""
    account, portal = create_account(db), api("payments:write")
    for n, amount in enumerate(("10000000000000000.00", "90000000000000000.00")):
        assert _api_payment(portal, account, amount=amount, transaction_id=f"BIG-{n}").status_code == 400
    assert db.scalar(select(func.count()).select_from(Payment)) == 0
    for page in ("/", f"/accounts/{account.number}", "/reports/trial-balance", "/reports/daily-receipts"):
        assert supervisor.get(page).status_code == 200


# --- a payment file ---------------------------------------------------------------------------------


@pytest.fixture()
def import_file(db):
    """Import a lockbox file's lines into the test's database at NOW (each import a savepoint, rolled back after)."""
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)

    def run(number: str, *lines: str):
        """The report of importing the lines (header added)."""
        content = "\n".join(["account_number,amount,paid_on,tender,check_number,transaction_id", *lines]) + "\n"
        read = read_payment_file(content.encode(), name="hostile.csv", source="lockbox")
        return import_payment_file(sessions, read, now=NOW, by="clerk1")

    return run


@pytest.mark.parametrize("sent, message", MACHINE_AMOUNTS)
def test_a_payment_file_refuses_hostile_amounts_line_by_line(db, import_file, sent, message):
    number = create_account(db).number
    before = books(db)
    report = import_file(number, f'{number},"{sent}",2026-03-02,check,1,LBX-1',
                         f"{number},52.03,2026-03-02,check,2,LBX-2")
    assert report.refused and report.posted == 0
    assert [str(p) for p in report.problems] == [f"line 2: {message.format(**FILE)}"]
    assert books(db) == before


@pytest.mark.parametrize("paid_on, message", [
    ("1900-01-01", "line 2: paid_on: 1900-01-01 is more than 90 days before the business day 2026-03-02"),
    ("2099-01-01", "line 2: paid_on: 2099-01-01 is after today (2026-03-02)")])
def test_a_payment_file_refuses_dates_outside_the_window(db, import_file, paid_on, message):
    number = create_account(db).number
    before = books(db)
    report = import_file(number, f"{number},52.03,{paid_on},check,1,LBX-1")
    assert report.refused and str(report.problems[0]).startswith(message)
    assert books(db) == before


def test_the_payment_files_page_refuses_every_hostile_line_and_posts_nothing(app, clerk, db):
    """The same hostile lines uploaded on the web: a 400 page naming each line and its refusal, nothing posted."""
    app.config["CLOCK"] = lambda: NOW
    number = create_account(db).number
    lines = [f'{number},"{sent}",2026-03-02,check,1,LBX-{n}' for n, (sent, _) in enumerate(MACHINE_AMOUNTS)]
    lines += [f"{number},52.03,1900-01-01,check,1,LBX-old", f"{number},52.03,2099-01-01,check,1,LBX-future",
              f"{number},52.03,2026-03-02,check,1,LBX-good"]
    content = "\n".join(["account_number,amount,paid_on,tender,check_number,transaction_id", *lines]).encode()
    before = books(db)
    response = clerk.post("/payments/files", data={"payment_file": (io.BytesIO(content), "hostile.csv"),
                                                   "source": "lockbox"}, content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "Traceback" not in page
    assert "hostile.csv was refused: nothing was posted" in page
    named = re.findall(r'<tr><td class="num">(\d+)</td><td>(\w+)</td><td>([^<]+)</td></tr>', page)
    assert [(int(line), field) for line, field, _ in named] == [(n, "amount") for n in range(2, 2 + len(
        MACHINE_AMOUNTS))] + [(len(MACHINE_AMOUNTS) + 2, "paid_on"), (len(MACHINE_AMOUNTS) + 3, "paid_on")]
    assert [f"{field}: {said}" for _, field, said in named[:len(MACHINE_AMOUNTS)]] == [
        message.format(**FILE) for _, message in MACHINE_AMOUNTS]
    assert named[-2][2].startswith("1900-01-01 is more than 90 days before the business day 2026-03-02")
    assert named[-1][2].startswith("2099-01-01 is after today (2026-03-02)")
    assert books(db) == before


# --- the command line ------------------------------------------------------------------------------


def _city_today() -> date:
    """The city's date by the real clock (the command line reads it)."""
    return local_today(datetime.now(timezone.utc), DEFAULT_TIMEZONE)


def test_the_command_line_refuses_hostile_amounts_at_the_counter(cli, committing_url):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        number, clerk = create_account(s).number, create_user(s).username
    assert cli("cash", "open", "--as", clerk, "--opening", "0").exit_code == 0
    with sessions() as s:
        before = books(s)
    for typed, message in [("1e3", "amount: '1e3' is not an amount of money"),
                           (FOUR_HUNDRED_DIGITS, "amount: at most $100,000.00 for a counter payment"),
                           ("10000000000000000", "amount: at most $100,000.00 for a counter payment"),
                           ("-5.00", "amount: a payment must be more than $0.00"),
                           ("0.001", "amount: '0.001' has more than two decimals"),
                           ("NaN", "amount: 'NaN' is not an amount of money"),
                           ("Infinity", "amount: 'Infinity' is not an amount of money"),
                           ("   ", "amount: '' is not an amount of money"),
                           ("١٠٠", "amount: '١٠٠' is not an amount of money")]:
        result = cli("cash", "pay", number, "--amount", typed, "--tender", "cash", "--as", clerk)
        assert result.exit_code == 1 and message in result.output, (typed, result.output)
        assert "Traceback" not in result.output
    with sessions() as s:
        assert books(s) == before


def test_the_command_line_refuses_a_hostile_drawer_float(cli, committing_url):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        clerk = create_user(s).username
    for typed, message in [("1e3", "--opening: '1e3' is not an amount of money"),
                           (FOUR_HUNDRED_DIGITS, "--opening: at most $10,000,000.00 for any amount Ordinance keeps")]:
        result = cli("cash", "open", "--as", clerk, "--opening", typed)
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(CashDrawer)) == 0


def test_the_command_line_import_refuses_every_hostile_line_and_posts_nothing(cli, committing_url, tmp_path):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        number = create_account(s).number
    paid_on = _city_today() - timedelta(days=1)
    lines = [f'{number},"{sent}",{paid_on},check,1,LBX-{n}' for n, (sent, _) in enumerate(MACHINE_AMOUNTS)]
    lines += [f"{number},52.03,1900-01-01,check,1,LBX-old", f"{number},52.03,2099-01-01,check,1,LBX-future"]
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(["account_number,amount,paid_on,tender,check_number,transaction_id", *lines]) + "\n",
                    encoding="utf-8")
    with sessions() as s:
        before = books(s)
    result = cli("payments", "import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"hostile.csv refused ({len(lines)} bad lines); nothing was posted." in result.output
    for n, (_, message) in enumerate(MACHINE_AMOUNTS, start=2):
        assert f"{path}:{n}: {message.format(**FILE)}" in result.output
    assert "paid_on: 1900-01-01 is more than 90 days before the business day" in result.output
    assert "paid_on: 2099-01-01 is after today" in result.output
    with sessions() as s:
        assert books(s) == before
