"""The job kinds billing-run and bill-printing: a cycle's month billed and printed by the worker, as the Billing page
asks, on a database of the test's own (SQLite, or PostgreSQL on that run)."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.jobs import bill_printing, billing_run
from engine.jobs.worker import run_pending
from engine.accounts.cycle_billing import RunRefused, outlook
from engine.rulebook import store
from engine.rulebook.revisions import published_library
from engine.store.db import transaction
from engine.store.models import AuditEntry, Bill, Job, MeterRead
from tests.factories import NOW, create_account
from tests.ledger.billing_support import account_with_reads
from tests.web.test_rule_drafts import RULES, TODAY

CYCLE, PERIOD = "A", "2026-03"  # on March 2, 2026: cycle A's bill day (March 1) has passed, a late run
READ_ON = date(2026, 2, 26)
WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8),
          (PERIOD, READ_ON, 1000, 12)]
SHOP = [("2025-12", date(2025, 12, 27), 962, 24), ("2026-01", date(2026, 1, 28), 988, 26), (PERIOD, READ_ON, 1018, 30)]


@dataclass
class CityToBill:
    """Cycle A's March: two reads ready, one ready on a closed account, one held, one account with no read."""

    home: str
    shop: str
    closed: str
    held: str
    unread: str


def city_to_bill(session) -> CityToBill:
    """The repository's rules published, and cycle A's accounts with their March reads as CityToBill says."""
    store.import_folder(session, RULES, actor="test", now=NOW, today=TODAY)
    home = account_with_reads(session, WINTER).number
    shop = account_with_reads(session, SHOP, meter_size='1"', rate_class="commercial").number
    closed = account_with_reads(session, WINTER, status="closed").number
    held = account_with_reads(session, WINTER[:2])
    session.add(MeterRead(account_id=held.id, period=PERIOD, read_on=READ_ON, reading=1400, consumption_ccf=412,
                          review_status="to_review", review_check="high", review_reason="412 CCF is 59 times usual"))
    unread = create_account(session).number
    session.flush()
    return CityToBill(home, shop, closed, held.number, unread)


@pytest.fixture()
def city(committing_db) -> CityToBill:
    """The city to bill, committed."""
    with transaction(committing_db) as session:
        return city_to_bill(session)


def ask(sessions, seen: str | None = None, who: str = "sam") -> tuple[Job, bool]:
    """The run of cycle A's March asked for on the figures the page shows now (or on `seen`)."""
    with transaction(sessions) as session:
        library = published_library(session)
        stamp = seen or outlook(session, library, CYCLE, PERIOD, TODAY).stamp
        job, asked = billing_run.request_run(session, library, cycle=CYCLE, period=PERIOD, today=TODAY, seen=stamp,
                                             requested_by=who, now=NOW)
        return job, asked


def work(sessions) -> list[Job]:
    """The waiting jobs done, as the scheduler's worker does them."""
    return run_pending(sessions, lambda: NOW, "w1", heartbeat_seconds=None)


def stored_job(sessions, job_id: int) -> Job:
    """The job as the database has it."""
    with sessions() as session:
        return session.get(Job, job_id)


def test_the_outlook_counts_what_the_run_would_bill(committing_db, city):
    with committing_db() as session:
        ahead = outlook(session, published_library(session), CYCLE, PERIOD, TODAY)
    assert (ahead.ready, ahead.held, ahead.missing, ahead.billed) == (3, 1, 1, 0)
    assert (ahead.billed_on, ahead.due_on) == (TODAY, date(2026, 3, 23))  # a late run: counted from its day
    assert ahead.stamp.startswith("3-")


