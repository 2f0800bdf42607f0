"""Payment files post every line or none: whole transaction ids, reused ids refused, look-alikes confirmed.

Each refusal is checked against the database before and after: the same payments, the same
ledger entries, the same ledger sum, the same audit rows.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.money import ledger
from engine.money.payments import Confirmation, PaymentRow, import_payment_file, import_payments, read_payment_file
from engine.store.models import AuditEntry, LedgerEntry, Payment, PaymentImport
from tests.factories import create_account
from tests.ledger.money_support import payment_file
from webapp.cli import main as ordinance

LONG = "LBX-20260304-" + "7" * 140  # two ids alike in their first 128 characters
NOW = datetime(2026, 3, 5, 17, 0, tzinfo=timezone.utc)  # imported on March 5: the files' payments lie on or before it


def state(sessions) -> tuple[int, int, int, int]:
    """Payments, ledger entries, the ledger's sum in cents, audit rows: what a refusal must leave alone."""
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(Payment)),
                s.scalar(select(func.count()).select_from(LedgerEntry)),
                s.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def accounts(sessions, count: int = 2, **overrides) -> list[str]:
    """The numbers of new accounts."""
    with sessions() as s, s.begin():
        return [create_account(s, **overrides).number for _ in range(count)]


def imported(sessions, path: Path, confirm: str | None = None, by: str = "supervisor1"):
    """The report of importing a lockbox file (confirmed by `by` when a hash is given)."""
    read = read_payment_file(path.read_bytes(), name=path.name, source="lockbox")
    confirmation = Confirmation(confirm, by) if confirm else None
    return import_payment_file(sessions, read, now=NOW, by="clerk1", confirmation=confirmation)


def test_two_long_transaction_ids_that_differ_only_at_the_end_are_two_payments(committing_db, tmp_path):
    """Ids of 153 characters alike in their first 128: both post, each kept whole; again, both posted before."""
    one, two = accounts(committing_db)
    path = payment_file(tmp_path / "lockbox.csv", [f"{one},52.03,2026-03-04,check,1042,{LONG}A",
                                                    f"{two},40.00,2026-03-04,check,1043,{LONG}B"])
    report = imported(committing_db, path)
    assert (report.posted, report.posted_cents, report.problems) == (2, 9203, [])
    with committing_db() as s:
        assert sorted(s.scalars(select(Payment.transaction_id))) == [f"{LONG}A", f"{LONG}B"]
        keys = list(s.scalars(select(Payment.idempotency_key)))
        assert all(len(key) <= 128 for key in keys) and len(set(keys)) == 2
        assert keys[0] == "lockbox:sha256:" + hashlib.sha256(f"{LONG}A".encode()).hexdigest()
    again = imported(committing_db, path)
    assert (again.posted, again.already_posted, again.problems) == (0, 2, [])
    assert state(committing_db)[:3] == (2, 2, -9203)


def test_a_reused_transaction_id_with_another_amount_refuses_the_whole_file(committing_db, tmp_path):
    """LBX-1 posted as $52.03; a later file with LBX-1 at $60.00 names the line, the id and payment 1; posts nothing."""
    one, two = accounts(committing_db)
    imported(committing_db, payment_file(tmp_path / "first.csv", [f"{one},52.03,2026-03-04,check,1042,LBX-1"]))
    before = state(committing_db)
    path = payment_file(tmp_path / "second.csv", [f"{two},25.00,2026-03-05,check,2001,LBX-2",
                                                   f"{one},60.00,2026-03-04,check,1042,LBX-1"])
    report = imported(committing_db, path)
    (problem,) = report.problems
    assert (problem.line, problem.field) == (3, "transaction_id")
    with committing_db() as s:
        earlier = s.scalar(select(Payment.id).where(Payment.transaction_id == "LBX-1"))
    assert problem.earlier_payment_id == earlier
    assert f"transaction id 'LBX-1' was posted before as payment {earlier}" in problem.message
    assert "$52.03" in problem.message and "$60.00" in problem.message
    assert report.posted == 0 and state(committing_db) == before


