"""Case services: what the web UI, the command line and the sweeps call.

Each takes a SQLAlchemy Session and the day (`on`) and moment (`now`) it acts for; it
flushes and writes audit rows but never commits (the caller owns the transaction). The
actor is a username (looked up, with its role) or `sweep:NAME`.
"""
from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.notices.catalog import DATE_KEYS, MONEY_KEYS, notice_type
from engine.rules.library import RuleLibrary
from engine.rules.results import json_value
from engine.rules.types import JsonValue
from engine.store.models import Case, CaseEvent, Notice
from engine.roles import grants_of
from engine.users import get_user
from engine.workflow import runtime
from engine.workflow.definitions import WorkflowSet
from engine.workflow.facts import Fact, subject_facts
from engine.workflow.guards import Actor
from engine.workflow.model import Workflow
from engine.workflow.night import Held, Night, holds, not_sent
from engine.workflow.runtime import CaseError, NotLawful
from engine.workflow.shutoffs import shutoff_day_of


@dataclass(frozen=True)
class Catalog:
    """The city's rules and workflow definitions, read once."""

    rules: RuleLibrary
    workflows: WorkflowSet

    @classmethod
    def load(cls, rules_dir: str | Path = "rules", workflows_dir: str | Path = "workflows",
             approval_roles: Collection[str] = frozenset()) -> Catalog:
        """Read and check the rules, then the workflows against them and the city's approval roles."""
        rules = RuleLibrary.from_folder(rules_dir)
        return cls(rules=rules, workflows=WorkflowSet.from_folder(workflows_dir, rules, approval_roles))


def actor_for(session: Session, name: str) -> Actor:
    """The Actor for a username (active, with its role and approval roles), `sweep:NAME`, or `cli:NAME` (no role:
    opens cases only)."""
    if name.split(":", 1)[0] in ("sweep", "cli") and len(name.split(":", 1)[-1]) > 0 and ":" in name:
        return Actor(name=name)
    user = get_user(session, name)
    if user is None or not user.active:
        raise CaseError(f"no active user named {name!r}")
    return Actor(name=user.username, role=user.role, grants=grants_of(session, user.username))


def open_case(session: Session, catalog: Catalog, workflow_id: str, subject_id: int, *, actor: str, on: date,
              now: datetime, fields: Mapping[str, object] | None = None, state: str | None = None) -> Case:
    """Open a case of a workflow (its version in force on the day) on a subject, in its initial or the named state."""
    return runtime.open_case(session, catalog.rules, catalog.workflows, workflow_id, subject_id,
                             actor=actor_for(session, actor), on=on, now=now, fields=fields, state=state)


def _case(session: Session, case_id: int) -> Case:
    """The case, or a CaseError."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseError(f"no case with id {case_id}")
    return case


@dataclass(frozen=True)
class StepOption:
    """A step as a person sees it: may they take it now, and if not, why."""

    id: str
    label: str
    to: str
    allowed: bool
    reasons: list[str]
    form: list[dict[str, JsonValue]]
    explanation: list[dict[str, JsonValue]]
    letters: tuple[str, ...] = ()  # the notices the step writes, in order
    needs: list[str] = field(default_factory=list)  # the roles that may take it (page or approval roles), if known


def steps_for(session: Session, catalog: Catalog, case_id: int, *, user: str, on: date) -> list[StepOption]:
    """The steps leaving the case's state for this user (or sweep), each with why it is or is not allowed."""
    case = _case(session, case_id)
    verdicts = runtime.steps_allowed(session, catalog.rules, catalog.workflows, case, actor_for(session, user), on)
    return [StepOption(id=v.step.id, label=v.step.label or v.step.id.replace("_", " ").capitalize(),
                       to=v.step.target, allowed=v.allowed, reasons=v.reasons,
                       form=[{"name": f.name, "label": f.label, "type": f.type, "required": f.required,
                              "min": json_value(f.min), "max": json_value(f.max), "choices": list(f.choices)}
                             for f in v.form],
                       explanation=v.explanation,
                       letters=v.step.mails,
                       needs=_needs(v.explanation)) for v in verdicts]


