"""kind: deadline — renewals and expiries: status on a day, reminders, grace, penalty (engine.rules.deadline).

Its versions hold a term, reminders, grace, a late penalty (a schedule), a lapse and the
calendar grace ends on. A deadline reads expires_on or issued_on, as dates; without an
expires_on input each version needs a term. It names other documents: its calendar, and its
penalty schedule, whose required inputs it must be able to give. Its header may list the
`license_types` it governs: a license's renewal facts come from the deadline that lists the
license's type (engine.workflow.facts.renewal_deadline), and `license_names` what each of those
types is called on its certificate and letters (engine.workflow.facts.license_type_name).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date

from engine.rules import bounds, deadline
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import DocumentError
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.kinds.schedule import bill_lines
from engine.rules.schema_blocks import JsonSchema, days, listing, mapping, text, whole
from engine.rules.types import Facts, YamlMapping
from engine.rules.wording import Term

PENALTY_FACTS = ("days_late", "months_late")  # what a deadline adds for its penalty schedule


LICENSE_TYPE = "^[a-z][a-z0-9_]{0,31}$"  # fits licenses.license_type (32 characters)


def header_keys() -> JsonSchema:
    """The header keys of a deadline: the license types whose renewals it governs (none: no license's), and the
    name each is printed with."""
    return {"license_types": {**listing({"type": "string", "pattern": LICENSE_TYPE,
                                         "description": "a license type: lowercase letters, digits and _"}, 20),
                              "uniqueItems": True},
            "license_names": {"type": "object", "maxProperties": 20,
                              "propertyNames": {"pattern": LICENSE_TYPE},
                              "additionalProperties": {**text(), "maxLength": 80,
                                                       "description": "the license's name as a certificate prints it"}}}


def version_keys() -> JsonSchema:
    """The version keys of a deadline: term, reminders, grace, penalty, lapse, calendar."""
    term = {"if": {"required": ["every"]},
            "then": mapping({"every": {"enum": ["year"]},
                             "date": {"type": "string", "pattern": r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                                      "description": "a day of the year, MM-DD"}}, ("every", "date")),
            "else": mapping({"months": whole(1, bounds.MAX_MONTHS), "ends": {"enum": ["month_end"],
                             "description": "month_end (the last day of the month the term ends in)"}}, ("months",))}
    return {
        "calendar": text(),
        "term": term,
        "reminders": listing(mapping({"days_before": days(), "notice": text()}, ("days_before", "notice")), 20,
                             least=0),
        "grace": mapping({"days": days()}, ("days",)),
        "late_penalty": mapping({"schedule": text()}, ("schedule",)),
        "lapse": mapping({"days_after": days(), "notice": text()}, ("days_after",)),
    }


def check_inputs(checks: DocumentChecks) -> None:
    """A deadline declares expires_on or issued_on, as dates."""
    for name in ("issued_on", "expires_on"):
        if name in checks.inputs and checks.inputs[name]["type"] != "date":
            checks.error(f"inputs.{name}.type", f"{name} is a date input of every deadline")
    if "expires_on" not in checks.inputs and "issued_on" not in checks.inputs:
        checks.error("inputs", "a deadline reads expires_on or issued_on; declare at least one as a date input")


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """A deadline version can compute the expiry: an expires_on input, or a term."""
    if "issued_on" in checks.inputs and "expires_on" not in checks.inputs and "term" not in version:
        checks.error(path, "without an expires_on input, a term is needed to compute the expiry from issued_on")
    day = version.get("term", {}).get("date")
    if isinstance(day, str) and not _a_day_of_some_year(day):
        checks.error(f"{path}.term.date", f"{day} is not a day of the year (February has at most 29 days; April, "
                                          "June, September and November 30)")


def _a_day_of_some_year(month_day: str) -> bool:
    """Whether MM-DD is a day of a leap year (02-29 is; 02-30 and 04-31 are not)."""
    try:
        date.fromisoformat(f"2000-{month_day}")
    except ValueError:
        return False
    return True


# --- references to other documents --------------------------------------------------------


def references(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """The errors of a deadline's references: its calendar, and its penalty schedule and that one's inputs."""
    for version in doc.versions:
        path = f"versions[{version.index}]"
        if "calendar" in version.body:
            yield from _refers(doc, known, version.body["calendar"], "calendar", f"{path}.calendar")
        if "late_penalty" in version.body:
            target = version.body["late_penalty"]["schedule"]
            where = f"{path}.late_penalty.schedule"
            found = list(_refers(doc, known, target, "schedule", where))
            yield from found or _penalty_inputs(doc, known[target], where)


def _refers(doc: RuleDocument, known: Mapping[str, RuleDocument], target: str, kind: str,
            path: str) -> Iterator[DocumentError]:
    """An error if `target` is not a document of `kind`."""
    line = doc.line_of(path)
    if target not in known:
        yield DocumentError(doc.source, line, path, f'no {kind} named "{target}" among the rule documents')
    elif known[target].kind != kind:
        yield DocumentError(doc.source, line, path, f'"{target}" is a {known[target].kind}, not a {kind}')


def _penalty_inputs(doc: RuleDocument, schedule: RuleDocument, path: str) -> Iterator[DocumentError]:
    """An error for each required input of the penalty schedule the deadline cannot give it."""
    for name, spec in schedule.inputs.items():
        if spec.required and not spec.has_default and name not in doc.inputs and name not in PENALTY_FACTS:
            yield DocumentError(doc.source, doc.line_of(path), path,
                                f"{schedule.id} reads {name}, which {doc.id} does not declare")


def penalty_schedules(documents: Iterable[RuleDocument]) -> set[str]:
    """Schedules that deadlines use as late penalties (not a license's own fee)."""
    found = set()
    for doc in documents:
        if doc.kind == "deadline":
            found |= {v.body["late_penalty"]["schedule"] for v in doc.versions if "late_penalty" in v.body}
    return found


# --- evaluating, explaining, lint ------------------------------------------------------------


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> deadline.DeadlineResult:
    """Where the renewal stands on the day, and the penalty for lateness."""
    return deadline.evaluate(doc, facts, as_of, library=library)


def deadline_lines(shown: Shown) -> list[str]:
    """Expiry, status, lateness, the next reminder and the penalty with its lines."""
    reminder = shown.get("next_reminder")
    lines = [f"  expires on: {shown['expires_on']}", f"  status: {shown['status']}",
             f"  late: {shown['days_late']} days, {shown['months_late']} started months",
             "  next reminder: " + (f"{reminder['date']} ({reminder['notice']})" if reminder else "none")]
    lines += [f"  {key.replace('_', ' ')}: {shown[key]}" for key in ("grace_ends", "lapses_on") if shown.get(key)]
    penalty = shown.get("penalty")
    if penalty is None:
        return lines + ["  penalty: none"]
    return lines + [f"  penalty ({penalty['rule']}):"] + bill_lines(penalty, indent="    ")


def facts_read(doc: RuleDocument, version: Version, others: Mapping[str, RuleDocument]) -> Iterable[str]:
    """The dates a deadline reads, and every input of its penalty schedule."""
    penalty = others.get(version.body.get("late_penalty", {}).get("schedule", ""))
    return {"issued_on", "expires_on", *(penalty.inputs if penalty is not None else ())}


# --- a version in words ------------------------------------------------------------------


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """The term, each reminder, the grace, the late penalty, the lapse and the calendar."""
    body, group = version.body, "Renewal"
    found = []
    if "term" in body:
        term = body["term"]
        every = f"every year on {term['date']}" if "every" in term else f"{term['months']} months after issued_on" + (
            ", to the end of that month" if term.get("ends") == "month_end" else "")
        found.append(Term(group, "expires", every))
    found += [Term("Reminders", reminder["notice"], f"{reminder['days_before']} days before expiry")
              for reminder in body.get("reminders", [])]
    if "grace" in body:
        found.append(Term(group, "grace", f"{body['grace']['days']} days after expiry"))
    if "calendar" in body:
        found.append(Term(group, "a grace ending on a closed day runs to the next office day of", body["calendar"]))
    if "late_penalty" in body:
        found.append(Term(group, "late penalty", f"the schedule {body['late_penalty']['schedule']}"))
    if "lapse" in body:
        lapse = body["lapse"]
        notice = f", notice {lapse['notice']}" if "notice" in lapse else ""
        found.append(Term(group, "lapses", f"{lapse['days_after']} days after expiry{notice}"))
    return found


KIND = RuleKind("deadline", version_keys, (), check_version, evaluate, deadline_lines, check_document=check_inputs,
                references=references, facts_read=facts_read, terms=terms, header_keys=header_keys)
