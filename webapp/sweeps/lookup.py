"""Naming what a sweep's exception is about: the account, license and case its label mentions."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.numerals import is_digits
from engine.store.models import Case, License, NoticeBatch, UtilityAccount

_SUBJECT = re.compile(r"^(account|license) (\S+)(?: \(case (\d+)\))?")


@dataclass(frozen=True)
class ExceptionLine:
    """One exception of a run, with the pages it points to (None when the subject is not found)."""

    subject: str
    message: str
    account_number: str | None = None
    license_number: str | None = None
    case_id: int | None = None
    kind: str = "error"  # error | caught_up | one_a_night | not_lawful | not_sent | re_dated | not_mailed
    # (engine.sweeps.report)


def _account_number(session: Session, text: str) -> str | None:
    """The number of the account a label names, by number or by id."""
    number = session.scalar(select(UtilityAccount.number).where(UtilityAccount.number == text))
    if number is None and is_digits(text) and len(text) <= 18:
        number = session.scalar(select(UtilityAccount.number).where(UtilityAccount.id == int(text)))
    return number


def exception_lines(session: Session, exceptions: list[dict]) -> list[ExceptionLine]:
    """The run's exceptions with links to the account or license (and case) each names."""
    lines = []
    for item in exceptions:
        subject, message = str(item.get("subject", "")), str(item.get("message", ""))
        kind = str(item.get("kind", "error"))
        match = _SUBJECT.match(subject)
        if match is None:
            lines.append(ExceptionLine(subject, message, kind=kind))
            continue
        named, key, case = match.groups()  # what the label names: an account or a license
        account = _account_number(session, key) if named == "account" else None
        license_number = (session.scalar(select(License.number).where(License.number == key))
                          if named == "license" else None)
        case_id = int(case) if case and session.get(Case, int(case)) is not None else None
        lines.append(ExceptionLine(subject, message, account, license_number, case_id, kind))
    return lines


def mailing_of_run(session: Session, run_id: int, batch_id: int) -> NoticeBatch | None:
    """The run's mailing batch, or None."""
    batch = session.get(NoticeBatch, batch_id)
    return batch if batch is not None and batch.sweep_run_id == run_id else None
