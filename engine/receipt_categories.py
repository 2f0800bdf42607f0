"""The counter's miscellaneous revenue categories: what a receipt may pay besides accounts and licenses.

City data, kept in the city settings (`receipt_categories`, changed on the city settings
page and audited like every setting) rather than in a rule document: a category has no
amount, date or condition to evaluate, only a name and the GL fund and account its money
goes to. Until a city saves its own list, the sample city's list below applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.numerals import is_digits

SAMPLE_CATEGORIES = (
    {"code": "copies", "label": "Copies and records requests", "fund": "100", "account": "4620"},
    {"code": "parking", "label": "Parking citations", "fund": "100", "account": "4510"},
    {"code": "building_permit", "label": "Building permit fees", "fund": "100", "account": "4420"},
    {"code": "hydrant_meter", "label": "Hydrant meter rental", "fund": "510", "account": "4340"},
)
KEYS = ("code", "label", "fund", "account")


class CategoryError(ValueError):
    """A category list that cannot be kept; the message names the entry and the key."""


@dataclass(frozen=True)
class Category:
    """One miscellaneous revenue category and the GL fund and account it credits."""

    code: str
    label: str
    fund: str
    account: str


def checked_categories(value: Any) -> list[dict]:
    """The category list cleaned, or a CategoryError naming the entry (1-based) and its key."""
    if not isinstance(value, list) or not value:
        raise CategoryError("receipt categories: a list of categories, each with code, label, fund and account")
    seen, cleaned = set(), []
    for number, entry in enumerate(value, 1):
        if not isinstance(entry, dict) or set(entry) != set(KEYS):
            raise CategoryError(f"receipt category {number}: needs exactly {', '.join(KEYS)}")
        item = {key: str(entry[key]).strip() for key in KEYS}
        if not item["code"].replace("_", "").isalnum() or not item["code"].islower() or len(item["code"]) > 40:
            raise CategoryError(f"receipt category {number}: code {item['code']!r} must be lower-case letters, "
                                "digits and _ (at most 40)")
        if item["code"] in seen:
            raise CategoryError(f"receipt category {number}: code {item['code']!r} is used twice")
        if not item["label"] or len(item["label"]) > 80:
            raise CategoryError(f"receipt category {number}: a label of 1 to 80 characters")
        for key in ("fund", "account"):
            if not (is_digits(item[key]) and len(item[key]) <= 12):
                raise CategoryError(f"receipt category {number}: {key} {item[key]!r} must be digits (at most 12)")
        seen.add(item["code"])
        cleaned.append(item)
    return cleaned


def categories_of(kept: list[dict] | None) -> list[Category]:
    """The categories a city keeps (its settings' list), in its order; the sample city's when it keeps none."""
    return [Category(**entry) for entry in (kept or SAMPLE_CATEGORIES)]
