"""kind: calendar — office days, shut-off days, billing-cycle timelines and recurring dates (engine.rules.calendar).

Its versions hold closed weekdays, holidays (dates, and yearly holidays with their observed
rule), the days shut-offs are barred, billing cycles, the timeline of each bill and named
recurring dates (the first and third Monday of each month). A calendar declares no inputs.
Beyond the schema: shut-off periods that run forward, timeline steps built on earlier steps,
yearly holidays that fall once every year and are counted without a circle. Lint: holidays
dated outside the years their version is in force, or that a yearly holiday already gives.
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
    month_day = {"type": "string", "pattern": r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                 "description": "a day of the year, MM-DD (12-15 is December 15)"}
    yearly_period = mapping({"from": month_day, "to": month_day, "reason": text()}, ("from", "to"))
    degrees = bounded(calendar.COLDEST, calendar.HOTTEST, 1)  # degrees Fahrenheit
    step = mapping({"after": text(), "days": days(), "office_days": days(), "months": whole(1, 12),
                    "day": whole(1, 31), "roll": {"enum": ["office_day", "shutoff_day"]}}, ("after",))
    nth = {**listing(whole(-5, 5), 5), "uniqueItems": True}
    recurring = mapping({"every": {"enum": ["month", "year"], "description": "month: every month; year: once a "
                                   "year, in `month`"},
                         "month": whole(1, 12), "day": whole(1, 31), "weekdays": weekdays, "nth": nth,
                         "roll": {"enum": ["office_day", "shutoff_day"]}}, ("every",))
    name = {"pattern": "^[a-z][a-z0-9_]{0,39}$",
            "description": "a name of lower-case letters, digits and _ (at most 40, starting with a letter)"}
    weekday = {"enum": list(calendar.WEEKDAYS), "description": "a weekday: mon, tue, wed, thu, fri, sat or sun"}
    observed = {"type": "object", "propertyNames": weekday, "additionalProperties": weekday, "maxProperties": 7,
                "description": "the weekday a holiday falling on a weekday is observed on: {sat: fri, sun: mon}"}
    yearly = mapping({"name": text(80), "month": whole(1, 12), "day": whole(1, 31), "weekdays": weekdays, "nth": nth,
                      "after": {"type": "string", **name}, "days": whole(-calendar.AFTER_DAYS, calendar.AFTER_DAYS),
                      "observed": observed,
                      "if_taken": {"enum": list(calendar.IF_TAKEN),
                                   "description": "where a holiday goes when its day is another yearly holiday's: "
                                                  "the office day before or after"}})
    return {
        "closed_weekdays": weekdays,
        "holidays": holidays,
        "no_shutoff": mapping({"weekdays": weekdays, "before_holiday": {"type": "boolean"},
                               "periods": listing(period, 100, least=0),
                               "every_year": listing(yearly_period, 20, least=0),
                               "forecast": mapping({"low_at_most": degrees, "high_at_least": degrees},
                                                   minProperties=1)}),
        "cycles": {"type": "object", "minProperties": 1, "maxProperties": 50,
                   "additionalProperties": mapping({"bill_day": whole(1, 31)}, ("bill_day",))},
        "timeline": {"type": "object", "minProperties": 1, "maxProperties": 50, "additionalProperties": step},
        "mailing": mapping({"days": whole(0, 365), "office_days": whole(0, 365),
                            "roll": {"enum": ["office_day", "shutoff_day"]}}),
        "recurring": {"type": "object", "minProperties": 1, "maxProperties": 50,
                      "propertyNames": name, "additionalProperties": recurring},
        "yearly_holidays": {"type": "object", "minProperties": 1, "maxProperties": calendar.YEARLY_HOLIDAY_LIMIT,
                            "propertyNames": name, "additionalProperties": yearly},
        "holidays_observed": observed,
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
    every_year = version.get("no_shutoff", {}).get("every_year", [])
    found = len(checks.errors)
    for i, period in enumerate(every_year):
        for end in ("from", "to"):
            month, day = calendar.month_day(str(period[end]))
            if month == 2 and day == 29:
                checks.error(f"{path}.no_shutoff.every_year[{i}].{end}",
                             "02-29 is not in every year: write 02-28 or 03-01")
            elif day > last_day_of_month(2001, month):
                checks.error(f"{path}.no_shutoff.every_year[{i}].{end}", f"month {month} has no day {day}")
    if every_year and len(checks.errors) == found:
        periods = [calendar.YearlyPeriod.read(period) for period in every_year]
        year = [date(2001, 1, 1) + timedelta(days=n) for n in range(365)]
        if all(any(period.holds(day) for period in periods) for day in year):
            checks.error(f"{path}.no_shutoff.every_year", "together these periods bar every day of the year: "
                                                          "no day would be left for shut-offs")
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
    yearly = version.get("yearly_holidays", {})
    for name, rule in yearly.items():
        check_yearly_holiday(checks, yearly, name, f"{path}.yearly_holidays.{name}")
    observed = [(f"{path}.holidays_observed", version.get("holidays_observed", {}))]
    observed += [(f"{path}.yearly_holidays.{name}.observed", rule["observed"])
                 for name, rule in yearly.items() if "observed" in rule]
    for where, rule in observed:
        for falls, kept in rule.items():
            if falls == kept:
                checks.error(f"{where}.{falls}", f"{falls}: {kept} keeps the holiday on its own day; leave {falls} out")
    mailing = version.get("mailing")
    if mailing is not None and ("days" in mailing) == ("office_days" in mailing):
        both = ", not both" if "days" in mailing else ""
        checks.error(f"{path}.mailing", f"mailing has either days or office_days{both}")


def check_day_rule(checks: DocumentChecks, rule: YamlMapping, path: str, what: str) -> None:
    """A day of the month (in a month that has it) or nth weekdays: a recurring date's rule, a yearly holiday's."""
    if ("day" in rule) == ("weekdays" in rule):
        checks.error(path, f"{what} has either day (a day of the month) or weekdays with nth, not both"
                     if "day" in rule else f"{what} has either day (a day of the month) or weekdays with nth")
    if ("weekdays" in rule) != ("nth" in rule):
        checks.error(path, "weekdays and nth go together: nth: [1, 3] is the first and third of each weekday")
    if 0 in rule.get("nth", []):
        checks.error(f"{path}.nth", "nth counts from 1 (the first) or from -1 (the last); 0 is neither")
    if rule.get("every", "year") == "year" and "month" in rule and "day" in rule and \
            int(rule["day"]) > last_day_of_month(2000, int(rule["month"])):  # 2000: February has its 29th
        checks.error(f"{path}.day", f"month {rule['month']} has no day {rule['day']} in any year")


def check_recurring(checks: DocumentChecks, rule: YamlMapping, path: str) -> None:
    """A recurring date is a day of the month or nth weekdays; once a year names its month, monthly does not."""
    check_day_rule(checks, rule, path, "a recurring date")
    if rule["every"] == "year" and "month" not in rule:
        checks.error(path, "a date every year names its month (month: 5 for May)")
    if rule["every"] == "month" and "month" in rule:
        checks.error(f"{path}.month", "a date every month names no month; use every: year for one month a year")


def check_yearly_holiday(checks: DocumentChecks, yearly: YamlMapping, name: str, path: str) -> None:
    """A yearly holiday is one day a year: a day of its month, the nth weekday of its month (one weekday, one nth,
    1 to 4 from either end so that every year has it), or days after another yearly holiday, counted without a
    circle."""
    rule = yearly[name]
    if "after" in rule:
        others = [key for key in ("month", "day", "weekdays", "nth") if key in rule]
        if others:
            checks.error(path, f"a holiday counted from another (after) names no {', '.join(others)}")
        if "days" not in rule:
            checks.error(path, "after goes with days: {after: thanksgiving, days: 1} is the day after Thanksgiving")
        elif rule["days"] == 0:
            checks.error(f"{path}.days", f"days: 0 is the day of {rule['after']} itself; count at least one day")
        circle, after = [name], rule["after"]
        while after in yearly and after not in circle and "after" in yearly[after]:
            circle.append(after)
            after = yearly[after]["after"]
        if rule["after"] == name:
            checks.error(f"{path}.after", f"{name} cannot be counted from itself")
        elif rule["after"] not in yearly:
            checks.error(f"{path}.after", f'no yearly holiday named "{rule["after"]}" (this version\'s yearly '
                         f'holidays: {", ".join(key for key in yearly if key != name)})')
        elif after == name:
            checks.error(f"{path}.after", f"the holidays are counted from each other in a circle: "
                         f"{' -> '.join([*circle, name])}")
        return
    if "days" in rule:
        checks.error(f"{path}.days", "days goes with after: the days counted from another yearly holiday")
    if "month" not in rule:
        checks.error(path, "a yearly holiday names its month (month: 7 for July), or the holiday it is counted "
                     "from (after: thanksgiving, days: 1)")
    check_day_rule(checks, rule, path, "a yearly holiday")
    if len(rule.get("weekdays", [])) > 1 or len(rule.get("nth", [])) > 1:
        checks.error(path, "a yearly holiday is one day a year: one weekday and one nth (weekdays: [mon], "
                     "nth: [3] is the third Monday)")
    for n in rule.get("nth", []):
        if abs(n) == 5:
            checks.error(f"{path}.nth", f"nth {n}: not every month has a {'fifth' if n > 0 else 'fifth to last'} "
                         "of a weekday; a holiday every year is 1 to 4 (the first to the fourth) or -1 to -4 "
                         "(the last to the fourth to last)")


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> calendar.CalendarResult:
    """A timeline, or whether a day is allowed for an action and why not."""
    return calendar.evaluate(doc, facts, as_of, library=library)


def calendar_lines(shown: Shown) -> list[str]:
    """A timeline's dates with how each was reached, or whether one date is allowed and why not."""
    if "holidays" in shown:
        listed = [f"    {day} {date.fromisoformat(day).strftime('%a')}  {name}"
                  for day, name in shown["holidays"].items()]
        return [f"  holidays of {shown['year']}: {len(listed)}", *listed]
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
    """Holidays dated outside the years their version is in force, and dates listed that a yearly holiday of the
    same version already gives (the listed name is the one shown)."""
    holidays = version.body.get("holidays", [])
    first, last = _in_force_years(doc, version)
    yearly = calendar.Holidays.of_version({key: version.body[key] for key in
                                           ("yearly_holidays", "holidays_observed", "closed_weekdays")
                                           if key in version.body})
    entries = holidays.items() if isinstance(holidays, dict) else ((day, None) for day in holidays)
    for i, (day, _name) in enumerate(entries):
        when = date.fromisoformat(day) if isinstance(day, str) else day
        where = f"{path}.holidays.{day}" if isinstance(holidays, dict) else f"{path}.holidays[{i}]"
        if when.year < first or (last is not None and when.year > last):
            years = f"{first} on" if last is None else (f"{first}" if first == last else f"{first} to {last}")
            yield where, f"holiday {when.isoformat()} is outside the years this version is in force ({years})"
        elif (also := yearly.on(when)) is not None:
            yield where, (f"holiday {when.isoformat()} is also a yearly holiday of this version ({also}); "
                          "the name listed here is the one shown")


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
    found += [Term("No shut-offs", f"every year, {month_day_words(p['from'])} to {month_day_words(p['to'])}",
                   p.get("reason", "yes")) for p in bars.get("every_year", [])]
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
    if "holidays_observed" in body:
        found.append(Term("Yearly holidays", "observed", observed_words(body["holidays_observed"])))
    yearly = body.get("yearly_holidays", {})
    found += [Term("Yearly holidays", holiday_name(yearly, key), holiday_rule_words(rule, yearly), key=key)
              for key, rule in yearly.items()]
    return found