def _needs(explanation: list[dict[str, JsonValue]]) -> list[str]:
    """The roles a judged step needs, from its roles check (a listed step's roles, or what the rule gave)."""
    needs = next((e.get("needs") for e in explanation if e.get("guard") == "roles"), None) or []
    return [str(role) for role in needs]


def take_step(session: Session, catalog: Catalog, case_id: int, step_id: str, *, user: str, on: date, now: datetime,
              form: Mapping[str, object] | None = None, version: int | None) -> CaseEvent:
    """Take a step on the case version the user saw; StepRefused says why not, Conflict if it changed."""
    return runtime.take_step(session, catalog.rules, catalog.workflows, case_id, step_id,
                             actor=actor_for(session, user), on=on, now=now, form=form, seen_version=version)


@dataclass(frozen=True)
class LetterPreview:
    """What a notice of a step would print: its title, its money and date figures in order, its payments, and
    (a payment plan's letter) why each number of the plan the step agreed is what it is."""

    notice: str
    title: str
    figures: list[tuple[str, str, str]]  # (key, kind: money | date, value)
    payments: list[dict[str, JsonValue]]
    why: list[str] = field(default_factory=list)  # the plan's explanation (engine.rules.plans.agree)


def _preview(notice: Notice, plan_why: list[str]) -> LetterPreview:
    """A notice's figures, as the preview shows them (the letter's date and address aside); a letter of payments
    with the reasons of the plan the step agreed."""
    data = copy.deepcopy(notice.data)
    figures = [(key, "money" if key in MONEY_KEYS else "date", str(value)) for key, value in data.items()
               if (key in MONEY_KEYS or key in DATE_KEYS) and key != "notice_date"]
    payments = list(data.get("installments") or [])
    return LetterPreview(notice=notice.notice_type, title=notice_type(notice.notice_type).title_en, figures=figures,
                         payments=payments, why=list(plan_why) if payments else [])


def preview_step(session: Session, catalog: Catalog, case_id: int, step_id: str, *, user: str, on: date,
                 now: datetime, form: Mapping[str, object] | None = None, version: int | None) -> list[LetterPreview]:
    """The letters a step would write with this form: the step taken in a savepoint that is then undone.

    Every check and action runs as it would (a refusal is StepRefused, as when taking it);
    nothing is kept: no state change, ledger entry, notice, event or audit row.
    """
    savepoint = session.begin_nested()
    try:
        event = take_step(session, catalog, case_id, step_id, user=user, on=on, now=now, form=form, version=version)
        done = next((e.get("done", []) for e in event.explanation if e.get("guard") == "actions"), [])
        plan_why = next((d.get("explanation") or [] for d in done if d.get("action") == "agree_plan"), [])
        return [_preview(session.get(Notice, d["notice_id"]), plan_why) for d in done if d.get("action") == "notice"]
    finally:
        savepoint.rollback()


@dataclass
class NightSteps:
    """What a sweep did with one case on a night: the steps it took, and the step it held back, if any."""

    events: list[CaseEvent] = field(default_factory=list)
    held: Held | None = None


def advance(session: Session, catalog: Catalog, case_id: int, *, sweep: str, on: date, now: datetime,
            sweep_run_id: int | None = None, limit: int = 10) -> list[CaseEvent]:
    """Take, as `sweep:NAME`, every sweep step whose checks hold on the day, one after another."""
    return advance_night(session, catalog, case_id, sweep=sweep, night=None, on=on, now=now,
                         sweep_run_id=sweep_run_id, limit=limit).events


