"""Judging a step for a case and a person on a day: state, who, separation of duties, due date, conditions.

`judge` checks everything a step asks and explains each check, refused or not, so the web
UI can show why a button is missing and the case history can show why a step was taken.
Rules consulted are evaluated as of the step's day; nothing here reads the clock.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from engine.notices.catalog import notice_type
from engine.rules.calendar import FORECAST_FACTS
from engine.rules.conditions import Condition
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.results import json_value
from engine.rules.types import Facts, JsonValue, YamlValue
from engine.store.models import ROLES
from engine.workflow.days import first_allowed, needs_forecast, weather_holds
from engine.workflow.fees import FeeCharged, fee_words
from engine.workflow.forms import FormField, Limit
from engine.workflow.model import DAY_KINDS, AllGuards, RuleOutcome, RuleGuard, Transition, Workflow
from engine.workflow.sent import NoticeMade

NOT_BY_MESSAGES = {"requested_by": "you requested this {subject}; another person must approve it"}


@dataclass(frozen=True)
class Actor:
    """Who takes a step: a member of staff with a page role and the approval roles they hold, or a sweep
    (`sweep:NAME`, no role)."""

    name: str
    role: str | None = None
    grants: frozenset[str] = frozenset()  # the approval roles held (engine.roles)

    def holds_any(self, roles: tuple[str, ...]) -> bool:
        """Whether this person's page role or one of their approval roles is among `roles` (an exact list)."""
        return self.role in roles or any(role in self.grants for role in roles)

    def you(self) -> str:
        """Who this person is, as a refusal says it: their page role and the approval roles they hold."""
        if not self.role:
            return f"{self.name} has no staff role"
        held = f", holding {', '.join(sorted(self.grants))}" if self.grants else ""
        return f"you are {'an' if self.role[0] in 'aeiou' else 'a'} {self.role}{held}"

    @property
    def is_sweep(self) -> bool:
        """Whether this is the nightly sweep rather than a person."""
        return self.name.startswith("sweep:")


@dataclass
class Verdict:
    """Whether a step may be taken, why not, each check explained, and the rule versions consulted."""

    step: Transition
    form: tuple[FormField, ...] = ()
    reasons: list[str] = field(default_factory=list)
    explanation: list[dict[str, JsonValue]] = field(default_factory=list)
    rules: list[dict[str, str]] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """True when nothing refuses the step."""
        return not self.reasons

    def check(self, guard: str, ok: bool, detail: str, refusal: str = "", **more: JsonValue) -> None:
        """Record one check; a failed one adds its refusal (or its detail) to the reasons."""
        self.explanation.append({"guard": guard, "ok": ok, "detail": detail, **more})
        if not ok:
            self.reasons.append(refusal or detail)


def consult(rules: RuleLibrary, rule_id: str, facts: Facts, on: date,
            verdict_rules: list[dict[str, str]]) -> dict[str, JsonValue]:
    """Evaluate a rule document as of the day and note its version."""
    result = rules.evaluate(rule_id, facts, on).to_json()
    entry = {"rule": rule_id, "version": result.get("version")}
    if entry not in verdict_rules:
        verdict_rules.append(entry)
    return result


def guard_holds(rules: RuleLibrary, guard: RuleGuard, facts: Facts, on: date) -> tuple[bool, dict[str, JsonValue]]:
    """Whether a criteria guard holds for the facts on the day, and the criteria's result (rule, version, ...)."""
    result = rules.evaluate(guard.rule, facts, on).to_json()
    return _contains(result.get("outcome"), guard.outcome), result


def _contains(outcome: JsonValue, wanted: dict[str, YamlValue]) -> bool:
    """Whether a criteria outcome (or any outcome of a `hit: all` list) has every wanted value."""
    wanted = json_value(wanted)
    outcomes = outcome if isinstance(outcome, list) else [outcome]
    return any(all(json_value(o.get(k)) == v for k, v in wanted.items()) for o in outcomes)


def _shown(values: JsonValue | dict[str, YamlValue]) -> str:
    """An outcome as a refusal prints it: `eligible = false, reason = under_60_days`."""
    if isinstance(values, list):
        return "; ".join(_shown(v) for v in values) or "nothing"
    pairs = [f"{k} = {str(json_value(v)).lower() if isinstance(v, bool) else json_value(v)}" for k, v in values.items()]
    return ", ".join(pairs) or "nothing"


