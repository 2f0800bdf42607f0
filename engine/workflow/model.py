"""A workflow definition once read and validated: states, transitions, guards, actions.

What `engine.workflow.definitions` builds from YAML and the runtime walks. Values taken
from YAML are already checked: state names exist, rule ids name documents of the right
kind, notice ids are registered, form fields have known types.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from dataclasses import dataclass, field

from engine.money import format_money
from engine.rules.conditions import Condition
from engine.rules.types import YamlValue
from engine.workflow.forms import FormField, RuleOutcome

ANY_STATE = "*"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a state, a step, a case field
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")  # a fact named in `says:` words
WORKFLOW_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The kinds of day a calendar answers for (`due: {allowed: ..}`, `roll: ..`), in words.
DAY_KINDS = {"office_day": "office day", "shutoff_day": "shut-off day"}
# The tags the program itself reads, and what each means. Every other tag is the city's own: a sweep document
# (kind: sweep, engine.sweeps.documented) reads it, and a workflow may carry only tags some sweep document reads.
COLLECTION, LICENSE_APPLICATIONS, ADJUSTMENT_APPROVALS = "collection", "license_applications", "adjustment_approvals"
PARCEL_LIENS, REFUND_REQUESTS = "parcel_liens", "refund_requests"
WORKFLOW_TAGS = {
    COLLECTION: "its notices demand payment of an account: an account gets at most one notice of the workflows so "
                "tagged a night, the later step waiting for the next night",
    LICENSE_APPLICATIONS: "a new business's license application taken at the counter opens a case of it (one "
                          "workflow of license subjects has this tag)",
    ADJUSTMENT_APPROVALS: "an adjustment over the limit of the person who asks for it opens a case of it, where "
                          "another person approves or denies it (one workflow has this tag)",
    PARCEL_LIENS: "a title company's lien search by parcel lists the open cases of it as the parcel's liens, with "
                  "the fields its labels and its steps' forms name, and says an account is eligible for one when "
                  "the criteria guard of its first step from the initial state holds (one workflow has this tag)",
    REFUND_REQUESTS: "a refund a clerk asks for on an account's page opens a case of it on the account, with the "
                     "fields amount and source (one workflow has this tag)",
}
LICENSE_RENEWED, SERVICE_OFF = "license_renewed", "service_off"
STATE_TAGS = {
    LICENSE_RENEWED: "a license case reaching it has been renewed: each step that reaches it is an event of the "
                     "license's renewals stream (engine.accounts.history), which measures count",
    SERVICE_OFF: "an account's service is off while its case is in it: a step entering it from a state without the "
                 "tag is an event of the account's shutoffs stream, a step leaving it for a state without the tag "
                 "one of its reconnections stream (engine.accounts.history), which measures count",
}


@dataclass(frozen=True)
class State:
    """One state a case can be in."""

    name: str
    label: str
    final: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllowedDay:
    """`due: {field, calendar, allowed}`: a date-gated step is taken only on a day of that kind in that calendar."""

    calendar: str
    kind: str  # office_day | shutoff_day


@dataclass(frozen=True)
class RuleGuard:
    """`{rule: ID, outcome: {..}}`: the criteria's outcome must contain those values (inside an `all:`, with `says:`
    words of its own)."""

    rule: str
    outcome: dict[str, YamlValue]
    says: Says | None = None


@dataclass(frozen=True)
class AllGuards:
    """`when: {all: [..]}` mixing rule guards and conditions: every part must hold (each explained on its own)."""

    parts: tuple[Condition | RuleGuard, ...]


@dataclass(frozen=True)
class Says:
    """`says:` the words a refused guard gives, each {fact} filled in (money as $75.61), and each fact's type."""

    text: str
    types: tuple[tuple[str, str], ...] = ()

    def words(self, facts: dict[str, object]) -> str:
        """The sentence with the facts of the day in it; a fact not known is "not given"."""
        types = dict(self.types)
        return PLACEHOLDER.sub(lambda found: _fact_words(facts.get(found[1]), types.get(found[1])), self.text)


