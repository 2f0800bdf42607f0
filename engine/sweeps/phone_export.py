"""The phone notification export: accounts scheduled for shut-off, for the city's automated calling vendor.

One CSV row per open case scheduled for shut-off (its state tagged `shutoff_pending` in its
workflow) whose shut-off day is on or after the day: the customer's name, phone and
language, the past-due amount, and the shut-off day as the city calendar reads now (the
date the notices printed, moved on past a holiday or a no-shut-off period published since;
`engine.workflow.shutoffs`, which the day's shut-off list and the case page read too).
Rows are read and written a batch at a time.

The file's columns, headings, date format and phone format are the city's setting
(`phone_export_layout`, engine.phone_export_layout): the vendor's layout, the sample city's
`account_number, name, phone, language, amount, shutoff_on` with ISO dates until one is saved.
`scheduled_for_shutoff` keeps the export's own field names and ISO dates (the API reads it).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.city import get_city
from engine.exports import write_csv
from engine.money import money_text
from engine.money.ledger import standings
from engine.store.models import Customer, UtilityAccount
from engine.phone_export_layout import PhoneLayout, layout_of
from engine.workflow.services import Catalog
from engine.workflow.shutoffs import ShutoffDay, shutoff_days

def _rows(session: Session, as_of: date, batch: list[ShutoffDay]) -> Iterator[dict[str, str]]:
    """The batch's accounts with their customers and past-due amounts on the day, in the batch's order."""
    ids = [day.account_id for day in batch]
    people = {row[0]: row[1:] for row in session.execute(
        select(UtilityAccount.id, UtilityAccount.number, Customer.name, Customer.phone, Customer.language)
        .join(Customer, Customer.id == UtilityAccount.customer_id).where(UtilityAccount.id.in_(ids)))}
    owed = dict(standings(session, as_of, account_ids=ids))
    for day in batch:
        number, name, phone, language = people[day.account_id]
        yield {"account_number": number, "name": name, "phone": phone, "language": language,
               "amount": money_text(owed[day.account_id].past_due_cents), "shutoff_on": day.shutoff_on.isoformat()}


def scheduled_for_shutoff(session: Session, catalog: Catalog, as_of: date) -> Iterator[dict[str, str]]:
    """Each account scheduled for shut-off on or after the day, with its past-due amount on the day."""
    for batch in shutoff_days(session, catalog.rules, catalog.workflows, on=as_of):
        if batch:
            yield from _rows(session, as_of, batch)


def write_phone_export(session: Session, catalog: Catalog, as_of: date, out: TextIO,
                       layout: PhoneLayout | None = None) -> int:
    """Write the CSV in the city's layout (or the `layout` given), header first, each cell spreadsheet-safe, to
    `out`; how many accounts it lists."""
    layout = layout or layout_of(get_city(session).phone_export_layout)
    rows = (layout.row(values) for values in scheduled_for_shutoff(session, catalog, as_of))
    return write_csv(out, rows, layout.headings, numbers=layout.amount_headings, lineterminator="\n")