def test_the_same_file_imported_again_posts_nothing_new_and_says_so(committing_db, tmp_path, cli_env):
    """Every line has a transaction id posted before as the same payment: nothing new, exit 0."""
    one, two = accounts(committing_db)
    path = payment_file(tmp_path / "lockbox.csv", [f"{one},52.03,2026-03-04,check,1042,LBX-1",
                                                    f"{two},40.00,2026-03-04,ach,,LBX-2"])
    first = cli_env("payments", "import", str(path))
    assert first.exit_code == 0 and "Posted 2 payments for $92.03; 0 posted before" in first.stdout
    before = state(committing_db)
    renamed = tmp_path / "copy-of-lockbox.csv"
    renamed.write_bytes(path.read_bytes())
    again = cli_env("payments", "import", str(renamed))
    assert again.exit_code == 0, again.output
    assert "Posted 0 payments for $0.00; 2 posted before (skipped" in again.stdout
    assert "Nothing new: every payment in this file was posted before." in again.stdout
    assert state(committing_db)[:3] == before[:3]


def test_a_file_with_bad_lines_posts_nothing_and_names_every_bad_line(committing_db, tmp_path, cli_env):
    """Nine good lines and three bad ones (one wrong twice): all four problems named, nothing posted."""
    one, two = accounts(committing_db)
    good = [f"{one if n % 2 else two},{10 + n}.00,2026-03-04,check,{500 + n},LBX-{n}" for n in range(9)]
    path = payment_file(tmp_path / "lockbox.csv", good[:4] + [
        f"{one},12.345,2026-03-04,check,9,LBX-X1",               # line 6: amount
        "NO-SUCH,10.00,2026-03-04,check,7,LBX-X2",                # line 7: unknown account
    ] + good[4:] + [f"{two},ten,03/04/2026,check,8,LBX-X3"])     # line 13: amount and paid_on
    before = state(committing_db)
    result = cli_env("payments", "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:6: amount: '12.345' has more than two decimals" in result.stderr
    assert f"{path}:7: account_number: unknown account NO-SUCH" in result.stderr
    assert f"{path}:13: amount: 'ten' is not an amount of money" in result.stderr
    assert f"{path}:13: paid_on: '03/04/2026' is not a date (YYYY-MM-DD)" in result.stderr
    assert "refused (3 bad lines); nothing was posted" in result.stderr
    assert state(committing_db) == before


@pytest.mark.parametrize("rows, line, field, words", [
    (["{a},5.00,2026-03-04,check,1,T-1", "{a},6.00,2026-03-04,check,2,T-1"], 3, "transaction_id", "also on line 2"),
    (["{a},5.00,2026-03-04,check,1"], 2, "line", "has 5 fields; the header has 6"),
    (["{a},5.00,2026-03-04,check,1,T-1,extra"], 2, "line", "has 7 fields; the header has 6"),
    (["{a},5.00,2026-03-04,check," + "9" * 33 + ",T-1"], 2, "check_number", "at most 32"),
    (["{a},5.00,2026-03-04,check,1," + "T" * 1001], 2, "transaction_id", "1,001 characters; a transaction id has at "
                                                                         "most 1,000"),
    (["{a},5.00,2026-03-04,bitcoin,,T-1"], 2, "tender", "'bitcoin' is not one of check, card, ach"),
    (["{a},0.00,2026-03-04,check,1,T-1"], 2, "amount", "not more than $0.00"),
    (["{c},5.00,2026-03-04,check,1,T-1"], 2, "tender", "cash-only"),
])
def test_each_bad_line_is_named_by_line_and_field(committing_db, tmp_path, rows, line, field, words):
    (a,), (c,) = accounts(committing_db, 1), accounts(committing_db, 1, cash_only=True)
    path = payment_file(tmp_path / "bad.csv", [row.format(a=a, c=c) for row in rows])
    before = state(committing_db)
    report = imported(committing_db, path)
    assert [(p.line, p.field) for p in report.problems] == [(line, field)]
    assert words in report.problems[0].message
    assert state(committing_db) == before


def test_a_line_without_an_id_like_an_earlier_payment_is_held_until_confirmed(committing_db, tmp_path, cli_env):
    """The same $40.00 on the same day in a later file is not skipped: it waits for --confirm, then posts."""
    one, two = accounts(committing_db)
    payment_file(tmp_path / "monday.csv", [f"{one},40.00,2026-03-04,check,,"])
    assert cli_env("payments", "import", str(tmp_path / "monday.csv")).exit_code == 0
    path = payment_file(tmp_path / "tuesday.csv", [f"{two},15.00,2026-03-04,check,77,LBX-9",
                                                    f"{one},40.00,2026-03-04,check,,"])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    before = state(committing_db)
    held = cli_env("payments", "import", str(path))
    assert held.exit_code == 1
    assert f"{path}:3: possible duplicate: account {one}, $40.00, paid 2026-03-04, no transaction id" in held.stderr
    assert "looks like payment 1 (lockbox, posted" in held.stderr
    assert f"ordinance payments import {path} --source lockbox --confirm {sha}" in held.stderr
    assert state(committing_db) == before

    wrong = cli_env("payments", "import", str(path), "--confirm", "0" * 64)
    assert wrong.exit_code == 1 and f"this file's SHA-256 is {sha}" in wrong.stderr
    assert state(committing_db) == before

    confirmed = cli_env("payments", "import", str(path), "--confirm", sha)
    assert confirmed.exit_code == 0, confirmed.output
    assert "Posted 2 payments for $55.00" in confirmed.stdout and "1 possible duplicates confirmed by cli:" in \
        confirmed.stdout
    with committing_db() as s:
        assert ledger.balance_cents(s, s.scalar(select(Payment.account_id).where(Payment.id == 1))) == -8000
        (audit,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "payments.import_confirmed"))
        register = s.get(PaymentImport, int(audit.subject_id))
    assert audit.actor.startswith("cli:") and audit.detail["file_sha256"] == sha
    assert [(r["line"], r["looks_like_payments"]) for r in audit.detail["rows"]] == [(3, [1])]
    assert (register.file_name, register.confirmed_by, register.posted_count) == ("tuesday.csv", audit.actor, 2)


