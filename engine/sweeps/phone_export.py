"""The phone notification export: accounts scheduled for shut-off, for the city's automated calling vendor.

One CSV row per open delinquency case with a shut-off date on or after the day (shut-off
notice mailed, door hanger posted, plan in default, or released to the field crew):
the customer's name, phone and language, the past-due amount, and the shut-off date.
Rows are read and written a batch at a time.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.exports import write_csv
from engine.money import money_text
from engine.money.ledger import standings
from engine.store.models import Case, Customer, UtilityAccount

SCHEDULED_STATES = ("shutoff_notice", "door_hanger", "shutoff_ready", "plan_defaulted")
HEADER = ("account_number", "name", "phone", "language", "amount", "shutoff_on")
BATCH = 1000


def _scheduled(session: Session, as_of: date) -> Iterator[list[tuple]]:
    """Batches of (case id, account id, number, name, phone, language, shut-off date), by case id."""
    after = 0
    while True:
        rows = session.execute(
            select(Case.id, Case.fields, UtilityAccount.id, UtilityAccount.number, Customer.name, Customer.phone,
                   Customer.language)
            .join(UtilityAccount, UtilityAccount.id == Case.account_id)
            .join(Customer, Customer.id == UtilityAccount.customer_id)
            .where(Case.workflow_id == "delinquency", Case.closed_at.is_(None), Case.state.in_(SCHEDULED_STATES),
                   Case.id > after).order_by(Case.id).limit(BATCH)).all()
        if not rows:
            return
        batch = []
        for case_id, fields, account_id, number, name, phone, language in rows:
            shutoff_on = (fields or {}).get("shutoff_on")
            if shutoff_on and date.fromisoformat(shutoff_on) >= as_of:
                batch.append((case_id, account_id, number, name, phone, language, shutoff_on))
        yield batch
        after = rows[-1][0]


def scheduled_for_shutoff(session: Session, as_of: date) -> Iterator[dict[str, str]]:
    """Each account scheduled for shut-off on or after the day, with its past-due amount on the day."""
    for batch in _scheduled(session, as_of):
        owed = dict(standings(session, as_of, account_ids=[row[1] for row in batch]))
        for _case_id, account_id, number, name, phone, language, shutoff_on in batch:
            yield {"account_number": number, "name": name, "phone": phone, "language": language,
                   "amount": money_text(owed[account_id].past_due_cents), "shutoff_on": shutoff_on}


def write_phone_export(session: Session, as_of: date, out: TextIO) -> int:
    """Write the CSV (header first, each cell spreadsheet-safe) to `out`; how many accounts it lists."""
    return write_csv(out, scheduled_for_shutoff(session, as_of), HEADER, lineterminator="\n")
