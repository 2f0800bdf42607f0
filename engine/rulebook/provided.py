"""Which facts are provided to rule documents: by a measure, a record field, or a workflow field.

A document that declares an input nobody provides validates and never has it: a criteria
reading an optional `returned_payments_6m` that no measure provides would never fire. The
draft check (engine.rulebook.drafting) refuses such an input unless it has a default. The
facts provided are: each subject's documented facts (engine.workflow.facts: record facts
and case fields), the facts the billing run, the deposit refunds and a deadline's penalty
give their documents, the `provides` of every measure among the rules, and the fields of
the workflows when the caller knows them.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable

from engine.accounts.deposit_refunds import RECORD_FACTS as DEPOSIT_REFUND_FACTS
from engine.money.billing import RATE_FACTS
from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentError
from engine.rules.kinds.deadline import PENALTY_FACTS
from engine.workflow.facts import SUBJECT_FACTS

RECORD_FACTS = frozenset({name for facts in SUBJECT_FACTS.values() for name in facts}
                         | set(RATE_FACTS) | set(DEPOSIT_REFUND_FACTS) | set(PENALTY_FACTS))


def provided_facts(documents: Iterable[RuleDocument], workflow_fields: Collection[str] = ()) -> set[str]:
    """Every fact something provides: record fields, the measures among `documents`, workflow fields."""
    measured = {doc.header["provides"] for doc in documents if "provides" in doc.header}
    return set(RECORD_FACTS) | measured | set(workflow_fields)


def unprovided_inputs(doc: RuleDocument, provided: Collection[str]) -> list[DocumentError]:
    """An error for each input of `doc` without a default that nothing provides (optional ones included)."""
    return [DocumentError(doc.source, doc.line_of(f"inputs.{name}"), f"inputs.{name}",
                          f"no measure, record field or workflow field provides {name}, so the document would "
                          f"never have it; publish a measure that provides {name} (kind: measure) first, "
                          "or give it a default")
            for name, spec in doc.inputs.items() if name not in provided and not spec.has_default]
