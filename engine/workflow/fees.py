"""The fees a case charged and where each stands on a day: paid, unpaid, or waived.

A `fee:` action posts its fee with the case as the reference (`case 7`); `requires_paid:`
holds a step back until each such fee of the schedules it names is paid (credits pay the
oldest debts first, as the ledger ages them) or waived (a `waive:` action reversed it).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.money import format_money, from_cents
from engine.money.ledger import unpaid_entries
from engine.store.models import Case, LedgerEntry


def case_reference(case_id: int) -> str:
    """What ledger entries and audit rows of a case's steps point back to."""
    return f"case {case_id}"


def fee_words(schedule: str) -> str:
    """A fee schedule's id as a letter or a refusal says it: `reconnection-fee` is "the reconnection fee"."""
    words = schedule.replace("-", " ")
    return f"the {words}" if words.endswith("fee") else f"the {words} fee"


@dataclass(frozen=True)
class FeeCharged:
    """One fee a case charged: how much, on which day, how much is unpaid on the day, whether it was waived."""

    schedule: str
    entry_id: int
    amount: Decimal
    charged_on: date
    unpaid: Decimal
    waived: bool

    def refusal(self) -> str:
        """Why a step that requires this fee paid waits: "the reconnection fee of $75.00 charged on ... is unpaid"."""
        part = "" if self.unpaid == self.amount else f"{format_money(self.unpaid)} of "
        return f"{part}{self.words()} is unpaid"

    def words(self) -> str:
        """The fee in words: the reconnection fee of $75.00 charged on 2026-07-07."""
        return f"{fee_words(self.schedule)} of {format_money(self.amount)} charged on {self.charged_on.isoformat()}"

    def standing(self) -> str:
        """Where the fee stands, in words: paid, waived or unpaid."""
        if self.waived or self.unpaid == 0:
            return f"{self.words()}: {'waived' if self.waived else 'paid'}"
        return f"{self.words()}: unpaid ({format_money(self.unpaid)} left)"


def fees_charged(session: Session, case: Case, schedules: Iterable[str], on: date) -> dict[str, list[FeeCharged]]:
    """The fees of these schedules the case posted on or before the day, by schedule, each with where it stands."""
    wanted = sorted(set(schedules))
    found: dict[str, list[FeeCharged]] = {schedule: [] for schedule in wanted}
    if not wanted or case.account_id is None:
        return found
    entries = list(session.scalars(select(LedgerEntry).where(
        LedgerEntry.account_id == case.account_id, LedgerEntry.kind == "fee", LedgerEntry.rule_id.in_(wanted),
        LedgerEntry.reference == case_reference(case.id), LedgerEntry.effective_on <= on).order_by(LedgerEntry.id)))
    if not entries:
        return found
    unpaid = unpaid_entries(session, case.account_id, on)
    reversed_ids = set(session.scalars(select(LedgerEntry.reverses_id).where(
        LedgerEntry.reverses_id.in_([e.id for e in entries]), LedgerEntry.effective_on <= on)))
    for entry in entries:
        found[str(entry.rule_id)].append(FeeCharged(
            schedule=str(entry.rule_id), entry_id=entry.id, amount=from_cents(entry.amount_cents),
            charged_on=entry.effective_on, unpaid=from_cents(unpaid.get(entry.id, 0)),
            waived=entry.id in reversed_ids))
    return found
