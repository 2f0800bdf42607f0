"""kind: calendar — office days, shut-off days and billing-cycle timelines.

`CityCalendar(doc)` is the reusable API (the deadline evaluator, the workflow runtime and
the sweeps use it); every date is judged by the version in force on that date, so a
timeline that runs into a year whose version is already published uses it.
`evaluate(doc, facts, as_of)` answers the two questions of RULES-FORMAT.md:
`{cycle, period: YYYY-MM}` -> each step's date, `{date, action}` -> allowed or not, why,
and the next allowed day, `{recurring, from, month}` -> the next day a named recurring date
(`recurring:`, e.g. the first and third Monday of each month) falls on, `{holidays: YEAR}` ->
the year's holidays. A day's holiday is read in one place, `Holidays` (a version's listed
dates and its `yearly_holidays`, observed as `holidays_observed` says), for every question.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from engine.rules import bounds
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import EvaluationError, FactError, NoVersionInForce
from engine.rules.months import day_of_month_or_last, first_of_month, last_day_of_month
from engine.rules.results import per_document
from engine.rules.types import Facts, JsonValue, YamlValue

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEARCH_LIMIT = 3660  # days: a calendar with no open day in ten years is a broken calendar
ONE_DAY = timedelta(days=1)
ROLLS = {"office_day": "office day", "shutoff_day": "shut-off day"}
COLDEST, HOTTEST = -100, 150  # degrees Fahrenheit a forecast limit or a forecast fact may be
FORECAST_FACTS = ("forecast_low", "forecast_high")
RECURRING_MONTHS = 121  # months searched for a recurring date: ten years and the month it starts in
YEARLY_HOLIDAY_LIMIT = 50  # yearly holidays in one version
AFTER_DAYS = 31  # how far a yearly holiday counted from another (`after`, `days`) may be, either way
OBSERVED = " (observed)"  # added to the name of a holiday observed on another day
IF_TAKEN = {"before": -1, "after": 1}  # a yearly holiday's `if_taken`: the way it moves off another holiday's day


def _day(value: YamlValue) -> date:
    """A date from YAML: a date already, or an ISO key written as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class YearlyPeriod:
    """A no-shut-off period on the same days every year (`{from: 12-15, to: 01-05}`): one ending earlier in the year
    than it starts runs into the next year."""

    first: tuple[int, int]  # month, day
    last: tuple[int, int]
    reason: str

    @classmethod
    def read(cls, rule: Mapping) -> "YearlyPeriod":
        """A `no_shutoff.every_year` entry (its days checked by the calendar kind)."""
        return cls(month_day(str(rule["from"])), month_day(str(rule["to"])),
                   str(rule.get("reason", "a no-shut-off period")))

    def holds(self, day: date) -> bool:
        """Whether `day` is in the period (both ends included)."""
        on = (day.month, day.day)
        if self.first <= self.last:
            return self.first <= on <= self.last
        return on >= self.first or on <= self.last


def month_day(text: str) -> tuple[int, int]:
    """"12-15" as (12, 15)."""
    month, day = text.split("-")
    return int(month), int(day)


