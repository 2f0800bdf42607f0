"""A sweep as a document (`kind: sweep`, engine.rules.kinds.sweep): the one code that runs every such sweep.

The document in force on the night says which subjects are visited (`subjects:`), which
workflow the sweep opens cases of (`workflow:`, a tag), when and how (`opens:`), which open
cases it takes sweep steps of (`works:`) and which lists the report keeps (`lists:`).
Workflows and states are found by their tags in the version a case is on, never by name.

For each chunk of subjects (accounts, or licenses), in one query the open cases on them;
then, subject by subject, each in its savepoint (engine.sweeps.casework):

- every open case that `works:` selects takes tonight's sweep steps (on a sweep of past-due
  accounts, a case whose steps are surely not due tonight, judged from the chunk's bulk
  standing, is left without another query), then goes on each list that selects it whose
  due date has come and whose rule gives the outcome;
- with `opens:`, a subject without an open case of the workflow, or of one tagged in
  `unless_open`, gets a case when the condition holds on its facts (and, with
  `only_when_a_step_is_due`, when a sweep step would be taken from the opening state
  tonight), with the fields the document gives; the new case takes tonight's steps.

With `credits_deposits:` each held deposit of the account is decided by that criteria and
credited back when earned (engine.accounts.deposit_refunds).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, union
from sqlalchemy.orm import Session, joinedload

from engine import audit
from engine.accounts.customer_record import read_addresses_ahead
from engine.accounts.deposit_refunds import refund_eligible_deposits
from engine.accounts.facts import standing_facts
from engine.money import money_text
from engine.money.ledger.balances import standings_on
from engine.money.ledger.kept import holding_balances
from engine.rules.conditions import Condition
from engine.rules.document import RuleDocument
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.versions import version_in_force
from engine.store.kept_reads import keeping_reads
from engine.store.models import Case, Deposit, License, UtilityAccount
from engine.sweeps.casework import STANDING_FACTS, Tally, account_numbers, advance_case, in_states, might_move, \
    one_subject
from engine.sweeps.delinquency import bill_periods, last_account_id, past_due_accounts, windows
from engine.sweeps.runner import SweepContext, SweepError
from engine.workflow import runtime, services
from engine.workflow.definitions import WorkflowSet
from engine.workflow.facts import ACCOUNT_FACTS_READ, read_ahead, subject_facts
from engine.workflow.guards import Actor, judge
from engine.workflow.model import SERVICE_OFF, Workflow
from engine.workflow.night import read_notices_ahead
from engine.workflow.selectors import Selector
from engine.workflow.services import Catalog

KIND = "sweep"
WINDOW_PER_SUBJECT = 12  # account ids scanned per subject wanted: about one account in twelve is past due
ACCOUNT_SUBJECTS = ("utility_account", "lien", "refund")  # the case subjects whose subject id is an account's


class CaseSelector(Selector):
    """A selector that also answers for a case, and in SQL."""

    def matches(self, workflows: WorkflowSet, case: Case) -> bool:
        """Whether an open case is selected, by the tags of the version it is on."""
        return case.state in self.states_of(workflows.get(case.workflow_id, case.workflow_version))

    def sql(self, workflows: WorkflowSet) -> ColumnElement[bool]:
        """SQL: the case is in a state some version of its workflow selects (a superset; `matches` decides)."""
        found: dict[str, set[str]] = {}
        for workflow in workflows:
            found.setdefault(workflow.id, set()).update(self.states_of(workflow))
        return in_states({workflow_id: tuple(sorted(names)) for workflow_id, names in found.items() if names})


@dataclass(frozen=True)
class CaseList:
    """One of `lists:`: the cases selected, their due date passed, the rule giving the outcome; what a line shows."""

    name: str
    selector: CaseSelector
    shows: dict[str, str]
    due: str | None = None
    rule: str | None = None
    outcome: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A sweep document's version in force on the night, read."""

    name: str
    subjects: str | dict[str, Any]
    workflow: str | None  # the tag of the workflow it opens cases of
    opens: dict[str, Any] | None
    works: CaseSelector | None
    steps: tuple[str, ...] | None
    lists: tuple[CaseList, ...]
    credits_rule: str | None

    @classmethod
    def of(cls, rules: RuleLibrary, name: str, on: date) -> Plan:
        """The version of the sweep document `name` in force on the day; SweepError when there is none."""
        if name not in rules or rules.get(name).kind != KIND:
            raise SweepError(f"no sweep named {name!r}; the sweeps are: {', '.join(sweep_names(rules))}")
        try:
            body = version_in_force(rules.get(name), on).body
        except EvaluationError as error:
            raise SweepError(f"{name}: {error}") from None
        works = body.get("works")
        lists = tuple(CaseList(list_name, CaseSelector.read(spec), dict(spec["shows"]), spec.get("due"),
                               spec.get("rule"), dict(spec.get("outcome") or {}))
                      for list_name, spec in (body.get("lists") or {}).items())
        return cls(name, body["subjects"], body.get("workflow"), body.get("opens"), CaseSelector.read(works),
                   tuple(works["steps"]) if works and works.get("steps") else None, lists,
                   (body.get("credits_deposits") or {}).get("rule"))

    @property
    def gives_a_period(self) -> bool:
        """Whether a case is opened with the bill period of the account's oldest unpaid bill."""
        return any(spec.get("subject") == "oldest_unpaid_period"
                   for spec in ((self.opens or {}).get("fields") or {}).values())

    @property
    def of_licenses(self) -> bool:
        """Whether the subjects are licenses (else accounts)."""
        return isinstance(self.subjects, dict) and "licenses_expiring_within" in self.subjects

    @property
    def selectors(self) -> list[CaseSelector]:
        """Every selector of open cases: `works:` and each list's."""
        return ([self.works] if self.works else []) + [a_list.selector for a_list in self.lists]


