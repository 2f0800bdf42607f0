"""Two clerks at once, two importers at once: every payment lands exactly once (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from engine.city import DEFAULT_TIMEZONE, local_today
from engine.money import cash, ledger
from engine.money.payments import post_counter_payment
from engine.store.db import make_engine, make_sessionmaker
from engine.money.ledger.verify import check_balances
from engine.store.models import AccountBalance, LedgerEntry, Payment, User
from tests.factories import NOW, create_account
from tests.ledger.money_support import create_user, payment_file

DAY = date(2026, 3, 5)
REPO = Path(__file__).resolve().parents[2]


def test_two_payments_at_once_on_one_account_both_land(committing_url):
    """Two clerks, two sessions, two threads, one account: two payments, two entries, balance -$75."""
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        account_id = create_account(s).id
        clerks = [create_user(s), create_user(s)]
        for clerk in clerks:
            cash.open_drawer(s, clerk=clerk, business_date=DAY, opening=Decimal("0"), now=NOW)
        clerk_ids = [c.id for c in clerks]
    barrier, errors = threading.Barrier(2), []

    def pay(clerk_id: int, amount: str) -> None:
        """Post one payment in a session of this thread's own."""
        try:
            barrier.wait(timeout=30)  # start together; SQLite then serializes the writers, PostgreSQL runs both
            with sessions() as s, s.begin():
                clerk = s.get(User, clerk_id)
                post_counter_payment(s, account_id=account_id, amount=amount, tender="cash", clerk=clerk, on=DAY,
                                     now=NOW)
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=pay, args=(cid, amt)) for cid, amt in zip(clerk_ids, ("50.00", "25.00"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 2
        assert sorted(s.scalars(select(LedgerEntry.amount_cents))) == [-5000, -2500]
        assert ledger.balance_cents(s, account_id) == -7500


def test_one_file_imported_by_two_processes_at_once_posts_each_payment_once(committing_url, tmp_path):
    """Two `ordinance payments import` processes on the same 60-line file: 60 payments, not 120.

    They take turns: the first posts the file whole; the second finds the 30 lines with a
    transaction id posted before and the 30 without one looking like them, so it posts nothing
    and asks for a supervisor's confirmation.
    """
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        numbers = [create_account(s).number for _ in range(6)]
    # Paid yesterday in the city: the processes read the real clock, and a paid-on date must lie near it.
    paid_on = local_today(datetime.now(timezone.utc), DEFAULT_TIMEZONE) - timedelta(days=1)
    rows = [f"{numbers[i % 6]},{10 + i}.00,{paid_on},check,{5000 + i},{'' if i % 2 else f'LBX-{i}'}"
            for i in range(60)]
    path = payment_file(tmp_path / "lockbox.csv", rows)
    env = {**os.environ, "DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    command = [str(Path(sys.executable).parent / "ordinance"), "payments", "import", str(path), "--chunk", "7"]
    processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in processes]
    assert sorted(p.returncode for p in processes) == [0, 1], outputs
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 60
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 60
        assert s.scalar(select(func.sum(Payment.amount_cents))) == sum((10 + i) * 100 for i in range(60))
    (posted,) = [int(out.split("Posted ")[1].split(" ")[0]) for out, _ in outputs if "Posted " in out]
    assert posted == 60
    (held,) = [err for out, err in outputs if "Posted " not in out]
    assert held.count("possible duplicate") == 30 and "--confirm" in held


def test_two_payments_at_once_on_one_account_are_both_kept_in_its_balance(committing_url):
    """Two sessions post to one account at once: the kept balance holds both (each account has its own lock)."""
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        account_id = create_account(s).id
        ledger.post_charge(s, account_id, Decimal("100.00"), on=DAY, due_on=DAY, now=NOW, actor="billing",
                           description="Water and sewer")
    barrier, errors = threading.Barrier(2), []

    def pay(amount: str) -> None:
        """Post one payment in a session of this thread's own."""
        try:
            with sessions() as s, s.begin():
                barrier.wait(timeout=30)
                ledger.post(s, account_id=account_id, kind="payment", amount=-Decimal(amount), on=DAY, now=NOW,
                            actor="clerk", description="Payment")
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=pay, args=(amount,)) for amount in ("50.00", "25.00")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with sessions() as s:
        assert s.get(AccountBalance, account_id).balance_cents == 2500
        assert check_balances(s).agrees
