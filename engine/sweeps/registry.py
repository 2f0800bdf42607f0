"""The sweeps by name: the only way a name typed on the command line or in schedule.yaml becomes code.

The city's sweeps are documents (`kind: sweep` in the rule store, engine.sweeps.documented):
a name that is not one of the built-in system sweeps below is a sweep document's id, read
from the city's rules on the night it runs. The built-in sweeps drive no workflow: they keep
the balances, seal the audit log and review cash-only accounts.

Staff read a sweep by its label (`sweep_label`): a built-in sweep's is its class's `label`,
a sweep document's its header's `label` (else its title).
"""
from __future__ import annotations

from collections.abc import Iterable

from engine.rules.document import Documents, RuleDocument
from engine.rules.kinds.sweep import document_label

from engine.sweeps.audit_checkpoint import AuditCheckpointSweep
from engine.sweeps.balances_rollover import BalancesRollOverSweep
from engine.sweeps.cash_only_review import CashOnlyReviewSweep
from engine.sweeps.documented import DocumentSweep, sweep_names
from engine.sweeps.runner import Sweep, SweepError

BUILT_IN: dict[str, type] = {
    "balances-rollover": BalancesRollOverSweep,
    "cash-only-review": CashOnlyReviewSweep,
    "audit-checkpoint": AuditCheckpointSweep,
}
SWEEPS = BUILT_IN  # the names that need no document


def all_sweeps(rules: Iterable[RuleDocument]) -> list[str]:
    """Every sweep's name: the built-in ones, then the city's sweep documents."""
    return list(BUILT_IN) + [name for name in sweep_names(rules) if name not in BUILT_IN]


def sweep_label(name: str, rules: Documents) -> str:
    """The name staff read a sweep by, given the city's rules: a built-in sweep's label, a sweep document's label
    (else its title); a name that is neither (a past run of a sweep since removed) its id in words."""
    cls = BUILT_IN.get(name)
    return cls.label if cls is not None else document_label(name, rules)


def get_sweep(name: str, rules: Iterable[RuleDocument] | None = None) -> Sweep:
    """A new sweep of this name: a built-in one, else the city's sweep document of that id.

    Given the city's rules, a name that is neither is a SweepError listing the sweeps there
    are; without them, the document is looked for when the sweep runs.
    """
    cls = BUILT_IN.get(name)
    if cls is not None:
        return cls()
    if rules is not None and name not in sweep_names(rules):
        raise SweepError(f"no sweep named {name!r}; the sweeps are: {', '.join(all_sweeps(rules))}")
    return DocumentSweep(name)
