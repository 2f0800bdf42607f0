"""How fast bill statements become PDFs: a billing run's mailing PDF against one PDF per statement, in one run.

A sample city (samplecity) is loaded into a temporary SQLite database; its latest month's
bills, every cycle's, are the statements. The mailing is what `ordinance billing statements`
does for each cycle: read the bills, build each statement's data from the database, render
them into one PDF with the postal summary, write both and audit them. The baseline, in the
same run, is one bill's PDF at a time from the same database (what a reprint or an e-bill
does). Times use a monotonic performance counter, and CPU seconds are reported too (this
process and the wkhtmltopdf processes it waited for), which other work on a shared machine
does not inflate.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from time import perf_counter

from sqlalchemy import func, select

from benchmarks.notices import timed
from engine.notices.kept import city_details
from engine.statements.batch import TEMPLATES, mail_statements, statement_pdf
from engine.statements.render import StatementRenderer
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Bill
from engine.store.schema import upgrade
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from samplecity.loader import billing_periods, load_demo

REPO = Path(__file__).resolve().parents[1]
TARGET_PER_SECOND = 200
AS_OF = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)


def run_statement_bench(workdir: Path, accounts: int = 1000, singles: int = 30,
                        timer: Callable[[], float] = perf_counter,
                        progress: Callable[[str], None] = lambda step: None) -> dict:
    """Statements per second into the mailing PDF (every bill of the latest month) and one PDF per statement."""
    engine = make_engine(f"sqlite:///{workdir / 'city.db'}")
    upgrade(engine)
    progress(f"loading a sample city of {accounts:,} accounts")
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    load_demo(engine, catalog, accounts=accounts, licenses=0, seed=2026, as_of=AS_OF, now=NOW)
    period = billing_periods(AS_OF)[-1]
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        cycles = list(session.scalars(select(Bill.cycle).where(Bill.period == period).distinct().order_by(Bill.cycle)))
        bills = session.scalar(select(func.count(Bill.id)).where(Bill.period == period))
        sample = list(session.scalars(select(Bill.id).where(Bill.period == period).order_by(Bill.id).limit(singles)))
        city = city_details(session)
        statement_pdf(session, catalog.rules, sample[0])  # warm the templates and the disk cache

    def mailing() -> list:
        made = []
        for cycle in cycles:
            with sessions() as session, session.begin():
                made.append(mail_statements(session, catalog.rules, cycle=cycle, period=period,
                                            folder=workdir / "statements", now=NOW, actor="bench",
                                            renderer=StatementRenderer(TEMPLATES, city)))
        return made

    def one_by_one() -> int:
        with sessions() as session:
            return sum(len(statement_pdf(session, catalog.rules, bill_id)) for bill_id in sample)

    progress(f"rendering {bills:,} statements of {period} (cycles {', '.join(cycles)}) into mailing PDFs")
    batch_wall, batch_cpu, made = timed(mailing, timer)
    progress(f"rendering {len(sample)} statements one PDF each")
    single_wall, single_cpu, _ = timed(one_by_one, timer)
    engine.dispose()
    pieces = sum(run.summary.total_pieces for run in made)
    pages = sum(run.summary.total_pages for run in made)
    batch_rate, single_rate = pieces / batch_wall, len(sample) / single_wall
    return {
        "accounts": accounts,
        "period": period,
        "cycles": cycles,
        "batch_statements": pieces,
        "batch_pages": pages,
        "batch_pdf_bytes": sum(run.pdf_path.stat().st_size for run in made),
        "batch_seconds": round(batch_wall, 3),
        "batch_cpu_seconds": round(batch_cpu, 3),
        "batch_cpu_ms_per_statement": round(1000 * batch_cpu / pieces, 2),
        "batch_statements_per_s": round(batch_rate, 1),
        # What the CPU time allows when the machine's cores are free of other work.
        "batch_cpu_bound_statements_per_s": round(pieces * (os.cpu_count() or 1) / batch_cpu, 1),
        "single_statements": len(sample),
        "single_seconds": round(single_wall, 3),
        "single_cpu_seconds": round(single_cpu, 3),
        "single_statements_per_s": round(single_rate, 1),
        "batch_over_single": round(batch_rate / single_rate, 1),
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "target_statements_per_s": TARGET_PER_SECOND,
        "meets_target": batch_rate >= TARGET_PER_SECOND,
    }