def test_the_worker_bills_the_reviewed_reads_and_keeps_the_register(committing_db, city):
    job, asked = ask(committing_db)
    assert asked and job.status == "queued"
    assert [done.id for done in work(committing_db)] == [job.id]

    done = stored_job(committing_db, job.id)
    assert done.status == "done", done.error
    register = billing_run.register_of(done)
    assert (register["billed"], register["billed_cents"], register["already_billed"]) == (2, 34611, 0)
    assert (register["billed_on"], register["due_on"]) == ("2026-03-02", "2026-03-23")
    assert register["refused_count"] == 1 and register["refused"][0]["account_number"] == city.closed
    assert "closed" in register["refused"][0]["reason"]
    assert (register["waiting"], register["missing"]) == (1, 1)
    assert done.progress_message == "Billing cycle A, Mar 2026: 3 of 3 reads"
    with committing_db() as session:
        bills = dict(session.execute(select(Bill.period, func.count()).group_by(Bill.period)).all())
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "billing.run")).one()
        asked_by = session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "job.request"))
    assert bills == {PERIOD: 2}
    assert (audited.actor, audited.subject_id, audited.detail["billed"], audited.detail["job"]) == (
        "sam", "A-2026-03", 2, job.id)
    assert asked_by == "sam"


def test_a_second_press_gives_the_same_run_and_bills_nothing_twice(committing_db, city):
    first, _ = ask(committing_db)
    again, asked = ask(committing_db, seen=None, who="ana")
    assert (again.id, asked) == (first.id, False)  # waiting: the one run of the month
    work(committing_db)

    with committing_db() as session:
        seen_before = stored_job(committing_db, first.id).dedupe_key.rsplit(":", 1)[1]
    pressed_again, asked = ask(committing_db, seen=seen_before, who="ana")
    assert (pressed_again.id, asked) == (first.id, False)  # the same reads: the run that billed them

    with pytest.raises(RunRefused, match="have changed since the page showed them"):
        ask(committing_db, seen="2-0000000000000000")
    later, asked = ask(committing_db)  # the closed account's read is still ready: asked on today's figures
    assert asked
    work(committing_db)
    assert billing_run.register_of(stored_job(committing_db, later.id))["billed"] == 0
    with committing_db() as session:
        assert session.scalar(select(func.count(Bill.id))) == 2


@pytest.mark.parametrize("cycle, period, words", [
    ("A", "2026-3", "is not a month written YYYY-MM"),
    ("Z", PERIOD, "the city has no billing cycle 'Z' (its cycles: A, B, C, D)"),
    ("A", "2026-05", "May 2026 is too far ahead: on 2026-03-02 cycle A may be billed up to Apr 2026"),
])
def test_a_run_that_may_not_start_says_why_and_queues_nothing(committing_db, city, cycle, period, words):
    with transaction(committing_db) as session, pytest.raises(RunRefused, match=words.replace("(", r"\(")
                                                              .replace(")", r"\)")):
        billing_run.request_run(session, published_library(session), cycle=cycle, period=period, today=TODAY,
                                seen="0-0", requested_by="sam", now=NOW)
    with committing_db() as session:
        assert session.scalar(select(func.count(Job.id))) == 0


def test_the_bills_are_printed_by_the_worker_and_audited(committing_db, city, tmp_path: Path):
    ask(committing_db)
    work(committing_db)
    with transaction(committing_db) as session:
        job, asked = bill_printing.request_print(session, cycle=CYCLE, period=PERIOD, folder=str(tmp_path),
                                                 requested_by="sam", now=NOW)
        assert asked
        assert bill_printing.request_print(session, cycle=CYCLE, period=PERIOD, folder=str(tmp_path),
                                           requested_by="ana", now=NOW) == (job, False)
    work(committing_db)

    done = stored_job(committing_db, job.id)
    assert done.status == "done", done.error
    made = done.result
    assert (made["pieces"], made["pages"], made["postal"][-1]) == (
        2, 2, {"zip": "all", "language": "all", "pieces": 2, "pages": 2})
    assert made["pdf"] == str(tmp_path / PERIOD / "statements-A-2026-03.pdf")
    text = subprocess.run(["pdftotext", "-layout", made["pdf"], "-"], capture_output=True, text=True,
                          check=True).stdout
    assert city.home in text and "$97.45" in text and "$248.66" in text
    assert done.progress_message == "Printing the bills of cycle A, Mar 2026: 2 of 2 bills"
    with committing_db() as session:
        mailed = session.scalars(select(AuditEntry).where(AuditEntry.action == "statements.mailed")).one()
    assert (mailed.actor, mailed.detail["pieces"], mailed.detail["sha256"]) == ("sam", 2, made["sha256"])