def may_act_as(actor: Actor, needed: JsonValue) -> bool:
    """Whether a person may do what a rule outcome gives to `needed`: a page role is a minimum (clerk < supervisor <
    admin), an approval role is exact (only its holders)."""
    if needed in ROLES:
        return actor.role in ROLES and ROLES.index(actor.role) >= ROLES.index(needed)
    return needed is not None and needed in actor.grants


def _check_who(verdict: Verdict, step: Transition, actor: Actor, facts: Facts, rules: RuleLibrary, on: date) -> None:
    """Sweep or staff, and the role the step needs (listed, or from a criteria outcome)."""
    if step.by == "sweep":
        verdict.check("by", actor.is_sweep, "taken by the nightly sweep",
                      "this step is taken by the nightly sweep, not by staff")
        return
    if actor.is_sweep:
        verdict.check("by", False, "a staff step", "a sweep does not take staff steps")
        return
    if isinstance(step.roles, RuleOutcome):
        result = consult(rules, step.roles.rule, facts, on, verdict.rules)
        needed = (result.get("outcome") or {}).get(step.roles.outcome)
        detail = f"{step.roles.rule} gives {step.roles.outcome} = {needed} for these facts; you are {actor.role}"
        ok = may_act_as(actor, needed)
        if needed in ROLES:
            refusal = f"this step needs a {needed} or above ({step.roles.rule}); {actor.you()}"
        else:
            refusal = (f"this step needs the approval role {needed} ({step.roles.rule}); {actor.you()}" if needed
                       else f"{step.roles.rule} gives no {step.roles.outcome} for these facts")
        needs = list(ROLES[ROLES.index(needed):]) if needed in ROLES else [needed] if needed else []
        verdict.check("roles", ok, detail, refusal, rule=step.roles.rule, needs=needs,
                      matched=result.get("matched", []))
        return
    roles = step.roles or ()
    verdict.check("roles", actor.holds_any(roles), f"roles {', '.join(roles)}; {actor.you()}",
                  f"this step needs the role {' or '.join(roles)}; {actor.you()}", needs=list(roles))


def _check_distinct(verdict: Verdict, step: Transition, actor: Actor, takers: Mapping[str, list[str]]) -> None:
    """`distinct_from:` not a person who took one of the named earlier steps of this case (from its events)."""
    if not step.distinct_from:
        return
    taken = [(named, who) for named in step.distinct_from for who in takers.get(named, [])]
    words = "; ".join(f"{named} was taken by {who}" for named, who in taken) or "none of them has been taken"
    mine = [named for named, who in taken if who.lower() == actor.name.lower()]
    verdict.check("distinct_from", not mine, f"{words}; you are {actor.name}",
                  f"you took {' and '.join(mine)} on this case; this step needs another person ({words})")


def _check_not_by(verdict: Verdict, step: Transition, actor: Actor, fields: Mapping[str, JsonValue],
                  subject: str) -> None:
    """Separation of duties: not the person recorded in the named field."""
    if step.not_by is None:
        return
    recorded = fields.get(step.not_by)
    ok = recorded is None or str(recorded).lower() != actor.name.lower()
    refusal = NOT_BY_MESSAGES.get(step.not_by, f"you are the {step.not_by.replace('_', ' ')} of this case; "
                                                "another person must take this step").format(
        subject=subject.replace("_", " "))
    verdict.check("not_by", ok, f"{step.not_by} = {recorded}; you are {actor.name}", refusal)


def _due_on(step: Transition, fields: Mapping[str, JsonValue]) -> date | None:
    """The date in the step's due field, or None while it is not set."""
    raw = fields.get(step.due or "")
    return date.fromisoformat(raw) if isinstance(raw, str) else raw


def _note_calendar(verdict: Verdict, calendar: str, version: date) -> None:
    """Record the calendar version a due date was asked of."""
    entry = {"rule": calendar, "version": version.isoformat()}
    if entry not in verdict.rules:
        verdict.rules.append(entry)


