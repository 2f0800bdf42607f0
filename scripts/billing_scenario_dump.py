"""A billing scenario dumped row by row, to compare two versions of the billing run byte for byte.

A sample city (`ordinance demo`'s loader) billed over three months, one across the 2026-07-01
rate change, with re-runs, bad rows, reads held for review, a stored-reads run, credits and
later-due fees on some accounts, and a closed day; then every table the billing run writes
(bills, bill lines, ledger entries, kept balances, meter reads, the audit log with its hashes;
on SQLite with each row's rowid) and each run's report, in one text file.

    # in each of two worktrees (before and after), on an empty database of its own:
    PYTHONPATH=$PWD .venv/bin/python scripts/billing_scenario_dump.py sqlite:////tmp/a.db /tmp/a.dump 3000
    cmp /tmp/a.dump /tmp/b.dump

usage: billing_scenario_dump.py URL DUMPFILE [ACCOUNTS]   (PostgreSQL: an empty database's URL)
"""
import random
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

REPO = Path(__file__).resolve().parents[1]
from engine.store.db import make_engine, make_sessionmaker
from engine.store.schema import upgrade
from engine.workflow.services import Catalog
from samplecity.loader import load_demo
from samplecity import city as sample
from engine.money.billing import parse_reads, run_billing
from engine.money.ledger.kept import roll_over
from engine.money.ledger.posting import post_adjustment, post_fee
from engine.store.models import (AuditEntry, Bill, BillLine, LedgerEntry, AccountBalance, AccountServiceBalance,
                                 BalancesDay, MeterRead, UtilityAccount, ClosedDay)

url, dump_path = sys.argv[1], sys.argv[2]
accounts = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
AS_OF = date(2026, 6, 12)
NOW = datetime(2026, 6, 12, 17, 0, tzinfo=timezone.utc)

engine = make_engine(url)
upgrade(engine)
catalog = Catalog.load(REPO / "rules", REPO / "workflows", sample.APPROVAL_ROLE_IDS)
load_demo(engine, catalog, accounts=accounts, licenses=5, seed=4242, as_of=AS_OF, now=NOW)
sessions = make_sessionmaker(engine)
library = catalog.rules
rng = random.Random(99)
out = []


def reads_for(session, cycle, period, read_on, high_every=37):
    """A reads file's lines for the cycle's accounts (some high, some bad), from each account's latest read."""
    latest = {}
    for account_id, number, status, reading, use in session.execute(
            select(UtilityAccount.id, UtilityAccount.number, UtilityAccount.status, MeterRead.reading,
                   MeterRead.consumption_ccf)
            .join(MeterRead, MeterRead.account_id == UtilityAccount.id)
            .where(UtilityAccount.cycle == cycle).order_by(UtilityAccount.id, MeterRead.read_on)):
        latest[account_id] = (number, status, reading, use)
    lines = []
    for n, (account_id, (number, status, reading, use)) in enumerate(sorted(latest.items())):
        if n % 53 == 7:
            continue  # no read: listed as missing
        used = max(1, use + rng.randint(-2, 3))
        if n % high_every == 5:
            used = use * 6 + 20  # held as high
        if n % 401 == 11:
            used = 90000  # beyond the ceiling, if the review lets it through
        lines.append(f"{number},{read_on.isoformat()},{reading + used}")
        if n % 211 == 3:
            lines.append(f"{number},{read_on.isoformat()},{reading + used + 1}")  # a duplicate
    lines.append(f"NO-SUCH-9,{read_on.isoformat()},55")
    lines.append(f"{lines[0].split(',')[0]},not-a-date,5")
    return lines


