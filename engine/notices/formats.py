"""How notices write money and dates: "$1,234.50", "March 5, 2026", "5 de marzo de 2026"."""
from __future__ import annotations

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
