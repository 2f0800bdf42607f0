"""Where an error stands, in the supervisor's words: "the version of 2026-07-01, line “Water use”, tier 2, rate".

A `DocumentError` names its place as a path (`versions[1].lines[1].tiers.blocks.3/4"[1].rate`)
and a line of the file: exact, and what a programmer reads. `place_words(path, data)` says the
same place as the page's words, using the document itself where it can (a version by its
effective date, a line or a rule by its name); `placed(errors, text)` reads the text once and
gives each error with its place in words, the path and line kept as the detail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.rules.errors import DocumentError
from engine.rules.types import YamlValue
from engine.rules.wording import fact_words
from engine.rules.yamlsafe import read_yaml

PART = re.compile(r"\[(\d+)\]|([^.\[]+)")
# A list item named by what it holds: its name, its effective date, or its place.
ITEMS = {"versions": "version", "lines": "line", "rules": "rule", "blocks": "tier", "reminders": "reminder",
         "periods": "no-shut-off period", "every_year": "yearly no-shut-off period", "all": "condition", "any": "condition", "form": "field"}
# A mapping whose keys are the document's own words (a meter size, a date, a step's name), not format keys.
KEYED = {"inputs": "input", "values": "entry", "holidays": "holiday", "timeline": "timeline step",
         "cycles": "cycle", "then": "outcome", "blocks": "for"}
# Format keys as a supervisor says them.
KEY_WORDS = {"upto": "up to", "per_unit": "per-unit charge", "multiply_by": "multiplied by", "when": "condition",
             "then": "outcome", "hit": "hit policy", "no_shutoff": "no shut-offs", "closed_weekdays": "closed weekdays",
             "every_year": "every year", "if_taken": "if its day is taken",
             "before_holiday": "the day before a holiday", "bill_day": "bill day", "office_days": "office days",
             "days_before": "days before", "days_after": "days after", "late_penalty": "late penalty",
             "max_units": "most units", "gte": "at least", "gt": "more than", "lte": "at most", "lt": "less than",
             "eq": "equal to", "ne": "not equal to", "in": "one of", "not_in": "not one of",
             "effective": "effective date", "min": "minimum", "max": "maximum"}


def _parts(path: str) -> list[str | int]:
    """`versions[1].lines[2].rate` -> ["versions", 1, "lines", 2, "rate"]."""
    return [int(index) if index else name for index, name in PART.findall(path)]


def _item(parent: str | None, index: int, value: YamlValue) -> str:
    """A list item in words: the version of 2026-07-01, line “Water use”, tier 2, condition 1."""
    if isinstance(value, dict) and parent == "versions" and "effective" in value:
        return f"the version of {value['effective']}"
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return f"{ITEMS.get(parent or '', 'item')} “{value['name']}”"
    what = ITEMS.get(parent or "", f"{fact_words(parent)} item" if parent else "item")
    return f"{what} {index + 1}"


def place_words(path: str, data: YamlValue = None) -> str:
    """A path as the page says it; `data` (the document as read) names versions, lines and rules."""
    parts = _parts(path)
    words: list[str] = []
    key: str | None = None  # the last format key: what a list's items or a mapping's own keys are
    here = data
    for i, part in enumerate(parts):
        following = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(part, int):
            here = here[part] if isinstance(here, list) and part < len(here) else None
            words.append(_item(key, part, here))
            key = None  # inside the item: its keys are format keys again
            continue
        own_key = key in KEYED and isinstance(here, dict) and part in here
        here = here.get(part) if isinstance(here, dict) else None
        if own_key:
            words.append(f"{KEYED[key]} {part}")
            # a block list keeps naming tiers; an entry's own keys are format keys again
            key = key if isinstance(here, list) else None
            continue
        key = part
        listed = isinstance(following, int) or (part in KEYED and isinstance(here, dict) and following in here)
        if not listed:
            words.append(KEY_WORDS.get(part, fact_words(part)))
    return ", ".join(words) or "the document"


@dataclass(frozen=True)
class PlacedError:
    """An error with its place in words; the line and the path stay as the detail for whoever edits the YAML."""

    where: str
    message: str
    line: int
    path: str

    def __str__(self) -> str:
        """`In the version of 2026-07-01, line “Water use”: message (line 113, versions[1].lines[1])`."""
        return f"In {self.where}: {self.message} (line {self.line}{', ' + self.path if self.path else ''})"


def placed(errors: list[DocumentError], text: str) -> list[PlacedError]:
    """Each error with its place in words, the text read once for names (not at all when it is not YAML)."""
    try:
        data = read_yaml(text, "draft").data
    except DocumentError:
        data = None
    return [PlacedError(place_words(error.path, data) if error.path else "the text", error.message, error.line,
                        error.path) for error in errors]