@dataclass(frozen=True)
class CalendarVersion:
    """One calendar version, compiled: closed weekdays, holidays, no-shut-off rules, cycles, timeline."""

    version: Version
    closed_weekdays: frozenset[int]
    holidays: "Holidays"
    no_shutoff_weekdays: frozenset[int]
    before_holiday: bool
    periods: tuple[tuple[date, date, str], ...]
    cycles: dict[str, int]
    timeline: tuple[tuple[str, dict], ...]
    mailing: dict = field(default_factory=dict)
    recurring: dict[str, dict] = field(default_factory=dict)
    forecast: dict[str, Decimal] = field(default_factory=dict)  # no_shutoff.forecast: low_at_most, high_at_least
    every_year: tuple["YearlyPeriod", ...] = ()  # no_shutoff.every_year: the same days each year

    @classmethod
    def compile(cls, version: Version) -> "CalendarVersion":
        """Read a version's body once."""
        body = version.body
        rules = body.get("no_shutoff") or {}
        periods = tuple((_day(p["from"]), _day(p["to"]), str(p.get("reason", "a no-shut-off period")))
                        for p in rules.get("periods", []))
        return cls(
            version,
            frozenset(WEEKDAYS.index(d) for d in body.get("closed_weekdays", [])),
            Holidays.of_version(body),
            frozenset(WEEKDAYS.index(d) for d in rules.get("weekdays", [])),
            bool(rules.get("before_holiday", False)),
            periods,
            {str(k): int(v["bill_day"]) for k, v in (body.get("cycles") or {}).items()},
            tuple((str(k), v) for k, v in (body.get("timeline") or {}).items()),
            dict(body.get("mailing") or {}),
            {str(k): dict(v) for k, v in (body.get("recurring") or {}).items()},
            dict(rules.get("forecast") or {}),
            tuple(YearlyPeriod.read(p) for p in rules.get("every_year", [])),
        )

    def counted_from(self, step: str) -> set[str]:
        """The timeline steps `step` is counted from (its `after`, that step's `after`, ... down to bill)."""
        after = {name: str(spec["after"]) for name, spec in self.timeline}
        found: set[str] = set()
        while step in after:
            step = after[step]
            found.add(step)
        return found