def _fact_words(value: object, kind: str | None) -> str:
    """One fact as a refusal writes it: money as $1,234.56, the rest as it is."""
    if value is None:
        return "not given"
    if kind == "money":
        return format_money(str(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def notice_fee(value: YamlValue) -> str | None:
    """The fee schedule whose fee a `notice:` action's letter prints (`{type: TYPE, fee: SCHEDULE}`), or None: the
    letter then prints the fee posted under the rule it cites, if any."""
    if isinstance(value, Mapping) and value.get("fee") is not None:
        return str(value["fee"])
    return None


def notice_of(value: YamlValue) -> tuple[str, str | None]:
    """(notice type, the rule whose reference it cites or None) of a `notice:` or `notice_occupants:` action's
    value: `TYPE`, or `{type: TYPE, cites: RULE}`."""
    if isinstance(value, Mapping):
        cites = value.get("cites")
        return str(value.get("type")), (str(cites) if cites is not None else None)
    return str(value), None


@dataclass(frozen=True)
class Action:
    """One action of a step: its kind (fee, notice, set, open, refund, write_off, reverse) and its value."""

    kind: str
    value: YamlValue
    path: str


@dataclass(frozen=True)
class Transition:
    """A step from one or more states to another, with who may take it and when."""

    id: str
    sources: tuple[str, ...]
    target: str
    by: str = "staff"
    label: str = ""
    roles: tuple[str, ...] | RuleOutcome | None = None  # page roles and approval roles, or a criteria's outcome
    when: Condition | RuleGuard | AllGuards | None = None
    says: Says | None = None  # the refusal when `when:` does not hold, in the workflow's words
    due: str | None = None
    due_day: AllowedDay | None = None  # with `due: {field, calendar, allowed}`: the calendar asked on the day
    requires_paid: tuple[str, ...] = ()  # fee schedules whose fees this case charged must be paid or waived
    requires_sent: tuple[str, ...] = ()  # notice types whose latest notices of this case must have gone out
    requires_left_out: tuple[str, ...] = ()  # notice types one of whose latest notices a mailing must have left out
    not_by: str | None = None
    distinct_from: tuple[str, ...] = ()  # earlier steps whose takers may not take this one
    form: tuple[FormField, ...] = ()
    actions: tuple[Action, ...] = ()
    field_list: str = ""  # the title of the crews' daily list the step appears on (engine.field), or none

    def leaves(self, state: str, states: dict[str, State]) -> bool:
        """Whether this step can be taken from `state` (`*`: any state that is not final)."""
        if ANY_STATE in self.sources:
            return not states[state].final
        return state in self.sources

    @property
    def notices_read(self) -> tuple[str, ...]:
        """The notice types whose latest notices of the case the step's guards read (`requires_sent:`,
        `requires_left_out:`)."""
        return (*self.requires_sent, *self.requires_left_out)

    @property
    def mails(self) -> tuple[str, ...]:
        """The notices this step mails (its `notice:` actions), in order."""
        return tuple(notice_of(a.value)[0] for a in self.actions if a.kind == "notice")

    @property
    def notices_made(self) -> tuple[str, ...]:
        """The notice types this step makes: its `notice:` and `notice_occupants:` actions, in order."""
        return tuple(notice_of(a.value)[0] for a in self.actions if a.kind in ("notice", "notice_occupants"))

    @property
    def fields_set(self) -> tuple[str, ...]:
        """The case fields this step's `set:` actions give, in order."""
        return tuple(name for a in self.actions if a.kind == "set" and isinstance(a.value, Mapping) for name in a.value)

    def rules_read(self) -> list[str]:
        """The rule documents this step's guards and roles consult."""
        found = []
        parts = self.when.parts if isinstance(self.when, AllGuards) else (self.when,)
        found.extend(part.rule for part in parts if isinstance(part, RuleGuard))
        if isinstance(self.roles, RuleOutcome):
            found.append(self.roles.rule)
        return found


@dataclass(frozen=True)
class Workflow:
    """A validated workflow definition, keyed by (id, version)."""

    id: str
    title: str
    subject: str
    version: int
    initial: str
    states: dict[str, State]
    transitions: tuple[Transition, ...]
    field_types: dict[str, str] = field(default_factory=dict)
    opening: Transition | None = None  # `opening: {when, says}`: what must hold for a case to be opened
    source: str = "<text>"
    description: str = ""
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # path -> line
    tags: tuple[str, ...] = ()
    effective: date | None = None  # the day this version starts to open new cases (None: from the start)
    text: str = field(default="", compare=False, repr=False)  # the definition's YAML as written
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # case field -> (label, sentence) for pages

    @property
    def key(self) -> tuple[str, int]:
        """(id, version): what a case records."""
        return (self.id, self.version)

    def opening_guard(self) -> RuleGuard | None:
        """The criteria guard (`when: {rule, outcome}`, or the first of an `all:`) of the first step from the initial
        state that has one: what decides whether a subject is eligible for a case of this workflow."""
        for step in self.transitions:
            if self.initial in step.sources:
                parts = step.when.parts if isinstance(step.when, AllGuards) else (step.when,)
                found = next((part for part in parts if isinstance(part, RuleGuard)), None)
                if found is not None:
                    return found
        return None

    def public_fields(self) -> dict[str, str]:
        """The case fields the workflow names for people, each with its label: its labels', then its steps' form
        fields."""
        named = {name: label for name, (label, _) in self.labels.items()}
        for step in self.transitions:
            named.update({item.name: item.label for item in step.form if item.name not in named})
        return named

    def transition(self, step: str) -> Transition | None:
        """The transition with this id, or None."""
        return next((t for t in self.transitions if t.id == step), None)

    def states_tagged(self, tag: str) -> tuple[str, ...]:
        """The names of the states that carry a tag, in the order written."""
        return tuple(name for name, state in self.states.items() if tag in state.tags)

    @property
    def collects(self) -> bool:
        """Whether the workflow's notices are collection notices (tagged `collection`): one a night per account."""
        return COLLECTION in self.tags

    def leaving(self, state: str) -> list[Transition]:
        """The transitions that leave a state, in the order written."""
        return [t for t in self.transitions if t.leaves(state, self.states)]

    def shutoff_gate(self) -> tuple[str, AllowedDay] | None:
        """The shut-off date's field and calendar: the first step due on a shut-off day (None when none is)."""
        for step in self.transitions:
            if step.due is not None and step.due_day is not None and step.due_day.kind == "shutoff_day":
                return step.due, step.due_day
        return None
