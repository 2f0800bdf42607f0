"""kind: calendar — office days, shut-off days, billing-cycle timelines and recurring dates (engine.rules.calendar).

Its versions hold closed weekdays, holidays, the days shut-offs are barred, billing cycles,
the timeline of each bill and named recurring dates (the first and third Monday of each month). A calendar declares no inputs. Beyond the schema: shut-off periods
that run forward, timeline steps built on earlier steps. Lint: holidays dated outside the
years their version is in force.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from engine.rules import calendar, wording
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.kinds.base import Finding, Period, RuleKind, Shown
from engine.rules.months import last_day_of_month
from engine.rules.schema_blocks import JsonSchema, bounded, date_text, days, listing, mapping, ref, text, whole
from engine.rules.types import Facts, YamlMapping
from engine.rules.wording import Term


def version_keys() -> JsonSchema:
    """The version keys of a calendar: closed days, holidays, shut-off bars, cycles, timeline, mailing day."""
    weekdays = {"type": "array", "uniqueItems": True, "maxItems": 7,
                "items": {"enum": list(calendar.WEEKDAYS),
                          "description": "a weekday: mon, tue, wed, thu, fri, sat or sun"}}
    holidays = {"if": {"type": "array"},
                "then": {**listing(ref("date"), 500, least=0), "uniqueItems": True},
                "else": {"type": "object", "propertyNames": date_text(), "additionalProperties": text(),
                         "maxProperties": 500}}
    period = mapping({"from": ref("date"), "to": ref("date"), "reason": text()}, ("from", "to"))
    degrees = bounded(calendar.COLDEST, calendar.HOTTEST, 1)  # degrees Fahrenheit
    step = mapping({"after": text(), "days": days(), "office_days": days(), "months": whole(1, 12),
                    "day": whole(1, 31), "roll": {"enum": ["office_day", "shutoff_day"]}}, ("after",))
    recurring = mapping({"every": {"enum": ["month", "year"], "description": "month: every month; year: once a "
                                   "year, in `month`"},
                         "month": whole(1, 12), "day": whole(1, 31), "weekdays": weekdays,
                         "nth": {**listing(whole(-5, 5), 5), "uniqueItems": True},
                         "roll": {"enum": ["office_day", "shutoff_day"]}}, ("every",))
    return {
        "closed_weekdays": weekdays,
        "holidays": holidays,
        "no_shutoff": mapping({"weekdays": weekdays, "before_holiday": {"type": "boolean"},
                               "periods": listing(period, 100, least=0),
                               "forecast": mapping({"low_at_most": degrees, "high_at_least": degrees},
                                                   minProperties=1)}),
        "cycles": {"type": "object", "minProperties": 1, "maxProperties": 50,
                   "additionalProperties": mapping({"bill_day": whole(1, 31)}, ("bill_day",))},
        "timeline": {"type": "object", "minProperties": 1, "maxProperties": 50, "additionalProperties": step},
        "mailing": mapping({"days": whole(0, 365), "office_days": whole(0, 365),
                            "roll": {"enum": ["office_day", "shutoff_day"]}}),
        "recurring": {"type": "object", "minProperties": 1, "maxProperties": 50,
                      "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,39}$"}, "additionalProperties": recurring},
    }


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """Open days left in every week; shut-off periods that run forward; timeline steps built on earlier steps."""
    closed = set(version.get("closed_weekdays", []))
    if len(closed) == len(calendar.WEEKDAYS):
        checks.error(f"{path}.closed_weekdays", "every weekday is closed: the office would never be open")
    elif closed | set(version.get("no_shutoff", {}).get("weekdays", [])) >= set(calendar.WEEKDAYS):
        checks.error(f"{path}.no_shutoff.weekdays", "with the closed weekdays, no weekday is left for shut-offs")
    for i, period in enumerate(version.get("no_shutoff", {}).get("periods", [])):
        if period["to"] < period["from"]:
            checks.error(f"{path}.no_shutoff.periods[{i}].to",
                         f"the period ends ({period['to']}) before it starts ({period['from']})")
    steps = ["bill"]
    for name, step in version.get("timeline", {}).items():
        step_path = f"{path}.timeline.{name}"
        if name == "bill":
            checks.error(step_path, "bill is the first step of every timeline and is not listed")
        elif step["after"] not in steps:
            checks.error(f"{step_path}.after",
                         f'no earlier step named "{step["after"]}" (earlier steps: {", ".join(steps)})')
        if "months" in step or "day" in step:
            if "day" not in step:
                checks.error(step_path, "a step counted in months names the day of that month (day: 5)")
            elif "months" not in step:
                checks.error(f"{step_path}.day", "day goes with months: the day of the month that many months later")
            elif "days" in step or "office_days" in step:
                checks.error(step_path, "a step has one of days, office_days or months with day")
        elif ("days" in step) == ("office_days" in step):
            both = ", not both" if "days" in step else ""
            checks.error(step_path, f"a step has either days or office_days{both}")
        steps.append(name)
    for name, rule in version.get("recurring", {}).items():
        check_recurring(checks, rule, f"{path}.recurring.{name}")
    mailing = version.get("mailing")
    if mailing is not None and ("days" in mailing) == ("office_days" in mailing):
        both = ", not both" if "days" in mailing else ""
        checks.error(f"{path}.mailing", f"mailing has either days or office_days{both}")


def check_recurring(checks: DocumentChecks, rule: YamlMapping, path: str) -> None:
    """A recurring date is a day of the month or nth weekdays; once a year names its month, monthly does not."""
    if ("day" in rule) == ("weekdays" in rule):
        checks.error(path, "a recurring date has either day (a day of the month) or weekdays with nth, not both"
                     if "day" in rule else "a recurring date has either day (a day of the month) or weekdays with nth")
    if ("weekdays" in rule) != ("nth" in rule):
        checks.error(path, "weekdays and nth go together: nth: [1, 3] is the first and third of each weekday")
    if 0 in rule.get("nth", []):
        checks.error(f"{path}.nth", "nth counts from 1 (the first) or from -1 (the last); 0 is neither")
    if rule["every"] == "year" and "month" not in rule:
        checks.error(path, "a date every year names its month (month: 5 for May)")
    if rule["every"] == "month" and "month" in rule:
        checks.error(f"{path}.month", "a date every month names no month; use every: year for one month a year")
    if rule["every"] == "year" and "month" in rule and "day" in rule and \
            int(rule["day"]) > last_day_of_month(2000, int(rule["month"])):  # 2000: February has its 29th
        checks.error(f"{path}.day", f"month {rule['month']} has no day {rule['day']} in any year")


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> calendar.CalendarResult:
    """A timeline, or whether a day is allowed for an action and why not."""
    return calendar.evaluate(doc, facts, as_of, library=library)


def calendar_lines(shown: Shown) -> list[str]:
    """A timeline's dates with how each was reached, or whether one date is allowed and why not."""
    if "recurring" in shown:
        month = f" in month {shown['month']}" if shown.get("month") else ""
        return [f"  {shown['recurring']}{month} on or after {shown['from']}: {shown['falls_on']}"]
    if "steps" in shown:
        details = shown.get("details") or {}
        return [f"  {step}: {day}" + (f"  ({details[step]})" if details.get(step) else "")
                for step, day in shown["steps"].items()]
    verdict = "allowed" if shown["allowed"] else f"not allowed; next allowed {shown['next_allowed']}"
    return [f"  {shown['action']} on {shown['date']}: {verdict}", *(f"    {why}" for why in shown["reasons"])]


