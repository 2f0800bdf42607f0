"""kind: billing — how the billing run bills: which rate schedule each rate class pays, the due date
when there is no calendar, and the winter average a sewer charge reads.

A city has at most one such document, and the billing run needs it (engine.money.billing reads
the version in force on the bill date; the due date without a calendar, on the run's day).
Each version holds:

- `rate_schedules`: a mapping of rate class to the id of the schedule it is billed on;
- `due_without_calendar: {days: N}`: a bill is due N days after it is made when the city has
  no calendar (city-calendar) with a timeline for the cycle;
- `winter_average: {months: [..], within: {days: N}, places: P}`: the winter average a rate
  schedule reads (`winter_average_ccf`) is the mean use of the account's reads made in those
  months, from N days before the read (that day included) to the day before it, rounded
  half up to P decimals (0: whole units);
- `usage_history: {bills: N}` (optional, 12 when not given): a bill statement's chart of water
  use shows the account's last N bills (engine.statements.data);
- `calendar: ID` (optional): the calendar document whose cycle timelines give a run's bill and
  due dates (without it, or without a timeline for the cycle, `due_without_calendar` applies).

What use is held as high or low is the `meter-reads` document's (engine.reads.review); how a
first or final bill of a partial period is prorated is the rate schedule's `proration:` block.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from engine.rules import bounds
from engine.rules import versions as in_force
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import DocumentError
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.schema_blocks import JsonSchema, listing, mapping, whole
from engine.rules.types import Facts, JsonValue, YamlMapping
from engine.rules.wording import Term

KIND_NAME = "billing"
CLASS_NAME = "^[a-z][a-z0-9_]*$"
DOCUMENT_ID = "^[a-z0-9-]+$"


def version_keys() -> JsonSchema:
    """The keys of a billing version (all three required)."""
    days = mapping({"days": whole(1, bounds.MAX_DAYS)}, ("days",))
    return {
        "rate_schedules": {"type": "object", "minProperties": 1, "maxProperties": 50,
                           "propertyNames": {"pattern": CLASS_NAME,
                                             "description": "a rate class: lowercase letters, digits and _"},
                           "additionalProperties": {"type": "string", "pattern": DOCUMENT_ID,
                                                    "description": "the id of a schedule document"}},
        "due_without_calendar": mapping({"days": whole(0, bounds.MAX_DAYS)}, ("days",)),
        "winter_average": mapping({"months": {**listing(whole(1, 12), 12), "uniqueItems": True}, "within": days,
                                   "places": whole(0, 2)}, ("months", "within", "places")),
        "usage_history": mapping({"bills": whole(1, MOST_USAGE_BILLS)}, ("bills",)),
        "calendar": {"type": "string", "pattern": DOCUMENT_ID,
                     "description": "the id of the calendar document whose cycle timelines give the bill and due "
                                    "dates"},
    }


REQUIRED = ("rate_schedules", "due_without_calendar", "winter_average")
USAGE_BILLS = 12  # the bills a statement's chart of use shows when the version does not say
MOST_USAGE_BILLS = 36


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """Nothing beyond the schema: the schedules named are checked as references."""


def references(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """Each rate class names a schedule document; the calendar named, a calendar document."""
    for version in doc.versions:
        named = [(f"versions[{version.index}].rate_schedules.{rate_class}", target, "schedule")
                 for rate_class, target in (version.body.get("rate_schedules") or {}).items()]
        if version.body.get("calendar") is not None:
            named.append((f"versions[{version.index}].calendar", version.body["calendar"], "calendar"))
        for path, target, kind in named:
            if target not in known:
                yield DocumentError(doc.source, doc.line_of(path), path,
                                    f'no {kind} named "{target}" among the rule documents')
            elif known[target].kind != kind:
                yield DocumentError(doc.source, doc.line_of(path), path,
                                    f'"{target}" is a {known[target].kind}, not a {kind}')


@dataclass(frozen=True)
class BillingPolicy:
    """One version of the city's billing document, as the billing run uses it."""

    rate_schedules: Mapping[str, str]
    due_days: int
    winter_months: tuple[int, ...]
    winter_days: int
    winter_places: int
    rule: str
    version: date
    reference: str | None
    as_of: date
    usage_bills: int = USAGE_BILLS
    calendar: str | None = None  # the calendar whose cycle timelines give the bill and due dates

    @classmethod
    def of(cls, doc: RuleDocument, as_of: date) -> BillingPolicy:
        """The version in force on the day (NoVersionInForce when none is)."""
        version = in_force.version_in_force(doc, as_of)
        body = version.body
        return cls(dict(body["rate_schedules"]), int(body["due_without_calendar"]["days"]),
                   tuple(int(m) for m in body["winter_average"]["months"]), int(body["winter_average"]["within"]["days"]),
                   int(body["winter_average"]["places"]), doc.id, version.effective, version.reference, as_of,
                   int(body.get("usage_history", {}).get("bills", USAGE_BILLS)), body.get("calendar"))

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"rate_schedules": dict(self.rate_schedules), "due_without_calendar_days": self.due_days,
                "winter_months": list(self.winter_months), "winter_within_days": self.winter_days,
                "winter_places": self.winter_places, "usage_history_bills": self.usage_bills,
                "calendar": self.calendar, "rule": self.rule,
                "version": self.version.isoformat(), "reference": self.reference, "as_of": self.as_of.isoformat()}


