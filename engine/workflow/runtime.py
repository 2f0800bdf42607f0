"""The workflow runtime: opening cases, the steps allowed now, and taking a step all or nothing.

A case stays on the workflow version it was opened under. Taking a step re-checks
everything (state, who, separation of duties, due date, guard) as of the step's day, runs
its actions in order, changes the state, and writes one case event and one audit row, in
a savepoint of the caller's transaction: a refusal or an error leaves nothing behind. The
step carries the case version the person saw; a case changed since is a Conflict. A step the
case's state does not have, or a version the case never had (a form not drawn from its page as
it stands: a field missing or changed), is refused as that, not as a Conflict: no one else
moved the case.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event as orm_events, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.money.gate import LedgerError
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.types import JsonValue
from engine.store.forecasts import forecast_on
from engine.store.kept_reads import OPEN_CASES, kept_read
from engine.store.models import Case, CaseEvent
from engine.workflow.actions import run_actions
from engine.workflow.context import StepContext
from engine.workflow.days import needs_forecast
from engine.workflow.definitions import WorkflowSet
from engine.workflow.facts import PROVIDERS, SUBJECT_FACTS, CaseFields, FactContext
from engine.workflow.fees import FeeCharged, fees_charged
from engine.workflow.forms import FIELD_TYPES, FormError, read_form, stored
from engine.workflow.guards import Actor, Verdict, judge, not_from_here, opening_refusals, resolve_form
from engine.workflow.model import LICENSE_RENEWED, SERVICE_OFF, Transition, Workflow
from engine.workflow.redating import PastDate
from engine.workflow.sent import NoticeMade, notices_made


OPENED_HERE = "ordinance.cases_opened_here"  # session.info: the cases the session's transaction opened, by id


class CaseError(ValueError):
    """Something about a case that cannot be done; the message says why."""


class StepRefused(CaseError):
    """A step that may not be taken now; `reasons` lists each refusal."""

    def __init__(self, step: str, reasons: list[str]) -> None:
        self.step, self.reasons = step, reasons
        super().__init__(f"{step} refused: " + "; ".join(reasons))


class NotLawful(StepRefused):
    """A step refused because its notice would print a date already past: the case is too far behind."""


class Conflict(CaseError):
    """The case changed since the person opened it; nothing was applied."""

    def __init__(self, case_id: int, seen: int | None, now: int | None) -> None:
        self.case_id, self.seen, self.current = case_id, seen, now
        super().__init__(f"case {case_id} changed since you opened it (you saw version {seen}, it is now "
                         f"version {now}); reload it and try again")


_CONVERT = {"date": lambda v: date.fromisoformat(v) if isinstance(v, str) else v,
            "money": lambda v: Decimal(str(v)), "number": lambda v: Decimal(str(v)),
            "integer": int, "boolean": bool, "text": str}


def typed_fields(workflow: Workflow, fields: Mapping[str, JsonValue]) -> dict[str, object]:
    """The case's fields as facts: each in its type (dates as dates, money as Decimal)."""
    typed = {}
    for name, value in fields.items():
        kind = workflow.field_types.get(name)
        if value is None or kind is None:
            continue
        typed[name] = _CONVERT[kind](value)
    return typed


def case_facts(session: Session, rules: RuleLibrary, workflow: Workflow, subject_id: int, fields: CaseFields,
               on: date, workflows: WorkflowSet | None = None) -> dict[str, object]:
    """Every fact of the case on the day: the subject's, the documented defaults, the case's own fields.

    The account's shut-offs and reconnections (measures count them) are the steps of its cases entering and leaving
    the states tagged service_off of `workflows` (the city's published ones; without them, of this workflow only).
    """
    service_off = (workflows.states_tagged_by_version(SERVICE_OFF) if workflows is not None
                   else {workflow.key: workflow.states_tagged(SERVICE_OFF)})
    ctx = FactContext(session=session, rules=rules, on=on,
                      renewed={workflow.id: workflow.states_tagged(LICENSE_RENEWED)}, service_off=service_off)
    facts = PROVIDERS[workflow.subject](ctx, subject_id, fields)
    for fact in SUBJECT_FACTS[workflow.subject].values():
        if fact.case and fact.default is not None:
            facts[fact.name] = fact.default
    facts.update(typed_fields(workflow, fields))
    gate = workflow.shutoff_gate()
    if gate is not None and needs_forecast(rules, gate[1], on):  # the day's forecast, as staff recorded it
        recorded = forecast_on(session, on)
        facts.update(recorded.facts if recorded is not None else {})
    return facts