class CityCalendar:
    """Office days and shut-off days of a calendar document, each date by its own version."""

    def __init__(self, doc: RuleDocument) -> None:
        """Compile every version of the calendar."""
        self.doc = doc
        self.effective = [v.effective for v in doc.versions]
        self.versions = [CalendarVersion.compile(v) for v in doc.versions]

    def version_on(self, day: date) -> CalendarVersion:
        """The compiled version in force on `day`; none or retired is NoVersionInForce."""
        at = bisect_right(self.effective, day) - 1
        if at < 0 or self.versions[at].version.retired:
            raise NoVersionInForce(self.doc.id, day.isoformat())
        return self.versions[at]

    def holiday(self, day: date) -> str | None:
        """The holiday's name on `day` (listed, or a yearly holiday observed that day), or None.

        The version in force on `day` decides, as for every other question about a day.
        """
        return self.version_on(day).holidays.on(day)

    def holidays_in(self, year: int) -> dict[date, str]:
        """Every holiday of `year`, each by the version in force on its day, in date order."""
        first, found = date(year, 1, 1), {}
        for at, version in enumerate(self.versions):
            start = max(first, version.version.effective)
            end = self.effective[at + 1] if at + 1 < len(self.versions) else date(year + 1, 1, 1)
            if version.version.retired or start >= end:
                continue
            found.update({day: name for day, name in version.holidays.in_year(year).items() if start <= day < end})
        return dict(sorted(found.items()))

    def is_office_day(self, day: date) -> bool:
        """Open: not a closed weekday and not a holiday."""
        version = self.version_on(day)
        return day.weekday() not in version.closed_weekdays and version.holidays.on(day) is None

    def holiday_ahead(self, day: date) -> tuple[date, str] | None:
        """The holiday that follows `day` before the next open day (so `day` is the open day before it)."""
        ahead = day + ONE_DAY
        for _ in range(SEARCH_LIMIT):
            name = self.holiday(ahead)
            if name is not None:
                return ahead, name
            if self.is_office_day(ahead):
                return None
            ahead += ONE_DAY
        return None

    def forecast_bars(self, day: date, low: Decimal, high: Decimal) -> list[str]:
        """Why the weather forecast for `day` (its low and high, degrees Fahrenheit) bars a shut-off on it."""
        limits, reasons = self.version_on(day).forecast, []
        if "low_at_most" in limits and low <= limits["low_at_most"]:
            reasons.append(f"the forecast low for {day.isoformat()} is {low}°F (no shut-offs when it is at most "
                           f"{limits['low_at_most']}°F)")
        if "high_at_least" in limits and high >= limits["high_at_least"]:
            reasons.append(f"the forecast high for {day.isoformat()} is {high}°F (no shut-offs when it is at least "
                           f"{limits['high_at_least']}°F)")
        return reasons

    def needs_forecast(self, day: date) -> bool:
        """Whether the version in force on `day` bars shut-offs by the weather forecast (`no_shutoff.forecast`)."""
        return bool(self.version_on(day).forecast)

    def weather_bars(self, day: date, forecast: Mapping[str, object] | None) -> list[str]:
        """Why the weather holds a shut-off on `day`, given the day's recorded forecast (forecast_low, forecast_high;
        None or either missing: none recorded yet): nothing without a `forecast` rule, the rule's own words when
        the forecast bars it, and "record today's forecast first" when there is none (never a shut-off blind)."""
        if not self.needs_forecast(day):
            return []
        if forecast is None or any(forecast.get(name) is None for name in FORECAST_FACTS):
            return [f"record today's forecast first: {self.doc.id} bars shut-offs by the weather forecast, and no "
                    f"forecast is recorded for {day.isoformat()}"]
        return self.forecast_bars(day, *(Decimal(str(forecast[name])) for name in FORECAST_FACTS))

    def shutoff_bars(self, day: date) -> list[str]:
        """Why `day` is not a shut-off day (empty when it is one); the forecast is asked apart (forecast_bars)."""
        reasons = self.office_bars(day)
        open_day = not reasons
        version = self.version_on(day)
        if day.weekday() in version.no_shutoff_weekdays:
            name = WEEKDAY_NAMES[day.weekday()]
            reasons.append(f"{day.isoformat()} is a {name} (no shut-offs on {name}s)")
        for first, last, reason in version.periods:
            if first <= day <= last:
                reasons.append(f"{day.isoformat()} is in {reason}")
        for period in version.every_year:
            if period.holds(day):
                reasons.append(f"{day.isoformat()} is in {period.reason}")
        if version.before_holiday and open_day:
            ahead = self.holiday_ahead(day)
            if ahead is not None:
                reasons.append(f"{day.isoformat()} is the office day before a holiday ({ahead[1]})")
        return reasons

    def office_bars(self, day: date) -> list[str]:
        """Why the office is closed on `day` (empty when it is open)."""
        version = self.version_on(day)
        reasons = []
        holiday = version.holidays.on(day)
        if holiday is not None:
            reasons.append(f"{day.isoformat()} is a holiday ({holiday})")
        if day.weekday() in version.closed_weekdays:
            name = WEEKDAY_NAMES[day.weekday()]
            reasons.append(f"{day.isoformat()} is a {name} (the office is closed on {name}s)")
        return reasons

    def is_shutoff_day(self, day: date) -> bool:
        """Open, and no rule bars a shut-off (weekday, period, the office day before a holiday)."""
        return not self.shutoff_bars(day)

    def why_not(self, day: date, action: str) -> list[str]:
        """Why `action` (shutoff or office) is not allowed on `day`; empty when it is."""
        if action == "shutoff":
            return self.shutoff_bars(day)
        if action == "office":
            return self.office_bars(day)
        raise FactError(f"action: {action!r} is not one of 'shutoff', 'office'")

    def _first(self, day: date, allowed: Callable[[date], bool]) -> date:
        """The first day on or after `day` for which `allowed(day)` holds."""
        start = day
        for _ in range(SEARCH_LIMIT):
            if allowed(day):
                return day
            day += ONE_DAY
        raise EvaluationError(f"{self.doc.id}: no allowed day within {SEARCH_LIMIT} days from {start.isoformat()}")

    def next_office_day(self, day: date) -> date:
        """The first office day strictly after `day`."""
        return self._first(day + ONE_DAY, self.is_office_day)

    def next_shutoff_day(self, day: date) -> date:
        """The first shut-off day strictly after `day`."""
        return self._first(day + ONE_DAY, self.is_shutoff_day)

    def roll(self, day: date, to: str) -> date:
        """`roll: office_day|shutoff_day`: the day itself if it qualifies, else the next that does."""
        if to == "office_day":
            return self._first(day, self.is_office_day)
        if to == "shutoff_day":
            return self._first(day, self.is_shutoff_day)
        raise EvaluationError(f"{self.doc.id}: unknown roll {to!r}")

    def previous_office_day(self, day: date) -> date:
        """The last office day strictly before `day`."""
        before = day - ONE_DAY
        for _ in range(SEARCH_LIMIT):
            if self.is_office_day(before):
                return before
            before -= ONE_DAY
        raise EvaluationError(f"{self.doc.id}: no office day within {SEARCH_LIMIT} days before {day.isoformat()}")

    def add_office_days(self, day: date, count: int) -> date:
        """The `count`th office day after `day` (`day` itself not counted); before it when `count` is negative."""
        step = self.next_office_day if count >= 0 else self.previous_office_day
        for _ in range(abs(count)):
            day = step(day)
        return day

    def recurring_names(self) -> set[str]:
        """The recurring dates any version of the calendar names."""
        return {name for version in self.versions for name in version.recurring}

    def occurrences(self, name: str, year: int, month: int) -> list[date]:
        """The days the recurring date `name` falls on in one month (rolled as it says), in order.

        The version in force on the month's first day decides; a month whose version does not
        name the date has none.
        """
        spec = self.version_on(date(year, month, 1)).recurring.get(name)
        if spec is None or (spec["every"] == "year" and int(spec["month"]) != month):
            return []
        days = days_of_month(spec, year, month)
        if "roll" in spec:
            days = [self.roll(day, spec["roll"]) for day in days]
        return sorted(set(days))

    def next_recurring(self, name: str, start: date, month: int | None = None, nth: int | None = None) -> date:
        """The first day on or after `start` that the recurring date `name` falls on.

        With `month`, only that month's days count; with `nth` too, only the month's `nth` day of
        them (1 the first, -1 the last): "the first council Monday in May".
        """
        if name not in self.recurring_names():
            known = ", ".join(sorted(self.recurring_names())) or "none"
            raise EvaluationError(f"{self.doc.id} has no recurring date named {name!r} (its recurring dates: {known})")
        first = first_of_month(start)
        for later in range(RECURRING_MONTHS):
            candidate = first_of_month(first, later)
            if month is not None and candidate.month != month:
                continue
            found = self.occurrences(name, candidate.year, candidate.month)
            if nth is not None:
                found = found[nth - 1:nth] if nth > 0 else found[nth:len(found) + nth + 1]
            found = [day for day in found if day >= start]
            if found:
                return found[0]
        within = f" in month {month}" if month is not None else ""
        raise EvaluationError(f"{self.doc.id}: {name} falls on no day{within} in the ten years from "
                              f"{start.isoformat()}")

    def bill_date(self, cycle: str, period: str) -> tuple[date, CalendarVersion]:
        """A cycle's bill date in a month (bill_day, or the month's last day if shorter), and its version."""
        try:
            year, month = (int(part) for part in period.split("-"))
            first = date(year, month, 1)
        except (ValueError, TypeError):
            raise FactError(f"period: {period[:20]!r} is not a month (YYYY-MM)") from None
        _within_years("period", first)
        cycles = self.version_on(first).cycles
        if cycle not in cycles:
            listed = ", ".join(repr(c) for c in cycles)
            raise FactError(f"cycle: {cycle!r} is not one of {listed}")
        bill = day_of_month_or_last(year, month, cycles[cycle])
        return bill, self.version_on(bill)

    def count(self, start: date, step: dict) -> tuple[date, str]:
        """A timeline step's date counted from its `after` step's date, and how it was reached."""
        day, how = start, []
        if "days" in step:
            count = int(step["days"])
            day += timedelta(days=count)
            how.append(f"+ {count} day{'s' if count != 1 else ''} = {day.isoformat()}")
        if "office_days" in step:
            count = int(step["office_days"])
            day = self.add_office_days(day, count)
            how.append(f"+ {count} office day{'s' if count != 1 else ''} = {day.isoformat()}")
        if "months" in step:
            count, wanted = int(step["months"]), int(step["day"])
            month = first_of_month(day, count)
            day = day_of_month_or_last(month.year, month.month, wanted)
            how.append(f"day {wanted} of the month {count} month{'s' if count != 1 else ''} later = {day.isoformat()}")
        if "roll" in step:
            rolled = self.roll(day, step["roll"])
            if rolled != day:
                bars = self.office_bars(day) if step["roll"] == "office_day" else self.shutoff_bars(day)
                how.append(f"[{'; '.join(bars)}], rolled to the next {ROLLS.get(step['roll'], step['roll'])} "
                           f"{rolled.isoformat()}")
            day = rolled
        return day, " ".join(how)

    def timeline(self, cycle: str, period: str) -> tuple[dict[str, date], dict[str, str], CalendarVersion]:
        """Each step's date for a cycle and month, how it was reached, and the version used."""
        bill, version = self.bill_date(cycle, period)
        steps, details = {"bill": bill}, {"bill": f"bill day of cycle {cycle}: {bill.isoformat()}"}
        for name, step in version.timeline:
            start = steps[step["after"]]
            day, how = self.count(start, step)
            steps[name], details[name] = day, f"{step['after']} {start.isoformat()} {how}"
        return steps, details, version

    def recount(self, steps: dict[str, date], details: dict[str, str], version: CalendarVersion, taken: str,
                day: date) -> tuple[dict[str, date], dict[str, str]]:
        """A timeline's dates with its step `taken` taken on `day`: never a date before what its rules allow.

        When `day` is later than the timeline's date for `taken`, that step and the steps it is
        counted from move by as many days as it is late, and every other step is counted again
        from them by its own rule (days, office days, roll). A step taken on time or early
        leaves the timeline as it is.
        """
        if taken not in steps:
            raise EvaluationError(f"{self.doc.id} has no timeline step {taken!r} (steps: {', '.join(steps)})")
        late = (day - steps[taken]).days
        if late <= 0:
            return dict(steps), dict(details)
        moved = {taken} | version.counted_from(taken)
        steps, details = dict(steps), dict(details)
        for name in moved:
            was, steps[name] = steps[name], steps[name] + timedelta(days=late)
            details[name] = f"{was.isoformat()}, {taken} taken {late} days late: {steps[name].isoformat()}"
        for name, step in version.timeline:
            if name not in moved:
                start = steps[step["after"]]
                steps[name], how = self.count(start, step)
                details[name] = f"{step['after']} {start.isoformat()} {how}"
        return steps, details

    def mailing_day(self, night: date) -> date:
        """The day a notice made on `night` is mailed: the version's `mailing` rule, else the night itself."""
        rule = self.version_on(night).mailing
        if not rule:
            return night
        day, _ = self.count(night, rule)
        return day


