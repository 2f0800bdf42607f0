"""How notices write money, and find the dates in a sentence (each language spells them: engine.notices.languages)."""
from __future__ import annotations

import re
from collections.abc import Callable

from engine.money.amounts import format_money, parse_money


def money(value: str) -> str:
    """Money on a printed notice, in every language alike: '$1,234.50' for "1234.5" (refused: not money)."""
    return format_money(parse_money(value))


def is_zero(value: str) -> bool:
    """True when a money string is exactly nothing owed."""
    return parse_money(value) == 0


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def spelled_dates(text: str, day: Callable[[str], str]) -> str:
    """Each ISO date in a sentence spelled as `day` spells it (a language's, engine.notices.languages); anything that
    is not a real date left as it is."""
    def spelled(found: re.Match) -> str:
        try:
            return day(found[0])
        except ValueError:
            return found[0]
    return ISO_DATE.sub(spelled, text)
