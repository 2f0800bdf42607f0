"""The values a `set:` action gives a case field: literals, dates from the calendar and deadlines, facts.

    {days: N}                                  N days after the step's day
    {from: FIELD, days: N}                     N days after the date in FIELD
    {calendar: ID, days: N, roll: shutoff_day} N days on, moved to the next allowed day
    {calendar: ID, office_days: N}             the Nth office day after the step's day
                                               (with roll: shutoff_day, then the next shut-off day)
    {calendar: ID, step: NAME}                 a step of the account's billing-cycle timeline
                                               (facts `cycle` and `period`)
    {calendar: ID, step: NAME, counted_from: STEP}
                                               the same, with the timeline's STEP taken on the day
                                               the step's notice is mailed: never a date before
                                               what the timeline's rules allow from that day
    {calendar: ID, office_days: N, counted_from: mailing}
                                               counted from the day the step's notice is mailed
                                               (the calendar's `mailing:`), not from the night
    {calendar: ID, days|office_days: N, from: FIELD}
                                               counted from the date in FIELD; N may be negative
                                               (10 office days before the hearing)
    {calendar: ID, next: NAME, month: M, nth: K, lead_days: N, from: FIELD}
                                               the first day the calendar's recurring date NAME
                                               falls on (in month M only, and only its Kth day
                                               there, when given), at least N days after the
                                               step's day (or FIELD's date)
    {deadline: ID, field: NAME}                a field of the deadline's result on the day
    {rule: ID, outcome: KEY}                   what the criteria's outcome gives for KEY on the day
    {fact: NAME}                               the fact's value on the day
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from engine.rules.calendar import CityCalendar, city_calendar
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.types import Facts, JsonValue, YamlMapping, YamlValue


def _as_date(value: object) -> date:
    """A date from a field or a result (ISO text or a date)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _note(consulted: list[dict[str, str]], rule_id: str, version: date) -> None:
    """Record a rule version the step consulted (once)."""
    entry = {"rule": rule_id, "version": version.isoformat()}
    if entry not in consulted:
        consulted.append(entry)


def calendar_value(rules: RuleLibrary, spec: YamlMapping, on: date, facts: Facts,
                   consulted: list[dict[str, str]], notes: list[str] | None = None) -> date:
    """A date counted on the city's calendar from the step's day, or a step of the billing-cycle timeline.

    With `counted_from`, the count starts on the day the step's notice is mailed; a timeline
    date that this moves is explained in `notes` (a re-dated case).
    """
    calendar = city_calendar(rules.get(spec["calendar"]))
    if "step" in spec:
        return _timeline_value(calendar, spec, on, facts, consulted, notes)
    start = calendar.mailing_day(on) if spec.get("counted_from") == "mailing" else on
    if "from" in spec:
        start = _date_field(facts, str(spec["from"]))
    if "next" in spec:
        earliest = start + timedelta(days=int(spec.get("lead_days", 0)))
        month = int(spec["month"]) if "month" in spec else None
        nth = int(spec["nth"]) if "nth" in spec else None
        day = calendar.next_recurring(str(spec["next"]), earliest, month, nth)
        _note(consulted, spec["calendar"], calendar.version_on(day).version.effective)
        return day
    if "office_days" in spec:
        day = calendar.add_office_days(start, int(spec["office_days"]))
    else:
        day = start + timedelta(days=int(spec["days"]))
    if "roll" in spec:
        day = calendar.roll(day, spec["roll"])
    _note(consulted, spec["calendar"], calendar.version_on(day).version.effective)
    return day


def _timeline_value(calendar: CityCalendar, spec: YamlMapping, on: date, facts: Facts,
                    consulted: list[dict[str, str]], notes: list[str] | None) -> date:
    """A step of the case's billing-cycle timeline, counted from the mailing day when `counted_from` says so."""
    for needed in ("cycle", "period"):
        if facts.get(needed) in (None, ""):
            raise EvaluationError(f"the timeline step {spec['step']} needs the case's {needed}")
    cycle, period, step = facts["cycle"], facts["period"], spec["step"]
    steps, details, version = calendar.timeline(cycle, period)
    if step not in steps:
        raise EvaluationError(f"{spec['calendar']} has no timeline step {step!r}")
    _note(consulted, spec["calendar"], version.version.effective)
    if "counted_from" not in spec:
        return steps[step]
    mailed = calendar.mailing_day(on)
    counted, _ = calendar.recount(steps, details, version, str(spec["counted_from"]), mailed)
    if counted[step] != steps[step] and notes is not None:
        notes.append(f"the timeline's {step} for {period} is {steps[step].isoformat()}; with its "
                     f"{spec['counted_from']} taken on {mailed.isoformat()} it is {counted[step].isoformat()}")
    return counted[step]


def deadline_value(rules: RuleLibrary, spec: YamlMapping, on: date, facts: Facts,
                   consulted: list[dict[str, str]]) -> JsonValue:
    """One field of the deadline's result on the day; `expires_on` is computed afresh from `issued_on`."""
    given = dict(facts)
    if spec["field"] == "expires_on":
        given.pop("expires_on", None)  # the end of a new term, not the one on file
    result = rules.evaluate(spec["deadline"], given, on).to_json()
    _note(consulted, spec["deadline"], _as_date(result["version"]))
    value = result.get(spec["field"])
    if spec["field"] == "next_reminder":
        value = value["date"] if value else None
    if spec["field"] in ("expires_on", "next_reminder") and value is not None:
        return _as_date(value)
    return value


def set_value(rules: RuleLibrary, value: YamlValue, on: date, facts: Facts,
              consulted: list[dict[str, str]], notes: list[str] | None = None) -> object:
    """The value a `set:` entry gives on the step's day, with the facts as they stand (re-datings in `notes`)."""
    if not isinstance(value, dict):
        return value
    if "calendar" in value:
        return calendar_value(rules, value, on, facts, consulted, notes)
    if "deadline" in value:
        return deadline_value(rules, value, on, facts, consulted)
    if "rule" in value:
        result = rules.evaluate(value["rule"], facts, on).to_json()
        _note(consulted, value["rule"], _as_date(result["version"]))
        found = (result.get("outcome") or {}).get(value["outcome"])
        if found is None:
            raise EvaluationError(f"{value['rule']} gives no {value['outcome']} for these facts")
        return found
    if "fact" in value:
        return facts.get(value["fact"])
    start = on if "from" not in value else _date_field(facts, str(value["from"]))
    return start + timedelta(days=int(Decimal(value["days"])))


def _date_field(facts: Facts, name: str) -> date:
    """The date in a case field (or fact) that a count starts from; an EvaluationError when it is not set."""
    start = facts.get(name)
    if start is None:
        raise EvaluationError(f"{name} is not set; cannot count days from it")
    return _as_date(start)
