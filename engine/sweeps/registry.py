"""The sweeps by name: the only way a name typed on the command line or in schedule.yaml becomes code."""
from __future__ import annotations

from engine.sweeps.audit_checkpoint import AuditCheckpointSweep
from engine.sweeps.balances_rollover import BalancesRollOverSweep
from engine.sweeps.cash_only_review import CashOnlyReviewSweep
from engine.sweeps.delinquency import DelinquencySweep, PlanDefaultSweep
from engine.sweeps.deposit_refunds import DepositRefundSweep
from engine.sweeps.liens import LienSweep
from engine.sweeps.renewals import RenewalSweep
from engine.sweeps.runner import Sweep, SweepError

SWEEPS: dict[str, type] = {
    "balances-rollover": BalancesRollOverSweep,
    "delinquency": DelinquencySweep,
    "plan-defaults": PlanDefaultSweep,
    "renewals": RenewalSweep,
    "liens": LienSweep,
    "deposit-refunds": DepositRefundSweep,
    "cash-only-review": CashOnlyReviewSweep,
    "audit-checkpoint": AuditCheckpointSweep,
}


def get_sweep(name: str) -> Sweep:
    """A new sweep of this name, or a SweepError listing the names there are."""
    cls = SWEEPS.get(name)
    if cls is None:
        raise SweepError(f"no sweep named {name!r}; the sweeps are: {', '.join(SWEEPS)}")
    return cls()
