"""What every case sweep shares: one subject at a time in a savepoint, and the tally of what it did.

A subject's work (opening a case, taking its steps) runs in a SAVEPOINT of the chunk's
transaction. If it fails (a fact that cannot be derived, a rule that cannot be evaluated, a
notice missing what it must print), the savepoint is rolled back, the report gets an
exception line naming the account or license, and the sweep goes on with the next subject.
What a subject did is added to the report only once its savepoint has been released, with
an exception line for each step the night held back (engine.workflow.night) and each notice
re-dated, naming the account or license and the case.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, event, false, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from engine.money import to_cents
from engine.rules.conditions import Condition
from engine.store.models import (Case, CaseEvent, Customer, Deposit, LedgerEntry, Notice, Payment, Property,
                                 UtilityAccount)

WORKING_ON = "ordinance.sweep_working_on"  # session.info: the account whose subject is being worked
# session.info: the notices written by the subject being worked, held so that its tally finds them in the session
NOTICES_WRITTEN = "ordinance.sweep_notices_written"
from engine.sweeps.report import SweepReport
from engine.sweeps.runner import SweepContext
from engine.workflow import services
from engine.workflow.actions import ACTIONS
from engine.workflow.facts import ACCOUNT_FACTS_MEMO, ACCOUNT_FACTS_READ
from engine.workflow.definitions import WorkflowSet
from engine.workflow.model import Workflow
from engine.workflow.night import Held

# What account facts are read from: a flush touching any of these makes the kept facts stale.
FACT_SOURCES = (LedgerEntry, Payment, Deposit, UtilityAccount, Customer, Property)

# Facts the chunk's bulk standing gives for every account without another query.
STANDING_FACTS = ("balance", "past_due_balance", "days_past_due")


@dataclass
class Tally:
    """What one subject's work did, kept apart until its savepoint is released."""

    cases_opened: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    fees_cents: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    extra: dict[str, Any] = field(default_factory=dict)
    exceptions: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, message, case id)

    def events(self, session: Session, case: Case, events: Iterable[CaseEvent]) -> None:
        """Count the steps a case took, the fees its actions posted and the notices they created; note re-datings."""
        for event in events:
            self.steps[f"{case.workflow_id}.{event.step}"] += 1
            done = _actions_done(event)
            for record in done:
                action = ACTIONS.get(str(record.get("action", "")))
                if action is None:  # a record that is no action's (a field re-dated)
                    continue
                charged = action.fee(record)
                if charged is not None and charged[1] != 0:
                    self.fees_cents[charged[0]] += to_cents(charged[1])
                for notice_id in action.notices(record):  # an occupant's copy is mailed too
                    notice = session.get(Notice, notice_id)
                    self.notices[f"{notice.notice_type}/{notice.language}"] += 1
            self._re_datings(case, event, done)

    def _re_datings(self, case: Case, event: CaseEvent, done: list[dict[str, Any]]) -> None:
        """One exception line for a step whose notice went out with dates counted again from tonight."""
        moved = [f"{d['field']} {d['value']} ({d.get('re_dated') or d.get('why')})" for d in done
                 if d.get("re_dated") or d.get("action") == "re_date"]
        notices = [str(d["notice"]) for d in done if d.get("action") == "notice"]
        if moved and notices:
            self.exceptions.append(("re_dated", f"{event.step}: the {' and '.join(notices)} re-dated from tonight: "
                                                + "; ".join(moved), case.id))

    def held(self, held: Held | None) -> None:
        """An exception line for the step the night held back, if any."""
        if held is not None:
            self.exceptions.append((held.kind, held.reason, held.case_id))

    def add_to(self, report: SweepReport) -> None:
        """Add this subject's counts to the run's report."""
        report.cases_opened.update(self.cases_opened)
        report.steps.update(self.steps)
        report.fees_cents.update(self.fees_cents)
        report.notices.update(self.notices)
        for key, value in self.extra.items():
            if isinstance(value, list):
                report.extra.setdefault(key, []).extend(value)
            else:
                report.extra[key] = report.extra.get(key, 0) + value


def _actions_done(event: CaseEvent) -> list[dict[str, Any]]:
    """The actions a step event records as done (fees, notices, fields set)."""
    for entry in event.explanation or []:
        if entry.get("guard") == "actions":
            return list(entry.get("done", []))
    return []


def _forget_stale_facts(session: Session, _flush_context: Any) -> None:
    """After a flush that changed the ledger or an account, forget the account facts kept so far.

    Facts read ahead for the chunk are forgotten for the account being worked on at any flush
    at all (a step, a notice, a fee), and for every account a flushed row names; a customer or
    a property written forgets them all. The notices written are held until the subject's
    tally has counted them (the session keeps only objects someone holds, and would read each again).
    """
    flushed = (*session.new, *session.dirty, *session.deleted)
    written = session.info.get(NOTICES_WRITTEN)
    if written is not None:
        written.extend(obj for obj in session.new if isinstance(obj, Notice))
    memo = session.info.get(ACCOUNT_FACTS_MEMO)
    if memo and any(isinstance(obj, FACT_SOURCES) for obj in flushed):
        memo.clear()
    ahead = session.info.get(ACCOUNT_FACTS_READ)
    if not ahead or not flushed:
        return
    ahead.pop(session.info.get(WORKING_ON), None)
    for obj in flushed:
        if isinstance(obj, (Customer, Property)):
            ahead.clear()
            return
        named = obj.id if isinstance(obj, UtilityAccount) else getattr(obj, "account_id", None)
        if isinstance(obj, CaseEvent):
            case = session.get(Case, obj.case_id)
            named = case.account_id if case is not None else None
        ahead.pop(named, None)