def _in_force_years(doc: RuleDocument, version: Version) -> tuple[int, int | None]:
    """The first and last year a version is in force (last None: open-ended)."""
    later = [v.effective for v in doc.versions if v.effective > version.effective]
    return version.effective.year, (min(later) - timedelta(days=1)).year if later else None


def stray_holidays(doc: RuleDocument, version: Version, path: str) -> Iterator[Finding]:
    """Holidays dated outside the years their version is in force."""
    holidays = version.body.get("holidays", [])
    first, last = _in_force_years(doc, version)
    entries = holidays.items() if isinstance(holidays, dict) else ((day, None) for day in holidays)
    for i, (day, _name) in enumerate(entries):
        when = date.fromisoformat(day) if isinstance(day, str) else day
        if when.year < first or (last is not None and when.year > last):
            years = f"{first} on" if last is None else (f"{first}" if first == last else f"{first} to {last}")
            where = f"{path}.holidays.{day}" if isinstance(holidays, dict) else f"{path}.holidays[{i}]"
            yield where, f"holiday {when.isoformat()} is outside the years this version is in force ({years})"


# --- a version in words ------------------------------------------------------------------


def _weekdays(days: list[str]) -> str:
    """[sat, sun] -> Saturday, Sunday."""
    return ", ".join(calendar.WEEKDAY_NAMES[calendar.WEEKDAYS.index(day)] for day in days) or "none"