def days_of_month(spec: Mapping, year: int, month: int) -> list[date]:
    """The days of a month a `day` or `weekdays` with `nth` rule names (a recurring date's, a yearly holiday's).

    >>> days_of_month({"weekdays": ["thu"], "nth": [4]}, 2026, 11), days_of_month({"day": 31}, 2026, 2)
    ([datetime.date(2026, 11, 26)], [datetime.date(2026, 2, 28)])
    """
    if "day" in spec:
        return [day_of_month_or_last(year, month, int(spec["day"]))]
    return [found for weekday in spec["weekdays"] for n in spec["nth"]
            if (found := nth_weekday(year, month, WEEKDAYS.index(weekday), int(n))) is not None]


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The `n`th `weekday` (0 = Monday) of the month, counted from its end when `n` is negative; None if none.

    >>> nth_weekday(2026, 5, 0, 1), nth_weekday(2026, 5, 0, -1), nth_weekday(2026, 2, 0, 5)
    (datetime.date(2026, 5, 4), datetime.date(2026, 5, 25), None)
    """
    last = last_day_of_month(year, month)
    if n > 0:
        day = 1 + (weekday - date(year, month, 1).weekday()) % 7 + 7 * (n - 1)
    else:
        day = last - (date(year, month, last).weekday() - weekday) % 7 - 7 * (-n - 1)
    return date(year, month, day) if 1 <= day <= last else None


def observed_shift(observed: Mapping[str, str]) -> dict[int, int]:
    """An `observed` rule ({sat: fri, sun: mon}) as days to move by weekday: to the nearest day of the weekday named.

    >>> observed_shift({"sat": "fri", "sun": "mon", "wed": "mon"})
    {5: -1, 6: 1, 2: -2}
    """
    shifts = {}
    for falls, kept in observed.items():
        ahead = (WEEKDAYS.index(kept) - WEEKDAYS.index(falls)) % 7
        shifts[WEEKDAYS.index(falls)] = ahead - 7 if ahead > 3 else ahead
    return shifts


def holiday_words(key: str) -> str:
    """A yearly holiday's name when it gives none: its key in words (`labor_day` -> Labor Day)."""
    return " ".join(word.capitalize() for word in key.split("_"))