def _record(session: Session, case: Case, *, step: str, actor: Actor, on: date, now: datetime, from_state: str | None,
            form: CaseFields, rules: list[dict[str, str]], explanation: list[dict[str, JsonValue]]) -> CaseEvent:
    """The case event and the audit row of one step (or of the opening)."""
    event = CaseEvent(case_id=case.id, at=now, on_date=on, actor=actor.name, step=step, from_state=from_state,
                      to_state=case.state, form=form, rules=rules, explanation=explanation)
    session.add(event)
    session.flush()
    audit.record(session, actor=actor.name, action="case.open" if from_state is None else "case.step",
                 subject_type="case", subject_id=case.id, at=now,
                 detail={"workflow": case.workflow_id, "version": case.workflow_version, "step": step,
                         "from": from_state, "to": case.state, "on": on.isoformat(), "event_id": event.id,
                         "subject_type": case.subject_type, "subject_id": case.subject_id})
    return event


def _initial_fields(workflow: Workflow, given: Mapping[str, object], later: bool = False) -> CaseFields:
    """Fields given at opening: the subject's case facts, checked; past the initial state, also the steps' fields."""
    fields = {}
    for name, raw in given.items():
        fact = SUBJECT_FACTS[workflow.subject].get(name)
        kind = fact.type if fact is not None and fact.case else workflow.field_types.get(name) if later else None
        if kind is None:
            allowed = ", ".join(f.name for f in SUBJECT_FACTS[workflow.subject].values() if f.case)
            raise CaseError(f"{name}: not a field a {workflow.subject} case is opened with (fields: {allowed})")
        try:
            value = FIELD_TYPES["money" if kind == "number" else kind].read(name, raw)
        except FormError as error:
            raise CaseError(str(error)) from None
        fields[name] = stored(value)
    return fields


def open_case(session: Session, rules: RuleLibrary, workflows: WorkflowSet, workflow_id: str, subject_id: int, *,
              actor: Actor, on: date, now: datetime, fields: Mapping[str, object] | None = None,
              parent: Case | None = None,
              state: str | None = None) -> Case:
    """Open a case on the workflow's version in force on the day, in its initial or a named state, with its event."""
    workflow = workflows.get(workflow_id, on=on)
    _refuse_opening_state(workflow, state)
    fields = _initial_fields(workflow, fields or {}, later=state is not None and state != workflow.initial)
    if "requested_by" in SUBJECT_FACTS[workflow.subject] and "requested_by" not in fields:
        fields["requested_by"] = actor.name  # whoever opens a request is its requester
    if parent is not None and (workflow.subject == "license") != (parent.subject_type == "license"):
        raise CaseError(f"a {workflow.id} case is about a {workflow.subject}; case {parent.id} is about a "
                        f"{parent.subject_type}")
    refusals = opening_refusals(workflow, case_facts(session, rules, workflow, subject_id, fields, on, workflows),
                                rules, on)
    if refusals:  # the subject exists and its facts derive, but the workflow's `opening:` does not hold
        raise CaseError("; ".join(refusals))
    _refuse_second_open_case(session, workflow, subject_id)
    on_account = workflow.subject != "license"
    case = Case(workflow_id=workflow.id, workflow_version=workflow.version, subject_type=workflow.subject,
                subject_id=subject_id, account_id=subject_id if on_account else None,
                license_id=None if on_account else subject_id, state=state or workflow.initial, fields=fields,
                parent_id=parent.id if parent is not None else None, opened_at=now, opened_by=actor.name)
    session.add(case)
    session.flush()
    _opened_here(session)[case.id] = case
    _record(session, case, step="open", actor=actor, on=on, now=now, from_state=None, form=fields, rules=[],
            explanation=[{"guard": "open", "ok": True,
                          "detail": f"opened by {actor.name}" + (f" from case {parent.id}" if parent else "")
                          + (f" in state {state}" if state is not None else "")}])
    return case


def _refuse_opening_state(workflow: Workflow, state: str | None) -> None:
    """A case opens in a state of its workflow that is not final (None: the initial state)."""
    if state is None:
        return
    if state not in workflow.states:
        raise CaseError(f"{workflow.id} version {workflow.version} has no state {state!r}")
    if workflow.states[state].final:
        raise CaseError(f"{workflow.id} version {workflow.version}: state {state!r} is final; "
                        "a case cannot be opened in it")


def _refuse_second_open_case(session: Session, workflow: Workflow, subject_id: int) -> None:
    """One open case per workflow and subject (a sweep chunk reads its subjects' open cases ahead: read_open_ahead)."""
    kept = kept_read(session, OPEN_CASES, dict).get((workflow.subject, subject_id))
    if kept is not None:
        open_ids = [case_id for workflow_id, case_id in kept if workflow_id == workflow.id]
    else:
        open_ids = session.scalars(select(Case.id).where(
            Case.workflow_id == workflow.id, Case.subject_type == workflow.subject, Case.subject_id == subject_id,
            Case.closed_at.is_(None))).all()
    if open_ids:
        raise CaseError(f"{workflow.subject} {subject_id} already has an open {workflow.id} case ({open_ids[0]})")


