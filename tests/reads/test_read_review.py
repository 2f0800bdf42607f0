"""Meter reads reviewed before billing: a zero read, a rollover, a read 5x the average and a missing read are
each caught, listed, and billed only after a clerk's review or by the estimating rule, to the cent."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.reads import review as reads
from engine.audit import verify_chain
from engine.money.billing import parse_reads, run_billing
from engine.store.models import AuditEntry, Bill, MeterRead
from tests.factories import NOW
from tests.ledger.billing_support import account_with_reads, library, reads_file

AS_OF = date(2026, 3, 1)


def _history(first: int, uses: tuple[int, int]) -> list[tuple]:
    """Two accepted winter reads: December and January, starting from a register of `first`."""
    return [("2025-12", date(2025, 12, 27), first + uses[0], uses[0]),
            ("2026-01", date(2026, 1, 28), first + uses[0] + uses[1], uses[1])]


def _bill(sessions, rows=None):
    """Cycle A, 2026-03: the file's rows (reviewed as they come), or the stored reviewed reads."""
    return run_billing(sessions, library(), cycle="A", period="2026-03", rows=rows, as_of=AS_OF, now=NOW)


def _bills(sessions) -> dict[int, Bill]:
    """The period's bills by account id."""
    with sessions() as s:
        return {b.account_id: b for b in s.scalars(select(Bill).where(Bill.period == "2026-03"))}


def test_each_exception_is_caught_listed_and_billed_only_after_review(committing_db, tmp_path):
    with committing_db() as s, s.begin():
        zero = account_with_reads(s, _history(974, (6, 8)))                 # read 988 again: zero use
        rollover = account_with_reads(s, _history(99970, (9, 11)))          # 99,990, then 15: turned over
        high = account_with_reads(s, _history(494, (6, 10)))                # average 8; read 40 CCF: 5x
        missing = account_with_reads(s, _history(694, (6, 8)))              # no read in the file
        normal = account_with_reads(s, _history(974, (6, 8)))               # 10 CCF: billed at once
    path = reads_file(tmp_path, [f"{zero.number},2026-02-26,988", f"{rollover.number},2026-02-26,15",
                                 f"{high.number},2026-02-26,550", f"{normal.number},2026-02-26,998"])
    with open(path, newline="") as handle:
        rows, problems = parse_reads(handle)
    report = _bill(committing_db, rows)
    assert not problems and not report.problems
    assert report.billed == 1 and report.billed_cents == 9205  # 27.02 + 14.35 + 7.71 + 16.33 + 22.26 + 4.38
    held = {e["account_number"]: e["exception"] for e in report.exceptions}
    assert held == {
        zero.number: "Zero use: the meter has not moved since the previous read (the 12-month average is 7.0 CCF)",
        rollover.number: "Meter rollover: reading 15 is below the previous reading 99,990 of 2026-01-28; past 99,999 "
                         "on 5 dials the meter turned over, for a use of 25 CCF",
        high.number: "High use: 40 CCF is 5.0 times the 12-month average of 8.0 CCF (held above 3 times)"}
    listed = {e.account_number: e.status for e in report.not_billed}
    assert listed == {zero.number: "to_review", rollover.number: "to_review", high.number: "to_review",
                      missing.number: "missing"}

    again = _bill(committing_db)  # nothing reviewed yet: the stored reads wait, nothing is billed
    assert again.billed == 0 and {e.account_number for e in again.not_billed} == set(listed)

    with committing_db() as s, s.begin():
        by_account = {r.account_id: r for r in s.scalars(select(MeterRead).where(MeterRead.period == "2026-03"))}
        reads.accept(s, by_account[zero.id].id, actor="carla", now=NOW)
        reads.accept(s, by_account[rollover.id].id, actor="carla", now=NOW)
        reads.send_to_reread(s, by_account[high.id].id, actor="carla", now=NOW)
        estimated = reads.estimate_missing(s, library(), missing.id, "2026-03", actor="carla", now=NOW)
        assert (estimated.read_on, estimated.reading, estimated.consumption_ccf) == (date(2026, 2, 28), 715, 7)
        assert estimated.review_reason == ("No read for Mar 2026. Estimated: the average of the 2 read(s) of the "
                                           "last 3 months (6, 8 CCF) is 7 CCF")
        assert [(group, [e.account_number for e in rows]) for group, rows in reads.reread_list(s, "2026-03")] == [
            ("Cycle A", [high.number])]

    reviewed = _bill(committing_db)
    assert reviewed.billed == 3 and not reviewed.problems
    bills = _bills(committing_db)
    assert bills[zero.id].total_cents == 6889       # 27.02 + 16.33 + 22.26 = 65.61, + 3.28
    assert bills[rollover.id].total_cents == 15421  # 27.02 + 71.72 (25 CCF) + 16.33 + 31.80 = 146.87, + 7.34
    assert bills[missing.id].total_cents == 8396    # 27.02 + 14.35 (7 CCF) + 16.33 + 22.26 = 79.96, + 4.00
    assert bills[rollover.id].consumption_ccf == 25
    assert (bills[missing.id].service_from, bills[missing.id].service_to) == (date(2026, 1, 29), date(2026, 2, 28))
    assert high.id not in bills
    assert [(e.account_number, e.status) for e in reviewed.not_billed] == [(high.number, "reread")]

    with committing_db() as s, s.begin():
        read = s.scalar(select(MeterRead).where(MeterRead.account_id == high.id, MeterRead.period == "2026-03"))
        reads.estimate(s, library(), read.id, actor="dana", now=NOW)
        assert (read.reading, read.consumption_ccf, read.review_status, read.reviewed_by) == (518, 8, "estimated",
                                                                                            "dana")
    last = _bill(committing_db)
    assert last.billed == 1 and last.billed_cents == 9000  # 27.02 + 16.92 (8 CCF) + 16.33 + 25.44 = 85.71, + 4.29
    assert last.not_billed == []
    assert _bill(committing_db).billed == 0  # billed once
    with committing_db() as s:
        actions = sorted(a for a in s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("read.%"))))
        assert actions == ["read.accepted", "read.accepted", "read.estimated", "read.estimated",
                           "read.reread_requested"]
        assert verify_chain(s).intact