@dataclass(frozen=True)
class YearlyHoliday:
    """One entry of `yearly_holidays`: a day of a month, the nth weekday of a month, or days after another one."""

    key: str
    name: str
    rule: Mapping  # month with day, or month with weekdays and nth, or after with days
    shifts: dict[int, int]  # observed: days moved when it falls on a weekday (5: -1, Saturday to Friday)
    if_taken: int = 0  # -1 / 1: moved to the office day before / after when another yearly holiday has its day


class Holidays:
    """A version's holidays: the dates it lists and its yearly holidays, each year's computed once.

    Every reader of a calendar's holidays asks here (`on`, `in_year`): office days, shut-off
    days, the month view, the explanations and lint.
    """

    def __init__(self, listed: Mapping[date, str], yearly: tuple[YearlyHoliday, ...],
                 closed: frozenset[int] = frozenset()) -> None:
        """The listed dates (their names win on a day a yearly holiday also falls on), the yearly rules, and the
        closed weekdays (a holiday moved off another's day skips them)."""
        self.listed = dict(listed)
        self.yearly = yearly
        self.closed = closed
        self._by_key = {holiday.key: holiday for holiday in yearly}
        self._years: dict[int, dict[date, str]] = {}

    @classmethod
    def of_version(cls, body: Mapping) -> "Holidays":
        """A version's `holidays`, `yearly_holidays`, `holidays_observed` and `closed_weekdays`, read once."""
        raw = body.get("holidays") or {}
        listed = {_day(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else \
            {_day(k): "holiday" for k in raw}
        default = body.get("holidays_observed") or {}
        yearly = tuple(YearlyHoliday(str(key), str(rule.get("name") or holiday_words(str(key))), rule,
                                     observed_shift(rule["observed"] if "observed" in rule else default),
                                     IF_TAKEN.get(str(rule.get("if_taken")), 0))
                       for key, rule in (body.get("yearly_holidays") or {}).items())
        return cls(listed, yearly, frozenset(WEEKDAYS.index(day) for day in body.get("closed_weekdays") or ()))

    def on(self, day: date) -> str | None:
        """The holiday's name on `day`, or None."""
        return self.in_year(day.year).get(day)

    def in_year(self, year: int) -> dict[date, str]:
        """The holidays of one year, listed and yearly, in date order (a yearly holiday of the next year may be
        observed in this one: New Year's Day on a Saturday is observed on December 31)."""
        if year not in self._years:
            found: dict[date, list[str]] = {}
            for rule_year in (year - 1, year, year + 1):
                for day, name in self.observed_in(rule_year).items():
                    if day.year == year:
                        found.setdefault(day, []).append(name)
            days = {day: "; ".join(names) for day, names in found.items()}
            days.update({day: name for day, name in self.listed.items() if day.year == year})
            self._years[year] = dict(sorted(days.items()))
        return self._years[year]

    def observed_in(self, year: int) -> dict[date, str]:
        """Each yearly holiday of `year` on the day it is observed, named "X (observed)" when moved.

        Two holidays on one day make one holiday named by both, unless one of them says
        `if_taken`: it then moves to the nearest day before (or after) that is neither a closed
        weekday nor another holiday's day (Christmas Eve on Thursday when Christmas Day, on a
        Saturday, is observed on Friday the 24th).
        """
        falls = self.falls_in(year)
        days = self._observed_days(year)
        beside = {*self._observed_days(year - 1).values(), *self._observed_days(year + 1).values()}
        for holiday in self.yearly:
            if holiday.if_taken:
                others = {day for key, day in days.items() if key != holiday.key} | beside
                moved = days[holiday.key]
                while moved in others:
                    moved += timedelta(days=holiday.if_taken)
                    while moved.weekday() in self.closed:
                        moved += timedelta(days=holiday.if_taken)
                days[holiday.key] = moved
        observed: dict[date, str] = {}
        for holiday in self.yearly:
            moved = days[holiday.key]
            name = holiday.name + (OBSERVED if moved != falls[holiday.key] else "")
            observed[moved] = f"{observed[moved]}; {name}" if moved in observed else name
        return observed

    def _observed_days(self, year: int) -> dict[str, date]:
        """Each yearly holiday's observed day in `year` by its `observed` rule alone (no `if_taken` move)."""
        days = {}
        for key, day in self.falls_in(year).items():
            days[key] = day + timedelta(days=self._by_key[key].shifts.get(day.weekday(), 0))
        return days

    def falls_in(self, year: int) -> dict[str, date]:
        """Each yearly holiday's own day in `year` (before any observed day), by its key."""
        rules = {holiday.key: holiday.rule for holiday in self.yearly}
        falls: dict[str, date] = {}

        def fall(key: str, counting: tuple[str, ...]) -> date:
            if key not in falls:
                rule = rules[key]
                if "after" in rule:
                    if rule["after"] in counting or rule["after"] not in rules:
                        raise EvaluationError(f"yearly_holidays.{key}: after {rule['after']!r} is not another "
                                              "yearly holiday counted without a circle")
                    falls[key] = fall(str(rule["after"]), (*counting, key)) + timedelta(days=int(rule["days"]))
                else:
                    falls[key] = days_of_month(rule, year, int(rule["month"]))[0]
            return falls[key]

        for key in rules:
            fall(key, (key,))
        return falls


def city_calendar(doc: RuleDocument) -> CityCalendar:
    """The CityCalendar kept on this document instance."""
    return per_document(doc, "calendar", lambda: CityCalendar(doc))


@dataclass(frozen=True)
class CalendarResult:
    """A timeline (`steps`) or the answer for one date (`allowed`, `next_allowed`, `reasons`)."""

    rule: str
    version: date
    reference: str | None
    as_of: date
    steps: dict[str, date] | None = None
    details: dict[str, str] | None = None
    date: date | None = None
    action: str | None = None
    allowed: bool | None = None
    next_allowed: date | None = None
    reasons: list[str] = field(default_factory=list)
    recurring: str | None = None
    month: int | None = None
    holidays: dict[date, str] | None = None  # the holidays of one year (`{holidays: 2027}`)
    year: int | None = None

    def to_json(self) -> dict:
        """The result as `--json` prints it (dates ISO)."""
        if self.holidays is not None:
            out: dict[str, JsonValue] = {"year": self.year,
                                         "holidays": {day.isoformat(): name for day, name in self.holidays.items()}}
        elif self.recurring is not None:
            out = {"recurring": self.recurring, "from": self.date.isoformat(),
                                         "month": self.month, "falls_on": self.next_allowed.isoformat()}
        elif self.steps is not None:
            out = {"steps": {k: v.isoformat() for k, v in self.steps.items()},
                                   "details": dict(self.details or {})}
        else:
            out = {"date": self.date.isoformat(), "action": self.action, "allowed": self.allowed,
                   "next_allowed": self.next_allowed.isoformat() if self.next_allowed else None,
                   "reasons": list(self.reasons)}
        out.update(rule=self.rule, version=self.version.isoformat(), reference=self.reference,
                   as_of=self.as_of.isoformat())
        return out


def _fact_date(value: object) -> date:
    """The `date` fact: a date or an ISO string, in the years a calendar answers for."""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:40])
    except ValueError:
        raise FactError(f"date: {str(value)[:40]!r} is not a date (YYYY-MM-DD)") from None
    return _within_years("date", day)


