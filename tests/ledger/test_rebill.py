"""Cancel and rebill: the wrong bill's charges reversed to the cent, a new bill from the corrected read, all audited."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.money import ledger
from engine.money.billing import parse_reads, run_billing
from engine.money.ledger.journal import trial_balance
from engine.money.rebill import RebillError, rebill
from engine.store.adjustments import Rebill
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import AuditEntry, Bill, LedgerEntry, MeterRead, UtilityAccount
from tests.factories import NOW
from tests.ledger.billing_support import account_with_reads, library, reads_file
from webapp.cli import main

AS_OF = date(2026, 3, 1)
WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]
ON = date(2026, 3, 9)


def billed_march(sessions, tmp_path, reading: int = 1000) -> str:
    """An account billed for 2026-03 from a read of `reading` (12 CCF at 1000: $97.45); its number."""
    with sessions() as s, s.begin():
        number = account_with_reads(s, WINTER).number
    with open(reads_file(tmp_path, [f"{number},2026-02-26,{reading}"]), newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(sessions, library(), cycle="A", period="2026-03", rows=rows, as_of=AS_OF, now=NOW)
    assert report.billed == 1
    return number


def test_a_rebill_reverses_the_old_charges_to_the_cent_and_bills_the_corrected_read(committing_url, tmp_path):
    """12 CCF misread for 7: -$97.45 reversed exactly, a new bill of 7 CCF, the balance is the new bill; verify passes."""
    sessions = make_sessionmaker(make_engine(committing_url))
    number = billed_march(sessions, tmp_path)
    with sessions() as s, s.begin():
        old = s.scalars(select(Bill)).one()
        assert (old.consumption_ccf, old.total_cents) == (12, 9745)
        done = rebill(s, library(), old.id, reading="995", reason="read 1000 for 995 (photo on file)", on=ON,
                      now=NOW + timedelta(days=7), actor="sam")
        rebill_id, account_id, old_id, new_id = done.id, old.account_id, old.id, done.new_bill_id
    with sessions() as s:
        row, old, new = s.get(Rebill, rebill_id), s.get(Bill, old_id), s.get(Bill, new_id)
        assert old.cancelled_on == ON and new.cancelled_on is None and new.period == old.period == "2026-03"
        reversals = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "reversal")).all()
        assert sum(r.amount_cents for r in reversals) == -old.total_cents == row.reversed_cents == -9745
        assert all(r.bill_id == old.id and r.actor == "sam" for r in reversals)
        assert (new.consumption_ccf, new.service_from, new.service_to, new.billed_on) == (
            7, old.service_from, old.service_to, ON)
        assert sum(line.amount_cents for line in new.lines) == new.total_cents == row.billed_cents
        charges = s.scalars(select(LedgerEntry).where(LedgerEntry.bill_id == new.id)).all()
        assert sum(c.amount_cents for c in charges) == new.total_cents
        assert {c.reference for c in charges} == {f"bill {new.id}"}
        assert ledger.balance_cents(s, account_id) == new.total_cents < old.total_cents
        assert new.due_on == ON + (old.due_on - old.billed_on)  # the old due date had passed: as many days again
        read = s.scalars(select(MeterRead).where(MeterRead.period == "2026-03")).one()
        assert (read.reading, read.consumption_ccf, read.source) == (995, 7, "rebill")
        assert (row.old_reading, row.old_consumption_ccf, row.reading, row.consumption_ccf) == (1000, 12, 995, 7)
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "bill.rebill")).one()
        assert (audit.actor, audit.detail["cancelled_bill_id"], audit.detail["new_bill_id"],
                audit.detail["reversed"], audit.detail["reason"]) == (
            "sam", old.id, new.id, "-97.45", "read 1000 for 995 (photo on file)")
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.reversal")).all()) == len(reversals)
        totals = trial_balance(s, ON)
        assert sum(Decimal(r["debit"]) for r in totals) == sum(Decimal(r["credit"]) for r in totals)
        revenue = {(r["fund"], r["account"]): Decimal(r["credit"]) - Decimal(r["debit"]) for r in totals}
        assert sum(revenue[k] for k in (("510", "4210"), ("520", "4220"), ("100", "2310"))) == \
            Decimal(new.total_cents) / 100  # only the new bill's lines are left as revenue
    verified = CliRunner().invoke(main, ["ledger", "verify"], env={
        "DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")})
    assert verified.exit_code == 0 and "agree" in verified.output, verified.output


def test_a_rebill_says_why_it_cannot_be_made_and_changes_nothing(committing_url, tmp_path):
    """The reading billed, one below the period's start, no reason, a cancelled bill: each refused, nothing written."""
    sessions = make_sessionmaker(make_engine(committing_url))
    billed_march(sessions, tmp_path)
    with sessions() as s, s.begin():
        bill = s.scalars(select(Bill)).one()
        entries = s.scalar(select(func.count()).select_from(LedgerEntry))  # a charge per service
        for reading, reason, message in [
                ("1000", "x", "reading: 1000 is the reading billed; a rebill needs the corrected one"),
                ("987", "x", "reading: 987 is below the reading at the start of the period (988)"),
                ("99x", "x", "reading: the meter's register in whole CCF (0 or more), not '99x'"),
                ("99²", "x", "reading: the meter's register in whole CCF (0 or more), not '99²'"),  # int() refused it
                ("٩٩٥", "x", "reading: the meter's register in whole CCF (0 or more), not '٩٩٥'"),  # int() read it
                ("995", " ", "reason: say why the bill is rebilled")]:
            with pytest.raises(RebillError) as refused:
                rebill(s, library(), bill.id, reading=reading, reason=reason, on=ON, now=NOW, actor="sam")
            assert str(refused.value) == message
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == entries == 3 and bill.cancelled_on is None
        rebill(s, library(), bill.id, reading="995", reason="misread", on=ON, now=NOW, actor="sam")
        with pytest.raises(RebillError, match=f"bill {bill.id} was already cancelled by a rebill"):
            rebill(s, library(), bill.id, reading="996", reason="again", on=ON, now=NOW, actor="sam")
        new = s.scalars(select(Bill).where(Bill.cancelled_on.is_(None))).one()
        again = rebill(s, library(), new.id, reading="1003", reason="the 995 was wrong too", on=ON, now=NOW,
                       actor="sofia")
        assert s.get(Bill, again.new_bill_id).consumption_ccf == 15
        assert ledger.balance_cents(s, bill.account_id) == s.get(Bill, again.new_bill_id).total_cents