def sweep_names(rules: Iterable[RuleDocument]) -> list[str]:
    """The ids of the sweep documents of a library, sorted."""
    return sorted(doc.id for doc in rules if doc.kind == KIND)


def opened_workflow(ctx: SweepContext, plan: Plan) -> Workflow | None:
    """The workflow (its version in force on the night) whose cases the sweep opens: the one tagged `workflow:`."""
    if plan.workflow is None:
        return None
    return ctx.services.workflows.the_one_tagged(plan.workflow, on=ctx.as_of)


def opening_state(workflow: Workflow, tag: str | None) -> str:
    """The state a case is opened in: the one tagged so (`opens: {state: TAG}`), else the workflow's initial."""
    if tag is None:
        return workflow.initial
    found = workflow.states_tagged(tag)
    if len(found) != 1:
        raise LookupError(f"{workflow.id} tags {len(found)} states {tag}; one is needed")
    return found[0]


class DocumentSweep:
    """A nightly sweep whose document (`kind: sweep`) says what it does."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.title = name
        self._when: Condition | None = None  # the opening condition of the chunk's version, read once a chunk

    def check(self, services: Catalog | None, on: date) -> None:
        """SweepError unless the catalog has this sweep's document with a version in force on the day."""
        if services is None:
            raise SweepError(f"{self.name} is a sweep document; it runs with the city's rules")
        Plan.of(services.rules, self.name, on)

    # --- which subjects ------------------------------------------------------------------------------------------

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """The next subjects after `after` (accounts or licenses, by the document), at most `limit`."""
        plan = Plan.of(ctx.services.rules, self.name, ctx.as_of)
        workflows = ctx.services.workflows
        selected = [s.sql(workflows) for s in plan.selectors]
        opened = opened_workflow(ctx, plan)
        if opened is not None:
            selected.append(Case.workflow_id == opened.id)
        with_case = or_(false(), *selected)
        if plan.of_licenses:
            return self._licenses(session, ctx, plan, with_case, after, limit)
        cased = select(Case.account_id.label("id")).where(with_case, Case.closed_at.is_(None),
                                                          Case.account_id > after)
        subjects = plan.subjects
        if subjects == "past_due_accounts":
            return self._past_due(session, ctx, with_case, after, limit)
        if subjects == "cases":
            query = cased
        elif subjects == "accounts_holding_deposits":
            query = union(cased, select(Deposit.account_id.label("id")).where(Deposit.status == "held",
                                                                               Deposit.account_id > after))
        else:
            query = union(cased, select(UtilityAccount.id.label("id")).where(
                UtilityAccount.status.in_(list(subjects["accounts_in_status"])), UtilityAccount.id > after))
        found = query.subquery()
        return list(session.scalars(select(found.c.id).group_by(found.c.id).order_by(found.c.id).limit(limit)))

    def _past_due(self, session: Session, ctx: SweepContext, with_case: ColumnElement[bool], after: int,
                  limit: int) -> list[int]:
        """Accounts maybe past due, or with an open case the sweep opens or works, a window of ids at a time."""
        for low, high in windows(session, after, limit * WINDOW_PER_SUBJECT):
            ids = set(past_due_accounts(session, ctx.as_of, low, high))
            ids.update(session.scalars(select(Case.account_id).where(with_case, Case.closed_at.is_(None),
                                                                     Case.account_id > low, Case.account_id <= high)))
            if ids:
                return sorted(ids)[:limit]
        return []

    def _licenses(self, session: Session, ctx: SweepContext, plan: Plan, with_case: ColumnElement[bool], after: int,
                  limit: int) -> list[int]:
        """Licenses with an open case the sweep opens or works, or active and near or past the end of their term."""
        ahead = timedelta(days=int(plan.subjects["licenses_expiring_within"]["days"]))
        cased = select(Case.license_id.label("id")).where(with_case, Case.closed_at.is_(None),
                                                          Case.license_id > after)
        near_end = select(License.id.label("id")).where(
            License.status == "active", License.expires_on.is_not(None), License.expires_on <= ctx.as_of + ahead,
            License.id > after)
        both = union(cased, near_end).subquery()
        return list(session.scalars(select(both.c.id).order_by(both.c.id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar): the last account (licenses: their count is small)."""
        return last_account_id(session)

    # --- what is done with them ----------------------------------------------------------------------------------

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Each subject of the chunk: its selected cases worked and listed, a case opened where the document says.

        The payment order and the kept balances' day are read once for the chunk (engine.store.kept_reads);
        the chunk's audit rows and the kept balances of the accounts it posts to are written together at its end
        (engine.audit.batched, engine.money.ledger.held).
        """
        with keeping_reads(session), audit.batched(session), holding_balances(session):
            self._chunk(session, ids, ctx)

    def _chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """The body of process_chunk, with the chunk's reads kept."""
        plan = Plan.of(ctx.services.rules, self.name, ctx.as_of)
        opened = opened_workflow(ctx, plan)
        self._when = self._condition(ctx, plan, opened) if opened is not None and plan.opens else None
        column = Case.license_id if plan.of_licenses else Case.account_id
        cases: dict[int, list[Case]] = {}
        for case in session.scalars(select(Case).where(column.in_(ids), Case.closed_at.is_(None)).order_by(Case.id)):
            cases.setdefault(case.license_id if plan.of_licenses else case.account_id, []).append(case)
        if plan.of_licenses:
            licenses = {lic.id: lic for lic in session.scalars(select(License).where(License.id.in_(ids)))}
            labels = {i: f"license {licenses[i].number}" for i in ids}
            for license_id in ids:
                self._subject(session, ctx, plan, opened, license_id, labels[license_id],
                              self._work(ctx, plan, opened, cases.get(license_id, []), None), None,
                              licenses[license_id])
            return
        labels = {i: f"account {number}" for i, number in account_numbers(session, ids).items()}
        bulk = plan.subjects == "past_due_accounts" or plan.gives_a_period
        owing = standings_on(session, ctx.as_of, ids) if bulk else {}  # from the kept balances
        periods = self._periods(session, ctx.services.workflows, plan, opened, owing, cases)
        if plan.credits_rule:
            for account_id in ids:
                one_subject(session, ctx.report, labels[account_id],
                            lambda tally, a=account_id: self._deposits(session, ctx, plan, a, tally))
        bulk_facts = {a: standing_facts(s) for a, s in owing.items()}
        work = {a: self._work(ctx, plan, opened, cases.get(a, []), bulk_facts.get(a)) for a in ids}
        busy = [a for a in ids if work[a][0] or work[a][1]]
        if owing:  # the facts of every account with work to do, read ahead in a few queries
            read_ahead(session, ctx.services.rules, ctx.as_of, {a: owing[a] for a in busy if a in owing},
                       ctx.services.workflows.states_tagged_by_version(SERVICE_OFF))
        # The accounts with work, with their customers and properties, in the session for the chunk (held here, so
        # the session keeps them): a letter's lines and a fee's lock then find them without a query each.
        held = session.scalars(select(UtilityAccount).where(UtilityAccount.id.in_(busy))
                               .options(joinedload(UtilityAccount.customer),
                                        joinedload(UtilityAccount.property))).all() if busy else []
        if busy:  # and what opening a case, the night's one-notice rule and a letter's address read of them
            if opened is not None and opened.subject in ACCOUNT_SUBJECTS:
                runtime.read_open_ahead(session, opened.subject, busy)
            read_notices_ahead(session, busy, ctx.as_of)
            read_addresses_ahead(session, [account.customer_id for account in held])
        try:
            for account_id in ids:
                self._subject(session, ctx, plan, opened, account_id, labels.get(account_id, f"account {account_id}"),
                              work[account_id], periods.get(account_id), None)
        finally:
            session.info.pop(ACCOUNT_FACTS_READ, None)
            del held

    def _periods(self, session: Session, workflows: WorkflowSet, plan: Plan, opened: Workflow | None, owing: dict,
                 cases: dict) -> dict:
        """The bill period of each past-due account that may get a case, when the document gives one at opening."""
        if not plan.gives_a_period or opened is None:
            return {}
        return bill_periods(session, {a: s.oldest_unpaid_due for a, s in owing.items() if s.past_due_cents > 0
                                      and not self._blocked(workflows, plan, opened, cases.get(a, []))})

    def _work(self, ctx: SweepContext, plan: Plan, opened: Workflow | None, cases: list[Case],
              bulk: dict | None) -> tuple[list[tuple[Case, bool]], bool]:
        """What a subject will be given: its open cases to work or list (with whether the sweep works each), and
        whether a case may be opened (judged from the bulk standing's facts alone, when there are some)."""
        workflows = ctx.services.workflows
        worked = []
        for case in cases:
            works = plan.works is not None and plan.works.matches(workflows, case)
            lists = [a_list for a_list in plan.lists if a_list.selector.matches(workflows, case)]
            if not works and not lists:
                continue
            if works and not lists and bulk is not None:
                workflow = workflows.get(case.workflow_id, case.workflow_version)
                if not might_move(workflow, case, bulk, ctx.as_of, plan.steps):
                    continue
            worked.append((case, works))
        opens = not (opened is None or plan.opens is None or self._blocked(workflows, plan, opened, cases)
                     or (bulk is not None and not self._bulk_allows(opened, plan, ctx, bulk)))
        return worked, opens

    def _subject(self, session: Session, ctx: SweepContext, plan: Plan, opened: Workflow | None, subject_id: int,
                 label: str, work: tuple[list[tuple[Case, bool]], bool], period: str | None,
                 lic: License | None) -> None:
        """One subject: its selected open cases worked and listed; a new case if the document opens one."""
        account_id = None if lic is not None else subject_id
        worked, opens = work
        for case, works in worked:
            one_subject(session, ctx.report, f"{label} (case {case.id})",
                        lambda tally, case=case, works=works: self._case(session, ctx, plan, case, works, tally),
                        account_id)
        if opens:
            one_subject(session, ctx.report, label,
                        lambda tally: self._open(session, ctx, plan, opened, subject_id, period, lic, tally),
                        account_id)

    @staticmethod
    def _blocked(workflows: WorkflowSet, plan: Plan, opened: Workflow, cases: list[Case]) -> bool:
        """Whether an open case keeps the subject from a new one: of the workflow, or of one tagged `unless_open`."""
        blocking = set(plan.opens.get("unless_open") or ())
        return any(case.workflow_id == opened.id
                   or blocking & set(workflows.get(case.workflow_id, case.workflow_version).tags) for case in cases)

    @staticmethod
    def _condition(ctx: SweepContext, plan: Plan, workflow: Workflow) -> Condition | None:
        """`opens: {when: ..}` read against the facts of the workflow's subject."""
        raw = plan.opens.get("when")
        if raw is None:
            return None
        inputs = {name: fact.spec() for name, fact in subject_facts(workflow.subject, ctx.services.rules).items()}
        return Condition.compile(raw, inputs, f"{plan.name}.opens.when")

    def _bulk_allows(self, workflow: Workflow, plan: Plan, ctx: SweepContext, bulk: dict) -> bool:
        """False only when the opening condition reads only the bulk standing's facts and does not hold on them."""
        condition = self._when
        return condition is None or not condition.facts_read() <= set(STANDING_FACTS) or condition.holds(bulk)

    def _case(self, session: Session, ctx: SweepContext, plan: Plan, case: Case, works: bool, tally: Tally) -> None:
        """Tonight's steps of a case the sweep works, then each list that takes it."""
        if works:
            advance_case(session, ctx, case, tally, plan.steps)
        for a_list in plan.lists:
            if case.closed_at is None and a_list.selector.matches(ctx.services.workflows, case):
                line = self._listed(session, ctx, a_list, case)
                if line is not None:
                    tally.extra[a_list.name] = tally.extra.get(a_list.name, []) + [line]

    @staticmethod
    def _listed(session: Session, ctx: SweepContext, a_list: CaseList, case: Case) -> dict | None:
        """The case's line on a list, or None when its due date is ahead or the rule does not give the outcome."""
        fields = dict(case.fields or {})
        if a_list.due is not None:
            due = fields.get(a_list.due)
            if not due or (date.fromisoformat(due) if isinstance(due, str) else due) > ctx.as_of:
                return None
        workflow = runtime.workflow_of(ctx.services.workflows, case)
        facts = runtime.case_facts(session, ctx.services.rules, workflow, case.subject_id, fields, ctx.as_of,
                                   ctx.services.workflows)
        if a_list.rule is not None:
            outcome = ctx.services.rules.evaluate(a_list.rule, facts, ctx.as_of).to_json().get("outcome") or {}
            outcomes = outcome if isinstance(outcome, list) else [outcome]
            if not any(all(_same(o.get(k), v) for k, v in a_list.outcome.items()) for o in outcomes):
                return None
        shown = {label: facts.get(fact, fields.get(fact)) for label, fact in a_list.shows.items()}
        return {"case": case.id, **{k: money_text(v) if isinstance(v, Decimal) else v for k, v in shown.items()}}

    def _open(self, session: Session, ctx: SweepContext, plan: Plan, workflow: Workflow, subject_id: int,
              period: str | None, lic: License | None, tally: Tally) -> None:
        """Open the subject's case when the document's condition holds, with its fields; then tonight's steps."""
        if (workflow.subject == "license") != (lic is not None):
            raise LookupError(f"{plan.name} opens {workflow.id} cases about a {workflow.subject}, not about its "
                              f"subjects")
        state = opening_state(workflow, plan.opens.get("state"))
        facts = runtime.case_facts(session, ctx.services.rules, workflow, subject_id, {}, ctx.as_of,
                                   ctx.services.workflows)
        condition = self._when
        if condition is not None and not condition.holds(facts):
            return
        fields = {name: _field_value(name, spec, facts, period, lic)
                  for name, spec in (plan.opens.get("fields") or {}).items()}
        if plan.opens.get("only_when_a_step_is_due") and not _a_step_is_due(session, ctx, workflow, state,
                                                                             subject_id, fields):
            return
        case = services.open_case(session, ctx.services, workflow.id, subject_id, actor=ctx.actor, on=ctx.as_of,
                                  now=ctx.now, fields=fields, state=None if state == workflow.initial else state)
        tally.cases_opened[workflow.id] += 1
        tally.steps[f"{workflow.id}.open"] += 1
        advance_case(session, ctx, case, tally, plan.steps)

    def _deposits(self, session: Session, ctx: SweepContext, plan: Plan, account_id: int, tally: Tally) -> None:
        """One account's held deposits: credited or kept by the document's criteria, each counted; credits added."""
        for decision in refund_eligible_deposits(session, as_of=ctx.as_of, now=ctx.now, actor=ctx.actor,
                                                 library=ctx.services.rules, account_ids=[account_id],
                                                 rule=plan.credits_rule,
                                                 service_off=ctx.services.workflows.states_tagged_by_version(
                                                     SERVICE_OFF)):
            if decision.eligible:
                tally.steps["deposit.credited"] += 1
                amount = session.get(Deposit, decision.deposit_id).amount_cents
                tally.extra["credited_cents"] = tally.extra.get("credited_cents", 0) + amount
            else:
                tally.steps[f"deposit.kept ({decision.reason or 'not eligible'})"] += 1


def _same(found: Any, wanted: Any) -> bool:
    """A rule's outcome value against the document's (numbers compared as numbers)."""
    if isinstance(wanted, (int, Decimal)) and not isinstance(wanted, bool) and isinstance(found, (int, str, Decimal)):
        try:
            return Decimal(str(found)) == Decimal(str(wanted))
        except ArithmeticError:
            return False
    return found == wanted


def _field_value(name: str, spec: Mapping[str, Any], facts: Mapping[str, Any], period: str | None,
                 lic: License | None) -> Any:
    """A field given at opening: a fact of the subject, a literal, or from the subject's record."""
    if "value" in spec:
        return spec["value"] if not isinstance(spec["value"], Decimal) else str(spec["value"])
    if "fact" in spec:
        value = facts.get(spec["fact"])
        if value is None:
            raise LookupError(f"the field {name} is read from the fact {spec['fact']}, which the subject has not")
        return str(value) if isinstance(value, Decimal) else value.isoformat() if isinstance(value, date) else value
    what = spec["subject"]
    if what == "oldest_unpaid_period":
        if period is None:
            raise LookupError("no bill or charge is due on the oldest unpaid due date to name the case's bill period")
        return period
    if lic is None:
        raise LookupError(f"the field {name} is the license's {what}, and the subject is not a license")
    value = getattr(lic, what)
    return value.isoformat() if value is not None else None


def _a_step_is_due(session: Session, ctx: SweepContext, workflow: Workflow, state: str, subject_id: int,
                   fields: dict) -> bool:
    """Whether a case opened tonight at the state would take a sweep step (a reminder due, grace, late)."""
    actor = Actor(ctx.actor)
    facts = runtime.case_facts(session, ctx.services.rules, workflow, subject_id, fields, ctx.as_of,
                               ctx.services.workflows)
    return any(judge(workflow, state, step, actor, facts, fields, ctx.services.rules, ctx.as_of).allowed
               for step in workflow.leaving(state) if step.by == "sweep")