def _degrees(doc: RuleDocument, facts: Facts, name: str, day: date) -> Decimal:
    """A forecast fact (forecast_low, forecast_high) in degrees Fahrenheit: needed when the calendar bars shut-offs
    by the forecast, a number from COLDEST to HOTTEST."""
    value = facts.get(name)
    if value is None:
        raise FactError(f"{name}: missing: {doc.id} bars shut-offs by the weather forecast, so whether {day.isoformat()} "
                        f"is a shut-off day needs its forecast (forecast_low and forecast_high, degrees Fahrenheit)")
    try:
        degrees = Decimal(str(value)[:20]) if not isinstance(value, bool) else None
    except ArithmeticError:
        degrees = None
    if degrees is None or not degrees.is_finite() or not COLDEST <= degrees <= HOTTEST:
        raise FactError(f"{name}: {str(value)[:40]!r} is not a temperature from {COLDEST} to {HOTTEST} (°F)")
    return degrees


def _within_years(name: str, day: date) -> date:
    """A fact's day within the years of `engine.rules.bounds`, or a FactError naming the fact."""
    if not bounds.FIRST_DATE <= day <= bounds.LAST_DATE:
        raise FactError(f"{name}: {day.isoformat()[:7] if name == 'period' else day.isoformat()} is outside the "
                        f"years {bounds.FIRST_DATE.year} to {bounds.LAST_DATE.year}")
    return day


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents | None = None) -> CalendarResult:
    """`{cycle, period}` -> the timeline; `{date, action}` -> allowed, next allowed day and reasons."""
    city = city_calendar(doc)
    if facts.get("cycle") is not None or facts.get("period") is not None:
        if facts.get("cycle") is None or facts.get("period") is None:
            raise FactError("cycle and period (YYYY-MM) are both needed for a timeline")
        steps, details, version = city.timeline(str(facts["cycle"]), str(facts["period"]))
        v = version.version
        return CalendarResult(doc.id, v.effective, v.reference, as_of, steps=steps, details=details)
    if facts.get("recurring") is not None:
        return _next_recurring(city, doc, facts, as_of)
    if facts.get("holidays") is not None:
        return _holidays_of_year(city, doc, facts["holidays"], as_of)
    if facts.get("date") is None:
        raise FactError("date: missing (or give cycle and period for a timeline, recurring for a recurring date, or "
                        "holidays (a year) for that year's holidays)")
    day, action = _fact_date(facts["date"]), facts.get("action") or "shutoff"
    reasons = city.why_not(day, action)
    if action == "shutoff" and city.needs_forecast(day):
        reasons += city.forecast_bars(day, *(_degrees(doc, facts, name, day) for name in FORECAST_FACTS))
    following = None
    if reasons:
        following = city.next_shutoff_day(day) if action == "shutoff" else city.next_office_day(day)
    v = city.version_on(day).version
    return CalendarResult(doc.id, v.effective, v.reference, as_of, date=day, action=action,
                          allowed=not reasons, next_allowed=following, reasons=reasons)


