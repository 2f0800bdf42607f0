"""The stubs' scan lines, read back from the mailing PDF, make a lockbox file the payment import posts exactly."""
from __future__ import annotations

import random
import re
from datetime import date

from sqlalchemy import select

from engine.money.payment_files import parse_payment_file, read_payment_file
from engine.money.payment_imports import import_payment_file
from engine.money.scanline import ScanLineError, read_scan_line, scan_line
from engine.store.db import make_sessionmaker
from engine.store.models import Payment, UtilityAccount
from tests.statements.conftest import NOW, pages_text

import pytest

ACCOUNTS = 560  # enough for over 100 bills with something due in cycle A
SCAN = re.compile(r"^\s*(\S+ \d{10} \d)\s*$", re.M)


def test_a_hundred_stubs_scanned_from_the_pdf_post_to_the_right_accounts_and_amounts(billed_city):
    stubs = []
    for text in pages_text(billed_city.run.pdf_path):
        found = SCAN.findall(text)
        assert len(found) == 1, text[-400:]
        stubs.append(found[0])
    assert len(stubs) == billed_city.billed
    sessions = make_sessionmaker(billed_city.engine)
    with sessions() as session:
        cash_only = set(session.scalars(select(UtilityAccount.number).where(UtilityAccount.cash_only)))
    payable = [line for line in stubs if read_scan_line(line)[1] > 0 and read_scan_line(line)[0] not in cash_only]
    assert len(payable) >= 100
    chosen = random.Random(2026).sample(payable, 100)
    content = "scan_line,paid_on,tender,check_number,transaction_id\n" + "".join(
        f"{line},2026-11-01,check,{5000 + n},LBX-20261101-{n:04d}\n" for n, line in enumerate(chosen, start=1))
    report = import_payment_file(sessions, read_payment_file(content.encode(), name="lockbox-2026-11-01.csv",
                                                             source="lockbox"), now=NOW)
    assert not report.problems and not report.possible_duplicates, report.problems
    assert report.posted == 100
    with sessions() as session:
        posted = {(number, cents) for number, cents in session.execute(
            select(UtilityAccount.number, Payment.amount_cents).join(Payment, Payment.account_id == UtilityAccount.id)
            .where(Payment.transaction_id.like("LBX-20261101-%")))}
    assert posted == {read_scan_line(line) for line in chosen}
    assert sum(cents for _, cents in posted) == report.posted_cents


def test_a_misread_scan_line_is_refused_on_its_line():
    good = scan_line("000123-01", 9745)
    assert read_scan_line(good) == ("000123-01", 9745)
    misread = good[:-3] + str((int(good[-3]) + 1) % 10) + good[-2:]  # one digit of the amount read wrong
    rows, problems = parse_payment_file(["scan_line,paid_on\n", f"{good},2026-11-01\n", f"{misread},2026-11-01\n"],
                                        "lockbox")
    assert [(row.account_number, row.amount_cents) for row in rows] == [("000123-01", 9745)]
    assert [(p.line, p.field) for p in problems] == [(3, "scan_line")] and "misread" in problems[0].message
    with pytest.raises(ScanLineError, match="is not a scan line"):
        read_scan_line("000123-01 97.45 9")


def test_an_amount_written_beside_the_scan_line_is_what_was_paid_and_the_account_must_agree():
    line = scan_line("000123-01", 9745)
    rows, problems = parse_payment_file(
        ["scan_line,account_number,amount,paid_on\n", f"{line},,50.00,2026-11-01\n",
         f"{line},000999-01,,2026-11-01\n"], "lockbox")
    assert [(row.account_number, row.amount_cents) for row in rows] == [("000123-01", 5000)]
    assert [(p.line, p.field) for p in problems] == [(3, "account_number")]
    assert date(2026, 11, 1) == rows[0].paid_on