def read_open_ahead(session: Session, subject_type: str, subject_ids: list[int]) -> None:
    """Read the open cases of these subjects in one query, kept for a sweep chunk (kept_reads: a flush of a case
    forgets its subject's)."""
    kept = kept_read(session, OPEN_CASES, dict)
    found: dict[tuple[str, int], list[tuple[str, int]]] = {(subject_type, i): [] for i in subject_ids}
    if not subject_ids:
        return
    for workflow_id, case_id, subject_id in session.execute(
            select(Case.workflow_id, Case.id, Case.subject_id).where(
                Case.subject_type == subject_type, Case.subject_id.in_(subject_ids), Case.closed_at.is_(None))
            .order_by(Case.id)):
        found[(subject_type, subject_id)].append((workflow_id, case_id))
    kept.update(found)


def workflow_of(workflows: WorkflowSet, case: Case) -> Workflow:
    """The definition a case was opened under (its id and version), never a newer one."""
    return workflows.get(case.workflow_id, case.workflow_version)


def fees_for(session: Session, case: Case, steps: list[Transition], on: date) -> dict[str, list[FeeCharged]]:
    """The fees the steps' `requires_paid:` name, as the case charged them (no query when none names any)."""
    schedules = {schedule for step in steps for schedule in step.requires_paid}
    return fees_charged(session, case, schedules, on) if schedules else {}


def made_for(session: Session, case: Case, steps: list[Transition]) -> dict[str, list[NoticeMade]]:
    """The case's latest notices of the types the steps' `requires_sent:` and `requires_left_out:` name (none read
    when none names any)."""
    return notices_made(session, case, {kind for step in steps for kind in step.notices_read})


def takers_for(session: Session, case: Case, steps: list[Transition]) -> dict[str, list[str]]:
    """Who took each earlier step the steps' `distinct_from:` name, from the case's events (none read when none
    names any)."""
    named = {other for step in steps for other in step.distinct_from}
    if not named:
        return {}
    found: dict[str, list[str]] = {}
    for step, actor in session.execute(select(CaseEvent.step, CaseEvent.actor).where(
            CaseEvent.case_id == case.id, CaseEvent.step.in_(sorted(named))).order_by(CaseEvent.id)):
        found.setdefault(step, []).append(actor)
    return found


def steps_allowed(session: Session, rules: RuleLibrary, workflows: WorkflowSet, case: Case, actor: Actor,
                  on: date) -> list[Verdict]:
    """Each step leaving the case's state that this actor's kind takes (staff or sweep), judged and explained."""
    return judged_steps(session, rules, workflow_of(workflows, case), case, actor, on, workflows)


def judged_steps(session: Session, rules: RuleLibrary, workflow: Workflow, case: Case, actor: Actor,
                 on: date, workflows: WorkflowSet | None = None) -> list[Verdict]:
    """steps_allowed under a given definition (the case's own, or a draft's for its preview)."""
    fields = dict(case.fields or {})
    facts = case_facts(session, rules, workflow, case.subject_id, fields, on, workflows)
    mine = [t for t in workflow.leaving(case.state) if (t.by == "sweep") == actor.is_sweep]
    fees, takers = fees_for(session, case, mine, on), takers_for(session, case, mine)
    made = made_for(session, case, mine)
    return [judge(workflow, case.state, t, actor, facts, fields, rules, on, fees, takers, made) for t in mine]


def _opened_here(session: Session) -> dict[int, Case]:
    """The cases opened in the session's transaction, by id: written by it, seen by no one else until it commits.

    Forgotten when the transaction ends and at any rollback (of a savepoint too: an opening may have been undone).
    """
    opened = session.info.get(OPENED_HERE)
    if opened is None:
        opened = session.info[OPENED_HERE] = {}
        orm_events.listen(session, "after_soft_rollback", lambda *_: opened.clear())
        orm_events.listen(session, "after_transaction_end",
                     lambda _session, transaction: opened.clear() if transaction.parent is None else None)
    return opened


