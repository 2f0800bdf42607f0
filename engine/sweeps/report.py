"""A sweep's report: counts per step, fees assessed, notices by type and language, exceptions.

The exceptions list every subject the run could not act on as the workflow asks, each with
the account (or license, and case) and the reason, by kind:

    error        the subject's work failed (a fact missing, a rule that cannot be evaluated)
    caught_up    a step that mails was not taken: the night was caught up after the fact
    one_a_night  a step that mails waits for the next night: the account had a collection notice tonight
    not_lawful   a step was not taken: its notice would print a date already past
    not_sent     a step was not taken: a notice of the case it requires was never mailed or printed
    re_dated     a notice went out with dates counted again from tonight (the stored ones were past)
    not_mailed   a notice was left out of the mailing: a date it asks the customer to act by had passed
                 on the day the mailing printed (the run's other notices were mailed)

An empty list means the run met none of these.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.money import money_text
from engine.store.models import NoticeBatch, SweepRun

MAX_EXCEPTIONS = 1000  # kept in full; beyond that only counted


@dataclass
class SweepReport:
    """What a sweep did (or, in a dry run, would do); kept with the run as JSON."""

    subjects: int = 0
    cases_opened: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    fees_cents: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)  # "notice-type/language"
    exceptions: list[dict[str, str]] = field(default_factory=list)
    exceptions_not_kept: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    caught_up_on: date | None = None  # the city's date a night caught up was swept on

    def exception(self, subject: str, message: str, kind: str = "error") -> None:
        """Note a subject the sweep could not act on as asked (an error, a step held back, a re-dating), and go on."""
        if len(self.exceptions) < MAX_EXCEPTIONS:
            self.exceptions.append({"subject": subject, "kind": kind, "message": message})
        else:
            self.exceptions_not_kept += 1

    def to_json(self) -> dict[str, Any]:
        """The report as stored with the run: counts, fee totals as money strings, exceptions."""
        return {
            "subjects": self.subjects,
            "cases_opened": dict(sorted(self.cases_opened.items())),
            "steps": dict(sorted(self.steps.items())),
            "fees": {k: money_text(v) for k, v in sorted(self.fees_cents.items())},
            "fees_cents": dict(sorted(self.fees_cents.items())),
            "notices": dict(sorted(self.notices.items())),
            "exceptions": list(self.exceptions),
            "exceptions_not_kept": self.exceptions_not_kept,
            "totals": {"steps": sum(self.steps.values()), "notices": sum(self.notices.values()),
                       "fees": money_text(sum(self.fees_cents.values())),
                       "exceptions": len(self.exceptions) + self.exceptions_not_kept},
            **({"extra": self.extra} if self.extra else {}),
            **({"caught_up_on": self.caught_up_on.isoformat()} if self.caught_up_on else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SweepReport:
        """The report as a run left it, to add the next chunk to."""
        return cls(subjects=data.get("subjects", 0), cases_opened=Counter(data.get("cases_opened", {})),
                   steps=Counter(data.get("steps", {})), fees_cents=Counter(data.get("fees_cents", {})),
                   notices=Counter(data.get("notices", {})), exceptions=list(data.get("exceptions", [])),
                   exceptions_not_kept=data.get("exceptions_not_kept", 0), extra=dict(data.get("extra", {})),
                   caught_up_on=date.fromisoformat(data["caught_up_on"]) if data.get("caught_up_on") else None)


def _run_summary(run: SweepRun) -> dict[str, Any]:
    """A run as a list shows it: sweep, day, status, times, totals."""
    report = run.report or {}
    return {"id": run.id, "sweep": run.sweep, "as_of": run.as_of.isoformat(), "status": run.status,
            "started_at": run.started_at.isoformat(), "finished_at": run.finished_at.isoformat() if run.finished_at
            else None, "runner": run.runner, "subjects": report.get("subjects", 0), "totals": report.get("totals", {})}


def sweep_runs(session: Session, limit: int = 50, sweep: str | None = None) -> list[dict[str, Any]]:
    """The latest runs (newest day first), for the supervisor's list of nights."""
    query = select(SweepRun).where(SweepRun.dry_run.is_(False))
    if sweep is not None:
        query = query.where(SweepRun.sweep == sweep)
    runs = session.scalars(query.order_by(SweepRun.as_of.desc(), SweepRun.sweep, SweepRun.id.desc()).limit(limit))
    return [_run_summary(run) for run in runs]


def sweep_run_report(session: Session, run_id: int) -> dict[str, Any]:
    """One run with its whole report: counts per step, fees, notices by type and language, exceptions, mailings."""
    run = session.get(SweepRun, run_id)
    if run is None:
        raise LookupError(f"no sweep run with id {run_id}")
    batches = session.scalars(select(NoticeBatch).where(NoticeBatch.sweep_run_id == run.id)
                              .order_by(NoticeBatch.notice_type)).all()
    return {**_run_summary(run), "report": run.report or {},
            "mailings": [{"id": b.id, "notice_type": b.notice_type, "count": b.count, "pdf": b.pdf_path}
                         for b in batches]}


def find_run(session: Session, sweep: str, as_of: date) -> SweepRun | None:
    """The (real, not dry) run of a sweep for a day, or None."""
    return session.scalar(select(SweepRun).where(SweepRun.sweep == sweep, SweepRun.as_of == as_of,
                                                 SweepRun.dry_run.is_(False)))
