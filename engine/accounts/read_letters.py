"""Leak letters: a notice to the customer, in their language, when an accepted read's use jumps by the rule's factor.

The factor is the `meter-reads` rule's `leak_letter` (engine.reads.review judges the jump); the
letter goes to the customer's mailing address in force on its day
(engine.accounts.customer_record.mailing_address_on), once per account and month. It lives
here, not in engine.reads, because the address in force is the customer record's answer and
the customer record's package reads the ledger, which reads the reads.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.customer_record import mailing_address_on
from engine import city
from engine.reads import review
from engine.store.models import MeterRead, Notice, UtilityAccount

GALLONS_PER_CCF = 748


def leak_letter(session: Session, library, read: MeterRead, average: Decimal, today: date) -> Notice | None:
    """The leak letter of an accepted read (None: the account's letter of the month is made already)."""
    account = session.get(UtilityAccount, read.account_id)
    if session.scalar(select(Notice.id).where(Notice.subject_type == "utility_account",
                                              Notice.subject_id == account.id, Notice.notice_type == review.LEAK_LETTER,
                                              Notice.period == read.period)):
        return None
    policy = review.read_policy(library, read.read_on)
    customer = account.customer
    times = (Decimal(read.consumption_ccf) / average).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    data = {"notice_date": today.isoformat(), "reference": policy.reference or policy.rule,
            "recipient": mailing_address_on(session, customer, today).recipient(customer.name),
            "account_number": account.number, "service_address": account.property.service_address,
            "period": read.period, "read_date": read.read_on.isoformat(), "consumption_ccf": read.consumption_ccf,
            "average_ccf": str(average), "times_average": str(times),
            "gallons": f"{read.consumption_ccf * GALLONS_PER_CCF:,}"}
    notice = Notice(subject_type="utility_account", subject_id=account.id, notice_type=review.LEAK_LETTER,
                    period=read.period, language=city.printed_in(city.offered(session), customer.language),
                    created_on=today, data=data)
    session.add(notice)
    session.flush()
    return notice


def leak_letters(session: Session, library, jumps: Iterable[tuple[int, Decimal]], today: date) -> list[Notice]:
    """The letters of reads accepted at the leak factor: (read id, the account's average) each."""
    made = [leak_letter(session, library, session.get(MeterRead, read_id), average, today)
            for read_id, average in jumps]
    return [letter for letter in made if letter is not None]


def accept_read(session: Session, library, read_id: int, *, actor: str, now: datetime,
                today: date) -> tuple[MeterRead, Notice | None]:
    """A clerk accepts a held read (engine.reads.review.accept), and its leak letter when its use jumped."""
    read = review.accept(session, read_id, actor=actor, now=now)
    average = review.leak_average(session, library, read)
    return read, (leak_letter(session, library, read, average, today) if average else None)
