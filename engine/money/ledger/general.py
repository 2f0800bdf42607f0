"""GL lines that are no customer's: license fees and miscellaneous items received, a drawer's over/short.

Each passes the posting gate (engine.money.gate.admit_gl), is booked on the next open day
when its own day is closed, writes one audit row, and is never changed: a mistake is
undone by a reversing line (a voided receipt). The day's GL export sums them beside the
account ledgers (engine.money.ledger.journal).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.money import money_text
from engine.money.business_days import books
from engine.money.gate import GlPosting, LedgerError, admit_gl
from engine.store.models import GlEntry


def post_gl(session: Session, posting: GlPosting, *, now: datetime, actor: str, description: str,
            reference: str = "", receipt_id: int | None = None, drawer_id: int | None = None,
            license_id: int | None = None) -> GlEntry:
    """Append one GL line through the gate, with its audit row."""
    [admitted] = admit_gl([posting], books(session))
    entry = GlEntry(kind=posting.kind, effective_on=admitted.on, dated_on=admitted.dated_on, fund=posting.fund,
                    gl_account=posting.gl_account, offset_fund=posting.offset_fund,
                    offset_account=posting.offset_account, amount_cents=posting.cents,
                    description=description[:200], reference=reference[:120], actor=actor, posted_at=now,
                    receipt_id=receipt_id, drawer_id=drawer_id, license_id=license_id,
                    reverses_id=posting.reverses[0] if posting.reverses else None)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action=f"gl.{posting.kind}", subject_type="gl_entry", subject_id=entry.id,
                 at=now, detail={"fund": entry.fund, "account": entry.gl_account, "amount": money_text(entry.amount_cents),
                                 "on": admitted.on.isoformat(), "reference": entry.reference,
                                 "receipt_id": receipt_id, "drawer_id": drawer_id, "license_id": license_id,
                                 "reverses_id": entry.reverses_id})
    return entry


def reverse_gl(session: Session, entry: GlEntry, *, on: date, now: datetime, actor: str, reason: str) -> GlEntry:
    """Post the exact opposite of a GL line, once; a reversal itself is not reversed."""
    if entry.kind == "reversal":
        raise LedgerError(f"GL line {entry.id} is itself a reversal")
    if session.scalar(select(GlEntry.id).where(GlEntry.reverses_id == entry.id)) is not None:
        raise LedgerError(f"GL line {entry.id} has already been reversed")
    posting = GlPosting("reversal", entry.fund, entry.gl_account, entry.offset_fund, entry.offset_account,
                        -entry.amount_cents, on, reverses=(entry.id, entry.amount_cents))
    return post_gl(session, posting, now=now, actor=actor, description=f"Reversal of {entry.description}: {reason}",
                   reference=entry.reference, receipt_id=entry.receipt_id, drawer_id=entry.drawer_id,
                   license_id=entry.license_id)
