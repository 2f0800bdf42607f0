"""The billing benchmark: a generated city of N accounts billed from a generated reads file.

It builds a fresh SQLite database in a work folder, with N accounts in cycle A (nine in ten
residential, one in ten commercial) and two earlier reads each, writes a reads file, and
times the whole billing run (parsing the file, computing, storing bills and lines, posting
charges with their audit rows, one transaction per chunk). It then times plain rate
evaluation of the same reads (the rule engine alone, no database) and gives the ratio.
The clock is passed in (`timer`), as everywhere in the engine.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from benchmarks.database_time import DatabaseTime
from engine.money.billing import billing_dates, billing_policy, parse_reads, rate_facts, run_billing, winter_average
from engine.rules.kinds.billing import BillingPolicy
from engine.money import to_cents
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Bill, Customer, MeterRead, Property, UtilityAccount
from engine.store.schema import upgrade

CYCLE, PERIOD, AS_OF = "A", "2026-03", date(2026, 3, 1)
READ_ON, PREVIOUS_ON, WINTER_ON = date(2026, 2, 26), date(2026, 1, 28), date(2025, 12, 29)
RESIDENTIAL_METERS = ['5/8"', '3/4"', '3/4"', '3/4"', '1"']
COMMERCIAL_METERS = ['1"', '1-1/2"', '2"', '3"']
SECONDS_PER_100K = 8.0  # issue 17: the billing run of 100,000 accounts in at most 8 s


def generate_city(url: str, accounts: int, *, now: datetime, seed: int = 4471, batch: int = 10000) -> list[tuple]:
    """Create the accounts and their earlier reads; return (number, reading, use, history) per new read."""
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(seed)
    reads = []
    with engine.begin() as connection:
        for start in range(0, accounts, batch):
            ids = range(start + 1, min(start + batch, accounts) + 1)
            connection.execute(insert(Customer), [dict(id=i, name=f"Bench Customer {i}", mailing_street=f"{i} Oak St",
                                                       mailing_city="Alder Creek", mailing_state="CA",
                                                       mailing_zip="95601", created_at=now) for i in ids])
            connection.execute(insert(Property), [dict(id=i, parcel=f"B{i:09d}", service_address=f"{i} Oak St",
                                                       owner_id=i) for i in ids])
            rows, history = [], []
            for i in ids:
                commercial = i % 10 == 0
                rows.append(dict(id=i, number=f"B-{i:07d}", customer_id=i, property_id=i, cycle=CYCLE,
                                 meter_size=rng.choice(COMMERCIAL_METERS if commercial else RESIDENTIAL_METERS),
                                 rate_class="commercial" if commercial else "residential",
                                 services=["water", "sewer"], status="active", opened_on=date(2020, 1, 1)))
                winter, previous = rng.randint(3, 12), rng.randint(3, 12)
                start_reading = rng.randint(1000, 90000)
                history.append(dict(account_id=i, period="2026-01", read_on=WINTER_ON, reading=start_reading,
                                    consumption_ccf=winter))
                history.append(dict(account_id=i, period="2026-02", read_on=PREVIOUS_ON,
                                    reading=start_reading + previous, consumption_ccf=previous))
                # A use the review passes (engine.reads.review: not zero, within 0.25 to 3 times the
                # average of the two earlier reads), so every read is billed and the totals compare.
                average = (winter + previous) / 2
                used = rng.randint(int(average * 0.25) + 1, int(average * 3))
                reads.append((f"B-{i:07d}", start_reading + previous + used, used,
                              [(WINTER_ON, winter), (PREVIOUS_ON, previous)]))
            connection.execute(insert(UtilityAccount), rows)
            connection.execute(insert(MeterRead), history)
    engine.dispose()
    return reads


def write_reads_file(path: Path, reads: list[tuple]) -> None:
    """The reads file of the period, one line per account."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("account_number,read_on,reading\n")
        for number, reading, _, _ in reads:
            handle.write(f"{number},{READ_ON.isoformat()},{reading}\n")


def plain_facts(url: str, reads: list[tuple], policy: BillingPolicy) -> list[tuple[str, dict]]:
    """(rate schedule, facts) for each read, exactly as the billing run computes them (by the city's billing
    document's `policy`), prepared untimed."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        accounts = {row.number: row for row in session.execute(
            select(UtilityAccount.number, UtilityAccount.meter_size, UtilityAccount.rate_class,
                   UtilityAccount.services))}
    engine.dispose()
    return [(policy.rate_schedules[accounts[number].rate_class],
             rate_facts(accounts[number].meter_size, accounts[number].services, used,
                        winter_average(history, READ_ON, policy)))
            for number, _, used, history in reads]


def run_billing_bench(library, workdir: Path, accounts: int, *, now: datetime, timer: Callable[[], float],
                      cpu_timer: Callable[[], float], chunk: int = 2000,
                      progress: Callable[[int], None] | None = None) -> dict:
    """Generate, bill and time (wall clock and this process's CPU); then plain rate evaluation; a dict."""
    url = f"sqlite:///{workdir / 'bench.db'}"
    reads_path = workdir / "reads.csv"
    started = timer()
    reads = generate_city(url, accounts, now=now)
    write_reads_file(reads_path, reads)
    generated = timer() - started

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    database = DatabaseTime(engine, timer)
    started, cpu_started = timer(), cpu_timer()
    with reads_path.open(newline="", encoding="utf-8") as handle:
        rows, problems = parse_reads(handle)
    report = run_billing(sessions, library, cycle=CYCLE, period=PERIOD, rows=rows, as_of=AS_OF, now=now,
                         chunk=chunk, progress=progress)
    billing_seconds, billing_cpu = timer() - started, cpu_timer() - cpu_started
    database_seconds, statements, commits = database.seconds, database.statements, database.commits  # the run's
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Bill))
    engine.dispose()

    billed_on = billing_dates(library, CYCLE, PERIOD, AS_OF)[0]
    prepared = plain_facts(url, reads, billing_policy(library, billed_on))
    service = (PREVIOUS_ON + timedelta(days=1), READ_ON)
    started, cpu_started = timer(), cpu_timer()
    plain_cents = 0
    for rule_id, facts in prepared:
        plain_cents += to_cents(library.evaluate(rule_id, facts, billed_on, period=service).total)
    plain_seconds, plain_cpu = timer() - started, cpu_timer() - cpu_started
    target = SECONDS_PER_100K * accounts / 100_000
    return {"accounts": accounts, "billed": report.billed, "bills_stored": stored,
            "refused": len(problems) + len(report.problems), "billed_total_cents": report.billed_cents,
            "plain_total_cents": plain_cents,
            "generate_seconds": generated, "billing_seconds": billing_seconds, "plain_seconds": plain_seconds,
            "billing_cpu_seconds": billing_cpu, "plain_cpu_seconds": plain_cpu,
            "database_seconds": database_seconds, "database_statements": statements, "database_commits": commits,
            "bills_per_s": report.billed / billing_seconds if billing_seconds else 0.0,
            "plain_per_s": len(prepared) / plain_seconds if plain_seconds else 0.0,
            "ratio": billing_seconds / plain_seconds if plain_seconds else 0.0,
            "target_seconds": target, "target_met": billing_seconds <= target}
