"""The phone notification export: accounts scheduled for shut-off, for the city's automated calling vendor.

One CSV row per open case scheduled for shut-off (its state tagged `shutoff_pending` in its
workflow) whose shut-off day is on or after the day: the customer's name, phone and
language, the past-due amount, and the shut-off day as the city calendar reads now (the
date the notices printed, moved on past a holiday or a no-shut-off period published since;
`engine.workflow.shutoffs`, which the day's shut-off list and the case page read too).
Rows are read and written a batch at a time.

A case whose shut-off the weather holds on the day (its calendar's `no_shutoff.forecast` rule:
the day's recorded forecast bars it, or none is recorded yet; the case's `held`, as the crew's
step asks it) is left out of that day's list, never given the day as its shut-off day: the city
will not shut it off that day, and its next day cannot be said before that day's forecast. It
is back on the list of the first day the weather lets it go. A case whose way to the shut-off
waits for a notice never sent (`requires_sent:`: its shut-off notice was left out of its
mailing) is left out any day: the city will not shut it off on that notice, and the customer is
not called about it; it is back on the list when a new notice has gone out, with its new day.
Both are what the crews' lists show under Held today (`ShutoffDay.holding`). The list says how
many it left out and why (`PhoneList`).

The file's columns, headings, date format and phone format are the city's setting
(`phone_export_layout`, engine.phone_export_layout): the vendor's layout, the sample city's
`account_number, name, phone, language, amount, shutoff_on` with ISO dates until one is saved.
`scheduled_for_shutoff` keeps the export's own field names and ISO dates (the API reads it).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.city import get_city
from engine.exports import write_csv
from engine.money import money_text
from engine.money.ledger import standings
from engine.store.models import Customer, UtilityAccount
from engine.phone_export_layout import PhoneLayout, PhoneLine, layout_of
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
        yield PhoneLine(number, name, phone, language, money_text(owed[day.account_id].past_due_cents),
                        day.shutoff_on).fields()


@dataclass
class PhoneList:
    """What a day's phone list holds: how many accounts it lists, how many shut-offs due that day the weather holds
    (left out) and why (the calendar's words, each once), and the cases held for a notice never sent (left out)."""

    listed: int = 0
    held: int = 0
    why: list[str] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)  # the cases whose shut-off waits for a notice never sent

    def hold(self, day: ShutoffDay) -> None:
        """Count a case left out: held by a notice never sent, or by the weather on its day."""
        if day.unsent:
            self.unsent.append(day.case_id)
            return
        self.held += 1
        self.why += [reason for reason in day.held if reason not in self.why]

    def filters(self) -> dict[str, int]:
        """What the download's audit row records of the cases left out (nothing when none was)."""
        return {**({"held_by_the_weather": self.held} if self.held else {}),
                **({"held_for_a_notice_never_sent": len(self.unsent)} if self.unsent else {})}


def scheduled_for_shutoff(session: Session, catalog: Catalog, as_of: date,
                          tally: PhoneList | None = None) -> Iterator[dict[str, str]]:
    """Each account scheduled for shut-off on or after the day, with its past-due amount on the day; one held (the
    weather on the day, a notice never sent) is left out (counted in `tally`, if given)."""
    for batch in shutoff_days(session, catalog.rules, catalog.workflows, on=as_of):
        for day in (day for day in batch if day.holding and tally is not None):
            tally.hold(day)
        listed = [day for day in batch if not day.holding]
        if listed:
            yield from _rows(session, as_of, listed)


def write_phone_export(session: Session, catalog: Catalog, as_of: date, out: TextIO,
                       layout: PhoneLayout | None = None) -> PhoneList:
    """Write the CSV in the city's layout (or the `layout` given), header first, each cell spreadsheet-safe, to
    `out`; how many accounts it lists, and the shut-offs held (left out): by the weather that day, for a notice
    never sent."""
    layout, tally = layout or layout_of(get_city(session).phone_export_layout), PhoneList()
    rows = (layout.row(values) for values in scheduled_for_shutoff(session, catalog, as_of, tally))
    tally.listed = write_csv(out, rows, layout.headings, numbers=layout.amount_headings, lineterminator="\n")
    return tally