def keep_facts(session: Session) -> None:
    """Let the workflow runtime keep an account's facts between the checks of one subject's steps.

    The runtime derives the facts afresh for every guard and action; within one subject's
    work they only change when the ledger or the account does, and a flush of such a change
    clears what was kept. `one_subject` also clears it before and after each subject.
    """
    if ACCOUNT_FACTS_MEMO not in session.info:
        session.info[ACCOUNT_FACTS_MEMO] = {}
        event.listen(session, "after_flush", _forget_stale_facts)


def one_subject(session: Session, report: SweepReport, label: str, work: Callable[[Tally], None],
                account_id: int | None = None) -> bool:
    """Do one subject's work in a savepoint; an error becomes an exception line. True when it went through.

    `account_id`: the account the work is about, whose facts read ahead for the chunk the work may change.
    """
    tally = Tally()
    keep_facts(session)
    session.info[ACCOUNT_FACTS_MEMO].clear()
    session.info[WORKING_ON] = account_id
    session.info[NOTICES_WRITTEN] = []
    try:
        with session.begin_nested():
            work(tally)
    except IntegrityError as error:
        report.exception(label, f"refused by the database: {error.orig}")
        return False
    except DBAPIError:
        raise  # a lost connection or a lock timeout is the run's problem, not this subject's
    except Exception as error:  # noqa: BLE001 - missing facts, rule errors, notices: reported, and the sweep goes on
        report.exception(label, f"{type(error).__name__}: {error}")
        return False
    finally:
        session.info[ACCOUNT_FACTS_MEMO].clear()
        session.info.pop(WORKING_ON, None)
        session.info.pop(NOTICES_WRITTEN, None)
    tally.add_to(report)
    for kind, message, case_id in tally.exceptions:
        report.exception(label if "(case " in label else f"{label} (case {case_id})", message, kind)
    return True


def advance_case(session: Session, ctx: SweepContext, case: Case, tally: Tally,
                 steps: Collection[str] | None = None) -> None:
    """Take the case's sweep steps (of these ids, if given) whose checks hold tonight, as the night allows; tally
    them."""
    done = services.advance_night(session, ctx.services, case.id, sweep=ctx.name, night=ctx.night, on=ctx.as_of,
                                  now=ctx.now, sweep_run_id=ctx.run_id, steps=steps)
    tally.events(session, case, done.events)
    tally.held(done.held)


def in_states(states: dict[str, tuple[str, ...]]) -> ColumnElement[bool]:
    """SQL: the case is in one of these states of its workflow ({workflow id: states}; false when there are none)."""
    return or_(false(), *(and_(Case.workflow_id == workflow_id, Case.state.in_(names))
                          for workflow_id, names in states.items()))


def is_tagged(workflows: WorkflowSet, case: Case, tag: str) -> bool:
    """Whether the case's state carries a tag in the workflow version the case is on."""
    return case.state in workflows.get(case.workflow_id, case.workflow_version).states_tagged(tag)


def account_numbers(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Account number by id for a chunk, so exception lines name the account as clerks know it."""
    return dict(session.execute(select(UtilityAccount.id, UtilityAccount.number)
                                .where(UtilityAccount.id.in_(list(ids)))).all())


def each_account(session: Session, report: SweepReport, ids: list[int],
                 work: Callable[[int, Tally], None]) -> None:
    """Do `work(account_id, tally)` for each account of a chunk, each in its own savepoint."""
    numbers = account_numbers(session, ids)
    for account_id in ids:
        one_subject(session, report, f"account {numbers.get(account_id, account_id)}",
                    lambda tally, a=account_id: work(a, tally))


def _date(value: Any) -> date | None:
    """A date from a case field (ISO text) or None."""
    if value in (None, ""):
        return None
    return date.fromisoformat(value) if isinstance(value, str) else value


def might_move(workflow: Workflow, case: Case, facts: dict[str, Any], on: date,
               steps: Collection[str] | None = None) -> bool:
    """Whether any sweep step could be taken tonight, judged from the bulk facts alone.

    False only when every sweep step leaving the case's state is surely refused: its due date
    (a case field) is later than the day or unset, or its `when:` condition reads only facts
    the bulk standing gives and does not hold. Anything else is judged in full by the runtime.
    """
    for step in workflow.leaving(case.state):
        if step.by != "sweep" or (steps is not None and step.id not in steps):
            continue
        if step.due is not None:
            due_on = _date((case.fields or {}).get(step.due))
            if due_on is None or due_on > on:
                continue
        if isinstance(step.when, Condition) and step.when.facts_read() <= set(facts) \
                and not step.when.holds(facts):
            continue
        return True
    return False
