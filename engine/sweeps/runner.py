"""Running a sweep: safe to repeat, safe to kill, never doubled by a second runner.

A run is one `sweep_runs` row per sweep and date. The work is split into chunks of
subjects in id order; each chunk runs in its own transaction that also locks the run row,
reads the run's cursor, does the chunk, and moves the cursor past it. So a chunk's notices,
fees and state changes commit together with the cursor, or not at all: a run killed at any
point and started again carries on after the last committed chunk. Two runners on the
same run take turns chunk by chunk (PostgreSQL: `FOR UPDATE SKIP LOCKED` on the run row;
SQLite: the run row is written in a `BEGIN IMMEDIATE` transaction, so writers queue), and
neither ever repeats a chunk. When no subject is left, the day's notices are rendered into
one mailing PDF per notice type and the run is marked done; a done run does nothing again.
A notice whose date to act by has passed by the day the mailing prints is left out of it
and named in the run's report (engine.sweeps.mailing); the run still finishes.
A dry run does every chunk in a transaction that is rolled back, and writes nothing.
The run knows the night it sweeps (`as_of`) and the city's date when it runs (`today`): a
night before today is one caught up, and its steps mail nothing (engine.workflow.night); a night
after today is refused (only a dry run may look ahead), so no fee or notice is dated ahead and no
night is marked done before it comes.
Given a checkpoint writer (engine.audit_checkpoints), a finished run seals the audit log's
end in the same transaction; the audit-checkpoint sweep does nothing else, and needs one.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.audit_checkpoints import CheckpointWriter, describe
from engine.rules.kinds.sweep import document_label
from engine.rules.months import day_words
from engine.store.db import GIVES_WAY
from engine.store.models import SweepRun
from engine.sweeps.report import SweepReport
from engine.workflow.night import Night
from engine.workflow.services import Catalog


class SweepError(RuntimeError):
    """A sweep that cannot run (unknown name, a run held elsewhere for too long)."""


SIGNATURE = "sweep:"  # how a sweep signs what it does: sweep:NAME
SIGNED = re.compile(rf"(?<![\w:-]){SIGNATURE}(?P<sweep>[a-z0-9][a-z0-9_-]*)")  # a signature, alone or in a sentence


def signature(sweep: str) -> str:
    """How the sweep of this name signs its case events, ledger entries and audit rows: sweep:NAME."""
    return f"{SIGNATURE}{sweep}"


@dataclass
class SweepContext:
    """What a sweep's chunk sees: the night, the city's date, the moment, who acts, and the report to add to."""

    name: str
    as_of: date
    now: datetime
    report: SweepReport
    dry_run: bool
    services: Catalog | None = None  # the rules and workflows
    run_id: int | None = None
    today: date | None = None  # the city's date when the run runs (None: the night itself)

    @property
    def actor(self) -> str:
        """How the sweep signs its case events, ledger entries and audit rows."""
        return signature(self.name)

    @property
    def night(self) -> Night:
        """The night swept and the city's date: a night before it is caught up and mails nothing."""
        return Night(self.as_of, self.today or self.as_of)