def test_a_rebill_reads_the_winter_as_far_back_as_the_billing_run(committing_url, tmp_path):
    """A billing document whose winter average reaches 500 days back: the December read of 14 months before counts in
    the bill and in its rebill alike, so a read corrected to 999 is billed as the run bills a read of 999."""
    from engine.money.rebill import plan_rebill
    from engine.rules.library import RuleLibrary
    from engine.rules.loader import load_document

    docs = list(library())
    policy = next(doc for doc in docs if doc.kind == "billing")
    text = policy.text.replace("within: {days: 366}", "within: {days: 500}")
    assert "within: {days: 500}" in text
    long_winter = RuleLibrary.from_documents([*(d for d in docs if d.id != policy.id),
                                              load_document(text, f"{policy.id}.yaml")], known=docs)
    sessions = make_sessionmaker(make_engine(committing_url))
    reads = [("2024-12", date(2024, 12, 27), 900, 40), *WINTER]
    with sessions() as s, s.begin():
        misread, read_right = account_with_reads(s, reads).number, account_with_reads(s, reads).number
    with open(reads_file(tmp_path, [f"{misread},2026-02-26,1000", f"{read_right},2026-02-26,999"]),
              newline="") as handle:
        rows, _ = parse_reads(handle)
    assert run_billing(sessions, long_winter, cycle="A", period="2026-03", rows=rows, as_of=AS_OF, now=NOW).billed == 2
    with sessions() as s:
        wrong, right = (s.scalar(select(Bill).join(UtilityAccount, UtilityAccount.id == Bill.account_id)
                                 .where(UtilityAccount.number == number)) for number in (misread, read_right))
        assert wrong.total_cents != 9745  # the old December's 40 CCF raised the winter average
        planned = plan_rebill(s, long_winter, wrong.id, reading=999, reason="misread: the register shows 999")
        assert planned.total_cents == right.total_cents
