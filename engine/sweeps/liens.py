"""The liens sweep: notices of intent, withdrawal when paid, the filing list, and accounts eligible for a lien.

Visits every account with an open case of a workflow tagged `lien_filings`, or a case in a
state tagged `lien_candidate` (released for shut-off, service off, plan in default). Lien
cases take their sweep steps (notice of intent, withdrawal). Two lists go into the run's
report for the supervisor: the filing list (a lien case in a state tagged
`awaiting_filing`, its pay-by date passed, still eligible: ready to record with the county)
and the candidate cases lien-eligibility says may be transferred.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.money import money_text
from engine.store.models import Case
from engine.sweeps.casework import Tally, account_numbers, advance_case, in_states, is_tagged, one_subject
from engine.sweeps.delinquency import last_account_id
from engine.sweeps.runner import SweepContext
from engine.workflow import runtime
from engine.workflow.model import AWAITING_FILING, LIEN_CANDIDATE, LIEN_FILINGS

RULE = "lien-eligibility"


def _eligible(session: Session, ctx: SweepContext, case: Case) -> tuple[bool, dict]:
    """Whether lien-eligibility says `lien: eligible` for the case's facts on the day, and the facts."""
    workflow = runtime.workflow_of(ctx.services.workflows, case)
    facts = runtime.case_facts(session, ctx.services.rules, workflow, case.subject_id, dict(case.fields or {}),
                               ctx.as_of)
    outcome = ctx.services.rules.evaluate(RULE, facts, ctx.as_of).to_json().get("outcome") or {}
    outcomes = outcome if isinstance(outcome, list) else [outcome]
    return any(o.get("lien") == "eligible" for o in outcomes), facts


def _line(case: Case, facts: dict) -> dict:
    """One line of a list for the supervisor: case, account, parcel, past-due amount."""
    return {"case": case.id, "account": facts.get("account_number"), "parcel": facts.get("parcel"),
            "past_due": money_text(facts["past_due_balance"])}


class LienSweep:
    """Liens on owners' delinquent accounts: intent, withdrawal, the filing list, transfers to consider."""

    name = "liens"
    title = "Liens: notices of intent, withdrawals, the filing list, accounts eligible for a lien"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """Accounts after `after` with an open lien case or a case that could go on to a lien."""
        workflows = ctx.services.workflows
        query = select(Case.account_id).where(
            Case.closed_at.is_(None), Case.account_id > after,
            Case.workflow_id.in_(workflows.tagged(LIEN_FILINGS)) | in_states(workflows.states_tagged(LIEN_CANDIDATE)))
        return list(session.scalars(query.group_by(Case.account_id).order_by(Case.account_id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return last_account_id(session)

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Take each lien case's steps, then list what is ready to file and what may be transferred."""
        workflows = ctx.services.workflows
        liens = workflows.tagged(LIEN_FILINGS)
        cases = session.scalars(select(Case).where(Case.account_id.in_(ids), Case.closed_at.is_(None))
                                .order_by(Case.account_id, Case.id)).all()
        numbers = account_numbers(session, ids)
        for case in cases:
            label = f"account {numbers.get(case.account_id, case.account_id)} (case {case.id})"
            if case.workflow_id in liens:
                one_subject(session, ctx.report, label, lambda tally, case=case: self._lien(session, ctx, case, tally))
            elif is_tagged(workflows, case, LIEN_CANDIDATE):
                one_subject(session, ctx.report, label,
                            lambda tally, case=case: self._transfer(session, ctx, case, tally))

    def _lien(self, session: Session, ctx: SweepContext, case: Case, tally: Tally) -> None:
        """A lien case: tonight's sweep steps, then onto the filing list if it is ready to record."""
        advance_case(session, ctx, case, tally)
        pay_by = (case.fields or {}).get("pay_by")
        if is_tagged(ctx.services.workflows, case, AWAITING_FILING) and pay_by \
                and date.fromisoformat(pay_by) <= ctx.as_of:
            eligible, facts = _eligible(session, ctx, case)
            if eligible:
                tally.extra["filing_list"] = [_line(case, facts)]

    def _transfer(self, session: Session, ctx: SweepContext, case: Case, tally: Tally) -> None:
        """A delinquency case that lien-eligibility says may go on to a lien: listed for a supervisor."""
        eligible, facts = _eligible(session, ctx, case)
        if eligible:
            tally.extra["eligible_for_lien"] = [_line(case, facts)]