def test_two_alike_lines_without_ids_in_one_file_are_held_then_both_post(committing_db, tmp_path):
    """Two $40.00 lines for one account on one day may be two payments: held, confirmed, two payments."""
    (one,) = accounts(committing_db, 1)
    path = payment_file(tmp_path / "lockbox.csv", [f"{one},40.00,2026-03-04,check,,"] * 2)
    held = imported(committing_db, path)
    assert [(d.row.line, d.other_lines, d.earlier) for d in held.possible_duplicates] == [(2, (3,), ()), (3, (2,), ())]
    assert held.awaiting_confirmation and held.posted == 0 and state(committing_db)[0] == 0
    posted = imported(committing_db, path, confirm=held.file_sha256)
    assert posted.posted == 2 and posted.confirmed_by == "supervisor1"
    assert state(committing_db)[:3] == (2, 2, -8000)


def test_a_portal_payment_and_a_file_line_are_judged_alike(committing_db, tmp_path):
    """The portal's WEB-1 then a file with WEB-1 for another amount: refused, naming the portal's payment."""
    (one,) = accounts(committing_db, 1)
    row = PaymentRow(1, one, 5203, date(2026, 3, 2), "card", "", "WEB-1")
    first = import_payments(committing_db, [row], source="online", file_name="api:portal", now=NOW)
    retry = import_payments(committing_db, [row], source="online", file_name="api:portal", now=NOW)
    assert (first.posted, retry.posted, retry.already_posted) == (1, 0, 1)
    assert retry.payment_ids == first.payment_ids
    path = payment_file(tmp_path / "portal.csv", [f"{one},52.30,2026-03-02,card,,WEB-1"])
    read = read_payment_file(path.read_bytes(), name=path.name, source="online")
    report = import_payment_file(committing_db, read, now=NOW)
    assert report.problems[0].earlier_payment_id == first.payment_ids[1]


@pytest.fixture()
def cli_env(committing_url, tmp_path, monkeypatch):
    """Run `ordinance ...` on the test's own database, its clock at NOW; stdout and stderr apart."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)  # the files' paid-on dates lie near it
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner()

    def run(*args: str):
        """The result of one command."""
        return runner.invoke(ordinance, list(args), env=env, catch_exceptions=False)

    return run


@pytest.mark.parametrize("rows", [[], ["", ""]])
def test_a_file_with_only_its_header_is_refused_and_registers_nothing(committing_db, tmp_path, cli_env, rows):
    """A header and no payment lines (or only blank ones) is a file that came short, not an empty import: refused
    with why, no import registered, no audit row."""
    path = payment_file(tmp_path / "lockbox.csv", rows)
    with committing_db() as s:
        imports = s.scalar(select(func.count()).select_from(PaymentImport))
    before = state(committing_db)
    result = cli_env("payments", "import", str(path))
    assert result.exit_code != 0
    assert "the file has no payments after its header" in result.output
    assert state(committing_db) == before
    with committing_db() as s:
        assert s.scalar(select(func.count()).select_from(PaymentImport)) == imports
