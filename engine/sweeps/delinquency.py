"""The delinquency sweep: open a case for each newly past-due account and take the steps the rules call for.

Only candidates are visited: accounts past due on the day by their kept balances
(engine.money.ledger.balances; before the balances are kept, accounts whose ledger could
show a past-due balance, decided in SQL), a window of account ids at a time, and accounts
with an open case of the workflow. For a chunk, the standings come from one ledger query
and the open cases from one case query; a case whose sweep steps are surely not due
tonight (a due date still ahead, a balance condition that does not hold) is left without
another query.
Everything else goes through the workflow runtime, which judges each step in full.

The workflows and states are read from their tags, never their names: the sweep opens
cases of the workflow tagged `past_due_accounts`; an account gets at most one open case, and
none is opened while a case of a workflow tagged `collection` (delinquency, liens) is open
on it. Cases in a state tagged `under_plan` are the plan-defaults sweep's.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import and_, case as when, func, select
from sqlalchemy.orm import Session, joinedload

from engine.accounts.facts import standing_facts
from engine.money.ledger import standings
from engine.money.ledger.balances import PAST_DUE, kept_on, standings_of
from engine.money.ledger.moving import Accounts
from engine.money.ledger.order import payment_orders
from engine.store.models import Bill, Case, LedgerEntry, UtilityAccount
from engine.sweeps.casework import Tally, advance_case, in_states, is_tagged, might_move, one_subject
from engine.sweeps.runner import SweepContext
from engine.workflow import services
from engine.workflow.model import COLLECTION, PAST_DUE_ACCOUNTS, UNDER_PLAN, Workflow

WINDOW_PER_SUBJECT = 12  # account ids scanned per subject wanted: about one account in twelve is a candidate


def maybe_past_due(session: Session, as_of: date, low: int, high: int) -> list[int]:
    """Accounts in (low, high] whose entries could leave something past due on the day (a superset).

    While credits pay the oldest debts first, something is past due only if the debits due
    before the day exceed the credits. Counted here: debits due before the day (and every
    reversal of a payment, which cancels that payment), less every credit that is not a
    reversal. A reversal of a charge is left out, so the sum is never below the truth. Under
    a payment order by service a credit may pay a debit not due yet first, so the credits are
    not subtracted then: every account with a debit due before the day is a candidate.
    """
    due = func.coalesce(LedgerEntry.due_on, LedgerEntry.effective_on)
    by_service = bool(payment_orders(session).on(as_of).by_service)
    owed = when((and_(LedgerEntry.amount_cents > 0, (due < as_of) | LedgerEntry.reverses_id.is_not(None)),
                 LedgerEntry.amount_cents),
                (and_(LedgerEntry.amount_cents < 0, LedgerEntry.reverses_id.is_(None), not by_service),
                 LedgerEntry.amount_cents),
                else_=0)
    return list(session.scalars(
        select(LedgerEntry.account_id)
        .where(LedgerEntry.account_id > low, LedgerEntry.account_id <= high, LedgerEntry.effective_on <= as_of)
        .group_by(LedgerEntry.account_id).having(func.sum(owed) > 0)))


def past_due_accounts(session: Session, as_of: date, low: int, high: int) -> list[int]:
    """Accounts in (low, high] past due on the day by their kept balances (not kept yet: the ledger's superset)."""
    if kept_on(session) is None:
        return maybe_past_due(session, as_of, low, high)
    return [account_id for account_id, _ in standings_of(session, as_of, PAST_DUE, Accounts(after=low, upto=high))]


def open_case_accounts(session: Session, workflow_ids: tuple[str, ...], low: int, high: int,
                       states: tuple[str, ...] | None = None) -> list[int]:
    """Accounts in (low, high] with an open case of these workflows (in these states, if given)."""
    query = select(Case.account_id).where(Case.workflow_id.in_(workflow_ids), Case.closed_at.is_(None),
                                          Case.account_id > low, Case.account_id <= high)
    if states is not None:
        query = query.where(Case.state.in_(states))
    return list(session.scalars(query))


def last_account_id(session: Session) -> int:
    """The highest utility account id (0 when there are none)."""
    return session.scalar(select(func.max(UtilityAccount.id))) or 0


def windows(session: Session, after: int, width: int) -> Iterator[tuple[int, int]]:
    """(low, high] windows of account ids from `after` to the last account."""
    top = last_account_id(session)
    low = after
    while low < top:
        yield low, min(low + width, top)
        low += width


def bill_periods(session: Session, oldest_due: dict[int, date]) -> dict[int, str]:
    """The bill period (YYYY-MM) of each account's oldest unpaid bill: the bill due that day, else the charge's month.

    Two queries for the whole chunk: the bills due on those days, then, for accounts whose
    charge has no bill, the month of the first charge due that day.
    """
    periods: dict[int, str] = {}
    if not oldest_due:
        return periods
    for account_id, due_on, period in session.execute(
            select(Bill.account_id, Bill.due_on, Bill.period).where(Bill.account_id.in_(list(oldest_due)),
                                                                    Bill.due_on.in_(set(oldest_due.values())))
            .order_by(Bill.id.desc())):
        if oldest_due[account_id] == due_on:
            periods[account_id] = period
    missing = [a for a in oldest_due if a not in periods]
    if missing:
        for account_id, due_on, billed in session.execute(
                select(LedgerEntry.account_id, LedgerEntry.due_on, LedgerEntry.effective_on).where(
                    LedgerEntry.account_id.in_(missing), LedgerEntry.due_on.in_(set(oldest_due.values())),
                    LedgerEntry.amount_cents > 0).order_by(LedgerEntry.id.desc())):
            if oldest_due[account_id] == due_on:
                periods[account_id] = billed.strftime("%Y-%m")
    return periods


def open_cases_by_account(session: Session, ids: list[int], workflow_ids: tuple[str, ...]) -> dict[int, list[Case]]:
    """The open cases of these workflows on the chunk's accounts, in one query."""
    found: dict[int, list[Case]] = {}
    for case in session.scalars(select(Case).where(Case.account_id.in_(ids), Case.workflow_id.in_(workflow_ids),
                                                   Case.closed_at.is_(None)).order_by(Case.id)):
        found.setdefault(case.account_id, []).append(case)
    return found


def load_accounts(session: Session, ids: list[int]) -> list[UtilityAccount]:
    """The chunk's accounts with their customers and properties, in one query."""
    return list(session.scalars(select(UtilityAccount).options(joinedload(UtilityAccount.customer),
                                                               joinedload(UtilityAccount.property))
                                .where(UtilityAccount.id.in_(ids))).unique())


def past_due_workflow(ctx: SweepContext) -> Workflow:
    """The workflow whose cases the sweep opens for accounts newly past due (tagged `past_due_accounts`)."""
    return ctx.services.workflows.the_one_tagged(PAST_DUE_ACCOUNTS, on=ctx.as_of)


class DelinquencySweep:
    """Past-due accounts: open their case, mail reminders and shut-off notices, release shut-offs, resolve."""

    name = "delinquency"
    title = "Delinquency: past-due accounts, reminders, shut-off notices, shut-offs, resolution"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """The next candidate accounts after `after`: maybe past due, or with an open case of the workflow."""
        workflow = past_due_workflow(ctx)
        for low, high in windows(session, after, limit * WINDOW_PER_SUBJECT):
            ids = set(past_due_accounts(session, ctx.as_of, low, high))
            ids.update(open_case_accounts(session, (workflow.id,), low, high))
            if ids:
                return sorted(ids)[:limit]
        return []

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return last_account_id(session)

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Open cases for newly past-due accounts and advance the open ones that might move."""
        workflows, opens = ctx.services.workflows, past_due_workflow(ctx)
        open_cases = open_cases_by_account(session, ids, workflows.tagged(COLLECTION))
        accounts = {a.id: a for a in load_accounts(session, ids)}  # held, so the runtime finds them without a query
        owing = dict(standings(session, ctx.as_of, account_ids=ids))
        periods = bill_periods(session, {a: s.oldest_unpaid_due for a, s in owing.items()
                                         if s.past_due_cents > 0 and not open_cases.get(a)})
        for account_id, standing in owing.items():
            label = f"account {accounts[account_id].number}"
            cases = [c for c in open_cases.get(account_id, []) if c.workflow_id == opens.id]
            if open_cases.get(account_id):
                for case in cases:
                    workflow = workflows.get(case.workflow_id, case.workflow_version)
                    if is_tagged(workflows, case, UNDER_PLAN) or not might_move(workflow, case,
                                                                                  standing_facts(standing), ctx.as_of):
                        continue
                    one_subject(session, ctx.report, f"{label} (case {case.id})",
                                lambda tally, case=case: advance_case(session, ctx, case, tally))
            elif standing.past_due_cents > 0:
                one_subject(session, ctx.report, label,
                            lambda tally, a=account_id: self._open(session, ctx, opens, a, periods.get(a), tally))
        del accounts

    def _open(self, session: Session, ctx: SweepContext, workflow: Workflow, account_id: int, period: str | None,
              tally: Tally) -> None:
        """Open the account's case for its oldest unpaid bill's period, then take tonight's steps."""
        if period is None:
            raise LookupError("no bill or charge is due on the oldest unpaid due date to name the case's bill period")
        case = services.open_case(session, ctx.services, workflow.id, account_id, actor=ctx.actor, on=ctx.as_of,
                                  now=ctx.now, fields={"period": period})
        tally.cases_opened[workflow.id] += 1
        tally.steps[f"{workflow.id}.open"] += 1
        advance_case(session, ctx, case, tally)


class PlanDefaultSweep:
    """Payment plans: a plan 60 days behind defaults (final notice, shut-off date); a plan paid up resolves."""

    name = "plan-defaults"
    title = "Payment-plan defaults: plans behind, final notices, shut-off after default"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """Accounts after `after` with an open case in a state tagged `under_plan` (a plan in effect or in default)."""
        plans = in_states(ctx.services.workflows.states_tagged(UNDER_PLAN))
        return list(session.scalars(
            select(Case.account_id).where(plans, Case.closed_at.is_(None), Case.account_id > after)
            .group_by(Case.account_id).order_by(Case.account_id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return last_account_id(session)

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Take every sweep step of each plan case whose checks hold tonight."""
        workflows = ctx.services.workflows
        open_cases = open_cases_by_account(session, ids, tuple(workflows.states_tagged(UNDER_PLAN)))
        numbers = {a.id: a.number for a in load_accounts(session, ids)}
        for account_id in ids:
            for case in open_cases.get(account_id, []):
                if is_tagged(workflows, case, UNDER_PLAN):
                    one_subject(session, ctx.report, f"account {numbers[account_id]} (case {case.id})",
                                lambda tally, case=case: advance_case(session, ctx, case, tally))
