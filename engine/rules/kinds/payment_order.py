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
from engine.rules.schema_blocks import JsonSchema, mapping
from engine.rules.services import OLDEST_DUE_FIRST, SERVICE_NAME, order_of, services_ordered, unknown_services
from engine.rules.types import Facts, JsonValue, YamlMapping


def version_keys() -> JsonSchema:
    """`order:` oldest_due_first, or {by_service: [SERVICE, ..]}."""
    words = f"{OLDEST_DUE_FIRST} or {{by_service: [water, sewer, ..]}}"
    return {"order": {"description": words, "if": {"type": "string"},
                      "then": {"const": OLDEST_DUE_FIRST, "description": words},
                      "else": mapping({"by_service": {"type": "array", "minItems": 1, "maxItems": 50,
                                                      "uniqueItems": True,
                                                      "items": {"type": "string", "pattern": SERVICE_NAME}}},
                                      ("by_service",), description=words)}}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """Nothing beyond the schema: the services named are checked against the city's list (references)."""


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
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"order": self.order, "words": self.words, "rule": self.rule, "version": self.version.isoformat(),
                "reference": self.reference, "as_of": self.as_of.isoformat()}


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> PaymentOrderResult:
    """The order in force on the day."""
    version = in_force.version_in_force(doc, as_of)
    order = version.body["order"]
    shown = order if isinstance(order, str) else {"by_service": list(order["by_service"])}
    return PaymentOrderResult(shown, order_of(version.body).words(), doc.id, version.effective, version.reference,
                              as_of)


def order_lines(shown: Shown) -> list[str]:
    """The order in words."""
    return [f"  payments apply {shown['words']}"]


KIND = RuleKind("payment-order", version_keys, ("order",), check_version, evaluate, order_lines,
                references=references, takes_inputs=False, one_per_city=True)
