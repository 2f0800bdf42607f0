"""Why a bill is what it is: its lines with their working, the proration, and the rate schedule behind it.

The one place a bill is explained: the account page ("Why this bill is ...") and the
printed statement (engine.statements) both show what `explain_bill` gives, so the paper
and the screen cannot tell two stories. It reads only the stored bill (its lines as the
billing run wrote them and the explanation the rate schedule returned): nothing is
worked out again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.money.amounts import money_text, parse_money, to_cents


@dataclass(frozen=True)
class ExplainedLine:
    """One line of a bill: its name, the service it bills (None: none named), how it was worked out, its amount."""

    name: str
    service: str | None
    detail: str
    amount_cents: int


@dataclass(frozen=True)
class RatePart:
    """Part of a period billed at one version of the rates (a period across a rate change has two)."""

    days: int
    version: str
    total_cents: int


@dataclass(frozen=True)
class BillExplanation:
    """A bill's lines, its total, the parts of a prorated period, the rate schedule and version, and the facts used."""

    lines: tuple[ExplainedLine, ...]
    total_cents: int
    parts: tuple[RatePart, ...]
    rule_id: str
    rule_version: str
    reference: str
    facts: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """The explanation as plain data (money as "52.03"), as a statement keeps it."""
        return {"lines": [{"name": line.name, "service": line.service, "detail": line.detail,
                           "amount": money_text(line.amount_cents)} for line in self.lines],
                "total": money_text(self.total_cents),
                "parts": [{"days": part.days, "version": part.version, "total": money_text(part.total_cents)}
                          for part in self.parts],
                "rule_id": self.rule_id, "rule_version": self.rule_version, "reference": self.reference,
                "facts": [[name, value] for name, value in self.facts]}


def _cents(value: Any) -> int:
    """Money as the rules wrote it ("52.03" or a number) in cents."""
    return to_cents(parse_money(str(value)))


def explain_bill(bill: Any) -> BillExplanation:
    """The explanation of a stored bill (a Bill with its lines)."""
    why = bill.explanation or {}
    parts = tuple(RatePart(int(part.get("days", 0)), str(part.get("version", "")), _cents(part.get("total", "0")))
                  for part in why.get("parts") or [])
    facts = tuple((str(name), str(value)) for name, value in (why.get("facts") or {}).items())
    return BillExplanation(
        lines=tuple(ExplainedLine(line.name, line.service, line.detail or "", line.amount_cents) for line in bill.lines),
        total_cents=bill.total_cents, parts=parts, rule_id=bill.rule_id, rule_version=bill.rule_version,
        reference=str(why.get("reference") or ""), facts=facts)
