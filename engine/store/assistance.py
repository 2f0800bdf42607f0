"""A customer's enrolments in the city's assistance programs (engine.assistance_programs), each dated.

An enrolment counts from `starts_on` through `ends_on` (the last day enrolled: the day
re-certification is due), or with no end while `ends_on` is empty. The `low_income` and
`assistance_programs` facts read the enrolments in force on the evaluation day
(engine.accounts.facts); clerks enrol and end enrolments on the customer record
(engine.accounts.assistance), each change audited.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class AssistanceEnrolment(Base):
    """One customer enrolled in one program from a day, through a day or open-ended."""

    __tablename__ = "assistance_enrolments"
    __table_args__ = (Index("ix_assistance_enrolments_customer", "customer_id", "starts_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    program: Mapped[str] = mapped_column(String(40))  # a program id of the city's setting
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # the last day enrolled; None: no end set
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
