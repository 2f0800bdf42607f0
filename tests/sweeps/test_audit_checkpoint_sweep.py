"""The nightly audit-checkpoint sweep, and every finished sweep run sealing the audit log's end."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.audit_checkpoints import CheckpointWriter, check_log
from engine.store.models import AuditCheckpoint, AuditEntry
from engine.sweeps.runner import SweepError
from tests.sweeps.conftest import NIGHT, sweep

KEY = b"the instance's audit key"


def test_the_nightly_checkpoint_seals_the_log_once_a_night(committing_db, catalog, city):
    """One checkpoint for the night, at the log's length and last hash; a second run of the night adds none."""
    outcome = sweep(committing_db, catalog, name="audit-checkpoint", checkpoint=CheckpointWriter(KEY))
    again = sweep(committing_db, catalog, name="audit-checkpoint", checkpoint=CheckpointWriter(KEY))
    assert (outcome.status, again.status) == ("done", "already_done")
    with committing_db() as session:
        [checkpoint] = session.scalars(select(AuditCheckpoint)).all()
        last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert checkpoint.reason == f"sweep audit-checkpoint {NIGHT.isoformat()}"
        assert (checkpoint.rows, checkpoint.head_hash) == (session.scalar(select(func.count(AuditEntry.id))),
                                                           last.hash)
        assert last.action == "sweep.done"  # the run's own end is sealed
        assert check_log(session, KEY).intact
    assert outcome.report["extra"]["audit_checkpoint"].startswith(f"checkpoint {checkpoint.id} of ")


def test_the_checkpoint_sweep_refuses_to_run_without_the_key(committing_db, catalog, city):
    with pytest.raises(SweepError, match="audit-checkpoint needs the instance's audit key"):
        sweep(committing_db, catalog, name="audit-checkpoint")
    with committing_db() as session:
        assert session.scalar(select(func.count(AuditCheckpoint.id))) == 0


def test_a_nightly_sweep_given_the_key_seals_the_log_when_it_finishes(committing_db, catalog, city):
    """The delinquency sweep's run, with its ten reminders, ends with a checkpoint naming it."""
    outcome = sweep(committing_db, catalog, checkpoint=CheckpointWriter(KEY))
    with committing_db() as session:
        [checkpoint] = session.scalars(select(AuditCheckpoint)).all()
        assert checkpoint.reason == f"sweep delinquency {NIGHT.isoformat()}"
        assert checkpoint.rows == session.scalar(select(func.count(AuditEntry.id)))
    assert outcome.report["totals"]["notices"] == 10
