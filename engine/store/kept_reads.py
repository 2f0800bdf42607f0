"""Reads a batch job keeps for one chunk of its work: what cannot change while the chunk runs.

A sweep's chunk reads the city's published payment order and the day the balances are kept
for on every ledger read, and the posting gate's books (ceilings, the latest closed day) on
every posting, hundreds of times a chunk for the same answer. Inside
`keeping_reads(session)` (engine.sweeps.documented wraps each chunk in it) `kept_read` reads
each such thing once and hands out the same answer after that; outside it reads afresh every
time. What is kept must not change inside the chunk's transaction: a rule is published, a
day closed, a ceiling changed and the kept day rolled over only by their own commands and the
balances' roll-over sweep, never inside a chunk that keeps reads. A flush of a rule version,
a closed day or the city's settings, and the writer of the kept day
(engine.money.ledger.kept), forget every kept read all the same. Standings worked out in the
chunk (engine.money.ledger.standing) are kept too, each until a ledger entry of its account is
flushed, and so are its ledger rows as read for a standing or its facts (the facts after a fee
read the rows its keeping read); the bulk ledger writers (engine.money.ledger.bulk) and any rollback, of a savepoint
too, forget every kept read. The records an account's facts are read from (the account and
its property, its customer's assistance programs, its payments, its bills' periods) are kept
by account as the chunk reads them ahead, each until a flush writes a row of its kind: the facts
a step reads after a fee then read only the ledger again.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.store.assistance import AssistanceEnrolment
from engine.store.customers import MailingAddress
from engine.store.models import (BalancesDay, Bill, Case, CitySettings, ClosedDay, Customer, LedgerEntry, Notice,
                                 Payment, Property, RuleVersion, UtilityAccount)

KEPT_READS = "ordinance.kept_reads"
STANDINGS = "standings"  # the kept standings, by (account, day) (engine.money.ledger.standing)
LEDGER_ROWS = "ledger_rows"  # each account's ledger rows on or before a day, by (account, day) (the same module)
_LISTENING = "ordinance.kept_reads.listening"
_SOURCES = (RuleVersion, BalancesDay, CitySettings, ClosedDay)  # a flush touching these forgets what was kept
# Reads of the accounts' records kept by account for the chunk, each forgotten when a flush writes what it reads.
ACCOUNT_ROWS = "account_rows"  # the accounts' and their properties' columns (engine.accounts.facts)
PROGRAMS = "programs"  # the customers' assistance programs by (customer, day) (engine.accounts.assistance)
PAYMENT_STREAMS = "payment_streams"  # the accounts' payments streams (engine.accounts.history)
BILL_PERIODS = "bill_periods"  # a bill's period by (account, due day) (engine.workflow.facts)
MAILING_ADDRESSES = "mailing_addresses"  # a customer's dated addresses (engine.accounts.customer_record)
_WRITTEN_BY = {ACCOUNT_ROWS: (UtilityAccount, Property, Customer), PROGRAMS: (AssistanceEnrolment, Customer),
               PAYMENT_STREAMS: (Payment,), BILL_PERIODS: (Bill,), MAILING_ADDRESSES: (MailingAddress,)}
# Kept by the subject they are about, each forgotten for the subjects a flushed row is about: the open cases of a
# subject, by (subject type, subject id) (engine.workflow.runtime); the notices of the collection cases of an
# account or a license made on a night, by ("account" or "license", id, night) (engine.workflow.night).
OPEN_CASES = "open_cases"
NOTICES_ON = "notices_on"

T = TypeVar("T")


def _forget_on_change(session: Session, _flush_context: Any) -> None:
    """After a flush that wrote a rule version, the kept day or the books, forget every kept read; after one that
    wrote ledger entries, the standings of their accounts."""
    kept = session.info.get(KEPT_READS)
    if not kept:
        return
    flushed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, _SOURCES) for obj in flushed):
        kept.clear()
        return
    for key, sources in _WRITTEN_BY.items():
        if key in kept and any(isinstance(obj, sources) for obj in flushed):
            del kept[key]
    if OPEN_CASES in kept or NOTICES_ON in kept:
        _forget_by_subject(session, kept, flushed)
    posted = {obj.account_id for obj in flushed if isinstance(obj, LedgerEntry)}
    for by_account in (kept.get(STANDINGS), kept.get(LEDGER_ROWS)):
        if by_account and posted:
            for key in [key for key in by_account if key[0] in posted]:
                del by_account[key]


def _forget_by_subject(session: Session, kept: dict, flushed: tuple) -> None:
    """Forget the open cases of the subjects of the cases flushed, and the notices of the owners of the notices."""
    open_cases, notices = kept.get(OPEN_CASES, {}), kept.get(NOTICES_ON, {})
    for obj in flushed:
        if isinstance(obj, Case):
            open_cases.pop((obj.subject_type, obj.subject_id), None)
        elif isinstance(obj, Notice) and notices:
            case = session.get(Case, obj.case_id) if obj.case_id is not None else None
            if case is None:
                notices.clear()
                continue
            owner = ("account", case.account_id) if case.account_id is not None else ("license", case.license_id)
            for key in [key for key in notices if key[:2] == owner]:
                del notices[key]


def _forget_on_rollback(session: Session, _rolled_back: Any) -> None:
    """A rollback (of a savepoint too: a subject that failed) may have undone what a kept read saw: forget them all."""
    forget_reads(session)


@contextmanager
def keeping_reads(session: Session) -> Iterator[None]:
    """Keep `kept_read`'s answers in the session until the block ends (nested blocks share the outer one's)."""
    if KEPT_READS in session.info:
        yield
        return
    if not session.info.get(_LISTENING):
        event.listen(session, "after_flush", _forget_on_change)
        event.listen(session, "after_soft_rollback", _forget_on_rollback)
        session.info[_LISTENING] = True
    session.info[KEPT_READS] = {}
    try:
        yield
    finally:
        session.info.pop(KEPT_READS, None)


def keeping(session: Session) -> bool:
    """Whether the session is inside a `keeping_reads` block."""
    return KEPT_READS in session.info


def forget_reads(session: Session) -> None:
    """Forget every kept read (a writer of what is kept calls it)."""
    kept = session.info.get(KEPT_READS)
    if kept:
        kept.clear()


def kept_read(session: Session, key: str, read: Callable[[], T], keep: Callable[[T], bool] = lambda _: True) -> T:
    """`read()`, once per `keeping_reads` block (when `keep` says its answer may be kept); afresh outside one."""
    kept = session.info.get(KEPT_READS)
    if kept is None:
        return read()
    if key in kept:
        return kept[key]
    found = read()
    if keep(found):
        kept[key] = found
    return found
