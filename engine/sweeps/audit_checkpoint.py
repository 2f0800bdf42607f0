"""The audit-checkpoint sweep: at least once a night, the audit log's end is sealed by a signed checkpoint.

It visits no subjects; its run's finish writes the checkpoint (engine.sweeps.runner, with
the writer the scheduler or the command line hands over: the key never comes from the
database). Being a sweep, it is scheduled in schedule.yaml, caught up after a night the
machine was off, and done once per night however many schedulers run.
"""
from __future__ import annotations


from sqlalchemy.orm import Session

from engine.sweeps.runner import SweepContext


class AuditCheckpointSweep:
    """The nightly seal of the audit log: a run with no subjects whose finish writes a signed checkpoint."""

    name = "audit-checkpoint"
    label = "Audit log checkpoint"  # its name on staff pages (engine.sweeps.registry.sweep_label)
    title = "Audit checkpoint: the audit log's length and last hash, signed with the instance's key"
    seals_the_audit_log = True  # the runner refuses to run it without a checkpoint writer

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """None: the checkpoint is written when the run finishes."""
        return []

    def last_id(self, session: Session) -> int:
        """Nothing to go through (for a progress bar)."""
        return 0

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Never called: there are no subjects."""
