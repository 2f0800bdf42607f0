"""A handful of open cases, opened and walked by the workflow services themselves.

Delinquency cases for the most delinquent accounts are opened the day after the first
missed due date and walked along the delinquency workflow as the nightly sweep and a
clerk would have walked them, each step on its own day (the reminder with its late fee,
the shut-off notice on the timeline's day, the door hanger), as far as the target state
drawn for the case and the as-of date allow; a step whose checks do not hold on its day
is simply not taken. Each license applied for gets a licensing case, and one account that
paid a bill twice gets a refund request. Because the services do the work, fields, late
fees, notices, events and their audit rows are exactly what Ordinance itself writes.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from samplecity.history import DELINQUENT, Standing, counter_day
from samplecity.licenses import Application
from engine.money import money_text
from engine.store.models import Case
from engine.workflow import services
from engine.workflow.runtime import StepRefused

DELINQUENCY_CASES = 12
TARGETS = ("door_hanger", "door_hanger", "shutoff_notice", "shutoff_notice", "shutoff_notice", "reminded",
           "reminded", "reminded", "past_due", "past_due", "reminded", "shutoff_notice")
PATH = ("past_due", "reminded", "shutoff_notice", "door_hanger")
SWEEP = "delinquency"


class OpenCases:
    """Opens the sample city's cases through engine.workflow.services in the load's session."""

    def __init__(self, session: Session, catalog: services.Catalog, calendar: Any, as_of: date,
                 now: datetime) -> None:
        """Cases as they stand on `as_of`; every step recorded at `now` (the moment of the load)."""
        self.session, self.catalog, self.calendar, self.as_of, self.now = session, catalog, calendar, as_of, now
        self.by_workflow: dict[str, int] = {}

    def opened(self, workflow: str) -> None:
        """Count a case opened."""
        self.by_workflow[workflow] = self.by_workflow.get(workflow, 0) + 1

    def delinquency(self, standings: list[Standing]) -> None:
        """Cases for the most delinquent accounts, spread over the workflow's first states."""
        delinquent = [s for s in standings if s.behaviour == DELINQUENT and s.oldest_unpaid_due is not None]
        delinquent.sort(key=lambda s: (-s.past_due_cents, s.account_id))
        for standing, target in zip(delinquent[:DELINQUENCY_CASES], TARGETS):
            opened_on = standing.oldest_unpaid_due + timedelta(days=1)
            if opened_on > self.as_of:
                continue
            case = services.open_case(self.session, self.catalog, "delinquency", standing.account_id,
                                      actor=f"sweep:{SWEEP}", on=opened_on, now=self.now,
                                      fields={"period": standing.oldest_unpaid_period})
            self.opened("delinquency")
            reminder_on = self.calendar.step(standing.cycle, standing.oldest_unpaid_period, "late_fee")
            self.walk(case.id, target, reminder_on)

    def walk(self, case_id: int, target: str, reminder_on: date) -> None:
        """Take the steps towards `target`, each on its own day, stopping at the first that is not taken."""
        if target == "past_due" or not self.sweep(case_id, reminder_on):
            return
        case = self.session.get(Case, case_id)
        if target == "reminded" or not self.sweep(case_id, date.fromisoformat(case.fields["shutoff_notice_on"])):
            return
        if target == "shutoff_notice":
            return
        case = self.session.get(Case, case_id)
        door_hanger_on = date.fromisoformat(case.fields["door_hanger_on"])
        if door_hanger_on <= self.as_of:
            try:
                services.take_step(self.session, self.catalog, case_id, "post_door_hanger", user="clerk",
                                   on=door_hanger_on, now=self.now, version=case.version)
            except StepRefused:
                pass  # not eligible for shut-off on that day: the case waits at shutoff_notice

    def sweep(self, case_id: int, on: date) -> bool:
        """The nightly delinquency sweep's next step on a day (if the day has come and the step's checks hold)."""
        if on > self.as_of:
            return False
        return bool(services.advance(self.session, self.catalog, case_id, sweep=SWEEP, on=on, now=self.now,
                                     limit=1))

    def licensing(self, applications: list[Application]) -> None:
        """A licensing case for each license applied for, opened by the clerk who took the application."""
        for application in applications:
            services.open_case(self.session, self.catalog, "licensing", application.license_id, actor="clerk",
                               on=application.applied_on, now=self.now)
            self.opened("licensing")

    def refund(self, standings: list[Standing]) -> None:
        """A refund request for the account most in credit after paying a bill twice."""
        credits = [s for s in standings if s.duplicate_payment_cents and s.balance_cents < 0]
        if not credits:
            return
        standing = min(credits, key=lambda s: (s.balance_cents, s.account_id))
        amount = min(standing.duplicate_payment_cents, -standing.balance_cents)
        services.open_case(self.session, self.catalog, "refunds", standing.account_id, actor="clerk",
                           on=counter_day(self.as_of - timedelta(days=3)), now=self.now,
                           fields={"amount": money_text(amount), "source": "overpayment"})
        self.opened("refunds")
