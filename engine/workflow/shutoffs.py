"""Who may be shut off, and on which day: the one answer the phone list, the day's shut-off list and the case page give.

A case is scheduled for shut-off while its state is one a sweep document feeds to the
shut-off list (`feeds: {shutoff_list: ..}` by tags; the sample city's delinquency sweep: the
states tagged `shutoff_pending`). Its
shut-off day, asked on a day, is the first day on or after the later of that day and the
date its notices printed (the field of its workflow's shut-off gate, `due: {field,
calendar, allowed: shutoff_day}`) that the calendar allows a shut-off, as the calendar reads
now: a holiday, a weekend, the office day before a holiday or a no-shut-off period published
after the notice moves it on, and `reasons` say why. The gated steps (the release, the
crew's shut-off) ask the same calendar the same way (engine.workflow.guards), so a case is
"shut off today" on these lists exactly on the days those steps may be taken, and a case
released but not yet shut off stays on each allowed day's list until the crew records it. A
case whose gated step is not yet open (the door hanger not posted) is listed until the day
its notices printed (moved to an allowed day) has passed. When the calendar bars shut-offs by
the weather (`no_shutoff.forecast`), a case due today is held (`held`, in the calendar's words)
while the day's forecast recorded by staff bars it, or while none is recorded yet. A case whose
way to the shut-off waits for a notice never sent (the steps leaving its state `requires_sent:`
it, and the latest one of the case never went out) is held too (`unsent`, in the steps' words),
any day. Whether the account is still eligible is the steps' to judge.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.store.forecasts import forecast_on
from engine.store.models import Case
from engine.workflow.days import first_allowed, needs_forecast, weather_holds
from engine.workflow.definitions import WorkflowSet
from engine.workflow.model import AllowedDay, Workflow
from engine.workflow.sent import NoticeMade, latest_notices
from engine.rules.kinds.sweep import SHUTOFF_LIST, fed
from engine.workflow.selectors import Selector, chosen_by_any

BATCH = 1000


@dataclass(frozen=True)
class ShutoffDay:
    """A case scheduled for shut-off: the date its notices printed, the day the calendar allows, and why they differ."""

    case_id: int
    account_id: int
    printed_on: date
    shutoff_on: date
    reasons: tuple[str, ...] = ()
    held: tuple[str, ...] = ()  # why the weather holds today's shut-off (the forecast bars it, or none is recorded)
    unsent: tuple[str, ...] = ()  # the notices never sent that hold the way to the shut-off (`requires_sent:`)

    @property
    def holding(self) -> tuple[str, ...]:
        """Why the shut-off does not go ahead, as the crews' lists say it under Held today: the weather's words (on
        its day), then the notices never sent (any day); empty when nothing holds it. What the phone list leaves out
        and what keeps a case from 'may be shut off today'."""
        return self.held + self.unsent

    def today(self, on: date) -> bool:
        """Whether the account may be shut off on this day (its shut-off day, neither the weather nor a notice never
        sent holding it)."""
        return self.shutoff_on == on and not self.holding


def shutoff_selectors(rules: RuleLibrary) -> list[Selector]:
    """What the sweep documents feed to the shut-off list (any version of each)."""
    return [Selector.read(spec) for spec in fed(rules, SHUTOFF_LIST)]


def _pending_states(rules: RuleLibrary, workflows: WorkflowSet) -> dict[tuple[str, int], set[str]]:
    """The states fed to the shut-off list, by workflow id and version."""
    found, selectors = {}, shutoff_selectors(rules)
    for workflow in workflows:
        states = set(chosen_by_any(selectors, workflow.tags, workflow.states))
        if states and workflow.shutoff_gate() is not None:
            found[workflow.key] = states
    return found


def _shutoff_day(rules: RuleLibrary, workflows: WorkflowSet, case: Case, on: date | None,
                 forecast: dict[str, int] | None = None, made: Mapping[str, list[NoticeMade]] | None = None
                 ) -> ShutoffDay | None:
    """One scheduled case's shut-off day asked on a day (None: as printed), or None when its date is not set or
    cannot be read.

    In a state a gated step leaves (the release, the crew's shut-off), the first allowed day
    on or after max(printed, on), as that step's check asks it: why the printed date moved,
    and (once it has passed) why the day asked is not one. In another state (the notice
    mailed, the door hanger not yet posted) the printed date moved to an allowed day. A person's gated
    step due on the day asked is held as the step's check holds it by the day's `forecast`; any day, the
    notices the steps leaving the state require (`made`: the case's latest) and that never went out hold it.
    """
    workflow = workflows.get(case.workflow_id, case.workflow_version)
    field, gate = workflow.shutoff_gate()
    printed = (case.fields or {}).get(field)
    if not printed:
        return None
    printed_on = date.fromisoformat(printed) if isinstance(printed, str) else printed
    gated = [step for step in workflow.leaving(case.state) if step.due_day == gate and step.due == field]
    crew = any(step.by != "sweep" for step in gated)  # the weather holds a person's step, never the night's release
    try:
        opens = first_allowed(rules, gate, printed_on)
        reasons = opens.bars
        if gated and on is not None and on > opens.day:  # a gated step still to take: the next allowed day from `on`
            opens = first_allowed(rules, gate, on)
            reasons += tuple(bar for bar in opens.bars if bar not in reasons)
        held = weather_holds(rules, gate, on, forecast) if crew and on is not None and opens.day == on else ()
    except (EvaluationError, LookupError):  # no calendar version in force: the case page says so through its steps
        return None
    unsent = tuple(notice.refusal() for kind in _required(workflow, case.state)
                   for notice in (made or {}).get(kind, []) if not notice.sent)
    return ShutoffDay(case_id=case.id, account_id=case.account_id, printed_on=printed_on, shutoff_on=opens.day,
                      reasons=reasons, held=held, unsent=unsent)


def _required(workflow: Workflow, state: str) -> list[str]:
    """The notice types the steps leaving a state require sent (`requires_sent:`), in order, each once."""
    return list(dict.fromkeys(kind for step in workflow.leaving(state) for kind in step.requires_sent))


def _scheduled_cases(session: Session, pending: dict[tuple[str, int], set[str]],
                     case_ids: Iterable[int] | None) -> Iterator[list[Case]]:
    """Batches of open cases in a state fed to the shut-off list, by case id."""
    states = {state for names in pending.values() for state in names}
    query = select(Case).where(Case.workflow_id.in_({key[0] for key in pending}), Case.state.in_(states),
                               Case.closed_at.is_(None), Case.account_id.is_not(None))
    if case_ids is not None:
        query = query.where(Case.id.in_(list(case_ids)))
    after = 0
    while True:
        cases = list(session.scalars(query.where(Case.id > after).order_by(Case.id).limit(BATCH)))
        if not cases:
            return
        yield [c for c in cases if c.state in pending.get((c.workflow_id, c.workflow_version), set())]
        after = cases[-1].id


def shutoff_days(session: Session, rules: RuleLibrary, workflows: WorkflowSet, *, on: date | None = None,
                 case_ids: Iterable[int] | None = None) -> Iterator[list[ShutoffDay]]:
    """Batches of the cases scheduled for shut-off (these cases only, if given), each with its shut-off day asked
    on `on` (that day or later; without it, the printed date moved to an allowed day).

    The phone list gives them all but those held (`holding`: the weather on the day, a notice
    never sent), the day's shut-off list those whose day is the day asked, the case page its own.
    """
    for days in _days(session, rules, workflows, on, case_ids):
        yield [d for d in days if on is None or d.shutoff_on >= on]


def _gates(workflows: WorkflowSet, pending: dict[tuple[str, int], set[str]]) -> list[AllowedDay]:
    """The shut-off gates of the workflows whose states are fed to the shut-off list, each once."""
    found = []
    for workflow in workflows:
        gate = workflow.shutoff_gate()[1] if workflow.key in pending else None
        if gate is not None and gate not in found:
            found.append(gate)
    return found


def _forecast(session: Session, rules: RuleLibrary, gates: list[AllowedDay], on: date | None) -> dict[str, int] | None:
    """The forecast recorded for `on` as the calendar's facts, read only when a gate's calendar reads the weather
    that day (None: not needed, or none recorded)."""
    if on is None or not any(needs_forecast(rules, gate, on) for gate in gates):
        return None
    recorded = forecast_on(session, on)
    return recorded.facts if recorded is not None else None


def weather_on(session: Session, rules: RuleLibrary, workflows: WorkflowSet, on: date) -> tuple[str, ...]:
    """Why the weather holds the crews' shut-offs due on `on`, in the calendar's words (as each case's `held` says
    it); empty when no shut-off calendar reads the weather that day or its recorded forecast does not bar it."""
    gates = _gates(workflows, _pending_states(rules, workflows))
    forecast, found = _forecast(session, rules, gates, on), []
    for gate in gates:
        found += [why for why in weather_holds(rules, gate, on, forecast) if why not in found]
    return tuple(found)


def _days(session: Session, rules: RuleLibrary, workflows: WorkflowSet, on: date | None,
          case_ids: Iterable[int] | None) -> Iterator[list[ShutoffDay]]:
    """Batches of scheduled cases with their shut-off days asked on `on`, a day already passed included."""
    pending = _pending_states(rules, workflows)
    if not pending:
        return
    forecast = _forecast(session, rules, _gates(workflows, pending), on)
    for cases in _scheduled_cases(session, pending, case_ids):
        required = {kind for case in cases
                    for kind in _required(workflows.get(case.workflow_id, case.workflow_version), case.state)}
        made = latest_notices(session, [case.id for case in cases], required)
        yield [d for d in (_shutoff_day(rules, workflows, case, on, forecast, made.get(case.id)) for case in cases)
               if d is not None]


def shutoff_day_of(session: Session, rules: RuleLibrary, workflows: WorkflowSet, case_id: int,
                   on: date | None = None) -> ShutoffDay | None:
    """The shut-off day of one case asked on a day, as the lists give it (None when it is not scheduled); the case
    page shows a day already passed as passed."""
    found = [day for batch in _days(session, rules, workflows, on, [case_id]) for day in batch]
    return found[0] if found else None
