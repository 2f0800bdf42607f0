"""kind: payment-order — how payments (and every other credit) are applied to what an account owes.

A city has at most one such document; without it, credits pay the oldest due first. Each
version says `order: oldest_due_first` or `order: {by_service: [water, sewer, garbage]}`:
the debits of the first service first, then the second's, ..., the services not listed (and
the catch-all, `other`, unless listed) after them, oldest due first within each. The ledger's
aging follows the version in force on the day it ages an account (engine.rules.services
gives the versions as data; engine.money.ledger.aging applies them).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from engine.rules import versions as in_force
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument
from engine.rules.errors import DocumentError
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules import bounds
from engine.rules.schema_blocks import JsonSchema, listing, mapping, whole
from engine.rules.services import OLDEST_DUE_FIRST, SERVICE_NAME, order_of, services_ordered, unknown_services
from engine.rules.types import Facts, JsonValue, YamlMapping
from engine.rules.wording import Term


def version_keys() -> JsonSchema:
    """`order:` oldest_due_first, or {by_service: [SERVICE, ..]}; `aging:` the last day of three past-due buckets."""
    words = f"{OLDEST_DUE_FIRST} or {{by_service: [water, sewer, ..]}}"
    return {"aging": {**listing(whole(1, bounds.MAX_DAYS), 3, 3),
                      "description": "the last day late of the first three past-due buckets, ascending: [30, 60, 90]"},
            "order": {"description": words, "if": {"type": "string"},
                      "then": {"const": OLDEST_DUE_FIRST, "description": words},
                      "else": mapping({"by_service": {"type": "array", "minItems": 1, "maxItems": 50,
                                                      "uniqueItems": True,
                                                      "items": {"type": "string", "pattern": SERVICE_NAME}}},
                                      ("by_service",), description=words)}}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """The aging buckets ascend (the services named are checked against the city's list, as references)."""
    aging = version.get("aging") or []
    for i in range(1, len(aging)):
        if aging[i] <= aging[i - 1]:
            checks.error(f"{path}.aging[{i}]", f"the buckets must ascend: {aging[i]} days comes after "
                                               f"{aging[i - 1]}")


def references(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """A service in the priority that is not on the city's list on the version's day (`other` is always known)."""
    named = [(path, service, version.effective) for version in doc.versions
             for path, service in services_ordered(version)]
    for path, message in unknown_services(doc, named, known.values(), catch_all=True):
        yield DocumentError(doc.source, doc.line_of(path), path, message)


@dataclass(frozen=True)
class PaymentOrderResult:
    """The order in force on a day."""

    order: str | dict[str, list[str]]
    words: str
    aging: list[str]
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"order": self.order, "words": self.words, "aging": self.aging, "rule": self.rule, "version": self.version.isoformat(),
                "reference": self.reference, "as_of": self.as_of.isoformat()}


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> PaymentOrderResult:
    """The order in force on the day."""
    version = in_force.version_in_force(doc, as_of)
    order = version.body["order"]
    shown = order if isinstance(order, str) else {"by_service": list(order["by_service"])}
    order_in_force = order_of(version.body)
    return PaymentOrderResult(shown, order_in_force.words(), list(order_in_force.bucket_words()), doc.id,
                              version.effective, version.reference, as_of)


def order_lines(shown: Shown) -> list[str]:
    """The order in words."""
    return [f"  payments apply {shown['words']}", f"  what is unpaid is aged: {', '.join(shown['aging'])}"]


def terms(doc: RuleDocument, version) -> list[Term]:
    """The order and the aging buckets in words."""
    if "order" not in version.body:
        return []
    order = order_of(version.body)
    return [Term("Payments", "are applied", order.words()),
            Term("Aging", "buckets", ", ".join(order.bucket_words()[1:]))]


KIND = RuleKind("payment-order", version_keys, ("order",), check_version, evaluate, order_lines,
                references=references, takes_inputs=False, one_per_city=True, terms=terms)
