"""The crews' daily lists: the cases whose field step is due today, by route, and their results entered in bulk.

A workflow names the steps a field crew takes with `field_list: TITLE` (in the sample city: the
door hangers to post, the shut-offs due, the reconnections to make). A list is the open cases of
that workflow whose step the person could take today — every guard of the step asked, as on the
case page — with what a crew needs on the street: the service address, the meter's number,
location and route, and what the account owes. Results come back as one form per list: each row
ticked is that case's step (or the other result chosen on the row: could not access), taken with
the row's own form values, in a savepoint of its own, so a row refused (paid meanwhile, a holiday)
is reported and the others are kept. A stop held only by the weather or by a notice of the case
never sent (`requires_sent:`) is listed apart, with why.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.meters import meter_serving
from engine.money.ledger.standing import standings
from engine.store.forecasts import Forecast, forecast_on
from engine.store.models import Case, Notice, UtilityAccount
from engine.workflow import services
from engine.workflow.days import needs_forecast, weather_holds
from engine.workflow.model import Transition
from engine.workflow.runtime import CaseError
from engine.workflow.services import Catalog

HOLDING = ("weather", "sent")  # the checks that hold a stop on its list (shown with why) rather than leave it off


@dataclass(frozen=True)
class FieldList:
    """One crews' list: its title, the step it is made of, and the other results a stop may have.

    Every staff step of a workflow naming the same `field_list:` title is a result of the one
    list: the first is the list's step (a case is on the list when that step is due), the
    others are what else the crew may bring back from the stop (could not access the meter).
    """

    title: str
    workflow_id: str
    step: Transition
    others: tuple[Transition, ...] = ()

    @property
    def key(self) -> str:
        """How the list is named in an address: WORKFLOW.STEP."""
        return f"{self.workflow_id}.{self.step.id}"

    @property
    def results(self) -> tuple[Transition, ...]:
        """The steps a stop's result may be: the list's own first, then the others."""
        return (self.step, *self.others)

    def result(self, step_id: str) -> Transition | None:
        """The result step of this id, or None."""
        return next((t for t in self.results if t.id == step_id), None)

    @property
    def columns(self) -> list:
        """The form fields of every result, each once (by name), in the order the results ask them."""
        seen, found = set(), []
        for step in self.results:
            for spec in step.form:
                if spec.name not in seen:
                    seen.add(spec.name)
                    found.append(spec)
        return found


@dataclass(frozen=True)
class FieldRow:
    """One stop on a list."""

    case_id: int
    case_version: int
    account_number: str
    customer: str
    service_address: str
    meter_number: str
    meter_location: str
    route: str
    past_due_cents: int
    balance_cents: int
    held: tuple[str, ...] = ()  # why the weather or a notice never sent holds the stop today; empty: due


@dataclass
class Results:
    """What entering a list's results did: the cases moved, and the rows refused with why."""

    taken: list[int] = field(default_factory=list)
    refused: list[tuple[int, list[str]]] = field(default_factory=list)


def field_lists(catalog: Catalog, on: date) -> list[FieldList]:
    """Every list the workflows in force today name, in the order of their workflows and steps."""
    found = []
    for workflow_id in catalog.workflows.ids():
        workflow = catalog.workflows.get(workflow_id, on=on)
        titled: dict[str, list[Transition]] = {}
        for step in workflow.transitions:
            if step.field_list:
                titled.setdefault(step.field_list, []).append(step)
        found += [FieldList(title, workflow.id, steps[0], tuple(steps[1:])) for title, steps in titled.items()]
    return found


def field_list(catalog: Catalog, key: str, on: date) -> FieldList | None:
    """The list named WORKFLOW.STEP, or None."""
    return next((fl for fl in field_lists(catalog, on) if fl.key == key), None)


@dataclass(frozen=True)
class Weather:
    """The day's forecast on a list whose step waits for a shut-off day of a calendar that reads the weather."""

    forecast: Forecast | None
    holds: tuple[str, ...]  # why the weather holds the list's stops today; empty: it does not


def weather(session: Session, catalog: Catalog, the_list: FieldList, on: date) -> Weather | None:
    """The day's forecast and what it holds, or None when the list's step does not read the weather."""
    gate = the_list.step.due_day
    if gate is None or not needs_forecast(catalog.rules, gate, on):
        return None
    recorded = forecast_on(session, on)
    return Weather(recorded, weather_holds(catalog.rules, gate, on, recorded.facts if recorded else None))


