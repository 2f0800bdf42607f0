"""What a sweep may do on the night it works on: a night caught up mails nothing; one collection notice a night.

A sweep works on a night (`on`) and runs on the city's date (`today`); the two differ when
missed nights are caught up. A night before `today` takes only the steps that mail nothing
(a case resolved by payment, a case taken back): a step that mails a notice (and posts the
fees with it) is held, and tonight's run mails it with dates counted from tonight; so is a
step that posts a fee without mailing (a fee is what a notice announces: it is posted as of
the night the city acts, never back-dated to a night caught up). On any
night, an account gets at most one notice of the workflows tagged `collection`: a step that
would mail a second waits for the next night. A step that would be taken but for a notice of the
case never sent (`requires_sent:`) waits too. Each step held says why, for the sweep's report.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.notices.catalog import NoticeDataError, notice_type
from engine.rules.document import Documents
from engine.store.kept_reads import NOTICES_ON, kept_read
from engine.store.models import Case, Notice
from engine.workflow.definitions import WorkflowSet
from engine.workflow.guards import Verdict
from engine.workflow.model import Transition
from engine.rules.months import day_words


@dataclass(frozen=True)
class Night:
    """The night a sweep takes steps for, and the city's date when it runs."""

    on: date
    today: date

    @property
    def caught_up(self) -> bool:
        """A night before the city's date: caught up after the fact, so it mails nothing."""
        return self.on < self.today


@dataclass(frozen=True)
class Held:
    """A sweep step a night did not take: which case and step, what kind of hold, and why."""

    case_id: int
    step: str
    kind: str  # caught_up | one_a_night | not_lawful | not_sent
    reason: str


def _fees(step: Transition) -> list[str]:
    """The fee schedules the step's `fee:` actions post."""
    return [str(a.value) for a in step.actions if a.kind == "fee"]


def _notice_title(type_id: str) -> str:
    """A notice as staff read it: its title (Past-Due Reminder), or its id when it is no notice type."""
    try:
        return notice_type(type_id).title_en
    except NoticeDataError:
        return type_id


def _what_it_does(step: Transition, rules: Documents) -> str:
    """'mails the Past-Due Reminder and posts a fee (Late payment penalty on utility bills)' (or one of the two), in
    staff words: each notice by its title, each fee by its schedule's title."""
    fees = [rules.get(fee).title if fee in rules else fee for fee in _fees(step)]
    mails = f"mails the {' and the '.join(_notice_title(kind) for kind in step.mails)}" if step.mails else ""
    posts = f"posts {'a fee' if len(fees) == 1 else 'fees'} ({', '.join(fees)})" if fees else ""
    return " and ".join(part for part in (mails, posts) if part)


def collection_notice_tonight(session: Session, workflows: WorkflowSet, case: Case, on: date) -> Notice | None:
    """A notice of a `collection` workflow made on the night for the case's account (or license), if any."""
    key = ("account", case.account_id, on) if case.account_id is not None else ("license", case.license_id, on)
    kept = kept_read(session, NOTICES_ON, dict)
    rows = kept.get(key)
    if rows is None:
        owner = Case.account_id == case.account_id if case.account_id is not None else \
            Case.license_id == case.license_id
        rows = session.execute(select(Notice, Case.workflow_id, Case.workflow_version)
                               .join(Case, Notice.case_id == Case.id)
                               .where(owner, Notice.created_on == on).order_by(Notice.id)).all()
    return next((notice for notice, workflow_id, version in rows
                 if workflows.get(workflow_id, version).collects), None)


def read_notices_ahead(session: Session, account_ids: list[int], on: date) -> None:
    """Read the notices made on the night for the cases of these accounts in one query, kept for a sweep chunk
    (kept_reads: a flush of a notice forgets its account's)."""
    kept = kept_read(session, NOTICES_ON, dict)
    found: dict[tuple, list] = {("account", account_id, on): [] for account_id in account_ids}
    if not account_ids:
        return
    for row in session.execute(select(Notice, Case.workflow_id, Case.workflow_version, Case.account_id)
                               .join(Case, Notice.case_id == Case.id)
                               .where(Case.account_id.in_(account_ids), Notice.created_on == on).order_by(Notice.id)):
        found[("account", row.account_id, on)].append(tuple(row)[:3])
    kept.update(found)


def holds(session: Session, workflows: WorkflowSet, case: Case, step: Transition, night: Night,
          rules: Documents) -> Held | None:
    """Why the night does not take a step that mails a notice or posts a fee (None: it may), in staff words (the
    step's label, the notices' and fees' titles, the days in the city's date style)."""
    if night.caught_up and (step.mails or _fees(step)):
        tonight = "mails it with dates counted from tonight" if step.mails else "posts it as of tonight"
        return Held(case.id, step.id, "caught_up",
                    f"{_label(step)} not taken: it {_what_it_does(step, rules)}, and {day_words(night.on)} is a "
                    f"night caught up on {day_words(night.today)}; tonight's run {tonight}")
    if not step.mails or not workflows.get(case.workflow_id, case.workflow_version).collects:
        return None
    mailed = collection_notice_tonight(session, workflows, case, night.on)
    if mailed is None:
        return None
    return Held(case.id, step.id, "one_a_night",
                f"{_label(step)} waits for the next night: it {_what_it_does(step, rules)}, and the account already "
                f"has a {_notice_title(mailed.notice_type)} tonight (notice {mailed.id}); one collection notice a "
                "night")


def _refused(verdict: Verdict) -> list[dict]:
    """The checks of a verdict that refuse the step."""
    return [entry for entry in verdict.explanation if not entry.get("ok")]


def _label(step: Transition) -> str:
    """A step as staff read it: its label, or its id in words."""
    return step.label or step.id.replace("_", " ")


def _next(verdicts: list[Verdict]) -> str:
    """The case's next sweep step waiting only for its day (in the sample city: the notices started again when the
    shut-off notice lapses), as '; next: LABEL on DAY'; empty when there is none."""
    for verdict in verdicts:
        refused = _refused(verdict)
        if refused and all(entry.get("guard") == "due" and entry.get("first_allowed") for entry in refused):
            return f"; next: {_label(verdict.step)} on {day_words(date.fromisoformat(refused[0]['first_allowed']))}"
    return ""


def not_sent(case_id: int, verdicts: list[Verdict]) -> Held | None:
    """The first step refused only because a notice it requires was never sent (`requires_sent:`), held with why in
    staff words: the step's label, since when the notice is known not to have gone out, the notice, and the case's
    next sweep step waiting only for its day (None: no step is held so). One line a case each night it is held."""
    for verdict in verdicts:
        refused = _refused(verdict)
        if refused and all(entry.get("guard") == "sent" for entry in refused):
            since = min((entry["never_sent_since"] for entry in refused if entry.get("never_sent_since")), default="")
            when = f" (since {day_words(date.fromisoformat(since))})" if since else ""
            return Held(case_id, verdict.step.id, "not_sent",
                        f"{_label(verdict.step)} waits for a notice that never went out{when}: "
                        + "; ".join(verdict.reasons) + _next(verdicts))
    return None