def test_negative_use_cannot_be_accepted_and_steps_follow_the_status(committing_db, tmp_path):
    with committing_db() as s, s.begin():
        account = account_with_reads(s, _history(974, (6, 8)))
    with open(reads_file(tmp_path, [f"{account.number},2026-02-26,900"]), newline="") as handle:
        rows, _ = parse_reads(handle)
    report = _bill(committing_db, rows)
    assert report.billed == 0 and report.exceptions[0]["exception"].startswith(
        "Negative use: reading 900 is below the previous reading 988 of 2026-01-28 (-88 CCF)")
    with committing_db() as s, s.begin():
        read = s.scalar(select(MeterRead).where(MeterRead.account_id == account.id, MeterRead.period == "2026-03"))
        with pytest.raises(reads.ReadError, match="a use of -88 CCF cannot be billed"):
            reads.accept(s, read.id, actor="carla", now=NOW)
        reads.send_to_reread(s, read.id, actor="carla", now=NOW)
        with pytest.raises(reads.ReadError, match="reread requested, not to review"):
            reads.send_to_reread(s, read.id, actor="carla", now=NOW)


def test_the_checks_follow_the_rule_document():
    """Pure: the thresholds are the meter-reads rule's; a version with other figures judges otherwise."""
    policy = reads.read_policy(library(), AS_OF)
    assert (policy.high, policy.low, policy.dials, policy.history_months) == (Decimal(3), Decimal("0.25"), 5, 12)

    class Read:
        def __init__(self, read_on, reading, used):
            self.read_on, self.reading, self.consumption_ccf = read_on, reading, used

    history = [Read(date(2025, 12, 27), 980, 6), Read(date(2026, 1, 28), 988, 8)]
    low = reads.review_read(policy, read_on=date(2026, 2, 26), reading=989, consumption=None,
                            previous=history[-1], history=history)
    assert low.check == "low" and low.consumption == 1 and low.reason == (
        "Low use: 1 CCF is 0.1 times the 12-month average of 7.0 CCF (held below 0.25 times)")
    leak = reads.review_read(policy, read_on=date(2026, 2, 26), reading=1009, consumption=None,
                             previous=history[-1], history=history)
    assert leak.check is None and leak.leak and leak.consumption == 21  # 3x: not above it, but a leak letter
    high = reads.review_read(policy, read_on=date(2026, 2, 26), reading=1010, consumption=None,
                             previous=history[-1], history=history)
    assert high.check == "high" and high.leak
    fine = reads.review_read(policy, read_on=date(2026, 2, 26), reading=1000, consumption=None,
                             previous=history[-1], history=history)
    assert fine.check is None and not fine.leak
    short = reads.review_read(policy, read_on=date(2026, 2, 26), reading=1000, consumption=None,
                              previous=history[-1], history=history[-1:])
    assert short.average is None and short.check is None  # one read is too few to judge high or low
    estimated = reads.review_read(policy, read_on=date(2026, 2, 26), reading=1000, consumption=None,
                                  previous=history[-1], history=history, reader_estimated=True)
    assert estimated.check == "reader_estimate"