def _load_for_step(session: Session, case_id: int, seen_version: int | None) -> Case:
    """The case as it is in the database now (locked on PostgreSQL), or a Conflict if it changed.

    A case this transaction opened (and has not changed since without writing it) is the session's own: its row
    is as written and no one else can see it, let alone lock or change it, so it is not read again.
    """
    case = _opened_here(session).get(case_id)
    if case is None or case not in session or case in session.dirty:
        case = session.scalar(select(Case).where(Case.id == case_id).with_for_update()
                              .execution_options(populate_existing=True))
    if case is None:
        raise CaseError(f"no case with id {case_id}")
    if seen_version is not None and 0 < seen_version < case.version:  # a version it had: it moved since
        raise Conflict(case_id, seen_version, case.version)
    return case


def _not_seen(case: Case, seen_version: int | None) -> str | None:
    """Why a step's form cannot have been drawn from the case (a version it never had: a missing or changed
    field), or None. Not a Conflict: no one else moved the case."""
    if seen_version is None or seen_version == case.version:
        return None
    return (f"the form does not come from case {case.id} as it stands (its hidden version field is missing or was "
            "changed); nothing was taken: open the case again and choose the step there")


def take_step(session: Session, rules: RuleLibrary, workflows: WorkflowSet, case_id: int, step_id: str, *,
              actor: Actor, on: date, now: datetime, form: Mapping[str, object] | None = None,
              seen_version: int | None,
              sweep_run_id: int | None = None) -> CaseEvent:
    """Take one step all or nothing: re-check it, run its actions, change the state, record event and audit."""
    try:
        with session.begin_nested():
            return _take(session, rules, workflows, case_id, step_id, actor, on, now, form or {}, seen_version,
                         sweep_run_id)
    except StaleDataError:
        current = session.scalar(select(Case.version).where(Case.id == case_id))
        raise Conflict(case_id, seen_version, current) from None


def _take(session: Session, rules: RuleLibrary, workflows: WorkflowSet, case_id: int, step_id: str, actor: Actor,
          on: date, now: datetime, raw_form: Mapping[str, object], seen_version: int | None,
          sweep_run_id: int | None) -> CaseEvent:
    """The body of take_step, inside its savepoint."""
    case = _load_for_step(session, case_id, seen_version)
    workflow = workflow_of(workflows, case)
    step = workflow.transition(step_id)
    if step is None or not step.leaves(case.state, workflow.states):
        raise StepRefused(step_id, [not_from_here(workflow, case.state, step_id)])
    not_seen = _not_seen(case, seen_version)
    if not_seen:
        raise StepRefused(step_id, [not_seen])

    def facts_of(current: CaseFields) -> dict[str, object]:
        """The case's facts with the fields as they stand."""
        return case_facts(session, rules, workflow, case.subject_id, current, on, workflows)

    def open_linked(workflow_id: str) -> Case:
        """A linked case of another workflow on the same subject, opened by this step."""
        return open_case(session, rules, workflows, workflow_id, case.subject_id, actor=actor, on=on, now=now,
                         parent=case)

    limits: list[dict[str, str]] = []
    try:
        values = read_form(resolve_form(step.form, rules, facts_of(dict(case.fields or {})), on, limits), raw_form)
    except (FormError, EvaluationError) as error:
        raise StepRefused(step_id, [str(error)]) from None
    form = {k: stored(v) for k, v in values.items()}
    fields = {**copy.deepcopy(case.fields or {}), **form}  # never the case's own nested dicts
    verdict = judge(workflow, case.state, step, actor, facts_of(fields), fields, rules, on,
                    fees_for(session, case, [step], on), takers_for(session, case, [step]),
                    made_for(session, case, [step]))
    if not verdict.allowed:
        raise StepRefused(step_id, verdict.reasons)
    verdict.rules[:0] = [entry for entry in limits if entry not in verdict.rules]
    ctx = StepContext(session=session, rules=rules, workflow=workflow, case=case, actor=actor, on=on, now=now,
                      fields=fields, facts_of=facts_of, open_linked=open_linked, consulted=list(verdict.rules),
                      sweep_run_id=sweep_run_id, service_off=workflows.states_tagged_by_version(SERVICE_OFF))
    try:
        run_actions(ctx, step.actions)
    except PastDate as error:
        raise NotLawful(step_id, [str(error)]) from None
    except (LedgerError, EvaluationError) as error:  # the last line: the ledger or a rule refuses what a guard let by
        raise StepRefused(step_id, [str(error)]) from None
    from_state = case.state
    case.state, case.fields = step.target, ctx.fields
    flag_modified(case, "fields")
    if workflow.states[step.target].final:
        case.closed_at = now
    # _record's flush writes the case's new state, then the event
    return _record(session, case, step=step.id, actor=actor, on=on, now=now, from_state=from_state, form=form,
                   rules=ctx.consulted, explanation=verdict.explanation + [{"guard": "actions", "ok": True,
                                                                            "done": ctx.done}])
