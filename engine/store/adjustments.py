"""Adjustments (credits, debits and fee waivers with a reason code) and rebills (a bill cancelled and billed again).

An adjustment is asked for by one person and posted at once when the adjustment-approval
rule lets that person post its amount; otherwise it waits on a case of the city's adjustment
approval workflow until another person approves (posted) or denies it. A rebill keeps the
bill it cancelled, the corrected read and the bill that replaced it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, within_largest
from engine.store.types import Cents

ADJUSTMENT_STATUSES = ("posted", "waiting", "refused")


class Adjustment(Base):
    """One credit, debit or waiver asked for on an account: its reason, amount, who asked and who decided."""

    __tablename__ = "adjustments"
    __table_args__ = (Index("ix_adjustments_account", "account_id", "id"),
                      Index("ix_adjustments_status", "status"),
                      Index("ux_adjustments_request_key", "request_key", unique=True),
                      within_largest("adjustments", "amount_cents"))
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"))
    code: Mapped[str] = mapped_column(String(40))        # the reason code (engine.adjustment_reasons)
    label: Mapped[str] = mapped_column(String(80))       # the reason's words when it was asked for
    amount_cents: Mapped[int] = mapped_column(Cents)     # signed: negative is a credit
    note: Mapped[str] = mapped_column(Text)
    fee_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))  # the fee a waiver reverses
    fund: Mapped[str] = mapped_column(String(12), default="")        # the reason's GL offset ("" for a waiver)
    gl_account: Mapped[str] = mapped_column(String(12), default="")
    status: Mapped[str] = mapped_column(String(16))      # posted | waiting | refused
    approver_role: Mapped[str] = mapped_column(String(40))  # what the approval rule gave for it
    rule_version: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    decided_by: Mapped[str | None] = mapped_column(String(64))  # who approved or denied it (None: posted at once)
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")      # the approver's comment
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))  # what it posted
    request_key: Mapped[str | None] = mapped_column(String(64))  # its confirmation's one-time key (a page's ask)


class Rebill(Base):
    """A bill cancelled (its charges reversed) and billed again from a corrected read."""

    __tablename__ = "rebills"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    cancelled_bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), unique=True)
    new_bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), unique=True)
    period: Mapped[str] = mapped_column(String(7))
    old_reading: Mapped[int] = mapped_column(Integer)
    old_consumption_ccf: Mapped[int] = mapped_column(Integer)
    reading: Mapped[int] = mapped_column(Integer)
    consumption_ccf: Mapped[int] = mapped_column(Integer)
    reversed_cents: Mapped[int] = mapped_column(Cents)  # the old bill's charges reversed (negative)
    billed_cents: Mapped[int] = mapped_column(Cents)    # the new bill's total
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    rebilled_on: Mapped[date] = mapped_column(Date, index=True)
    rebilled_at: Mapped[datetime]
