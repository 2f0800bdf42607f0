"""Checking a workflow definition read from YAML, part by part, collecting every error with its line and path.

`DefinitionReader(data, source, lines, rules).run()` gives the Workflow, or None with
`errors` filled: unknown keys, an id or title longer than the rule store keeps (the same words
wherever a definition comes in: a folder, `ordinance workflows validate` and `import`, the draft
page), unknown states, transitions out of final states, rules that
do not exist or are of the wrong kind, unknown notices, form field types and roles, `due:`
fields that no step sets, guards over facts the subject does not have.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from collections.abc import Collection, Iterable, Mapping

from engine.rules import bounds
from engine.rules.conditions import Condition
from engine.rules.document import InputSpec
from engine.rules.kinds.sweep import SHUTOFF_LIST, fed, sweep_tags
from engine.rules.errors import DocumentError, EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.messages import describe, line_at, quoted
from engine.rules.types import YamlMapping, YamlValue
from engine.store.models import ROLES, WorkflowVersion
from engine.workflow.actions import ACTIONS, agree_plan
from engine.workflow.facts import SUBJECT_FACTS, WRITABLE, Fact, subject_facts
from engine.workflow.forms import FIELD_TYPES, FormField
from engine.workflow.selectors import Selector, chosen_by_any
from engine.workflow.model import (ANY_STATE, DAY_KINDS, NAME, PLACEHOLDER, STATE_TAGS,
                                   WORKFLOW_ID, WORKFLOW_TAGS, Action, AllGuards, AllowedDay, RuleOutcome, RuleGuard, Says, State,
                                   Transition, Workflow, notice_of)

TOP_KEYS = ("id", "title", "subject", "version", "effective", "initial", "states", "transitions", "description",
            "opening", "tags", "labels")
LABEL_KEYS = ("label", "says")
REQUIRED_TOP = ("id", "title", "subject", "version", "initial", "states", "transitions")
STATE_KEYS = ("label", "final", "tags")
TRANSITION_KEYS = ("id", "label", "from", "to", "by", "roles", "when", "says", "due", "requires_paid",
                   "requires_sent", "requires_left_out", "not_by", "distinct_from", "form", "actions", "field_list")
FIELD_LIST_LENGTH = 80
# the longest id and title the rule store keeps (its columns): a definition longer is refused wherever it comes in
STORE_LIMITS = {key: WorkflowVersion.__table__.c[column].type.length
                for key, column in (("id", "workflow_id"), ("title", "title"))}
OPENING_KEYS = ("when", "says")
DUE_KEYS = ("field", "calendar", "allowed")
FIELD_KEYS = ("name", "label", "type", "required", "min", "max", "choices")
BY = ("staff", "sweep")
ROLLS = tuple(DAY_KINDS)
MAILING = "mailing"  # counted_from: mailing, the day the calendar says a night's notices are mailed
DEADLINE_FIELDS = {"expires_on": "date", "status": "text", "days_late": "integer", "months_late": "integer",
                   "next_reminder": "date"}


def _outcome_type(rules: RuleLibrary, outcome: RuleOutcome) -> str | None:
    """The type of the values a criteria gives for one outcome key (number, boolean or text)."""
    for version in rules.get(outcome.rule).versions:
        for rule in version.body.get("rules", []):
            value = (rule.get("then") or {}).get(outcome.outcome)
            if value is not None:
                return "boolean" if isinstance(value, bool) else "number" if isinstance(value, Decimal) else "text"
    return None


MOST_WHOLE_DIGITS = 15  # a version, a count of days, a form limit: far below it; 1e999999999 far above


def _is_int(value: object) -> bool:
    """A whole number as YAML gives it, of at most 15 digits (so int() of it is instant: 1e999999999 is not one).

    Its size is read from its exponent (`adjusted`) before any arithmetic, which would overflow.
    """
    return (isinstance(value, Decimal) and value.is_finite() and value.adjusted() < MOST_WHOLE_DIGITS
            and value == value.to_integral_value())


MOST_DAYS = 3650  # a count of days in a workflow, either way: ten years, as a calendar's timeline step


def _is_days(value: object) -> bool:
    """A whole number of days of at most ten years either way (so adding it to a date never runs off the calendar)."""
    return _is_int(value) and abs(value) <= MOST_DAYS


DAYS_WORDS = f"a whole number of days (at most {MOST_DAYS:,} either way)"


class DefinitionReader:
    """One definition being read: collects every error, then builds the Workflow."""

    def __init__(self, data: YamlMapping, source: str, lines: dict[str, int], rules: RuleLibrary,
                 approval_roles: Collection[str] | None = frozenset(), stored: bool = False) -> None:
        """Hold the data, its line map, the rule library and the city's approval roles to check references against
        (None: not known, as when files are checked without the city's database; any role is taken). A `stored`
        revision is read from the store itself, so the store's lengths are not checked again: one kept before they
        were (an import on SQLite, which keeps longer text) is read as it was kept."""
        self.data, self.source, self.lines, self.rules = data, source, lines, rules
        self.stored = stored
        self.approval_roles = frozenset(approval_roles) if approval_roles is not None else None
        self.errors: list[DocumentError] = []
        self.field_types: dict[str, str] = {}
        self.set_fields: set[str] = set()
        self.fees_charged: set[str] = set()  # the schedules some step's `fee:` charges
        self.notices_made: set[str] = set()  # the notice types some step's `notice:` or `notice_occupants:` makes

    @property
    def subject(self) -> str:
        """The subject type the workflow's cases are about."""
        return str(self.data["subject"])

    def error(self, path: str, message: str) -> None:
        """Record one error at a path."""
        self.errors.append(DocumentError(self.source, line_at(self.lines, path), path, message))

    def keys(self, mapping: Mapping[str, object], allowed: tuple[str, ...], path: str, what: str) -> None:
        """An error for each key not among `allowed`."""
        for key in mapping:
            if key not in allowed:
                self.error(f"{path}.{key}" if path else key,
                           f'unknown key "{key}" in {what}; allowed: {", ".join(allowed)}')

    def rule(self, path: str, rule_id: object, kind: str | None) -> bool:
        """Whether `rule_id` names a rule document of `kind` (None: of any kind); an error if not."""
        if not isinstance(rule_id, str) or rule_id not in self.rules:
            self.error(path, f"no rule document named {rule_id!r} among the rules")
            return False
        found = self.rules.get(rule_id).kind
        if kind is not None and found != kind:
            self.error(path, f'"{rule_id}" is a {found}, not a {kind}')
            return False
        return True

    # -- the whole document ------------------------------------------------------------

    def check_numbers(self, value: YamlValue, path: str, told: Collection[str] = ()) -> None:
        """Every number the definition writes (a `when:` threshold, a field's min or max, a count) within the bounds a
        rule document's numbers keep: finite, at most MAX_DIGITS significant digits and NUMBER_PLACES decimals, below
        NUMBER_LIMIT either way (the reader has already refused a number written with more than 40 characters). A path
        `told` of an error already (a version, a count of days) is not told again."""
        if isinstance(value, Mapping):
            for key, item in value.items():
                self.check_numbers(item, f"{path}.{key}" if path else str(key), told)
        elif isinstance(value, list):
            for k, item in enumerate(value):
                self.check_numbers(item, f"{path}[{k}]", told)
        elif path in told:
            return
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            number = Decimal(value)
            # its size read from its exponent before any arithmetic (abs() of 1e999999999 overflows)
            if not number.is_finite() or number.adjusted() >= bounds.NUMBER_LIMIT.adjusted() \
                    or bounds.significant_digits(number) > bounds.MAX_DIGITS \
                    or bounds.decimals(number) > bounds.NUMBER_PLACES:
                shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:12]}… ({len(str(value))} characters)"
                self.error(path, f"the number {shown} is out of range: a number in a workflow has at most "
                                 f"{bounds.MAX_DIGITS} significant digits and {bounds.NUMBER_PLACES} decimals, and "
                                 f"stays below {bounds.NUMBER_LIMIT:,} either way")

    def run(self) -> Workflow | None:
        """Check everything; the Workflow, or None with errors recorded."""
        data = self.data
        self.keys(data, TOP_KEYS, "", "a workflow")
        for key in REQUIRED_TOP:
            if key not in data:
                self.error("", f'missing required key "{key}"')
        if self.errors:
            return None
        self.check_header()
        tags = self.read_tags(data.get("tags", []), "tags", WORKFLOW_TAGS, "workflow")
        states = self.read_states(data["states"])
        if states is None:
            return None
        if data["initial"] not in states:
            self.error("initial", f'unknown state "{data["initial"]}"; states: {", ".join(states)}')
        elif states[data["initial"]].final:
            self.error("initial", f'"{data["initial"]}" is a final state; a case could never leave it')
        if not isinstance(data["transitions"], list):
            self.error("transitions", "expected a list of transitions")
            return None
        raw = [(i, t) for i, t in enumerate(data["transitions"])]
        self.collect_fields(raw)
        transitions = [self.read_transition(i, t, states) for i, t in raw]
        opening = self.read_opening(data["opening"], str(data["initial"])) if "opening" in data else None
        self.check_shutoff_tags(states, [t for t in transitions if t is not None], tags)
        labels = self.read_labels(data.get("labels", {}))
        self.check_numbers(data, "", {error.path for error in self.errors})
        if self.errors:
            return None
        return Workflow(id=data["id"], title=data["title"], subject=data["subject"], version=int(data["version"]),
                        effective=data.get("effective"), initial=data["initial"], states=states,
                        transitions=tuple(transitions),
                        field_types=dict(self.field_types), opening=opening, source=self.source,
                        description=data.get("description") or "", lines=dict(self.lines), tags=tags,
                        labels=labels)

    def check_header(self) -> None:
        """id, title, subject, version and the day the version takes effect."""
        data = self.data
        if not isinstance(data["id"], str) or not WORKFLOW_ID.match(data["id"]):
            self.error("id", "an id is lower-case letters, digits and -")
        if not isinstance(data["title"], str) or not data["title"].strip():
            self.error("title", "a title is text")
        for key, limit in () if self.stored else STORE_LIMITS.items():
            if isinstance(data[key], str) and len(data[key]) > limit:
                self.error(key, f"longer than the {limit} characters the store keeps")
        if data["subject"] not in SUBJECT_FACTS:
            self.error("subject", f"unknown subject {describe(data['subject'])}; one of {', '.join(SUBJECT_FACTS)}")
        if not _is_int(data["version"]) or data["version"] < 1:
            self.error("version", f"a version is a whole number from 1, not {describe(data['version'])}")
        if "effective" in data and type(data["effective"]) is not date:
            self.error("effective",
                       f"the day this version opens new cases, YYYY-MM-DD, not {describe(data['effective'])}")

    def read_labels(self, raw: YamlValue) -> dict[str, tuple[str, str]]:
        """`labels: {FIELD: {label: WORDS, says: SENTENCE}}`: what the case pages call a case field and say of it."""
        if not isinstance(raw, dict):
            self.error("labels", "labels is a mapping of case fields, e.g. "
                                 "{shutoff_on: {label: Shut-off day, says: ..}}")
            return {}
        labels = {}
        for name, entry in raw.items():
            path = f"labels.{name}"
            if name not in self.field_types:
                self.error(path, f"{quoted(name)} is not a case field of this workflow (a form field, a set: field or "
                                 "a case fact of its subject)")
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) or not entry["label"].strip():
                self.error(path, "expected {label: WORDS, says: SENTENCE}")
                continue
            self.keys(entry, LABEL_KEYS, path, "a label")
            says = entry.get("says", "")
            if not isinstance(says, str):
                self.error(f"{path}.says", "says is a sentence")
                continue
            labels[str(name)] = (entry["label"].strip(), says.strip())
        return labels

    def read_tags(self, raw: YamlValue, path: str, known: Mapping[str, str], on: str) -> tuple[str, ...]:
        """`tags: [..]` on a workflow or a state: words read instead of ids and names, each one the program or a
        sweep document reads there."""
        if not isinstance(raw, list):
            self.error(path, f"tags is a list, e.g. [{next(iter(known))}]")
            return ()
        words = list(known) + sorted(sweep_tags(self.rules, on) - set(known))
        for k, tag in enumerate(raw):
            if not isinstance(tag, str) or tag not in words:
                self.error(f"{path}[{k}]", f"unknown tag {quoted(tag)}; tags: {', '.join(words)}")
        return tuple(str(tag) for tag in raw)

    def read_states(self, raw: YamlValue) -> dict[str, State] | None:
        """The states by name."""
        if not isinstance(raw, dict) or not raw:
            self.error("states", "expected a mapping of state names to {label, final}")
            return None
        states = {}
        for name, spec in raw.items():
            path = f"states.{name}"
            if not NAME.match(name):
                self.error(path, "a state name is lower-case letters, digits and _")
            spec = spec if spec is not None else {}
            if not isinstance(spec, dict):
                self.error(path, "expected {label: ..., final: true|false}")
                continue
            self.keys(spec, STATE_KEYS, path, "a state")
            final = spec.get("final", False)
            if not isinstance(final, bool):
                self.error(f"{path}.final", f"expected true or false, found {describe(final)}")
            states[name] = State(name=name, label=str(spec.get("label") or name), final=final is True,
                                 tags=self.read_tags(spec.get("tags", []), f"{path}.tags", STATE_TAGS, "state"))
        return states

    def check_shutoff_tags(self, states: dict[str, State], transitions: list[Transition],
                           tags: tuple[str, ...]) -> None:
        """A state a sweep document feeds to the shut-off list needs the workflow's shut-off gate, and every such
        gate agrees."""
        fed_states = chosen_by_any([Selector.read(spec) for spec in fed(self.rules, SHUTOFF_LIST)], tags, states)
        tagged = [name for name in states if name in fed_states]
        gates = [(i, t) for i, t in enumerate(self.data["transitions"]) if isinstance(t, dict)
                 and isinstance(t.get("due"), dict) and t["due"].get("allowed") == "shutoff_day"]
        if tagged and not gates:
            self.error(f"states.{tagged[0]}.tags", "a state fed to the shut-off list takes its shut-off date from a "
                       "step's due: {field, calendar, allowed: shutoff_day}; no step has one")
        first = next(((t.due, t.due_day.calendar) for t in transitions
                      if t.due_day is not None and t.due_day.kind == "shutoff_day"), None)
        for i, raw in gates:
            if tagged and first is not None and (raw["due"].get("field"), raw["due"].get("calendar")) != first:
                self.error(f"transitions[{i}].due", f"the shut-off date is {first[0]} in {first[1]} "
                           "elsewhere in this workflow; the lists read one date")

    # -- case fields: what forms ask for and steps set -----------------------------------

    def subject_facts(self) -> dict[str, Fact]:
        """The facts of the workflow's subject: its record facts and its measures' (none for an unknown subject)."""
        subject = self.data.get("subject")
        return subject_facts(subject, self.rules) if subject in SUBJECT_FACTS else {}

    def collect_fields(self, raw: list[tuple[int, YamlValue]]) -> None:
        """Every case field's type, from the forms and `set:` actions (checked later, in place)."""
        subject = self.subject_facts()
        for name, fact in subject.items():
            if fact.case:
                self.field_types[name] = fact.type
        for i, t in raw:
            if not isinstance(t, dict):
                continue
            for j, f in enumerate(t.get("form") or []):
                if isinstance(f, dict) and isinstance(f.get("name"), str) and f.get("type") in FIELD_TYPES:
                    self.field_type(f["name"], FIELD_TYPES[f["type"]].fact_type, f"transitions[{i}].form[{j}]")
            for j, a in enumerate(t.get("actions") or []):
                if isinstance(a, dict) and isinstance(a.get("fee"), str):
                    self.fees_charged.add(a["fee"])
                if isinstance(a, dict) and isinstance(a.get("fee"), dict) and isinstance(a["fee"].get("schedule"), str):
                    self.fees_charged.add(a["fee"]["schedule"])  # {schedule: ID, term_ends: ..}
                for kind in ("notice", "notice_occupants"):
                    if isinstance(a, dict) and isinstance(a.get(kind), (str, dict)):
                        self.notices_made.add(notice_of(a[kind])[0])
                if isinstance(a, dict) and isinstance(a.get("set"), dict):
                    for name, value in a["set"].items():
                        path = f"transitions[{i}].actions[{j}].set.{name}"
                        kind = self.set_type(value, path)
                        if kind:
                            self.field_type(name, kind, path)
                            self.set_fields.add(name)
                if isinstance(a, dict) and "agree_plan" in a:  # the plan's numbers, kept in the case
                    for name, kind in agree_plan.GIVES.items():
                        self.field_type(name, kind, f"transitions[{i}].actions[{j}].agree_plan")
                        self.set_fields.add(name)

    def field_type(self, name: str, kind: str, path: str) -> None:
        """Note a case field's type; an error where it clashes with a fact or an earlier use."""
        fact = self.subject_facts().get(name)
        writable = WRITABLE.get(self.data["subject"], {})
        if fact is not None and not fact.case and name not in writable:
            self.error(path, f"{name} is a fact derived from the {self.data['subject']}; "
                             "a case field cannot replace it")
            return
        known = fact.type if fact is not None else self.field_types.get(name)
        if known is not None and known != kind and {known, kind} != {"number", "money"}:
            self.error(path, f"{name} is {known} elsewhere in this workflow; here it would be {kind}")
            return
        self.field_types.setdefault(name, kind)

    def set_type(self, value: YamlValue, path: str) -> str | None:
        """The type of a `set:` value, checking its form: a literal, a date rule, a deadline field, a fact."""
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, str):
            return "text"
        if isinstance(value, Decimal):
            return "number"
        if isinstance(value, date):
            return "date"
        if not isinstance(value, dict):
            self.error(path, f"a value to set is a literal or a mapping, not {describe(value)}")
            return None
        if "calendar" in value:
            return self.calendar_value(value, path)
        if "deadline" in value:
            return self.deadline_value(value, path)
        if "rule" in value:
            outcome = self.rule_outcome(value, path)
            return _outcome_type(self.rules, outcome) if outcome.rule in self.rules else None
        if "fact" in value:
            self.keys(value, ("fact",), path, "a fact value")
            fact = self.subject_facts().get(value["fact"])
            if fact is None:
                self.error(f"{path}.fact", f"{value['fact']!r} is not a fact of a {self.data['subject']} case")
                return None
            return fact.type
        if "days" in value:
            self.keys(value, ("days", "from"), path, "a date counted in days")
            if not _is_days(value["days"]):
                self.error(f"{path}.days", f"expected {DAYS_WORDS}, found {describe(value['days'])}")
            return "date"
        self.error(path, "a value to set is a literal, {calendar: ..}, {deadline: ..}, {days: N} or {fact: NAME}")
        return None

    def calendar_value(self, value: YamlMapping, path: str) -> str | None:
        """`{calendar, days, roll}`, `{calendar, office_days}`, `{calendar, step}` or `{calendar, next}`.

        A count may start `from` a date field (and then go back: negative days), or be
        `counted_from` the mailing day; `next` is a recurring date of the calendar.
        """
        self.keys(value, ("calendar", "days", "roll", "office_days", "step", "counted_from", "from", "next",
                          "month", "nth", "lead_days"), path, "a calendar date")
        known = self.rule(f"{path}.calendar", value["calendar"], "calendar")
        counts = [k for k in ("days", "office_days", "step", "next") if k in value]
        if len(counts) != 1:
            self.error(path, "a calendar date has exactly one of days, office_days, step or next")
        for key in ("days", "office_days"):
            backwards = "from" in value  # counted from another date: before it is allowed
            if key in value and (not _is_days(value[key]) or (value[key] < 0 and not backwards)):
                self.error(f"{path}.{key}", f"expected {DAYS_WORDS}, found {describe(value[key])}"
                           + ("" if backwards or not _is_days(value[key]) else
                              " (days before a date are counted from a field: add from: FIELD)"))
        if "from" in value and ("step" in value or "counted_from" in value):
            self.error(f"{path}.from", "from goes with days, office_days or next, not with step or counted_from")
        if "next" in value:
            self.recurring_value(value, path, known)
        for key in ("month", "nth", "lead_days"):
            if key in value and "next" not in value:
                self.error(f"{path}.{key}", f"{key} goes with next: a recurring date of the calendar")
        if "roll" in value and value["roll"] not in ROLLS:
            self.error(f"{path}.roll", f"roll is one of {', '.join(ROLLS)}, not {describe(value['roll'])}")
        if "roll" in value and "days" not in value and "office_days" not in value:
            self.error(f"{path}.roll", "roll goes with days or office_days")
        if "counted_from" in value and known:
            self.counted_from(value, f"{path}.counted_from")
        return "date"

    def recurring_value(self, value: YamlMapping, path: str, known: bool) -> None:
        """`next: NAME` names a recurring date of the calendar; `month` is 1 to 12; `lead_days` whole and >= 0."""
        if known:
            names = {str(name) for version in self.rules.get(value["calendar"]).versions
                     for name in version.body.get("recurring") or {}}
            if value["next"] not in names:
                self.error(f"{path}.next", f"{value['calendar']} has no recurring date {value['next']!r}; its "
                                           f"recurring dates: {', '.join(sorted(names)) or 'none'}")
        if "month" in value and (not _is_int(value["month"]) or not 1 <= value["month"] <= 12):
            self.error(f"{path}.month", f"expected a month number from 1 to 12, found {describe(value['month'])}")
        if "nth" in value and (not _is_int(value["nth"]) or not 1 <= abs(value["nth"]) <= 5):
            self.error(f"{path}.nth", f"expected 1 to 5 (the first ...) or -1 to -5 (the last ...), found "
                                      f"{describe(value['nth'])}")
        if "nth" in value and "month" not in value:
            self.error(f"{path}.nth", "nth picks among a month's days: name the month (month: 5, nth: 1)")
        if "lead_days" in value and (not _is_days(value["lead_days"]) or value["lead_days"] < 0):
            self.error(f"{path}.lead_days", f"expected {DAYS_WORDS}, found {describe(value['lead_days'])}")

    def counted_from(self, value: YamlMapping, path: str) -> None:
        """`counted_from`: a step of the calendar's timeline (with `step`), else `mailing`."""
        wanted = value["counted_from"]
        if "step" not in value:
            if wanted != MAILING:
                self.error(path, f"a count of days is counted_from: {MAILING} (the day the notice is mailed), "
                                 f"not {wanted!r}")
            return
        steps = {"bill"} | {str(name) for version in self.rules.get(value["calendar"]).versions
                            for name in version.body.get("timeline") or {}}
        if wanted not in steps:
            self.error(path, f"{value['calendar']} has no timeline step {wanted!r}; its steps: "
                             f"{', '.join(sorted(steps))}")

    def deadline_value(self, value: YamlMapping, path: str) -> str | None:
        """`{deadline: ID, field: NAME}`."""
        self.keys(value, ("deadline", "field"), path, "a deadline value")
        self.rule(f"{path}.deadline", value["deadline"], "deadline")
        kind = DEADLINE_FIELDS.get(value.get("field"))
        if kind is None:
            self.error(f"{path}.field",
                       f"a deadline gives {', '.join(DEADLINE_FIELDS)}, not {describe(value.get('field'))}")
        return kind

    # -- transitions -------------------------------------------------------------------

    def read_transition(self, i: int, raw: YamlValue, states: dict[str, State]) -> Transition | None:
        """One transition, every part checked."""
        path = f"transitions[{i}]"
        if not isinstance(raw, dict):
            self.error(path, "expected a mapping with id, from, to")
            return None
        self.keys(raw, TRANSITION_KEYS, path, "a transition")
        for key in ("id", "from", "to"):
            if key not in raw:
                self.error(path, f'missing required key "{key}"')
        if any(key not in raw for key in ("id", "from", "to")):
            return None
        step_id = raw["id"]
        if not isinstance(step_id, str) or not NAME.match(step_id):
            self.error(f"{path}.id", "a step id is lower-case letters, digits and _")
        elif sum(1 for t in self.data["transitions"] if isinstance(t, dict) and t.get("id") == step_id) > 1:
            self.error(f"{path}.id", f'two transitions are called "{step_id}"')
        sources = self.read_sources(raw["from"], states, f"{path}.from")
        if raw["to"] not in states:
            self.error(f"{path}.to", f'unknown state "{raw["to"]}"; states: {", ".join(states)}')
        by = raw.get("by", "staff")
        if by not in BY:
            self.error(f"{path}.by", f"by is staff or sweep, not {describe(by)}")
        roles = self.read_roles(raw.get("roles"), by, f"{path}.roles")
        form = tuple(self.read_form(raw.get("form") or [], f"{path}.form"))
        if by == "sweep" and form:
            self.error(f"{path}.form", "a sweep fills in no form; only staff steps have forms")
        when = self.read_when(raw["when"], f"{path}.when") if "when" in raw else None
        says = self.read_says(raw, path)
        due, due_day = self.read_due(raw.get("due"), f"{path}.due")
        requires_paid = self.read_requires_paid(raw.get("requires_paid"), f"{path}.requires_paid")
        requires_sent = self.read_notices_named(raw.get("requires_sent"), f"{path}.requires_sent", "requires_sent")
        requires_left_out = self.read_notices_named(raw.get("requires_left_out"), f"{path}.requires_left_out",
                                                    "requires_left_out")
        not_by = raw.get("not_by")
        if not_by is not None and self.field_types.get(not_by) != "text":
            self.error(f"{path}.not_by", f"not_by names a case field holding a username; {not_by!r} is not one")
        distinct_from = self.read_distinct_from(raw.get("distinct_from"), step_id, by, f"{path}.distinct_from")
        actions = tuple(self.read_actions(raw.get("actions") or [], f"{path}.actions"))
        field_list = self.read_field_list(raw.get("field_list"), by, f"{path}.field_list")
        return Transition(id=step_id, sources=sources, target=raw["to"], by=by, label=str(raw.get("label") or ""),
                          roles=roles, when=when, says=says, due=due, due_day=due_day, requires_paid=requires_paid,
                          requires_sent=requires_sent, requires_left_out=requires_left_out, not_by=not_by,
                          distinct_from=distinct_from, form=form, actions=actions, field_list=field_list)

    def read_field_list(self, raw: YamlValue, by: str, path: str) -> str:
        """`field_list: TITLE`: the crews' daily list a staff step appears on (at most 80 characters)."""
        if raw is None:
            return ""
        if not isinstance(raw, str) or not raw.strip() or len(raw) > FIELD_LIST_LENGTH:
            self.error(path, f"field_list is the title of a crews' list, 1 to {FIELD_LIST_LENGTH} characters")
            return ""
        if by != "staff":
            self.error(path, "only a staff step is on a crews' list: the field crew takes it, not a sweep")
            return ""
        return raw.strip()

    def read_distinct_from(self, raw: YamlValue, step_id: YamlValue, by: str, path: str) -> tuple[str, ...]:
        """`distinct_from: [STEP, ..]`: staff steps of this workflow whose takers may not take this one."""
        if raw is None:
            return ()
        if by == "sweep":
            self.error(path, "a sweep step is taken by the sweep; distinct_from is for steps people take")
            return ()
        if not isinstance(raw, list) or not raw:
            self.error(path, "distinct_from is a list of the earlier steps whose takers may not take this one")
            return ()
        staff = {t.get("id"): t.get("by", "staff") for t in self.data["transitions"] if isinstance(t, dict)}
        for k, named in enumerate(raw):
            if named == step_id:
                self.error(f"{path}[{k}]", f"{quoted(named)} is this step itself")
            elif named not in staff:
                self.error(f"{path}[{k}]", f"no step {quoted(named)} in this workflow; steps: "
                                           f"{', '.join(str(i) for i in staff)}")
            elif staff[named] != "staff":
                self.error(f"{path}[{k}]", f"{quoted(named)} is taken by the sweep, not by a person")
        return tuple(str(named) for named in raw)

    def read_opening(self, raw: YamlValue, initial: str) -> Transition | None:
        """`opening: {when: .., says: ..}`: what must hold for a case to be opened, and the words if it does not."""
        if not isinstance(raw, dict) or "when" not in raw:
            self.error("opening", "expected {when: CONDITION, says: WORDS}")
            return None
        self.keys(raw, OPENING_KEYS, "opening", "the opening")
        return Transition(id="open", sources=(), target=initial, when=self.read_when(raw["when"], "opening.when"),
                          says=self.read_says(raw, "opening"))

    def read_says(self, raw: YamlMapping, path: str, needs_when: bool = True) -> Says | None:
        """`says:` words for a refused `when:` (or a rule guard of an `all:`), each {name} a fact or a field of the
        case."""
        if "says" not in raw:
            return None
        text, where = raw["says"], f"{path}.says" if path else "says"
        if not isinstance(text, str) or not text.strip():
            self.error(where, "says is the sentence a refused step shows, e.g. the credit is now {refundable}")
            return None
        if needs_when and "when" not in raw:
            self.error(where, "says gives the words of a refused `when:`; there is no when here")
        facts, types = self.subject_facts(), {}
        for name in PLACEHOLDER.findall(text):
            kind = facts[name].type if name in facts else self.field_types.get(name)
            if kind is None:
                self.error(where, f"{{{name}}} is not a fact of a {self.data['subject']} case")
            types[name] = kind or "text"
        return Says(text=text.strip(), types=tuple(sorted(types.items())))

    def read_sources(self, raw: YamlValue, states: dict[str, State], path: str) -> tuple[str, ...]:
        """`from:` a state, a list of states, or "*"; never a final state."""
        sources = raw if isinstance(raw, list) else [raw]
        for k, name in enumerate(sources):
            where = f"{path}[{k}]" if isinstance(raw, list) else path
            if name == ANY_STATE:
                continue
            if name not in states:
                self.error(where, f'unknown state "{name}"; states: {", ".join(states)}')
            elif states[name].final:
                self.error(where, f'"{name}" is a final state; no step leaves it')
        return tuple(str(s) for s in sources)

    def read_roles(self, raw: YamlValue, by: str, path: str) -> tuple[str, ...] | RuleOutcome | None:
        """`roles: [..]` or `roles: {rule: ID, outcome: KEY}`; staff steps must name them, sweeps must not."""
        if raw is None:
            if by == "staff":
                self.error(path.rsplit(".", 1)[0], "a staff step names the roles that may take it (roles: [..])")
            return None
        if by == "sweep":
            self.error(path, "a sweep step is taken by the sweep; it has no roles")
            return None
        if isinstance(raw, dict):
            self.keys(raw, ("rule", "outcome"), path, "roles from a rule")
            if self.rule(f"{path}.rule", raw.get("rule"), "criteria"):
                self.outcome_keys(raw["rule"], [raw.get("outcome")], f"{path}.outcome")
                self.outcome_roles(raw["rule"], raw.get("outcome"), f"{path}.outcome")
            return RuleOutcome(rule=str(raw.get("rule")), outcome=str(raw.get("outcome")))
        if not isinstance(raw, list) or not raw:
            self.error(path, "roles is a list of roles or {rule: ID, outcome: KEY}")
            return None
        for k, role in enumerate(raw):
            if not isinstance(role, str) or self.unknown_roles({role}):
                self.error(f"{path}[{k}]", f"unknown role {quoted(role)}; {self.roles_known()}")
        return tuple(str(r) for r in raw)

    def unknown_roles(self, named: set[str]) -> list[str]:
        """The roles named that are neither page roles nor the city's approval roles (none when those are not known)."""
        if self.approval_roles is None:
            return []
        return sorted(named - set(ROLES) - self.approval_roles)

    def roles_known(self) -> str:
        """The roles a step may name, in words: the page roles, then the city's approval roles."""
        approval = ", ".join(sorted(self.approval_roles or ())) or "none defined (an administrator defines them)"
        return f"page roles: {', '.join(ROLES)}; approval roles: {approval}"

    def outcome_roles(self, rule_id: str, key: YamlValue, path: str) -> None:
        """An error for each role a criteria's outcome gives for `key` that is neither a page nor an approval role."""
        given = {str(r["then"][key]) for v in self.rules.get(rule_id).versions for r in v.body.get("rules", [])
                 if key in (r.get("then") or {})}
        unknown = self.unknown_roles(given)
        if unknown:
            self.error(path, f"{rule_id} gives {key} = {' or '.join(unknown)}, not a role; {self.roles_known()}")

    def rule_outcome(self, raw: YamlMapping, path: str) -> RuleOutcome:
        """`{rule: ID, outcome: KEY}`: a value a criteria outcome gives (a form limit, a value to set)."""
        self.keys(raw, ("rule", "outcome"), path, "a value from a rule")
        if self.rule(f"{path}.rule", raw.get("rule"), "criteria"):
            self.outcome_keys(raw["rule"], [raw.get("outcome")], f"{path}.outcome")
        return RuleOutcome(rule=str(raw.get("rule")), outcome=str(raw.get("outcome")))

    def outcome_keys(self, rule_id: str, keys: list[YamlValue], path: str) -> None:
        """An error for an outcome key that no rule of the criteria ever gives."""
        given = {k for v in self.rules.get(rule_id).versions for r in v.body.get("rules", [])
                 for k in (r.get("then") or {})}
        for key in keys:
            if key not in given:
                self.error(path, f"{rule_id} never gives {key!r}; its outcomes give {', '.join(sorted(given))}")

    def read_when(self, raw: YamlValue, path: str, in_all: bool = False) -> Condition | RuleGuard | AllGuards | None:
        """A condition over the case's facts, `{rule: ID, outcome: {..}}`, or `{all: [..]}` mixing both (where a rule
        guard may have `says:` words of its own)."""
        mixed = raw.get("all") if isinstance(raw, dict) and len(raw) == 1 else None
        if isinstance(mixed, list) and any(isinstance(part, dict) and "rule" in part for part in mixed):
            return self.read_all_guards(mixed, path)
        if isinstance(raw, dict) and "rule" in raw:
            self.keys(raw, ("rule", "outcome", "says") if in_all else ("rule", "outcome"), path, "a rule guard")
            outcome = raw.get("outcome")
            if not isinstance(outcome, dict) or not outcome:
                self.error(f"{path}.outcome", "the outcome is a mapping of the values it must contain")
                return None
            if self.rule(f"{path}.rule", raw["rule"], "criteria"):
                self.outcome_keys(raw["rule"], list(outcome), f"{path}.outcome")
            return RuleGuard(rule=raw["rule"], outcome=outcome, says=self.read_says(raw, path, needs_when=False))
        inputs = {name: fact.spec() for name, fact in self.subject_facts().items()}
        for name, kind in self.field_types.items():
            inputs.setdefault(name, _spec(name, kind))
        try:
            return Condition.compile(raw, inputs, path)
        except EvaluationError as error:
            where, _, message = str(error).partition(": ")
            self.error(where, message.replace("is not a declared input",
                                              f"is not a fact of a {self.data['subject']} case"))
            return None

    def read_all_guards(self, parts: list[YamlValue], path: str) -> AllGuards | None:
        """`{all: [..]}` with rule guards among the conditions: each part read at its own path, all must hold."""
        read = [self.read_when(part, f"{path}.all[{k}]", in_all=True) for k, part in enumerate(parts)]
        if any(part is None for part in read):
            return None
        flat = [inner for part in read for inner in (part.parts if isinstance(part, AllGuards) else (part,))]
        return AllGuards(parts=tuple(flat))

    def read_due(self, raw: YamlValue, path: str) -> tuple[str | None, AllowedDay | None]:
        """`due: FIELD`, or `due: {field: FIELD, calendar: ID, allowed: KIND}`: a date field some step sets."""
        if raw is None:
            return None, None
        if isinstance(raw, dict):
            return self.read_due_day(raw, path)
        return self.due_field(raw, path), None

    def due_field(self, raw: YamlValue, path: str) -> str:
        """The date field a step waits for: one some step sets."""
        if not isinstance(raw, str):
            self.error(path, f"due names a date field of the case, not {describe(raw)}")
            return ""
        if raw not in self.set_fields:
            self.error(path, f"{raw!r} is never set by any step (a set: action); the step would never be due")
        elif self.field_types.get(raw) != "date":
            self.error(path, f"{raw!r} is not a date")
        return str(raw)

    def read_due_day(self, raw: YamlMapping, path: str) -> tuple[str | None, AllowedDay | None]:
        """`{field, calendar, allowed}`: not before the field's date, and only on a day of that kind."""
        self.keys(raw, DUE_KEYS, path, "a due date")
        missing = [key for key in DUE_KEYS if key not in raw]
        if missing:
            self.error(path, "a due date on the calendar names field, calendar and allowed; "
                             f"missing {', '.join(missing)}")
        field = self.due_field(raw["field"], f"{path}.field") if "field" in raw else None
        known = "calendar" in raw and self.rule(f"{path}.calendar", raw["calendar"], "calendar")
        kind = raw.get("allowed")
        day_kind = isinstance(kind, str) and kind in DAY_KINDS
        if "allowed" in raw and not day_kind:
            self.error(f"{path}.allowed", f"a calendar allows {', '.join(DAY_KINDS)}, not {describe(kind)}")
        if missing or not known or not day_kind:
            return field, None
        return field, AllowedDay(calendar=str(raw["calendar"]), kind=str(kind))

    @staticmethod
    def named(raw: YamlValue, path: str) -> list[tuple[str, YamlValue]]:
        """`KEY: NAME` or `KEY: [NAME, ..]` (nothing when absent): each name with the path an error names."""
        if raw is None:
            return []
        names = raw if isinstance(raw, list) else [raw]
        return [(f"{path}[{k}]" if isinstance(raw, list) else path, name) for k, name in enumerate(names)]

    def read_requires_paid(self, raw: YamlValue, path: str) -> tuple[str, ...]:
        """`requires_paid: SCHEDULE` or a list: fees some step of this workflow charges."""
        named = self.named(raw, path)
        for where, name in named:
            if self.rule(where, name, "schedule") and name not in self.fees_charged:
                self.error(where, f"no step charges {name} (a fee: action); the step could never be taken")
        return tuple(str(name) for _, name in named)

    def read_notices_named(self, raw: YamlValue, path: str, key: str) -> tuple[str, ...]:
        """`requires_sent:` or `requires_left_out:`, NOTICE_TYPE or a list: notices some step of this workflow
        makes."""
        named = self.named(raw, path)
        for where, name in named:
            if not isinstance(name, str) or name not in self.notices_made:
                made = ", ".join(sorted(self.notices_made)) or "none"
                self.error(where, f"{key} names a notice type some step of this workflow makes (a notice: "
                                  f"or notice_occupants: action; made here: {made}), not {describe(name)}")
        return tuple(str(name) for _, name in named)

    def read_form(self, raw: YamlValue, path: str) -> Iterable[FormField]:
        """The form's fields, each checked."""
        if not isinstance(raw, list):
            self.error(path, "a form is a list of fields")
            return
        names: set[str] = set()
        for k, spec in enumerate(raw):
            where = f"{path}[{k}]"
            if not isinstance(spec, dict):
                self.error(where, "a field is {name, type, label, required, min, max, choices}")
                continue
            self.keys(spec, FIELD_KEYS, where, "a form field")
            name, kind = spec.get("name"), spec.get("type")
            if not isinstance(name, str) or not NAME.match(name):
                self.error(f"{where}.name", "a field name is lower-case letters, digits and _")
                continue
            if name in names:
                self.error(f"{where}.name", f'two fields are called "{name}"')
            names.add(name)
            if kind not in FIELD_TYPES:
                self.error(f"{where}.type", f"unknown field type {quoted(kind)}; types: {', '.join(FIELD_TYPES)}")
                continue
            yield self.form_field(spec, name, kind, where)

    def form_field(self, spec: YamlMapping, name: str, kind: str, path: str) -> FormField:
        """One field whose name and type are good: its limits and choices."""
        limits = {}
        for key in ("min", "max"):
            if key not in spec:
                continue
            value = spec[key]
            if not FIELD_TYPES[kind].ordered:
                self.error(f"{path}.{key}", f"{key} applies to integer, money and date fields; {name} is {kind}")
            elif isinstance(value, dict) and kind in ("integer", "money"):
                limits[key] = self.rule_outcome(value, f"{path}.{key}")
            elif (kind == "date") != isinstance(value, date) or (kind == "integer" and not _is_int(value)):
                article = "an" if kind == "integer" else "a"
                self.error(f"{path}.{key}", f"expected {article} {kind} for {name}, found {describe(value)}")
            else:
                limits[key] = int(value) if kind == "integer" else value
        choices = spec.get("choices")
        if kind == "choice" and (not isinstance(choices, list) or not choices):
            self.error(f"{path}.choices", f"a choice field lists its choices; {name} has none")
        elif kind != "choice" and choices is not None:
            self.error(f"{path}.choices", f"only a choice field has choices; {name} is {kind}")
        required = spec.get("required", False)
        if not isinstance(required, bool):
            self.error(f"{path}.required", f"expected true or false, found {describe(required)}")
        return FormField(name=name, type=kind, label=str(spec.get("label") or name.replace("_", " ").capitalize()),
                         required=required is True, min=limits.get("min"), max=limits.get("max"),
                         choices=tuple(str(c) for c in choices or ()))

    # -- actions -----------------------------------------------------------------------

    def read_actions(self, raw: YamlValue, path: str) -> Iterable[Action]:
        """The step's actions in order, each of a known kind and well formed (each action checks its own)."""
        if not isinstance(raw, list):
            self.error(path, "actions are a list")
            return
        names = ", ".join(ACTIONS)
        for k, spec in enumerate(raw):
            where = f"{path}[{k}]"
            if not isinstance(spec, dict) or len(spec) != 1:
                self.error(where, f"an action is one of {names}, e.g. {{notice: door-hanger}}")
                continue
            (kind, value), = spec.items()
            if kind not in ACTIONS:
                self.error(f"{where}.{kind}", f'unknown action "{kind}"; actions: {names}')
                continue
            ACTIONS[kind].check(self, value, f"{where}.{kind}")
            yield Action(kind=kind, value=value, path=f"{where}.{kind}")


def _spec(name: str, kind: str) -> InputSpec:
    """A case field as a rule input of its type."""
    return InputSpec(name=name, type=kind, required=False)
