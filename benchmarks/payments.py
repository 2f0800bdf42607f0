"""`ordinance bench payments`: a lockbox file imported, against writing the same rows bare, in the same run.

The city is the billing benchmark's (accounts, each owing one bill of the period), in a SQLite
database of the run's own. The file is a lockbox CSV of `rows` payments, one per account and
then round again, each with its own transaction id; the import is the one the payments page
and `ordinance payments import` use: every line checked (account, amount within the city's
ceiling, paid-on day, earlier payments by transaction id and by look), then the payments, their
ledger credits, one chained audit row each and the kept balances, in one transaction.

The baseline is the same rows written bare: the CSV read with the csv module and inserted into
a table of the same columns as `payments` with one executemany, in one transaction, on the same
database. Both are timed by the wall clock (and by this process's CPU time).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from benchmarks.billing import generate_city
from engine.city import get_city, local_today
from engine.money.payment_files import read_payment_file
from engine.money.payment_imports import import_payment_file
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import CitySettings, LedgerEntry, Payment, UtilityAccount
from samplecity.city import city_settings_row

TARGET_ROWS_PER_S = 2000


def payment_file(numbers: list[str], rows: int, paid_on: date) -> bytes:
    """A lockbox file of `rows` check payments over the accounts, round and round, paid on one day."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["account_number", "amount", "paid_on", "tender", "check_number", "transaction_id"])
    for n in range(rows):
        writer.writerow([numbers[n % len(numbers)], f"{20 + n % 80}.{n % 100:02d}", paid_on.isoformat(), "check",
                         str(1000 + n % 9000), f"LBX-{paid_on:%Y%m%d}-{n:07d}"])
    return out.getvalue().encode()


def bare_write(url: str, content: bytes) -> int:
    """The rows read with csv and inserted with one executemany into a plain table; how many."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bare_payments (account_number TEXT, amount_cents INTEGER, "
                                "paid_on TEXT, tender TEXT, check_number TEXT, transaction_id TEXT)"))
        reader = csv.DictReader(io.StringIO(content.decode()))
        rows = [dict(account_number=r["account_number"], amount_cents=int(r["amount"].replace(".", "")),
                     paid_on=r["paid_on"], tender=r["tender"], check_number=r["check_number"],
                     transaction_id=r["transaction_id"]) for r in reader]
        connection.execute(text("INSERT INTO bare_payments VALUES (:account_number, :amount_cents, :paid_on, :tender, "
                                ":check_number, :transaction_id)"), rows)
    engine.dispose()
    return len(rows)


def run_payments_bench(workdir: Path, accounts: int, rows: int, *, now: datetime, timer: Callable[[], float],
                       cpu_timer: Callable[[], float]) -> dict:
    """Generate the city, time the import and the bare write of the same file; a dict."""
    url = f"sqlite:///{workdir / 'bench.db'}"
    started = timer()
    generate_city(url, accounts, now=now)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        if session.scalar(select(func.count()).select_from(CitySettings)) == 0:
            session.add(CitySettings(**city_settings_row()))
        numbers = list(session.scalars(select(UtilityAccount.number).order_by(UtilityAccount.id)))
        paid_on = local_today(now, get_city(session).timezone) - timedelta(days=1)  # yesterday's lockbox
    content = payment_file(numbers, rows, paid_on)
    generated = timer() - started

    started, cpu_started = timer(), cpu_timer()
    report = import_payment_file(sessions, read_payment_file(content, name="lockbox-20260302.csv", source="lockbox"),
                                 now=now)
    import_seconds, import_cpu = timer() - started, cpu_timer() - cpu_started
    if report.posted != rows:
        raise RuntimeError(f"the import posted {report.posted} of {rows} rows: {report.problems[:3]}")
    with sessions() as session:
        payments = session.scalar(select(func.count()).select_from(Payment))
        credits = session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "payment"))
    engine.dispose()

    started, cpu_started = timer(), cpu_timer()
    written = bare_write(url, content)
    bare_seconds, bare_cpu = timer() - started, cpu_timer() - cpu_started
    rate = report.posted / import_seconds if import_seconds else 0.0
    return {"accounts": accounts, "rows": rows, "posted": report.posted, "payments_stored": payments,
            "ledger_credits": credits, "bare_rows": written, "generate_seconds": round(generated, 2),
            "import_seconds": round(import_seconds, 3), "import_cpu_seconds": round(import_cpu, 3),
            "bare_seconds": round(bare_seconds, 3), "bare_cpu_seconds": round(bare_cpu, 3),
            "import_rows_per_s": round(rate, 1), "bare_rows_per_s": round(written / bare_seconds, 1) if bare_seconds else 0.0,
            "ratio": round(import_seconds / bare_seconds, 1) if bare_seconds else 0.0,
            "target_rows_per_s": TARGET_ROWS_PER_S, "target_met": rate >= TARGET_ROWS_PER_S}
