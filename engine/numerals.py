"""Numbers typed as text: the digits 0 to 9, and nothing str.isdigit() also takes.

str.isdigit() is true of "²" and "①", which int() refuses (a 500 where a page read a record number from
its address or a form), and of other scripts' digits, "١٢٣" and "１", which int() reads as 123 and 1 (so
one record answered at several addresses, and a city setting's code could hold digits no ledger reads).
"""
from __future__ import annotations


def is_digits(text: object) -> bool:
    """Whether `text` is a str of one or more of the digits 0 to 9 and nothing else."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def digits_of(text: str) -> str:
    """The digits 0 to 9 of a text, in order, everything else left out ("(916) 555-0142" -> "9165550142")."""
    return "".join(ch for ch in text if "0" <= ch <= "9")