def rows(session: Session, catalog: Catalog, the_list: FieldList, *, user: str, on: date,
         route: str | None = None, held: bool = False) -> list[FieldRow]:
    """The list's stops today for this person, by route then address; only the route asked for, if one is. With
    `held`, also the stops only the weather or a notice never sent holds today, each with why."""
    cases = session.scalars(select(Case).where(Case.workflow_id == the_list.workflow_id, Case.closed_at.is_(None))
                            .order_by(Case.id)).all()
    judged = {case.id: _allowed(session, catalog, case, the_list.step.id, user, on) for case in cases
              if the_list.step.leaves(case.state, catalog.workflows.get(case.workflow_id, case.workflow_version).states)}
    due = [case for case in cases if judged.get(case.id) is not None and (held or not judged[case.id])]
    accounts = {a.id: a for a in session.scalars(select(UtilityAccount).where(
        UtilityAccount.id.in_([c.account_id or c.subject_id for c in due])))}
    owed = dict(standings(session, on, sorted(accounts)))
    found = []
    for case in due:
        account = accounts[case.account_id or case.subject_id]
        meter = meter_serving(session, account.id)
        stop = FieldRow(case.id, case.version, account.number, account.customer.name, account.property.service_address,
                        meter.number if meter else "", meter.location if meter else "", meter.route if meter else "",
                        owed[account.id].past_due_cents, owed[account.id].balance_cents, judged[case.id])
        if route is None or stop.route == route:
            found.append(stop)
    return sorted(found, key=lambda r: (r.route, r.service_address, r.case_id))


def _allowed(session: Session, catalog: Catalog, case: Case, step_id: str, user: str,
             on: date) -> tuple[str, ...] | None:
    """Whether the person could take the step on the case today (every guard asked): () when they could, why it is
    held when only the weather or a notice never sent holds it, None when anything else refuses it."""
    try:
        options = services.steps_for(session, catalog, case.id, user=user, on=on)
    except CaseError:
        return None
    option = next((option for option in options if option.id == step_id), None)
    if option is None:
        return None
    if option.allowed:
        return ()
    refused = [entry for entry in option.explanation if not entry.get("ok")]
    if refused and all(entry.get("guard") in HOLDING for entry in refused):
        return tuple(option.reasons)
    return None


def routes(found: list[FieldRow]) -> list[str]:
    """The routes of the stops, in order (a stop without a meter on file has the route "")."""
    return sorted({r.route for r in found})


def door_letters(session: Session, catalog: Catalog, the_list: FieldList, stops: list[FieldRow], *, user: str,
                 on: date, now: datetime) -> list[tuple[str, str, dict]]:
    """The notices the list's step would leave at each stop (type, language, data), printed before the crew goes out;
    nothing is kept (each step is taken in a savepoint that is undone)."""
    letters = []
    for stop in stops:
        savepoint = session.begin_nested()
        try:
            event = services.take_step(session, catalog, stop.case_id, the_list.step.id, user=user, on=on, now=now,
                                       version=stop.case_version, form={})
            done = next((e.get("done", []) for e in event.explanation if e.get("guard") == "actions"), [])
            for d in done:
                if d.get("action") == "notice":
                    notice = session.get(Notice, d["notice_id"])
                    letters.append((notice.notice_type, notice.language, copy.deepcopy(notice.data)))
                    session.expunge(notice)  # undone below: its id is free for the next stop's
        except CaseError:
            pass  # a stop that can no longer be taken has no letter to print
        finally:
            savepoint.rollback()
    return letters


def enter_results(session: Session, catalog: Catalog, the_list: FieldList,
                  entered: list[tuple[int, int, dict[str, object]] | tuple[int, int, dict[str, object], str]], *,
                  user: str, on: date, now: datetime) -> Results:
    """Take a result step on each case entered: (case id, the version the list showed, the row's form values, and
    the result's step id when it is not the list's own step)."""
    results = Results()
    for case_id, version, form, *chosen in entered:
        step_id = chosen[0] if chosen else the_list.step.id
        if the_list.result(step_id) is None:
            results.refused.append((case_id, [f"{step_id!r} is not a result of the list {the_list.title!r}"]))
            continue
        savepoint = session.begin_nested()
        try:
            services.take_step(session, catalog, case_id, step_id, user=user, on=on, now=now,
                               version=version, form=form)
        except CaseError as refused:
            savepoint.rollback()
            results.refused.append((case_id, list(getattr(refused, "reasons", None) or [str(refused)])))
            continue
        savepoint.commit()
        results.taken.append(case_id)
    return results
