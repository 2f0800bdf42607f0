"""The kinds of rule document, by the name a document's `kind:` gives it: one module each.

    schedule   money from facts: rates, fees, penalties, line by line      schedule.py
    criteria   decisions: eligibility, approval limits, by ordered rules   criteria.py
    calendar   office days, shut-off days, billing-cycle timelines         calendar.py
    deadline   renewals: status, reminders, grace, late penalty            deadline.py
    measure    a subject's fact from the events it keeps (count, sum, ...)  measure.py
    services   the services a schedule line may bill, with their names    services.py
    payment-order  how credits are applied to what is owed               payment_order.py
    sweep      a nightly sweep: subjects, cases opened and worked, lists  sweep.py
    bill-messages  what the city prints on bills for a while             bill_messages.py
    meter-reads    read review thresholds, estimates, handheld layouts  meter_reads.py
    billing    rate schedule by rate class, due days, winter average     billing.py

Each module holds one `RuleKind` (engine.rules.kinds.base): the schema of its versions, the
checks a schema cannot express, its references, its evaluator (engine.rules.<kind>), its
plain-text explanation and its lint. A kind is added by writing its module (and evaluator)
and listing it here; nothing else in the core names a kind.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine.rules.kinds import (bill_messages, billing, calendar, criteria, deadline, measure, meter_reads,
                                payment_order, schedule, services, sweep)
from engine.rules.kinds.base import RuleKind, Shown

REGISTRY: Mapping[str, RuleKind] = MappingProxyType({kind.name: kind for kind in (
    schedule.KIND, criteria.KIND, calendar.KIND, deadline.KIND, measure.KIND, services.KIND, payment_order.KIND,
    sweep.KIND, bill_messages.KIND, meter_reads.KIND, billing.KIND)})
KINDS = tuple(REGISTRY)


def kind_named(name: str) -> RuleKind:
    """The kind with this name (a KeyError for an unknown name; the loader names the choices first)."""
    return REGISTRY[name]


def explained(kind: str, shown: Shown) -> list[str]:
    """A result as the lines a clerk reads: the document and version, then the kind's own explanation."""
    head = [f"{shown.get('rule')} (version of {shown.get('version')}"
            + (f", {shown['reference']})" if shown.get("reference") else ")") + f" as of {shown.get('as_of')}"]
    return head + kind_named(kind).explain(shown)
