"""`fee: SCHEDULE`: evaluate the schedule on the step's day and post the fee, of the service its lines bill.

On an account's case the fee is a ledger entry; on a license's case it is kept on the
license, with an audit row: a deadline's late penalty as the license's penalty, any other fee
as its fee for the term (nothing of it paid yet; the penalty of an earlier renewal no longer
owed, unless this same step charged one). The counter takes both (engine.money.receipts).

`fee: {schedule: SCHEDULE, term_ends: DATE VALUE}` charges a fee for a term that starts on the
step's day and ends on the date the value gives (a `set:` value: `{deadline: ID, field:
expires_on}` for a license's first term): the schedule's version in force on the day prorates
the lines its `proration:` block names by that share of a whole term (a first-year fee); a
version without the block charges it in full.
"""
from __future__ import annotations

from decimal import Decimal

from engine import audit
from engine.money import format_money, ledger, to_cents
from engine.rules.kinds.deadline import penalty_schedules
from engine.rules.library import RuleLibrary
from engine.rules.schedule import service_of
from engine.rules.types import YamlValue
from engine.store.models import License
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.guards import consult
from engine.workflow.model import Action
from engine.workflow.values import set_value

KEYS = ("schedule", "term_ends")


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`fee: SCHEDULE_ID`, or `fee: {schedule: SCHEDULE_ID, term_ends: DATE VALUE}`."""
    if not isinstance(value, dict):
        reader.rule(path, value, "schedule")
        return
    reader.keys(value, KEYS, path, "a fee")
    reader.rule(f"{path}.schedule", value.get("schedule"), "schedule")
    if "term_ends" in value and reader.set_type(value["term_ends"], f"{path}.term_ends") not in ("date", None):
        reader.error(f"{path}.term_ends", "the end of the fee's term is a date: {deadline: ID, field: expires_on}, "
                                          "{calendar: ..} or {days: N}")


def schedule_of(value: YamlValue) -> str:
    """The schedule a fee action charges, written either way."""
    return str(value["schedule"]) if isinstance(value, dict) else str(value)


def run(ctx: StepContext, action: Action) -> None:
    """Evaluate the fee schedule on the day and post what it gives (nothing when it gives $0.00)."""
    schedule, spec = schedule_of(action.value), action.value
    if isinstance(spec, dict) and "term_ends" in spec:
        starting = {**ctx.facts(), "issued_on": ctx.on}  # the term starts on the step's day
        term_ends = set_value(ctx.rules, spec["term_ends"], ctx.on, starting, ctx.consulted)
        result = ctx.rules.evaluate_term(schedule, ctx.facts(), ctx.on, term_ends).to_json()
        entry = {"rule": schedule, "version": result.get("version")}
        if entry not in ctx.consulted:
            ctx.consulted.append(entry)
    else:
        term_ends, result = None, consult(ctx.rules, schedule, ctx.facts(), ctx.on, ctx.consulted)
    total = Decimal(result["total"])
    ctx.fields.setdefault("fees", {})[schedule] = str(total)
    record = {"action": "fee", "schedule": schedule, "version": result["version"], "amount": str(total)}
    if term_ends is not None:
        record["term"] = f"{ctx.on.isoformat()} to {term_ends.isoformat()}"
        prorated = [f"{line['name']}: {line['detail']}" for line in result.get("lines", [])
                    if "prorated" in str(line.get("detail", ""))]
        if prorated:
            record["prorated"] = "; ".join(prorated)
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
    if schedule in penalty_schedules(ctx.rules):
        lic.penalty_cents = to_cents(total)  # the late penalty of this renewal, paid at the counter with the fee
    else:
        penalised = any(d.get("action") == "fee" and d.get("schedule") in penalty_schedules(ctx.rules)
                        and Decimal(str(d.get("amount", "0"))) != 0 for d in ctx.done)
        # A new fee: nothing of it paid yet -- unless it replaces an assessment still partly unpaid (a renewal
        # assessed on time, then again with the late penalty): what was paid toward that one counts toward this.
        owed_before = (lic.fee_cents or 0) + (0 if penalised else (lic.penalty_cents or 0))
        replaces_unpaid = 0 < (lic.fee_paid_cents or 0) < owed_before
        if not penalised:
            lic.penalty_cents = 0  # a new term's fee owes no earlier term's penalty
        lic.fee_cents = to_cents(total)
        if not replaces_unpaid:
            lic.fee_paid_cents = 0
    audit.record(ctx.session, actor=ctx.actor.name, action="license.fee", subject_type="license",
                 subject_id=lic.id, at=ctx.now,
                 detail={"amount": str(total), "schedule": schedule, "rule_version": result["version"],
                         "on": ctx.on.isoformat(), "case_id": ctx.case.id, "title": title})


def words(done: Done) -> str:
    """'Fee late-fee (version of 2024-07-01): $22.59', with the term and what was prorated for a term's fee."""
    said = f"Fee {done.get('schedule')} (version of {done.get('version')}): {format_money(str(done.get('amount')))}"
    if done.get("term"):
        said += f", for the term {done['term']}"
    if done.get("prorated"):
        said += f" ({done['prorated']})"
    return said


def fee(done: Done) -> tuple[str, Decimal]:
    """The schedule and the amount charged (0 when the schedule gave nothing)."""
    return str(done["schedule"]), Decimal(str(done["amount"]))


ACTION = WorkflowAction("fee", check, run, words, fee=fee)