def _nth(n: int) -> str:
    """1 -> first, -1 -> last, -2 -> second to last."""
    return wording.ordinal(n) if n > 0 else ("last" if n == -1 else f"{wording.ordinal(-n)} to last")


def _which_days(rule: YamlMapping) -> str:
    """A day rule in words: `day 10`, `the first and third Monday`."""
    if "day" in rule:
        return f"day {rule['day']}"
    nths = [_nth(n) for n in rule.get("nth", [])]
    listed = " and ".join([", ".join(nths[:-1]), nths[-1]] if len(nths) > 1 else nths)
    return f"the {listed} {_weekdays(rule.get('weekdays', []))}"


def recurring_words(rule: YamlMapping) -> str:
    """A recurring date in words: `every month, the first and third Monday, rolled to the next office day`."""
    when = "every month" if rule["every"] == "month" else f"every year in month {rule['month']}"
    roll = f", rolled to the next {calendar.ROLLS[rule['roll']]}" if "roll" in rule else ""
    return f"{when}, {_which_days(rule)}{roll}"


def observed_words(observed: YamlMapping) -> str:
    """An `observed` rule in words: `on a Saturday: the Friday before; on a Sunday: the Monday after`."""
    if not observed:
        return "on its own day, whatever the weekday"
    shifts = calendar.observed_shift(observed)
    return "; ".join(f"on a {_weekdays([falls])}: the {_weekdays([kept])} "
                     f"{'before' if shifts[calendar.WEEKDAYS.index(falls)] < 0 else 'after'}"
                     for falls, kept in observed.items())