def _check_due(verdict: Verdict, step: Transition, fields: Mapping[str, JsonValue], facts: Facts, rules: RuleLibrary,
               on: date) -> None:
    """`due: FIELD`: not before the date in that field; with a calendar, only on a day of the kind it allows (and, on a
    shut-off day whose calendar reads the weather, only with the day's forecast recorded and not barring it)."""
    if step.due is None:
        return
    due_on = _due_on(step, fields)
    if due_on is None:
        verdict.check("due", False, f"{step.due} is not set", f"not due: {step.due} has not been set")
        return
    if step.due_day is None:
        verdict.check("due", on >= due_on, f"{step.due} = {due_on.isoformat()}; today is {on.isoformat()}",
                      f"not due until {due_on.isoformat()} ({step.due})", first_allowed=due_on.isoformat())
        return
    opens = first_allowed(rules, step.due_day, max(due_on, on))
    _note_calendar(verdict, step.due_day.calendar, opens.version)
    kind = DAY_KINDS[step.due_day.kind]
    why = f" ({'; '.join(opens.bars)})" if opens.bars else ""
    detail = (f"{step.due} = {due_on.isoformat()}; the first {kind} of {step.due_day.calendar} on or after "
              f"{opens.asked.isoformat()} is {opens.day.isoformat()}{why}")
    if opens.day == due_on:
        refusal = f"not due until {due_on.isoformat()} ({step.due})"
    else:
        refusal = f"not before {opens.day.isoformat()}; " + "; ".join(opens.bars)
    verdict.check("due", opens.day == on, detail, refusal, first_allowed=opens.day.isoformat())
    if opens.day == on and step.by != "sweep" and needs_forecast(rules, step.due_day, on):  # the crew's, not the release
        holds = weather_holds(rules, step.due_day, on, facts)
        forecast = ", ".join(f"{name} = {facts.get(name)}" for name in FORECAST_FACTS)
        verdict.check("weather", not holds, f"{step.due_day.calendar} bars shut-offs by the forecast; {forecast}",
                      "; ".join(holds))


def _check_paid(verdict: Verdict, step: Transition, fees: Mapping[str, list[FeeCharged]]) -> None:
    """`requires_paid:` every fee of these schedules the case charged is paid or waived."""
    for schedule in step.requires_paid:
        charged = fees.get(schedule, [])
        if not charged:
            verdict.check("paid", False, f"{fee_words(schedule)} has not been charged by this case",
                          f"{fee_words(schedule)} has not been charged yet", fee=schedule)
            continue
        for fee in charged:
            verdict.check("paid", fee.waived or fee.unpaid == 0, fee.standing(), fee.refusal(), fee=schedule,
                          ledger_entry=fee.entry_id)


def _check_sent(verdict: Verdict, step: Transition, made: Mapping[str, list[NoticeMade]]) -> None:
    """`requires_sent:` the latest notices of these types the case made went out (mailed or printed); a type the
    case never made holds nothing."""
    for kind in step.requires_sent:
        if not made.get(kind):
            verdict.check("sent", True, f"the case has made no {kind}", notice_type=kind)
        for notice in made.get(kind, []):
            since = notice.never_sent_since
            verdict.check("sent", notice.sent, notice.standing(), notice.refusal(), notice_type=kind,
                          notice=notice.notice_id, **({"never_sent_since": since.isoformat()} if since else {}))


def _check_left_out(verdict: Verdict, step: Transition, made: Mapping[str, list[NoticeMade]]) -> None:
    """`requires_left_out:` one of the latest notices of these types the case made was left out of its night's
    mailing (a date to act by had passed) and not printed since: what a step that mails a new one waits for."""
    for kind in step.requires_left_out:
        notices = made.get(kind, [])
        out = [notice for notice in notices if notice.left_out]
        if not notices:
            verdict.check("left_out", False, f"the case has made no {kind}",
                          f"the case has made no {notice_type(kind).title_en}: there is none to mail again",
                          notice_type=kind)
        elif out:
            verdict.check("left_out", True, "; ".join(notice.standing() for notice in out), notice_type=kind,
                          notice=out[0].notice_id)
        else:
            standing = "; ".join(notice.standing() for notice in notices)
            verdict.check("left_out", False, standing, f"{standing}; this step mails a new one only when its mailing "
                                                       "left the latest out", notice_type=kind,
                          notice=notices[0].notice_id)


def _check_when(verdict: Verdict, step: Transition, facts: Facts, rules: RuleLibrary, on: date) -> None:
    """The guard: a condition over the facts, a criteria outcome that must contain values, or all of several."""
    says = step.says.words(dict(facts)) if step.says is not None else ""
    for part in step.when.parts if isinstance(step.when, AllGuards) else (step.when,):
        if isinstance(part, Condition):
            _check_condition(verdict, part, facts, says)
        elif isinstance(part, RuleGuard):
            own = part.says.words(dict(facts)) if part.says is not None else ""  # a rule guard's own words in an all:
            _check_rule_guard(verdict, part, facts, rules, on, own if isinstance(step.when, AllGuards) else says)


def _check_condition(verdict: Verdict, condition: Condition, facts: Facts, says: str) -> None:
    """A condition over the facts, each leaf traced; its refusal is the workflow's `says:` words when given."""
    result = condition.evaluate(facts)
    failed = [line.strip() for line in result.trace if line.endswith(": no")]
    verdict.check("when", result.holds, "; ".join(result.trace),
                  says or "the conditions are not met: " + "; ".join(failed), trace=result.trace)


