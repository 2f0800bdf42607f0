"""The words rule documents are read in: one place for the phrases explanations and version words share.

An evaluated line explains itself with these phrases (`5 CCF x 2.61`, `fixed amount 16.33`,
`10% of past due balance $120.00`, `raised to the minimum $2.00`); a version read in words
(`engine.rules.version_words`) and a diff between two versions (`engine.rules.diff`) use the
same phrases with the figures the document gives; both write a fact's figures as `worded`
says (a money fact's value, a tier's limit on it, a table's key for it, a per-unit line's
`over`, `per` and `max_units` on it as $12,400.00).
Conditions are worded by `engine.rules.conditions` (`comparison_words`, `condition_words`),
which its traces use too.

A version in words is a list of `Term`s: each figure or setting of the version with what it
is (`label`) and its value in words, grouped as the page shows them (a schedule's line, a
criteria rule, a calendar's holidays). A diff compares the terms of two versions by `group`
and `key`; a kind only says what its terms are (`RuleKind.terms`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable

from engine.money.amounts import format_money, parse_money, whole_cents
from engine.rules.document import InputSpec, RuleDocument
from engine.rules.results import as_text

VERSION_GROUP = "Version"  # the terms every version has: its citation, adoption and retirement
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


@dataclass(frozen=True)
class Term:
    """One figure or setting of a version: where it belongs, what it is and its value, in words."""

    group: str  # the part of the version it belongs to, as the page heads it ("Water use", "Holidays")
    label: str  # what it is ("tier 2 rate, meter size 3/4\"")
    value: str  # its value in words ("$2.57 per CCF")
    key: str = ""  # what stays the same across versions when the label is worded from the value; default the label

    @property
    def identity(self) -> tuple[str, str]:
        """What a diff matches a term by: its group and key."""
        return self.group, self.key or self.label

    def __str__(self) -> str:
        """`label: value`, as a version's words list it."""
        return f"{self.label}: {self.value}" if self.label else self.value


# --- phrases an explanation and a version's words share -------------------------------------


def fixed_amount(amount: str) -> str:
    """`fixed amount 16.33`."""
    return f"fixed amount {amount}"


def units_at(units: str, rate: str) -> str:
    """`5 CCF x 2.61`: units priced at a rate."""
    return f"{units} x {rate}"


def percent_of(rate: str, what: str) -> str:
    """`5% of subtotal`, `10% of past due balance`: the explanation adds the base's figure."""
    return f"{rate}% of {fact_words(what)}"


def table_entry(fact: str, key: str) -> str:
    """`meter size 3/4"`: the entry of a table a line looks up (the fact in words: a bill prints it)."""
    return f"{fact_words(fact)} {key}"


def raised_to_minimum(amount: str) -> str:
    """`raised to the minimum 2.00`."""
    return f"raised to the minimum {amount}"


def lowered_to_maximum(amount: str) -> str:
    """`lowered to the maximum 75.00`."""
    return f"lowered to the maximum {amount}"


# --- figures in words ------------------------------------------------------------------------


def dollars(value: object) -> str:
    """An amount of money as a supervisor reads it: $1,234.50."""
    return format_money(value)


Worded = Callable[[Decimal | str], str]  # how a value of one fact is written


def worded(doc: RuleDocument, fact: str) -> Worded:
    """How explanations and a version's words write a value of a fact, an amount of it, or a figure the document
    sets against it (a table's key, a tier's limit, the most a multiplier counts, a per-unit line's `over`, `per` and
    `max_units`, each an amount of the fact): as money ($250,000.00) when the document declares the fact
    `type: money`, else as written (12, 7.5). A count of units (`1201 x 1.20`) is no amount of the fact: as written."""
    spec = doc.inputs.get(fact)
    return money_figure if spec is not None and spec.type == "money" else as_text


def money_figure(value: Decimal | str) -> str:
    """A figure of a money fact as money ($12,400.00); one finer than a cent (a limit of 0.005), or a table's key
    that is no amount (`none`), as written: never rounded, never refused."""
    if isinstance(value, str):
        try:
            return dollars(parse_money(value))
        except ValueError:
            return value
    return dollars(value) if whole_cents(value) else as_text(value)


def rate_words(rate: Decimal, unit: str = "") -> str:
    """A rate as written, in dollars per unit: `$2.57 per CCF` (never rounded: rates may have more decimals)."""
    per = f" per{unit}" if unit else " per unit"
    return f"${as_text(rate)}{per}"


def figure(value: object) -> str:
    """A number, date, truth or text of a document as written (lists joined)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(figure(item) for item in value) or "none"
    if isinstance(value, date):
        return value.isoformat()
    return as_text(value)


def fact_words(name: str) -> str:
    """A fact's name in words: meter_size -> meter size."""
    return name.replace("_", " ")


def ordinal(n: int | Decimal) -> str:
    """1 -> first, ... ; 11 -> 11th (a whole number as YAML gives it, Decimal("3"), too)."""
    n = int(n)
    return ORDINALS[n - 1] if 0 < n <= len(ORDINALS) else f"{n}th"


TYPE_WORDS = {"number": "a number", "money": "dollars and cents", "integer": "a whole number", "text": "text",
              "date": "a date", "boolean": "yes or no", "list": "a list of ids, separated by commas"}


def input_words(spec: InputSpec, *, choices: bool = True) -> str:
    """A declared input in words: `a number; at least 0; default 5` (`one of 5/8", 3/4"` with its choices)."""
    parts = [TYPE_WORDS.get(spec.type, spec.type)]
    if spec.values and choices:
        parts.append(f"one of {', '.join(spec.values)}")
    if spec.min is not None:
        parts.append(f"at least {figure(spec.min)}")
    if spec.max is not None:
        parts.append(f"at most {figure(spec.max)}")
    if spec.has_default:
        parts.append(f"default {figure(spec.default)}")
    elif not spec.required:
        parts.append("optional")
    return "; ".join(parts)


def version_terms(reference: str | None, adopted: date | None, retired: bool) -> list[Term]:
    """What every version says besides its kind's keys: its citation, adoption and retirement."""
    terms = []
    if reference:
        terms.append(Term(VERSION_GROUP, "reference", reference))
    if adopted:
        terms.append(Term(VERSION_GROUP, "adopted", adopted.isoformat()))
    if retired:
        terms.append(Term(VERSION_GROUP, "retired", "from this day nothing of the document is in force"))
    return terms