def holiday_name(yearly: YamlMapping, key: str) -> str:
    """A yearly holiday's name: its `name`, else its key in words."""
    rule = yearly.get(key) or {}
    return str(rule.get("name") or calendar.holiday_words(key))


def month_day_words(text: str) -> str:
    """"12-15" in words: December 15."""
    month, day = calendar.month_day(str(text))
    return f"{date(2000, month, 1).strftime('%B')} {day}"


def holiday_rule_words(rule: YamlMapping, yearly: YamlMapping) -> str:
    """A yearly holiday in words: `the fourth Thursday of November`, `1 day after Thanksgiving Day`."""
    if "after" in rule:
        days = int(rule["days"])
        when = (f"{abs(days)} day{'s' * (abs(days) != 1)} {'after' if days > 0 else 'before'} "
                f"{holiday_name(yearly, rule['after'])}")
    else:
        month = date(2000, int(rule["month"]), 1).strftime("%B")
        when = f"{month} {rule['day']}" if "day" in rule else f"{_which_days(rule)} of {month}"
    when += f"; observed {observed_words(rule['observed'])}" if "observed" in rule else ""
    return when + (f"; on the office day {rule['if_taken']} when another holiday takes its day"
                   if "if_taken" in rule else "")


KIND = RuleKind("calendar", version_keys, (), check_version, evaluate, calendar_lines, lint=stray_holidays,
                terms=terms, takes_inputs=False, folder="calendar")
