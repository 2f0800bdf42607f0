"""How notices write money and dates: "$1,234.50", "March 5, 2026", "5 de marzo de 2026"."""
from __future__ import annotations

import re
from datetime import date

from engine.money.amounts import format_money, parse_money

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre")


def money(value: str) -> str:
    """Money on a printed notice, English and Spanish alike: '$1,234.50' for "1234.5" (refused: not money)."""
    return format_money(parse_money(value))


def long_date(value: str, language: str) -> str:
    """'March 5, 2026' in English, '5 de marzo de 2026' in Spanish, for an ISO date string."""
    day = date.fromisoformat(value)
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def is_zero(value: str) -> bool:
    """True when a money string is exactly nothing owed."""
    return parse_money(value) == 0


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def spelled_dates(text: str, language: str) -> str:
    """Each ISO date in a sentence spelled as long_date spells it; anything that is not a real date left as it is."""
    def spelled(found: re.Match) -> str:
        try:
            return long_date(found[0], language)
        except ValueError:
            return found[0]
    return ISO_DATE.sub(spelled, text)


def month_of(period: str, language: str) -> str:
    """'October 2026' in English, 'octubre de 2026' in Spanish, for a YYYY-MM period."""
    year, month = int(period[:4]), int(period[5:7])
    if language == "es":
        return f"{MONTHS_ES[month - 1]} de {year}"
    return f"{MONTHS_EN[month - 1]} {year}"