def _check_rule_guard(verdict: Verdict, guard: RuleGuard, facts: Facts, rules: RuleLibrary, on: date,
                      says: str) -> None:
    """A criteria document's outcome must contain the values the step names."""
    result = consult(rules, guard.rule, facts, on, verdict.rules)
    outcome = result.get("outcome")
    ok = _contains(outcome, guard.outcome)
    detail = f"{guard.rule} gives {_shown(outcome)}; this step needs {_shown(guard.outcome)}"
    verdict.check("when", ok, detail, says or f"{guard.rule} says no: it gives {_shown(outcome)}; this step "
                                              f"needs {_shown(guard.outcome)}", rule=guard.rule,
                  matched=result.get("matched", []), trace=result.get("trace", []))


def _limit(rules: RuleLibrary, limit: Limit, kind: str, facts: Facts, on: date,
           consulted: list[dict[str, str]]) -> Limit:
    """A form limit as written, or the value a criteria outcome gives for it on the day."""
    if not isinstance(limit, RuleOutcome):
        return limit
    outcome = consult(rules, limit.rule, facts, on, consulted).get("outcome") or {}
    if outcome.get(limit.outcome) is None:
        raise EvaluationError(f"{limit.rule} gives no {limit.outcome} for these facts")
    value = outcome[limit.outcome]
    return int(value) if kind == "integer" else Decimal(str(value))


def resolve_form(form: tuple[FormField, ...], rules: RuleLibrary, facts: Facts, on: date,
                 consulted: list[dict[str, str]]) -> tuple[FormField, ...]:
    """The step's form with limits taken from rules (`max: {rule: .., outcome: ..}`) made concrete."""
    return tuple(replace(f, min=_limit(rules, f.min, f.type, facts, on, consulted),
                         max=_limit(rules, f.max, f.type, facts, on, consulted)) for f in form)


def not_from_here(workflow: Workflow, state: str, step_id: str) -> str:
    """Why a step is refused in a state it does not leave (or that the workflow does not have), in staff words:
    "“Arrange a payment plan” is not a step of a case in state Shut off"."""
    step = workflow.transition(step_id)
    label = step.label if step is not None and step.label else step_id.replace("_", " ").capitalize()
    return f"“{label[:60]}” is not a step of a case in state {workflow.states[state].label}"


def opening_refusals(workflow: Workflow, facts: Facts, rules: RuleLibrary, on: date) -> list[str]:
    """Why a case of this workflow may not be opened with these facts (`opening:`); empty when it may."""
    if workflow.opening is None:
        return []
    verdict = Verdict(workflow.opening)
    try:
        _check_when(verdict, workflow.opening, facts, rules, on)
    except EvaluationError as error:  # a bad fact or no rule version in force: refuse, saying why
        verdict.check("rules", False, f"cannot be decided: {error}")
    return verdict.reasons


def judge(workflow: Workflow, state: str, step: Transition, actor: Actor, facts: Facts,
          fields: Mapping[str, JsonValue], rules: RuleLibrary, on: date,
          fees: Mapping[str, list[FeeCharged]] | None = None,
          takers: Mapping[str, list[str]] | None = None,
          made: Mapping[str, list[NoticeMade]] | None = None) -> Verdict:
    """Every check of one step for this case, person and day, each explained (`fees`: what requires_paid reads;
    `takers`: who took each earlier step of the case, what distinct_from reads; `made`: the case's latest notices
    of each type, what requires_sent reads)."""
    verdict = Verdict(step, form=step.form)
    leaves = step.leaves(state, workflow.states)
    verdict.check("state", leaves, f"the case is {state}", not_from_here(workflow, state, step.id))
    if not leaves:
        return verdict
    try:
        verdict.form = resolve_form(step.form, rules, facts, on, verdict.rules)
        _check_who(verdict, step, actor, facts, rules, on)
        _check_not_by(verdict, step, actor, fields, workflow.subject)
        _check_distinct(verdict, step, actor, takers or {})
        _check_due(verdict, step, fields, facts, rules, on)
        _check_paid(verdict, step, fees or {})
        _check_sent(verdict, step, made or {})
        _check_left_out(verdict, step, made or {})
        _check_when(verdict, step, facts, rules, on)
    except EvaluationError as error:  # a missing or bad fact, no rule version in force: refuse, saying why
        verdict.check("rules", False, f"cannot be decided: {error}")
    return verdict