def advance_night(session: Session, catalog: Catalog, case_id: int, *, sweep: str, night: Night | None, on: date,
                  now: datetime, sweep_run_id: int | None = None, limit: int = 10,
                  steps: Collection[str] | None = None) -> NightSteps:
    """The nightly sweep's work on a case: each step whose checks hold, until the night holds one back.

    The case takes the first sweep step (in the order written) whose checks hold, then looks
    again from its new state. With a `night`, a step that mails is held back on a night
    caught up, or when the account already has a collection notice that night, and a step
    whose notice would print a date already past is held back too (not lawful), as is a step
    that would be taken but for a notice of the case never sent (`requires_sent:`); the case
    then waits, and `held` says why. With `steps`, only the sweep steps of those ids are taken
    (a sweep document's `works: {steps: [..]}`).
    """
    actor = Actor(name=f"sweep:{sweep}")
    done = NightSteps()
    for _ in range(limit):
        case = _case(session, case_id)
        verdicts = [v for v in runtime.steps_allowed(session, catalog.rules, catalog.workflows, case, actor, on)
                    if steps is None or v.step.id in steps]
        ready = next((v for v in verdicts if v.allowed), None)
        if ready is None:
            done.held = not_sent(case_id, verdicts) if night is not None else None
            break
        done.held = holds(session, catalog.workflows, case, ready.step, night, catalog.rules) \
            if night is not None else None
        if done.held is not None:
            break
        try:
            done.events.append(runtime.take_step(session, catalog.rules, catalog.workflows, case_id, ready.step.id,
                                                 actor=actor, on=on, now=now, seen_version=case.version,
                                                 sweep_run_id=sweep_run_id))
        except NotLawful as refused:
            if night is None:
                raise
            done.held = Held(case_id, ready.step.id, "not_lawful", f"{ready.step.id} not taken: "
                                                                   + "; ".join(refused.reasons))
            break
    return done


def _fact(workflow: Workflow, documented: Mapping[str, Fact], name: str, value: object) -> dict[str, JsonValue]:
    """One fact as `cases show` lists it: value (money as text), type, meaning."""
    fact = documented.get(name)
    return {"name": name, "value": str(value) if isinstance(value, Decimal) else json_value(value),
            "type": fact.type if fact else workflow.field_types.get(name, ""),
            "meaning": fact.meaning if fact else "a field of this case"}


def shutoff_view(session: Session, catalog: Catalog, case_id: int, on: date) -> dict[str, JsonValue] | None:
    """The case's shut-off day as the shut-off lists give it, and whether it is the day (None: not scheduled)."""
    day = shutoff_day_of(session, catalog.rules, catalog.workflows, case_id, on)
    if day is None:
        return None
    return {"printed_on": day.printed_on.isoformat(), "shutoff_on": day.shutoff_on.isoformat(),
            "reasons": list(day.reasons), "held": list(day.held), "unsent": list(day.unsent), "today": day.today(on),
            "passed": day.shutoff_on < on}


def show_case(session: Session, catalog: Catalog, case_id: int, *, on: date) -> dict[str, JsonValue]:
    """Everything about a case as JSON-ready data: state, fields, facts on the day, shut-off day, history, notices."""
    case = _case(session, case_id)
    workflow = runtime.workflow_of(catalog.workflows, case)
    facts = runtime.case_facts(session, catalog.rules, workflow, case.subject_id, dict(case.fields or {}), on,
                               catalog.workflows)
    documented = subject_facts(workflow.subject, catalog.rules)
    notices = session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)).all()
    return {
        "id": case.id, "workflow": case.workflow_id, "workflow_version": case.workflow_version,
        "title": workflow.title, "subject_type": case.subject_type, "subject_id": case.subject_id,
        "state": case.state, "state_label": workflow.states[case.state].label,
        "final": workflow.states[case.state].final, "version": case.version, "parent_id": case.parent_id,
        "opened_at": case.opened_at.isoformat(), "opened_by": case.opened_by, "as_of": on.isoformat(),
        "fields": dict(case.fields or {}), "shutoff": shutoff_view(session, catalog, case.id, on),
        "facts": [_fact(workflow, documented, name, value) for name, value in facts.items()
                  if not isinstance(value, (dict, list))],
        "history": [{"id": e.id, "at": e.at.isoformat(), "on": e.on_date.isoformat(), "actor": e.actor,
                     "step": e.step, "from": e.from_state, "to": e.to_state, "form": e.form, "rules": e.rules,
                     "explanation": e.explanation} for e in case.events],
        "notices": [{"id": n.id, "type": n.notice_type, "language": n.language, "created_on": n.created_on.isoformat(),
                     "to": ((n.data or {}).get("recipient") or {}).get("name", "")} for n in notices],
    }
