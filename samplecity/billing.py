"""Pricing the sample city's bills and fees with the city's own rule documents.

Every bill is priced by `water-rates-residential` or `water-rates-commercial` from the
rule library; license fees, deposits and returned-payment fees by their schedules. The
same facts under the same version always give the same lines, so each evaluation is
kept by its facts (consumption values repeat across thousands of accounts) and a
city of 100,000 accounts needs only a few thousand evaluations.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from importlib.util import find_spec
from itertools import repeat

from engine.money import to_cents
from engine.money.billing import bill_lines_summing_to_total, charges_by_service
from engine.rules.schedule import service_of
from engine.rules.months import day_of_month_or_last

DUE_DAYS = 21  # when the calendar evaluator is not available: due 21 days after the bill
AS_OF_MARK = "@@as-of@@"


@dataclass(frozen=True)
class Priced:
    """A priced bill or fee: total and lines in cents, the rule and version, the explanation."""

    total_cents: int
    lines: tuple[tuple[str, int, str, str | None], ...]  # (name, cents, detail, service)
    charges: tuple[tuple[str | None, int], ...]  # (service, cents): one charge per service, as the billing run posts
    service: str | None  # the one service its lines bill (a fee posted as one entry), else None
    rule_id: str
    rule_version: str
    head: str  # the explanation JSON up to its as-of date
    tail: str  # and after it
    key: int  # its number among the evaluations kept, for the bill_lines staging table

    def explanation(self, as_of: date) -> str:
        """The explanation JSON text for an evaluation on `as_of`."""
        return f"{self.head}{as_of.isoformat()}{self.tail}"

    def staged_lines(self) -> zip:
        """Its lines as rows (key, position, name, cents, detail, service) of the bill_lines staging table."""
        count = len(self.lines)
        return zip(repeat(self.key, count), range(1, count + 1), *zip(*self.lines))


def priced(result: Any, key: int) -> Priced:
    """A Priced from a schedule result, its explanation split around the as-of date.

    Its lines and charges are the billing run's (engine.money.billing): each line with its
    service, a period that a new version starts inside prorated by service
    (`bill_lines_summing_to_total`), and one charge per service (`charges_by_service`).
    """
    text = json.dumps({**result.to_json(), "as_of": AS_OF_MARK}, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    head, tail = text.split(AS_OF_MARK)
    lines = bill_lines_summing_to_total(result)
    return Priced(to_cents(result.total),
                  tuple((name, to_cents(amount), detail, service) for name, amount, detail, service in lines),
                  tuple(charges_by_service(lines)), service_of(result.lines), result.rule, result.version.isoformat(),
                  head, tail, key)


def version_in_force(document: Any, on: date) -> date | None:
    """The effective date of a document's version in force on a day (None if none is)."""
    found = None
    for version in document.versions:
        if version.effective <= on:
            found = None if version.retired else version.effective
    return found


