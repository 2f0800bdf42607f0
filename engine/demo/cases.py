"""A handful of open cases, as the nightly sweeps and the clerks would have left them.

Delinquency cases for the most delinquent accounts, each walked along the delinquency
workflow's path (past_due, reminded, shutoff_notice, door_hanger) as far as its dates
allow, with one event per step; a licensing case for each license applied for; and one
refund request for an account that paid a bill twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.demo.billing import RateBook
from engine.demo.history import DELINQUENT, LEDGER_COLUMNS, Standing, counter_day
from engine.demo.licenses import Application
from engine.ledger.chart import OFFSET_BY_KIND
from engine.money import from_cents

DELINQUENCY_CASES = 12
TARGETS = ("door_hanger", "door_hanger", "shutoff_notice", "shutoff_notice", "shutoff_notice", "reminded",
           "reminded", "reminded", "past_due", "past_due", "reminded", "shutoff_notice")
PATH = ("past_due", "reminded", "shutoff_notice", "door_hanger")
CASE_COLUMNS = ("id", "workflow_id", "workflow_version", "subject_type", "subject_id", "account_id", "license_id",
                "state", "fields", "parent_id", "opened_at", "opened_by", "closed_at", "version")
EVENT_COLUMNS = ("id", "case_id", "at", "on_date", "actor", "step", "from_state", "to_state", "form", "rules",
                 "explanation")


@dataclass(frozen=True)
class Step:
    """A step a case took: its id, the states it went between, who took it and when."""

    step: str
    from_state: str | None
    to_state: str
    actor: str
    on: date


def delinquency_path(oldest_due: date, target: str, as_of: date) -> list[Step]:
    """The steps from the first missed due date towards `target`, each on or before `as_of`."""
    notice_on = counter_day(oldest_due + timedelta(days=50))
    plan = [Step("open", None, "past_due", "sweep:delinquency", oldest_due + timedelta(days=1)),
            Step("mail_reminder", "past_due", "reminded", "sweep:delinquency",
                 counter_day(oldest_due + timedelta(days=10))),
            Step("mail_shutoff_notice", "reminded", "shutoff_notice", "sweep:delinquency", notice_on),
            Step("post_door_hanger", "shutoff_notice", "door_hanger", "clerk",
                 counter_day(notice_on + timedelta(days=9)))]
    steps = [step for step in plan[:PATH.index(target) + 1] if step.on <= as_of]
    return steps


def shutoff_day(day: date) -> date:
    """Two days after the door hanger, moved off Fridays and weekends (never shut off then)."""
    day += timedelta(days=2)
    while day.weekday() >= 4:
        day += timedelta(days=1)
    return day


class OpenCases:
    """Writes cases and their events (and the late fee a reminder step charges)."""

    def __init__(self, writer, rates: RateBook, as_of: date, next_entry_id: int) -> None:
        """Cases on `as_of`; late-fee ledger entries take ids from `next_entry_id` on."""
        self.writer, self.rates, self.as_of = writer, rates, as_of
        self.cases = writer.declare("cases", CASE_COLUMNS)
        self.events = writer.declare("case_events", EVENT_COLUMNS)
        self.late_fees = writer.declare("ledger_entries", LEDGER_COLUMNS)
        self.next_case = self.next_event = 1
        self.next_entry = next_entry_id
        self.by_workflow: dict[str, int] = {}

    def case(self, workflow: str, subject_type: str, subject_id: int, state: str, fields: dict, steps: list[Step],
             account_id: int | None = None, license_id: int | None = None,
             forms: dict[str, dict] | None = None, rules: dict[str, list] | None = None) -> int:
        """One open case and an event for each step it took."""
        w, case_id = self.writer, self.next_case
        self.next_case += 1
        self.by_workflow[workflow] = self.by_workflow.get(workflow, 0) + 1
        first = steps[0]
        self.cases.append((case_id, workflow, 1, subject_type, subject_id, account_id, license_id, state,
                           w.document(fields), None, w.moment(first.on, 8 * 60 + 5), first.actor, None,
                           len(steps)))
        for number, step in enumerate(steps):
            explanation = [{"note": "step taken when the sample city was loaded"}]
            self.events.append((self.next_event, case_id, w.moment(step.on, 8 * 60 + 5 + number), w.day(step.on),
                                step.actor, step.step, step.from_state, step.to_state,
                                w.document((forms or {}).get(step.step, {})),
                                w.document((rules or {}).get(step.step, [])), w.document(explanation)))
            self.next_event += 1
        return case_id

    def delinquency(self, standings: list[Standing]) -> None:
        """Cases for the most delinquent accounts, spread over the workflow's first states."""
        delinquent = [s for s in standings if s.behaviour == DELINQUENT and s.oldest_unpaid_due is not None]
        delinquent.sort(key=lambda s: (-s.past_due_cents, s.account_id))
        for standing, target in zip(delinquent[:DELINQUENCY_CASES], TARGETS):
            steps = delinquency_path(standing.oldest_unpaid_due, target, self.as_of)
            if not steps:
                continue
            fields, rules = {}, {}
            if steps[-1].to_state == "door_hanger":
                fields["shutoff_on"] = shutoff_day(steps[-1].on).isoformat()
            if len(steps) > 1:
                rules["mail_reminder"] = self.late_fee(standing, steps[1].on)
            self.case("delinquency", "utility_account", standing.account_id, steps[-1].to_state, fields, steps,
                      account_id=standing.account_id, rules=rules)

    def late_fee(self, standing: Standing, on: date) -> list:
        """The late-payment penalty the reminder step posts; returns the rule consulted."""
        fee = self.rates.fee("late-fee", {"past_due_balance": from_cents(standing.oldest_unpaid_cents)}, on)
        if fee.total_cents:
            w = self.writer
            self.late_fees.append((self.next_entry, standing.account_id, "fee", fee.total_cents, w.day(on),
                                   w.day(on), w.moment(on, 6 * 60), "sweep:delinquency",
                                   "Late payment penalty", "", fee.rule_id, fee.rule_version, None, None, None,
                                   *OFFSET_BY_KIND["fee"]))
            self.next_entry += 1
        return [{"rule": fee.rule_id, "version": fee.rule_version}]

    def licensing(self, applications: list[Application]) -> None:
        """A licensing case for each license applied for."""
        for application in applications:
            self.case("licensing", "license", application.license_id, "applied", {},
                      [Step("apply", None, "applied", "clerk", application.applied_on)],
                      license_id=application.license_id)

    def refund(self, standings: list[Standing]) -> None:
        """A refund request for the account most in credit after paying a bill twice."""
        credits = [s for s in standings if s.duplicate_payment_cents and s.balance_cents < 0]
        if not credits:
            return
        standing = min(credits, key=lambda s: (s.balance_cents, s.account_id))
        amount = min(standing.duplicate_payment_cents, -standing.balance_cents)
        fields = {"amount": str(from_cents(amount)), "source": "overpayment", "requested_by": "clerk"}
        on = counter_day(self.as_of - timedelta(days=3))
        self.case("refunds", "refund", standing.account_id, "requested", fields,
                  [Step("request", None, "requested", "clerk", on)], account_id=standing.account_id,
                  forms={"request": {"amount": fields["amount"], "source": "overpayment"}})

