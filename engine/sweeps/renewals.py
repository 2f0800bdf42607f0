"""The renewals sweep: license renewal reminders, the final reminder, late penalties and lapse.

Visits every license with an open licensing case in a renewal state, and every active
license the renewal deadline says is due, in grace, late or lapsed. A license issued
before Ordinance tracked it has no licensing case: its renewal case is opened at `issued`
(where the licensing workflow's issue step leaves a case), with an opening event and an
audit row, and then takes tonight's steps like any other.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from engine.store.models import Case, License
from engine.sweeps.casework import Tally, advance_case, one_subject
from engine.sweeps.runner import SweepContext
from engine.workflow import runtime
from engine.workflow.guards import Actor

WORKFLOW = "licensing"
RENEWAL_STATES = ("issued", "renewal_due", "final_notice", "late")
OPENED_AT = "issued"
NEEDS_A_CASE = ("renewal_due", "grace", "late")
LOOKAHEAD = timedelta(days=366)  # reminders start well inside a year before the term ends


def open_renewal_case(session: Session, ctx: SweepContext, lic: License) -> Case:
    """A licensing case at `issued` for an active license that has none, with its opening event and audit row."""
    fields = {"issued_on": lic.issued_on.isoformat(), "expires_on": lic.expires_on.isoformat()}
    return runtime.open_case(session, ctx.services.rules, ctx.services.workflows, WORKFLOW, lic.id,
                             actor=Actor(ctx.actor), on=ctx.as_of, now=ctx.now, fields=fields, state=OPENED_AT)


class RenewalSweep:
    """Business licenses and home occupation permits coming up for renewal, late, or lapsing."""

    name = "renewals"
    title = "Renewals: license reminders, final reminders, late penalties, lapse"

    def subject_ids(self, session: Session, as_of: date, after: int, limit: int) -> list[int]:
        """Licenses after `after` with an open renewal case, or active and near or past the end of their term."""
        with_case = select(Case.license_id.label("id")).where(
            Case.workflow_id == WORKFLOW, Case.closed_at.is_(None), Case.state.in_(RENEWAL_STATES),
            Case.license_id > after)
        near_end = select(License.id.label("id")).where(
            License.status == "active", License.expires_on.is_not(None), License.expires_on <= as_of + LOOKAHEAD,
            License.id > after)
        both = union(with_case, near_end).subquery()
        return list(session.scalars(select(both.c.id).order_by(both.c.id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return session.scalar(select(License.id).order_by(License.id.desc()).limit(1)) or 0

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Take each renewal case's steps; open one where an active license needs it."""
        cases = {c.license_id: c for c in session.scalars(select(Case).where(
            Case.workflow_id == WORKFLOW, Case.closed_at.is_(None), Case.license_id.in_(ids)))}
        licenses = {lic.id: lic for lic in session.scalars(select(License).where(License.id.in_(ids)))}
        for license_id in ids:
            lic = licenses[license_id]
            case = cases.get(license_id)
            if case is not None and case.state not in RENEWAL_STATES:
                continue  # an application in progress: staff's work
            one_subject(session, ctx.report, f"license {lic.number}",
                        lambda tally, lic=lic, case=case: self._renew(session, ctx, lic, case, tally))

    def _renew(self, session: Session, ctx: SweepContext, lic: License, case: Case | None, tally: Tally) -> None:
        """Open the renewal case if the license needs one tonight, then take the steps whose checks hold."""
        if case is None:
            workflow = ctx.services.workflows.get(WORKFLOW)
            facts = runtime.case_facts(session, ctx.services.rules, workflow, lic.id, {}, ctx.as_of)
            if facts.get("renewal_status") not in NEEDS_A_CASE:
                return
            case = open_renewal_case(session, ctx, lic)
            tally.cases_opened[WORKFLOW] += 1
            tally.steps[f"{WORKFLOW}.open"] += 1
        advance_case(session, ctx, case, tally)
