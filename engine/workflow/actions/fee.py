"""`fee: SCHEDULE`: evaluate the schedule on the step's day and post the fee, of the service its lines bill.

On an account's case the fee is a ledger entry; on a license's case it is kept on the
license (unless the schedule is a deadline's late penalty), with an audit row.
"""
from __future__ import annotations

from decimal import Decimal

from engine import audit
from engine.money import ledger, to_cents
from engine.rules.kinds.deadline import penalty_schedules
from engine.rules.library import RuleLibrary
from engine.rules.schedule import service_of
from engine.rules.types import YamlValue
from engine.store.models import License
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.guards import consult
from engine.workflow.model import Action


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`fee: SCHEDULE_ID`."""
    reader.rule(path, value, "schedule")


def run(ctx: StepContext, action: Action) -> None:
    """Evaluate the fee schedule on the day and post what it gives (nothing when it gives $0.00)."""
    schedule = str(action.value)
    result = consult(ctx.rules, schedule, ctx.facts(), ctx.on, ctx.consulted)
    total = Decimal(result["total"])
    ctx.fields.setdefault("fees", {})[schedule] = str(total)
    record = {"action": "fee", "schedule": schedule, "version": result["version"], "amount": str(total)}
    ctx.done.append(record)
    if total == 0:
        return
    title = ctx.rules.get(schedule).title
    if ctx.on_account:
        entry = ledger.post_fee(ctx.session, ctx.case.subject_id, total, on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                                description=title, reference=ctx.reference, rule_id=schedule,
                                rule_version=result["version"], service=service_of(result["lines"]))
        record["ledger_entry"] = entry.id
        return
    lic = ctx.session.get(License, ctx.case.subject_id)
    if schedule not in penalty_schedules(ctx.rules):
        lic.fee_cents, lic.fee_paid_cents = to_cents(total), 0  # a new fee: nothing of it paid yet
    audit.record(ctx.session, actor=ctx.actor.name, action="license.fee", subject_type="license",
                 subject_id=lic.id, at=ctx.now,
                 detail={"amount": str(total), "schedule": schedule, "rule_version": result["version"],
                         "on": ctx.on.isoformat(), "case_id": ctx.case.id, "title": title})


def words(done: Done) -> str:
    """'Fee late-fee (version of 2024-07-01): $22.59'."""
    return f"Fee {done.get('schedule')} (version of {done.get('version')}): ${done.get('amount')}"


ACTION = WorkflowAction("fee", check, run, words)