class Sweep(Protocol):
    """A nightly sweep: which subjects it visits, and what it does with a chunk of them."""

    name: str

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """The next subjects (ids above `after`, ascending), at most `limit`, for the night and rules in `ctx`."""

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Apply the rules to these subjects, adding what was done to ctx.report."""


class Mailer(Protocol):
    """Renders the notices of a finished run into one PDF per notice type."""

    def __call__(self, session: Session, run: SweepRun, report: SweepReport) -> list[Any]:
        """Render and record the run's notice batches (NoticeBatch rows); returns the batches. A notice it cannot
        mail (a date to act by already past) it leaves out and adds to the report as an exception."""


@dataclass
class RunOutcome:
    """What a call of `run_sweep` ended with."""

    run_id: int | None
    status: str  # done | already_done | dry_run
    report: dict[str, Any] = field(default_factory=dict)
    chunks: int = 0


def _start(factory: sessionmaker[Session], name: str, as_of: date, today: date, runner: str,
           now: datetime) -> SweepRun:
    """The run row for this sweep and day: created now, or the one already there."""
    try:
        with factory() as session, session.begin():
            report = SweepReport(caught_up_on=today if as_of < today else None)
            run = SweepRun(sweep=name, as_of=as_of, dry_run=False, status="running", started_at=now,
                           runner=runner, heartbeat_at=now, cursor=0, report=report.to_json())
            session.add(run)
            session.flush()
            audit.record(session, actor=f"sweep:{name}", action="sweep.start", subject_type="sweep_run",
                         subject_id=run.id, detail={"as_of": as_of.isoformat(), "today": today.isoformat(),
                                                    "runner": runner}, at=now)
            return run
    except IntegrityError:
        with factory() as session:
            return session.scalars(select(SweepRun).where(SweepRun.sweep == name, SweepRun.as_of == as_of,
                                                          SweepRun.dry_run.is_(False))).one()


def _lock_run(session: Session, run_id: int) -> SweepRun | None:
    """The run row locked for this transaction, or None while another runner holds it."""
    query = select(SweepRun).where(SweepRun.id == run_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # On SQLite the transaction began with BEGIN IMMEDIATE: it already holds the write lock.
    return session.scalars(query).one_or_none()


def _do_chunk(session: Session, sweep: Sweep, run: SweepRun, ctx: SweepContext, chunk_size: int) -> int:
    """One chunk in the caller's transaction: process the subjects after the cursor; how many."""
    ids = sweep.subject_ids(session, ctx, run.cursor, chunk_size)
    if not ids:
        return 0
    ctx.report.subjects += len(ids)
    sweep.process_chunk(session, ids, ctx)  # notices it creates carry ctx.run_id
    run.cursor = ids[-1]
    return len(ids)


@dataclass
class ChunkPace:
    """How many subjects the next chunk takes: at most `largest`; given `seconds`, about as many as that long holds.

    On SQLite a chunk holds the one write lock, and a clerk's sign-in or receipt waits for the
    chunk under way: a night that opens a case for most candidates takes ten times as long a
    subject as one that only looks, so a count alone cannot bound the wait. The first chunk
    takes FIRST subjects; each next one as many as the last chunk's time per subject fits.
    """

    largest: int
    seconds: float | None = None
    size: int = 0

    FIRST = 10

    def __post_init__(self) -> None:
        """Start small when paced."""
        self.size = self.largest if self.seconds is None else min(self.largest, self.FIRST)

    def took(self, subjects: int, seconds: float) -> None:
        """A chunk of this many subjects took this long: size the next."""
        if self.seconds is None or subjects <= 0:
            return
        fits = int(self.seconds * subjects / seconds) if seconds > 0 else self.largest
        self.size = max(1, min(self.largest, fits))


def night_to_come(sweep: Sweep, services: Catalog | None, as_of: date, today: date) -> str:
    """Why a sweep does not run for a night after the city's date: its fees and notices would be dated ahead, and
    the night marked done would find itself already done when it came (a dry run may still show it)."""
    label = getattr(sweep, "label", None) or document_label(sweep.name, services.rules if services else {})
    return (f"{label} cannot run for {day_words(as_of)}: that night has not come yet (today in the city is "
            f"{day_words(today)})")


