"""The scan line of a bill's remittance stub: the account number and the amount due, for the lockbox's reader.

Printed in OCR-A along the bottom of the stub, it reads as three groups:

    000123-01 0000009745 9

- the account number as the city writes it (digits, capital letters and hyphens);
- the amount due in cents, ten digits (0000009745 is $97.45; a bill with nothing due prints zeros);
- one check digit: the Luhn (mod 10) digit of the account number's digits followed by the amount's.

A lockbox file gives the scan line whole in its `scan_line` column (engine.money.payment_files),
in place of the account number and the amount. `read_scan_line` refuses a line whose check digit
does not match, so a misread digit is caught before anything posts.
"""
from __future__ import annotations

import re

AMOUNT_DIGITS = 10
LARGEST_CENTS = 10 ** AMOUNT_DIGITS - 1
ACCOUNT = re.compile(r"^[0-9A-Z][0-9A-Z-]{0,19}$")
SCAN_LINE = re.compile(r"^([0-9A-Z][0-9A-Z-]{0,19}) (\d{%d}) (\d)$" % AMOUNT_DIGITS, re.ASCII)


class ScanLineError(ValueError):
    """A scan line that cannot be read: the message says which part and why."""


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a string of digits (the digit that makes the whole pass mod 10)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: the rightmost digit sits next to the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def _digits(account_number: str) -> str:
    """The digits of an account number, letters as their place in the alphabet (A=10 ... Z=35)."""
    return "".join(str(int(char, 36)) for char in account_number if char != "-")


def scan_line(account_number: str, amount_cents: int) -> str:
    """The scan line for an account and an amount due (cents; nothing due or a credit prints zeros)."""
    if not ACCOUNT.match(account_number):
        raise ScanLineError(f"account number {account_number!r} cannot be printed on a scan line "
                            "(digits, capital letters and hyphens, at most 20)")
    cents = max(0, int(amount_cents))
    if cents > LARGEST_CENTS:
        raise ScanLineError(f"amount {cents} cents does not fit the scan line's {AMOUNT_DIGITS} digits")
    amount = f"{cents:0{AMOUNT_DIGITS}d}"
    return f"{account_number} {amount} {luhn_digit(_digits(account_number) + amount)}"


def read_scan_line(text: str) -> tuple[str, int]:
    """(account number, amount in cents) of a scan line as read; ScanLineError when it does not read or check."""
    line = " ".join(text.split())
    found = SCAN_LINE.match(line)
    if found is None:
        raise ScanLineError(f"{text.strip()!r} is not a scan line (account number, {AMOUNT_DIGITS}-digit amount "
                            "in cents and a check digit, separated by spaces)")
    account, amount, check = found.groups()
    if luhn_digit(_digits(account) + amount) != check:
        raise ScanLineError(f"{line!r}: the check digit {check} does not match; the line was misread")
    return account, int(amount)