def _next_recurring(city: CityCalendar, doc: RuleDocument, facts: Facts, as_of: date) -> CalendarResult:
    """`{recurring: NAME, from: DATE, month: M}`: the first day on or after `from` (default: as_of) it falls on."""
    name = str(facts["recurring"])[:80]
    start = _fact_date(facts["from"]) if facts.get("from") is not None else as_of
    month, nth = facts.get("month"), facts.get("nth")
    if month is not None and (isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12):
        raise FactError(f"month: {str(month)[:20]!r} is not a month number from 1 to 12")
    if nth is not None and (isinstance(nth, bool) or not isinstance(nth, int) or not 1 <= abs(nth) <= 5
                            or month is None):
        raise FactError(f"nth: {str(nth)[:20]!r} is not 1 to 5 or -1 to -5 with a month (the first in May: "
                        "month 5, nth 1)")
    falls_on = city.next_recurring(name, start, month, nth)
    v = city.version_on(date(falls_on.year, falls_on.month, 1)).version
    return CalendarResult(doc.id, v.effective, v.reference, as_of, date=start, recurring=name, month=month,
                          next_allowed=falls_on)


def _holidays_of_year(city: CityCalendar, doc: RuleDocument, year: object, as_of: date) -> CalendarResult:
    """`{holidays: YEAR}`: every holiday of the year, listed and yearly, each by the version in force on its day."""
    first, last = bounds.FIRST_DATE.year, bounds.LAST_DATE.year
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
        raise FactError(f"holidays: {str(year)[:20]!r} is not a year from {first} to {last}")
    holidays = city.holidays_in(year)
    v = city.version_on(max(date(year, 1, 1), min(city.effective[0], date(year, 12, 31)))).version
    return CalendarResult(doc.id, v.effective, v.reference, as_of, holidays=holidays, year=year)
