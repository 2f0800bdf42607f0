"""The event streams a subject keeps, and their fields: what a measure (kind: measure) may count.

This is the catalog the rule core checks a measure against (a stream it names, a field it
sums or filters on, a comparison that fits the field's type); the streams are read from the
database elsewhere (engine.accounts.history), each event a plain mapping with these fields.
Every event has `date`: the day it happened, which windows and `take` order by. Field types
are those of rule inputs: date, money, integer, text, boolean. A field may be absent from an
event (a case not closed has no `closed`); a comparison on an absent field is false.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Stream:
    """One stream of events a subject keeps: its meaning and its fields (name -> (type, meaning))."""

    name: str
    meaning: str
    fields: Mapping[str, tuple[str, str]]

    def type_of(self, field: str) -> str:
        """The type of one of its fields."""
        return self.fields[field][0]


def _stream(name: str, meaning: str, **fields: tuple[str, str]) -> Stream:
    """A stream whose events all carry `date` as well as the fields given."""
    return Stream(name, meaning, MappingProxyType(fields))


ACCOUNT_STREAMS = (
    _stream("charges", "service charges billed to the account (ledger entries of kind charge), dated the day posted",
            date=("date", "the day the charge was posted (the bill date)"),
            id=("integer", "the ledger entry's number"),
            service=("text", "the service it bills (water, sewer, garbage, ...; absent when the bill did not say)"),
            rule=("text", "the rate schedule that computed it"),
            period=("text", "the bill period, YYYY-MM"),
            due=("date", "its due date"),
            amount=("money", "the amount charged"),
            unpaid=("money", "what is left unpaid of it on the as-of day, payments applied in the published order"),
            days_past_due=("integer", "days from its due date to the as-of day while some is unpaid (else 0)"),
            reversed=("boolean", "reversed (cancelled) on or before the as-of day")),
    _stream("fees", "fees charged to the account (late fee, returned-payment fee, reconnection fee, ...)",
            date=("date", "the day the fee was posted"),
            id=("integer", "the ledger entry's number"),
            rule=("text", "the fee schedule that computed it (late-fee, reconnection-fee, ...)"),
            service=("text", "the service it is booked to (absent when none)"),
            due=("date", "its due date"),
            amount=("money", "the amount charged"),
            unpaid=("money", "what is left unpaid of it on the as-of day"),
            days_past_due=("integer", "days from its due date to the as-of day while some is unpaid (else 0)"),
            waived=("boolean", "reversed (waived) on or before the as-of day")),
    _stream("payments", "payments received for the account",
            date=("date", "the day it was paid"),
            tender=("text", "cash, check, card or ach"),
            source=("text", "counter, lockbox or online"),
            amount=("money", "the amount paid"),
            returned=("boolean", "returned by the bank on or before the as-of day")),
    _stream("returned_payments", "payments the bank returned unpaid, dated the day returned",
            date=("date", "the day the payment was returned"),
            tender=("text", "the returned payment's tender"),
            amount=("money", "the amount returned"),
            reason=("text", "the bank's reason")),
    _stream("adjustments", "adjustments posted to the account by staff",
            date=("date", "the day posted"),
            amount=("money", "the amount: positive adds to what is owed, negative is a credit"),
            reason=("text", "the reason written on it"),
            by=("text", "who posted it")),
    _stream("waivers", "fees waived: reversals of fee entries",
            date=("date", "the day the fee was waived"),
            rule=("text", "the fee schedule of the fee waived"),
            amount=("money", "the amount of the fee waived"),
            reason=("text", "the reason written on the waiver"),
            by=("text", "who waived it")),
    _stream("shutoffs", "shut-offs: the steps of the account's cases entering a state tagged service_off",
            date=("date", "the day service was shut off"),
            workflow=("text", "the workflow of the case")),
    _stream("reconnections", "service restored: the steps of the account's cases leaving a state tagged service_off",
            date=("date", "the day service was restored"),
            workflow=("text", "the workflow of the case")),
    _stream("notices", "notices made for the account or its cases",
            date=("date", "the day the notice was made"),
            type=("text", "the notice type (reminder, shutoff-notice, door-hanger, lien-intent, ...)")),
    _stream("cases", "the account's cases (delinquency, lien, refund), dated the day opened",
            date=("date", "the day the case was opened"),
            workflow=("text", "the workflow id"),
            state=("text", "the case's state at the end of the as-of day"),
            opened=("date", "the day the case was opened"),
            closed=("date", "the day it reached a final state (absent while open on the as-of day)"),
            open=("boolean", "not in a final state on the as-of day")),
)

LICENSE_STREAMS = (
    _stream("renewals", "renewals of the license: the steps of its cases that reach a state tagged license_renewed",
            date=("date", "the day it was renewed"),
            step=("text", "the step taken (renew_license, renew_late, ...)"),
            workflow=("text", "the workflow of the case")),
    _stream("penalties", "late penalties assessed on the license (fees of a deadline's late-penalty schedule)",
            date=("date", "the day assessed"),
            rule=("text", "the penalty schedule"),
            amount=("money", "the amount assessed")),
    _stream("notices", "notices made for the license or its cases",
            date=("date", "the day the notice was made"),
            type=("text", "the notice type (license-renewal-reminder, license-lapsed, ...)")),
)

STREAMS: Mapping[str, Mapping[str, Stream]] = MappingProxyType({
    "account": MappingProxyType({s.name: s for s in ACCOUNT_STREAMS}),
    "license": MappingProxyType({s.name: s for s in LICENSE_STREAMS}),
})
SUBJECTS = tuple(STREAMS)