def run_sweep(factory: sessionmaker[Session], sweep: Sweep, *, as_of: date, today: date,
              clock: Callable[[], datetime], runner: str, services: Catalog | None = None, mailer: Mailer | None = None,
              dry_run: bool = False, chunk_size: int = 500, progress: Callable[[int, int], None] | None = None,
              wait_seconds: float = 600.0, checkpoint: CheckpointWriter | None = None,
              chunk_seconds: float | None = None) -> RunOutcome:
    """Run (or resume, or join) the sweep for the night `as_of` on the city's date `today` (see the module doc).

    Chunks take `chunk_size` subjects, or with `chunk_seconds` as many as about that long holds (ChunkPace)."""
    if getattr(sweep, "seals_the_audit_log", False) and checkpoint is None:
        raise SweepError(f"{sweep.name} needs the instance's audit key to sign its checkpoint")
    if hasattr(sweep, "check"):  # a sweep document: it must be there, with a version in force on the night
        sweep.check(services, as_of)
    if as_of > today and not dry_run:
        raise SweepError(night_to_come(sweep, services, as_of, today))
    if dry_run:
        return _dry_run(factory, sweep, as_of=as_of, today=today, clock=clock, services=services,
                        chunk_size=chunk_size, progress=progress)
    run = _start(factory, sweep.name, as_of, today, runner, clock())
    if run.status == "done":
        return RunOutcome(run.id, "already_done", run.report)
    chunks, waited_since, pace = 0, None, ChunkPace(chunk_size, chunk_seconds)
    while True:
        with factory() as session, session.begin():
            session.connection(execution_options={GIVES_WAY: True})  # SQLite: people waiting to write go first
            locked = _lock_run(session, run.id)
            if locked is None:  # another runner is in the middle of a chunk: let it finish
                waited_since = waited_since or time.monotonic()
                if time.monotonic() - waited_since > wait_seconds:
                    raise SweepError(f"{sweep.name} for {as_of} is held by {run.runner}")
                time.sleep(0.05)
                continue
            waited_since, started = None, time.monotonic()  # the write lock is this chunk's from here to its commit
            if locked.status == "done":
                return RunOutcome(locked.id, "already_done", locked.report)
            now = clock()
            ctx = SweepContext(sweep.name, as_of, now, SweepReport.from_json(locked.report), False,
                               services, locked.id, today)
            done = _do_chunk(session, sweep, locked, ctx, pace.size)
            locked.report, locked.runner, locked.heartbeat_at = ctx.report.to_json(), runner, now
            if not done:
                _finish(session, locked, mailer, now, checkpoint)
                return RunOutcome(locked.id, "done", locked.report, chunks)
            chunks += 1
            if progress:
                progress(done, locked.cursor)
        pace.took(done, time.monotonic() - started)


def _finish(session: Session, run: SweepRun, mailer: Mailer | None, now: datetime,
            checkpoint: CheckpointWriter | None = None) -> None:
    """Render the run's mailings, mark it done, audit the end of the run, and seal the audit log if asked."""
    if mailer is not None:
        report = SweepReport.from_json(run.report)
        batches = mailer(session, run, report)
        run.report = {**run.report, **report.to_json(),
                      "mailings": [{"notice_type": b.notice_type, "count": b.count, "pdf": b.pdf_path}
                                   for b in batches]}
    run.status, run.finished_at = "done", now
    audit.record(session, actor=f"sweep:{run.sweep}", action="sweep.done", subject_type="sweep_run",
                 subject_id=run.id, detail={"as_of": run.as_of.isoformat(), "totals": run.report.get("totals", {})},
                 at=now)
    if checkpoint is not None:
        sealed = checkpoint(session, now=now, reason=f"sweep {run.sweep} {run.as_of.isoformat()}")
        run.report = {**run.report, "extra": {**run.report.get("extra", {}), "audit_checkpoint": describe(sealed)}}


def _dry_run(factory: sessionmaker[Session], sweep: Sweep, *, as_of: date, today: date,
             clock: Callable[[], datetime], services: Catalog | None, chunk_size: int,
             progress: Callable[[int, int], None] | None) -> RunOutcome:
    """Every chunk in a transaction that is rolled back: the report of what would happen."""
    report, cursor, chunks = SweepReport(caught_up_on=today if as_of < today else None), 0, 0
    while True:
        with factory() as session:
            session.begin()
            try:
                ctx = SweepContext(sweep.name, as_of, clock(), report, True, services, None, today)
                ids = sweep.subject_ids(session, ctx, cursor, chunk_size)
                if not ids:
                    return RunOutcome(None, "dry_run", report.to_json(), chunks)
                report.subjects += len(ids)
                sweep.process_chunk(session, ids, ctx)
                cursor, chunks = ids[-1], chunks + 1
            finally:
                session.rollback()
        if progress:
            progress(len(ids), cursor)
