"""`agree_plan: {terms: CRITERIA, balance: FACT}`: agree a payment plan on the terms the city published.

The terms document (a criteria document with `gives: plan_terms`) is evaluated on the day
with the case's facts; engine.rules.plans.agree works out the plan from its terms, the money
fact `balance` names (the past-due balance), the installments asked for (the case field
`installments`, from the step's form) and, when the terms say installments are due as agreed,
the first installment's day (the case field `first_due`). When they are due on the bill due
date, the day of the month is the due date of the account's latest bill. The installments fall
`installment_months` apart (1, monthly, unless the terms say 2 or 3 for a city that bills every
two months or quarterly): with the bill due date, each falls with one of the cycle's bills.

The plan keeps its numbers in the case's fields, so new terms never change a plan already
made: `plan_started_on`, `plan_balance`, `installments`, `first_due`, `installment_day`,
`down_payment`, the percent (`down_payment_percent`) when the terms give one, and
`installment_months` when the installments are more than a month apart. The step's
history shows which term set each number. Account cases only.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from engine.money import format_money
from engine.rules import plans
from engine.rules.errors import EvaluationError
from engine.rules.types import YamlValue
from engine.store.models import Bill
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.forms import stored
from engine.workflow.model import Action

KEYS = ("terms", "balance")
GIVES = {"plan_started_on": "date", "plan_balance": "money", "installments": "integer", "first_due": "date",
         "installment_day": "integer", "down_payment": "money", "down_payment_percent": "number",
         "installment_months": "integer"}  # case fields set


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """A criteria document that gives payment plan terms, a fact to take the balance from, an installments field."""
    if not isinstance(value, dict):
        reader.error(path, "expected {terms: CRITERIA, balance: FACT}")
        return
    reader.keys(value, KEYS, path, "this action")
    terms = value.get("terms")
    if reader.rule(f"{path}.terms", terms, "criteria") and \
            reader.rules.get(str(terms)).header.get("gives") != "plan_terms":
        reader.error(f"{path}.terms", f"{terms} does not give payment plan terms (its header has no "
                                      "gives: plan_terms)")
    if not isinstance(value.get("balance"), str):
        reader.error(f"{path}.balance", "the money fact the plan pays off, such as past_due_balance")
    if reader.field_types.get("installments") != "integer":
        reader.error(path, "a payment plan reads the installments asked for from an integer field named "
                           "installments; add it to the step's form")


def _latest_bill_due(ctx: StepContext) -> date | None:
    """The due date of the account's latest bill on or before the day (None without one)."""
    return ctx.session.scalar(select(Bill.due_on).where(Bill.account_id == ctx.case.subject_id,
                                                        Bill.billed_on <= ctx.on)
                              .order_by(Bill.due_on.desc(), Bill.id.desc()).limit(1))


def run(ctx: StepContext, action: Action) -> None:
    """Evaluate the terms, agree the plan, keep its numbers in the case's fields and its reasons in the history."""
    ctx.account_only("a payment plan")
    spec = action.value
    assert isinstance(spec, dict)  # the definition's check saw to it
    terms_id, balance_fact = str(spec["terms"]), str(spec["balance"])
    facts = ctx.facts()
    result = ctx.rules.evaluate(terms_id, facts, ctx.on)
    decided = result.to_json()
    entry = {"rule": terms_id, "version": decided["version"]}
    if entry not in ctx.consulted:
        ctx.consulted.append(entry)
    matched = ", ".join(f"“{name}”" for name in decided.get("matched") or []) or "no rule"
    terms = plans.PlanTerms.read(decided.get("outcome") or {},
                                 f"{terms_id} (version of {decided['version']}), {matched}")
    if facts.get(balance_fact) is None:
        raise EvaluationError(f"a payment plan pays off {balance_fact}, which this case does not have")
    first_due = ctx.fields.get("first_due")
    plan = plans.agree(terms, Decimal(str(facts[balance_fact])), int(str(ctx.fields.get("installments") or 0)),
                       ctx.on, first_due=date.fromisoformat(str(first_due)) if first_due else None,
                       bill_due_on=_latest_bill_due(ctx) if terms.installments_due == plans.BILL_DUE_DATE else None)
    kept = {"plan_started_on": plan.started_on, "plan_balance": plan.balance, "installments": len(plan.installments),
            "first_due": plan.installments[0][0], "installment_day": plan.installment_day,
            "down_payment": plan.down_payment}
    if terms.down_payment_percent is not None and terms.down_payment_amount is None:
        kept["down_payment_percent"] = terms.down_payment_percent
    if plan.installment_months != 1:  # a monthly plan's fields are as they always were
        kept["installment_months"] = plan.installment_months
    ctx.fields.update({name: stored(value) for name, value in kept.items()})
    ctx.done.append({"action": "agree_plan", "terms": terms_id, "balance": stored(plan.balance),
                     "down_payment": stored(plan.down_payment), "installments": len(plan.installments),
                     "first_due": stored(plan.installments[0][0]), "explanation": list(plan.explanation)})


def words(done: Done) -> str:
    """'Payment plan of $277.80: $27.78 down, 6 installments from 2026-04-15 (and why each number)'."""
    why = " ".join(str(line) for line in done.get("explanation") or [])  # type: ignore[union-attr]
    return (f"Payment plan of {format_money(str(done.get('balance')))}: {format_money(str(done.get('down_payment')))}"
            f" down, {done.get('installments')} installments from {done.get('first_due')}. {why}").strip()


ACTION = WorkflowAction("agree_plan", check, run, words)
