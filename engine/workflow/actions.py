"""What a step does, in order: the registry from YAML action names to code.

    fee: SCHEDULE          evaluate the schedule on the day and post the fee (a license's fee
                           is kept on the license, with an audit row)
    notice: TYPE           a Notice row with the data its letter prints
    set: {FIELD: VALUE}    case fields (see engine.workflow.values); a license's dates,
                           status and fee are copied to the license
    open: WORKFLOW         a linked case on the same subject (a lien from a delinquency)
    refund: {amount, reference}   a ledger refund entry paying the credit back
    write_off: {amount, reason}   a ledger write-off of what a money fact says is owed
    reverse: refund        the reversal of the refund this case posted (a voided check)

Every action runs inside the step's transaction; any error undoes the whole step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy.orm import Session

from engine import audit

from engine.money import ledger
from engine.money import to_cents
from engine.rules.errors import EvaluationError
from engine.store.models import Case, License, Notice
from engine.workflow.facts import WRITABLE
from engine.workflow.forms import stored
from engine.workflow.guards import Actor, consult
from engine.workflow.letters import notice_data
from engine.workflow.model import Action, Workflow
from engine.workflow.values import set_value

ACCOUNT_SUBJECTS = ("utility_account", "lien", "refund")


@dataclass
class StepContext:
    """One step being taken: the case, who, the day, the fields as they change, what was done."""

    session: Session
    rules: Any
    workflows: Any
    workflow: Workflow
    case: Case
    actor: Actor
    on: date
    now: datetime
    fields: dict[str, Any]
    facts_of: Callable[[dict[str, Any]], dict[str, Any]]
    consulted: list[dict[str, str]] = field(default_factory=list)
    done: list[dict[str, Any]] = field(default_factory=list)
    sweep_run_id: int | None = None

    def facts(self) -> dict[str, Any]:
        """The facts as they stand now (after the fees and fields of the actions before)."""
        return self.facts_of(self.fields)

    @property
    def reference(self) -> str:
        """What ledger entries and audit rows of this step point back to."""
        return f"case {self.case.id}"


def _penalty_schedules(rules: Any) -> set[str]:
    """Schedules that deadlines use as late penalties (not the license's own fee)."""
    found = set()
    for doc in rules:
        if doc.kind == "deadline":
            found |= {v.body["late_penalty"]["schedule"] for v in doc.versions if "late_penalty" in v.body}
    return found


def run_fee(ctx: StepContext, action: Action) -> None:
    """Evaluate the fee schedule on the day and post what it gives (nothing when it gives $0.00)."""
    schedule = action.value
    result = consult(ctx.rules, schedule, ctx.facts(), ctx.on, ctx.consulted)
    total = Decimal(result["total"])
    ctx.fields.setdefault("fees", {})[schedule] = str(total)
    record = {"action": "fee", "schedule": schedule, "version": result["version"], "amount": str(total)}
    ctx.done.append(record)
    if total == 0:
        return
    title = ctx.rules.get(schedule).title
    if ctx.case.subject_type in ACCOUNT_SUBJECTS:
        entry = ledger.post_fee(ctx.session, ctx.case.subject_id, total, on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                                description=title, reference=ctx.reference, rule_id=schedule,
                                rule_version=result["version"])
        record["ledger_entry"] = entry.id
        return
    lic = ctx.session.get(License, ctx.case.subject_id)
    if schedule not in _penalty_schedules(ctx.rules):
        lic.fee_cents = to_cents(total)
    audit.record(ctx.session, actor=ctx.actor.name, action="license.fee", subject_type="license",
                 subject_id=lic.id, at=ctx.now,
                 detail={"amount": str(total), "schedule": schedule, "rule_version": result["version"],
                         "on": ctx.on.isoformat(), "case_id": ctx.case.id, "title": title})


def run_notice(ctx: StepContext, action: Action) -> None:
    """A notice row with everything its letter prints; its period names the case and step (`12.4`)."""
    language, data = notice_data(ctx.session, ctx.rules, action.value, ctx.case.subject_type, ctx.case.subject_id,
                                 ctx.on, ctx.facts(), ctx.fields, ctx.consulted)
    notice = Notice(case_id=ctx.case.id, subject_type=ctx.case.subject_type, subject_id=ctx.case.subject_id,
                    notice_type=action.value, period=f"{ctx.case.id}.{ctx.case.version}", language=language,
                    created_on=ctx.on, data=data, sweep_run_id=ctx.sweep_run_id)
    ctx.session.add(notice)
    ctx.session.flush()
    ctx.done.append({"action": "notice", "notice": action.value, "notice_id": notice.id})


def _write_through(ctx: StepContext, name: str, value: Any) -> None:
    """Copy a settable subject fact (a license's dates, status, fee) to the subject's row."""
    column = WRITABLE.get(ctx.case.subject_type, {}).get(name)
    if column is None:
        return
    lic = ctx.session.get(License, ctx.case.subject_id)
    setattr(lic, column, to_cents(Decimal(value)) if column == "fee_cents" else value)


def run_set(ctx: StepContext, action: Action) -> None:
    """Set case fields, in the order written, each value taken on the day."""
    for name, spec in action.value.items():
        value = set_value(ctx.rules, spec, ctx.on, ctx.facts(), ctx.consulted)
        ctx.fields[name] = stored(value)
        _write_through(ctx, name, value)
        ctx.done.append({"action": "set", "field": name, "value": stored(value)})


def run_open(ctx: StepContext, action: Action) -> None:
    """Open a linked case of another workflow on the same subject."""
    from engine.workflow.runtime import open_case
    child = open_case(ctx.session, ctx.rules, ctx.workflows, action.value, ctx.case.subject_id, actor=ctx.actor,
                      on=ctx.on, now=ctx.now, parent=ctx.case)
    ctx.fields.setdefault("linked_cases", []).append(child.id)
    ctx.done.append({"action": "open", "workflow": action.value, "case_id": child.id})


def _account_only(ctx: StepContext, what: str) -> None:
    """Refuse a ledger action on a case that is not about a utility account."""
    if ctx.case.subject_type not in ACCOUNT_SUBJECTS:
        raise EvaluationError(f"{what} posts to a utility account's ledger; "
                              f"this case is about a {ctx.case.subject_type}")


def run_refund(ctx: StepContext, action: Action) -> None:
    """Pay the requested amount back: a ledger refund entry referencing the check."""
    _account_only(ctx, "a refund")
    amount = Decimal(str(ctx.fields[action.value["amount"]]))
    reference = str(ctx.fields.get(action.value["reference"], ""))
    entry = ledger.post_refund(ctx.session, ctx.case.subject_id, amount, on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                               reference=reference)
    ctx.fields["refund_entry_id"] = entry.id
    ctx.done.append({"action": "refund", "amount": str(amount), "ledger_entry": entry.id, "reference": reference})


def run_write_off(ctx: StepContext, action: Action) -> None:
    """Write off what the named money fact says is owed."""
    _account_only(ctx, "a write-off")
    amount = ctx.facts()[action.value["amount"]]
    entry = ledger.post_write_off(ctx.session, ctx.case.subject_id, amount, on=ctx.on, now=ctx.now,
                                  actor=ctx.actor.name, reason=action.value["reason"], reference=ctx.reference)
    ctx.done.append({"action": "write_off", "amount": str(amount), "ledger_entry": entry.id})


def run_reverse(ctx: StepContext, action: Action) -> None:
    """Reverse the ledger entry this case's refund action posted."""
    _account_only(ctx, "a reversal")
    entry_id = ctx.fields.get("refund_entry_id")
    if entry_id is None:
        raise EvaluationError("this case posted no refund to reverse")
    entry = ledger.reverse(ctx.session, int(entry_id), on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                           reason=f"{ctx.reference}: {ctx.workflow.id} voided")
    ctx.done.append({"action": "reverse", "ledger_entry": entry.id, "reverses": int(entry_id)})


ACTIONS: dict[str, Callable[[StepContext, Action], None]] = {
    "fee": run_fee, "notice": run_notice, "set": run_set, "open": run_open,
    "refund": run_refund, "write_off": run_write_off, "reverse": run_reverse,
}


def run_actions(ctx: StepContext, actions: tuple[Action, ...]) -> None:
    """Every action of the step, in the order written."""
    for action in actions:
        ACTIONS[action.kind](ctx, action)
