"""The renewals sweep: license renewal reminders, the final reminder, late penalties and lapse.

The workflow is the one tagged `license_renewals`, its states read by their tags. Visits
every license with an open case in a state tagged `renewal`, and every active license near
or past the end of its term. A license issued before Ordinance tracked it has no case: one
is opened at the state tagged `renewal_start` (where the workflow's issue step leaves a
case), with an opening event and an audit row, when a sweep step would be taken from there
tonight (a reminder due, grace, late), and then takes tonight's steps like any other.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from engine.store.models import Case, License
from engine.sweeps.casework import Tally, advance_case, in_states, is_tagged, one_subject
from engine.sweeps.runner import SweepContext
from engine.workflow import runtime
from engine.workflow.guards import Actor, judge
from engine.workflow.model import LICENSE_RENEWALS, RENEWAL, RENEWAL_START, Workflow

LOOKAHEAD = timedelta(days=366)  # reminders start well inside a year before the term ends


def renewal_workflow(ctx: SweepContext) -> Workflow:
    """The workflow of license renewals (tagged `license_renewals`)."""
    return ctx.services.workflows.the_one_tagged(LICENSE_RENEWALS, on=ctx.as_of)


def opening_state(workflow: Workflow) -> str:
    """The state a renewal case is opened in for a license without one (tagged `renewal_start`)."""
    found = workflow.states_tagged(RENEWAL_START)
    if len(found) != 1:
        raise LookupError(f"{workflow.id} tags {len(found)} states renewal_start; one is needed")
    return found[0]


def license_fields(lic: License) -> dict[str, str]:
    """What a renewal case opened for a license is given: its term on file."""
    return {"issued_on": lic.issued_on.isoformat(), "expires_on": lic.expires_on.isoformat()}


def needs_a_case(session: Session, ctx: SweepContext, workflow: Workflow, lic: License) -> bool:
    """Whether a case opened tonight at the opening state would take a sweep step (a reminder, grace, late)."""
    start, fields, actor = opening_state(workflow), license_fields(lic), Actor(ctx.actor)
    facts = runtime.case_facts(session, ctx.services.rules, workflow, lic.id, fields, ctx.as_of)
    return any(judge(workflow, start, step, actor, facts, fields, ctx.services.rules, ctx.as_of).allowed
               for step in workflow.leaving(start) if step.by == "sweep")


def open_renewal_case(session: Session, ctx: SweepContext, workflow: Workflow, lic: License) -> Case:
    """A renewal case at the opening state for an active license that has none, with its event and audit row."""
    return runtime.open_case(session, ctx.services.rules, ctx.services.workflows, workflow.id, lic.id,
                             actor=Actor(ctx.actor), on=ctx.as_of, now=ctx.now, fields=license_fields(lic),
                             state=opening_state(workflow))


class RenewalSweep:
    """Business licenses and home occupation permits coming up for renewal, late, or lapsing."""

    name = "renewals"
    title = "Renewals: license reminders, final reminders, late penalties, lapse"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """Licenses after `after` with an open renewal case, or active and near or past the end of their term."""
        tracked = in_states(ctx.services.workflows.states_tagged(RENEWAL, (renewal_workflow(ctx).id,)))
        with_case = select(Case.license_id.label("id")).where(tracked, Case.closed_at.is_(None),
                                                              Case.license_id > after)
        near_end = select(License.id.label("id")).where(
            License.status == "active", License.expires_on.is_not(None),
            License.expires_on <= ctx.as_of + LOOKAHEAD, License.id > after)
        both = union(with_case, near_end).subquery()
        return list(session.scalars(select(both.c.id).order_by(both.c.id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return session.scalar(select(License.id).order_by(License.id.desc()).limit(1)) or 0

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Take each renewal case's steps; open one where an active license needs it."""
        workflow = renewal_workflow(ctx)
        cases = {c.license_id: c for c in session.scalars(select(Case).where(
            Case.workflow_id == workflow.id, Case.closed_at.is_(None), Case.license_id.in_(ids)))}
        licenses = {lic.id: lic for lic in session.scalars(select(License).where(License.id.in_(ids)))}
        for license_id in ids:
            lic = licenses[license_id]
            case = cases.get(license_id)
            if case is not None and not is_tagged(ctx.services.workflows, case, RENEWAL):
                continue  # an application in progress: staff's work
            one_subject(session, ctx.report, f"license {lic.number}",
                        lambda tally, lic=lic, case=case: self._renew(session, ctx, workflow, lic, case, tally))

    def _renew(self, session: Session, ctx: SweepContext, workflow: Workflow, lic: License, case: Case | None,
               tally: Tally) -> None:
        """Open the renewal case if the license needs one tonight, then take the steps whose checks hold."""
        if case is None:
            if not needs_a_case(session, ctx, workflow, lic):
                return
            case = open_renewal_case(session, ctx, workflow, lic)
            tally.cases_opened[workflow.id] += 1
            tally.steps[f"{workflow.id}.open"] += 1
        advance_case(session, ctx, case, tally)
