"""Adjustment reason codes: why a clerk credits or debits an account, and where its money is booked.

City data, kept in the city settings (`adjustment_reasons`, changed on the city settings page
and audited like every setting), as the counter's receipt categories are
(engine.receipt_categories). A reason has a code, the words people see, and the GL fund and
account its adjustments offset. A reason that `waives` a fee schedule (the sample city's
late-fee waiver) names no fund and account: it reverses one fee of that schedule, and a
reversal is booked where its fee was. A reason may name the criteria document that decides
whether it may be granted (`eligibility`, e.g. one late-fee waiver in 12 months): its outcome
`eligible` must be true. Until a city saves its own list, the sample city's list below applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.numerals import is_digits

SAMPLE_REASONS = (
    {"code": "leak", "label": "Leak adjustment", "fund": "510", "account": "4390"},
    {"code": "misread", "label": "Meter misread", "fund": "510", "account": "4210"},
    {"code": "courtesy", "label": "Courtesy credit", "fund": "510", "account": "4390"},
    {"code": "billing_error", "label": "Billing error", "fund": "510", "account": "4390"},
    {"code": "late_fee_waiver", "label": "Late-fee waiver", "waives": "late-fee",
     "eligibility": "late-fee-waiver-eligibility"},
)
REQUIRED = ("code", "label")
OPTIONAL = ("fund", "account", "waives", "eligibility")


class ReasonError(ValueError):
    """A reason list that cannot be kept; the message names the entry and the key."""


@dataclass(frozen=True)
class Reason:
    """One adjustment reason: its code and words, its GL offset, the fee schedule it waives, its eligibility rule."""

    code: str
    label: str
    fund: str = ""
    account: str = ""
    waives: str = ""
    eligibility: str = ""

    @property
    def is_waiver(self) -> bool:
        """Whether it reverses a fee rather than posting an adjustment of its own."""
        return bool(self.waives)


def _checked(number: int, entry: Any, seen: set[str]) -> dict:
    """One entry of the list, cleaned, or a ReasonError naming it (1-based) and its key."""
    if not isinstance(entry, dict) or not set(REQUIRED) <= set(entry) or set(entry) - set(REQUIRED + OPTIONAL):
        raise ReasonError(f"adjustment reason {number}: needs code and label, and may have "
                          f"{', '.join(OPTIONAL)} (nothing else)")
    item = {key: str(entry[key]).strip() for key in entry if entry[key] is not None}
    code = item["code"]
    if not code.replace("_", "").isalnum() or not code.islower() or len(code) > 40:
        raise ReasonError(f"adjustment reason {number}: code {code!r} must be lower-case letters, digits and _ "
                          "(at most 40)")
    if code in seen:
        raise ReasonError(f"adjustment reason {number}: code {code!r} is used twice")
    if not item["label"] or len(item["label"]) > 80:
        raise ReasonError(f"adjustment reason {number}: a label of 1 to 80 characters")
    if not item.get("waives"):
        for key in ("fund", "account"):
            if not (is_digits(item.get(key, "")) and len(item.get(key, "")) <= 12):
                raise ReasonError(f"adjustment reason {number}: {key} {item.get(key, '')!r} must be digits "
                                  "(at most 12); only a reason that waives a fee goes without")
    elif item.get("fund") or item.get("account"):
        raise ReasonError(f"adjustment reason {number}: a reason that waives a fee names no fund or account "
                          "(its reversal is booked where the fee was)")
    seen.add(code)
    return item


def checked_reasons(value: Any) -> list[dict]:
    """The reason list cleaned, or a ReasonError naming the entry (1-based) and its key."""
    if not isinstance(value, list) or not value:
        raise ReasonError("adjustment reasons: a list of reasons, each with code, label, and fund and account "
                          "(or the fee schedule it waives)")
    seen: set[str] = set()
    return [_checked(number, entry, seen) for number, entry in enumerate(value, 1)]


def reasons_of(kept: list[dict] | None) -> list[Reason]:
    """The reasons a city keeps (its settings' list), in its order; the sample city's when it keeps none."""
    return [Reason(**entry) for entry in (kept or SAMPLE_REASONS)]


def reason_of(kept: list[dict] | None, code: str) -> Reason | None:
    """The reason with this code, or None."""
    return next((reason for reason in reasons_of(kept) if reason.code == code), None)