def counted(step: YamlMapping, start: str) -> str:
    """A timeline step or the mailing day in words: `21 days after bill, rolled to the next office day`."""
    if "months" in step:
        count = f"day {step['day']} of the month {step['months']} month{'s' * (step['months'] != 1)}"
    elif "office_days" in step:
        count = f"{step['office_days']} office day{'s' * (step['office_days'] != 1)}"
    else:
        count = f"{step['days']} day{'s' * (step['days'] != 1)}"
    roll = f", rolled to the next {calendar.ROLLS[step['roll']]}" if "roll" in step else ""
    return f"{count} after {start}{roll}"


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """Closed weekdays, each holiday, the days shut-offs are barred, the cycles, the timeline, the mailing day."""
    body = version.body
    found = []
    if "closed_weekdays" in body:
        found.append(Term("Office days", "closed on", _weekdays(body["closed_weekdays"])))
    holidays = body.get("holidays", [])
    entries = holidays.items() if isinstance(holidays, dict) else ((day, "holiday") for day in holidays)
    found += [Term("Holidays", wording.figure(day), str(name)) for day, name in entries]
    bars = body.get("no_shutoff", {})
    if "weekdays" in bars:
        found.append(Term("No shut-offs", "on", _weekdays(bars["weekdays"])))
    if "before_holiday" in bars:
        found.append(Term("No shut-offs", "on the office day before a holiday", wording.figure(bars["before_holiday"])))
    found += [Term("No shut-offs", f"{wording.figure(p['from'])} to {wording.figure(p['to'])}", p.get("reason", "yes"))
              for p in bars.get("periods", [])]
    forecast = bars.get("forecast", {})
    if "low_at_most" in forecast:
        found.append(Term("No shut-offs", "when the forecast low is at most", f"{forecast['low_at_most']}°F"))
    if "high_at_least" in forecast:
        found.append(Term("No shut-offs", "when the forecast high is at least", f"{forecast['high_at_least']}°F"))
    found += [Term("Billing cycles", f"cycle {name}", f"bill day {cycle['bill_day']}")
              for name, cycle in body.get("cycles", {}).items()]
    found += [Term("Timeline", step_name, counted(step, step["after"]))
              for step_name, step in body.get("timeline", {}).items()]
    if "mailing" in body:
        found.append(Term("Mailing", "notices mailed", counted(body["mailing"], "the night they are made")))
    found += [Term("Recurring dates", name, recurring_words(rule)) for name, rule in body.get("recurring", {}).items()]
    return found


def _nth(n: int) -> str:
    """1 -> first, -1 -> last, -2 -> second to last."""
    return wording.ordinal(n) if n > 0 else ("last" if n == -1 else f"{wording.ordinal(-n)} to last")


def recurring_words(rule: YamlMapping) -> str:
    """A recurring date in words: `every month, the first and third Monday, rolled to the next office day`."""
    when = "every month" if rule["every"] == "month" else f"every year in month {rule['month']}"
    if "day" in rule:
        which = f"day {rule['day']}"
    else:
        nths = [_nth(n) for n in rule.get("nth", [])]
        listed = " and ".join([", ".join(nths[:-1]), nths[-1]] if len(nths) > 1 else nths)
        which = f"the {listed} {_weekdays(rule.get('weekdays', []))}"
    roll = f", rolled to the next {calendar.ROLLS[rule['roll']]}" if "roll" in rule else ""
    return f"{when}, {which}{roll}"


KIND = RuleKind("calendar", version_keys, (), check_version, evaluate, calendar_lines, lint=stray_holidays,
                terms=terms, takes_inputs=False, folder="calendar")