def billing_document(documents) -> RuleDocument | None:
    """The city's billing document among these (at most one), or None."""
    return next((doc for doc in documents if doc.kind == KIND_NAME), None)


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> BillingPolicy:
    """The billing policy in force on the day."""
    return BillingPolicy.of(doc, as_of)


def month_words(months: list[int] | tuple[int, ...]) -> str:
    """'December, January, February'."""
    return ", ".join(calendar.month_name[int(m)] for m in months)


def policy_lines(shown: Shown) -> list[str]:
    """The policy in words."""
    classes = "; ".join(f"{name}: {schedule}" for name, schedule in shown["rate_schedules"].items())
    places = shown["winter_places"]
    return [f"  rate schedules: {classes}",
            f"  due without a calendar: {shown['due_without_calendar_days']} days after the bill",
            f"  winter average: reads of {month_words(shown['winter_months'])} in the "
            f"{shown['winter_within_days']} days before the read, rounded to "
            + ("whole units" if places == 0 else f"{places} decimals"),
            f"  a statement's chart of use: the last {shown['usage_history_bills']} bills"] + (
            [f"  bill and due dates: the cycle timelines of {shown['calendar']}"] if shown.get("calendar") else [])


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """Each figure of the version in words."""
    body = version.body
    found = [Term("Rate schedules", f"rate class {name}", schedule)
             for name, schedule in (body.get("rate_schedules") or {}).items()]
    if "due_without_calendar" in body:
        found.append(Term("Due date", "without a calendar", f"{body['due_without_calendar']['days']} days after "
                                                             "the bill"))
    if "winter_average" in body:
        winter = body["winter_average"]
        found += [Term("Winter average", "months", ", ".join(f"{calendar.month_name[int(m)]} ({m})"
                                                             for m in winter["months"])),
                  Term("Winter average", "window", f"the {winter['within']['days']} days before the read"),
                  Term("Winter average", "rounded to", f"{winter['places']} decimals"
                       + (" (whole units)" if winter["places"] == 0 else ""))]
    if "calendar" in body:
        found.append(Term("Bill and due dates", "calendar", f"the cycle timelines of {body['calendar']}"))
    if "usage_history" in body:
        found.append(Term("Bill statement", "chart of use", f"the last {body['usage_history']['bills']} bills"))
    return found


KIND = RuleKind(KIND_NAME, version_keys, REQUIRED, check_version, evaluate, policy_lines, references=references,
                takes_inputs=False, one_per_city=True, terms=terms)