def bill(cycle, period, read_on, as_of, chunk, *, roll_to=None, stored=False):
    """One billing run (and a re-run of the same file), with the kept day rolled to `roll_to` first."""
    if roll_to is not None:
        with sessions() as s, s.begin():
            roll_over(s, roll_to, now=NOW, actor="scenario")
    with sessions() as s:
        lines = reads_for(s, cycle, period, read_on)
    path = Path(dump_path + f".{cycle}{period}.csv")
    path.write_text("account_number,read_on,reading\n" + "\n".join(lines) + "\n")
    for attempt in (1, 2):
        with path.open(newline="") as handle:
            rows, problems = parse_reads(handle)
        if stored:  # store the reads first as accepted, then bill the stored reads
            if attempt == 1:
                half = len(rows) // 2
                r1 = run_billing(sessions, library, cycle=cycle, period=period, rows=rows[:half],
                                 as_of=as_of, now=NOW, chunk=chunk)
                summary(f"{cycle} {period} file-half", problems, r1)
                with sessions() as s, s.begin():
                    ids = dict(s.execute(select(UtilityAccount.number, UtilityAccount.id)).all())
                    for row in rows[half:]:
                        if row.account_number not in ids or row.reading is None:
                            continue
                        last = s.execute(select(MeterRead.reading).where(MeterRead.account_id == ids[row.account_number])
                                         .order_by(MeterRead.read_on.desc()).limit(1)).scalar()
                        s.add(MeterRead(account_id=ids[row.account_number], period=period, read_on=row.read_on,
                                        reading=row.reading, consumption_ccf=row.reading - last, source="route",
                                        review_status="accepted" if row.line % 9 else "estimated"))
            report = run_billing(sessions, library, cycle=cycle, period=period, rows=None, as_of=as_of, now=NOW,
                                 chunk=chunk)
        else:
            report = run_billing(sessions, library, cycle=cycle, period=period, rows=rows, as_of=as_of, now=NOW,
                                 chunk=chunk)
        summary(f"{cycle} {period} attempt {attempt}", problems, report)


def summary(what, problems, report):
    out.append(f"# {what}: billed {report.billed} cents {report.billed_cents} already {report.already_billed} "
               f"problems {len(problems) + len(report.problems)} exceptions {len(report.exceptions)} "
               f"not_billed {len(report.not_billed)} leaks {len(report.leaks)}")
    for p in problems + report.problems:
        out.append(f"#   {p}")


def credits_and_fees(day):
    """Credits on some accounts, fees due later on others (the kept balances' harder cases)."""
    with sessions() as s, s.begin():
        ids = s.scalars(select(UtilityAccount.id).where(UtilityAccount.status == "active")
                        .order_by(UtilityAccount.id)).all()
        for account_id in ids[::17]:
            post_adjustment(s, account_id, Decimal(-rng.randint(500, 30000)) / 100, on=day, now=NOW,
                            actor="scenario", reason="goodwill credit")
        for account_id in ids[3::23]:
            post_fee(s, account_id, Decimal("12.50"), on=day, due_on=day + timedelta(days=rng.choice([5, 40, 90])),
                     now=NOW, actor="scenario", description="Future-due fee", service=rng.choice(["fees", None]))
            if account_id % 2:
                post_adjustment(s, account_id, Decimal(-rng.randint(500, 9000)) / 100, on=day, now=NOW,
                                actor="scenario", reason="credit beside a later fee")


with sessions() as s:
    cycles = [c for c, in s.execute(select(UtilityAccount.cycle).distinct().order_by(UtilityAccount.cycle))]
    out.append(f"# cycles {cycles}")
first, second = cycles[0], cycles[1] if len(cycles) > 1 else cycles[0]
credits_and_fees(date(2026, 6, 15))
# 2026-06: the kept day stays before the bill date for the first cycle (charges not yet in the kept standings)
bill(first, "2026-06", date(2026, 6, 8), date(2026, 6, 12), 400)
bill(second, "2026-06", date(2026, 6, 9), date(2026, 6, 12), 700, roll_to=date(2026, 7, 2), stored=True)
credits_and_fees(date(2026, 7, 3))
# 2026-07: kept day rolled to the bill date; a closed day books the charges later (dated_on)
with sessions() as s, s.begin():
    s.add(ClosedDay(business_date=date(2026, 7, 2), closed_at=NOW))
bill(first, "2026-07", date(2026, 7, 6), date(2026, 7, 12), 500, roll_to=date(2026, 7, 20))
# 2026-08: across the 2026-07-01 rate change
credits_and_fees(date(2026, 7, 25))
bill(first, "2026-08", date(2026, 7, 27), date(2026, 8, 1), 300, roll_to=date(2026, 8, 5))
bill(second, "2026-08", date(2026, 7, 28), date(2026, 8, 1), 1000)

tables = [("bills", "id"), ("bill_lines", "id"), ("ledger_entries", "id"), ("account_balances", "account_id"),
          ("account_service_balances", "account_id, service"), ("balances_day", "id"), ("meter_reads", "id"),
          ("audit_log", "id")]
rowid = ", rowid" if url.startswith("sqlite") else ""
with engine.connect() as c:
    for table, key in tables:
        rows = c.exec_driver_sql(f"SELECT *{rowid} FROM {table} ORDER BY {key}").fetchall()
        out.append(f"## {table} {len(rows)}")
        out.extend(repr(tuple(r)) for r in rows)
Path(dump_path).write_text("\n".join(out) + "\n")