class RateBook:
    """Prices bills and fees from the rule library, remembering each evaluation by its facts."""

    def __init__(self, library: Any) -> None:
        """Price with `library` (an engine.rules RuleLibrary)."""
        self.library = library
        self.kept: dict[tuple, Priced] = {}
        self.spans: dict[tuple, date | tuple[date, date]] = {}
        self.bills: dict[tuple, Priced] = {}
        self.evaluations = 0

    def schedule(self, rule_id: str, facts: dict, service_from: date, service_to: date) -> Priced:
        """A schedule over a service period: one version, or prorated where a new one starts inside it."""
        return self.priced(rule_id, facts, tuple(sorted(facts.items())), service_from, service_to)

    def priced(self, rule_id: str, facts: dict, facts_key: tuple, service_from: date, service_to: date) -> Priced:
        """`schedule` with the caller's own key for the facts (the same facts, the same key)."""
        span = self.spans.get((rule_id, service_from, service_to))
        if span is None:
            span = self.spans[(rule_id, service_from, service_to)] = self._span(rule_id, service_from, service_to)
        key = (rule_id, facts_key, span)
        found = self.kept.get(key)
        if found is None:
            period = (service_from, service_to) if isinstance(span, tuple) else None
            self.evaluations += 1
            result = self.library.evaluate(rule_id, facts, service_to, period=period)
            found = self.kept[key] = priced(result, len(self.kept) + 1)
        return found

    def _span(self, rule_id: str, service_from: date, service_to: date) -> date | tuple[date, date]:
        """The one version in force over a period, or the period itself when two versions share it."""
        document = self.library.get(rule_id)
        first, last = version_in_force(document, service_from), version_in_force(document, service_to)
        return last if first == last else (service_from, service_to)

    def in_force(self, rule_id: str, on: date) -> bool:
        """Whether a version of the document is in force on a day."""
        return version_in_force(self.library.get(rule_id), on) is not None

    def fee(self, rule_id: str, facts: dict, on: date) -> Priced:
        """A fee schedule evaluated on a day."""
        return self.schedule(rule_id, facts, on, on)

    def water_and_sewer(self, rate_class: str, meter_size: str, consumption_ccf: int, winter_average_ccf: int,
                        sewer: bool, fire_line: bool, service_from: date, service_to: date) -> Priced:
        """The bill for one account's service period under its rate class's schedule."""
        seen = (rate_class, meter_size, consumption_ccf, winter_average_ccf, sewer, fire_line, service_from, service_to)
        found = self.bills.get(seen)
        if found is None:
            found = self.bills[seen] = self._water_and_sewer(*seen)
        return found

    def _water_and_sewer(self, rate_class: str, meter_size: str, consumption_ccf: int, winter_average_ccf: int,
                         sewer: bool, fire_line: bool, service_from: date, service_to: date) -> Priced:
        """Price a bill not seen before (the same facts in another period may still be kept)."""
        if rate_class == "commercial":
            facts = {"meter_size": meter_size, "consumption_ccf": consumption_ccf, "sewer": sewer,
                     "fire_line": fire_line}
            key = (meter_size, consumption_ccf, sewer, fire_line)
        else:
            facts = {"meter_size": meter_size, "consumption_ccf": consumption_ccf,
                     "winter_average_ccf": winter_average_ccf, "sewer": sewer}
            key = (meter_size, consumption_ccf, winter_average_ccf, sewer)
        return self.priced(f"water-rates-{rate_class}", facts, key, service_from, service_to)


class BillingCalendar:
    """Bill and due dates of each cycle and month, from the city calendar's timeline."""

    def __init__(self, library: Any) -> None:
        """Read dates from `library`'s city-calendar."""
        self.library = library
        self.kept: dict[tuple[str, str], tuple[date, date]] = {}
        self.has_timeline = find_spec("engine.rules.calendar") is not None

    def bill_day(self, cycle: str, period: str) -> date:
        """The cycle's bill day in the period's month (the month's last day where it is shorter)."""
        year, month = int(period[:4]), int(period[5:])
        month_start = date(year, month, 1)
        document = self.library.get("city-calendar")
        effective = version_in_force(document, month_start)
        body = next(v.body for v in document.versions if v.effective == effective)
        day = int(body["cycles"][cycle]["bill_day"])
        return day_of_month_or_last(year, month, day)

    def dates(self, cycle: str, period: str) -> tuple[date, date]:
        """(billed_on, due_on) for a cycle's bill of a period (YYYY-MM)."""
        key = (cycle, period)
        if key not in self.kept:
            self.kept[key] = self._dates(cycle, period)
        return self.kept[key]

    def step(self, cycle: str, period: str, name: str) -> date:
        """Any step of a cycle's timeline for a period (the reminder, the shut-off notice, ...)."""
        billed_on = self.bill_day(cycle, period)
        steps = self.library.evaluate("city-calendar", {"cycle": cycle, "period": period}, billed_on).to_json()["steps"]
        return date.fromisoformat(steps[name])

    def _dates(self, cycle: str, period: str) -> tuple[date, date]:
        """The timeline's `bill` and `due` steps; the due date 21 days on where calendars cannot be evaluated."""
        billed_on = self.bill_day(cycle, period)
        if not self.has_timeline:
            return billed_on, billed_on + timedelta(days=DUE_DAYS)
        steps = self.library.evaluate("city-calendar", {"cycle": cycle, "period": period}, billed_on).to_json()["steps"]
        return date.fromisoformat(steps["bill"]), date.fromisoformat(steps["due"])
