"""The city's chart of accounts for utility billing: which GL fund and account each kind of money goes to.

City data, kept in the city settings (`chart_of_accounts`, changed on the city settings page and
audited like every setting), as the counter's receipt categories and the adjustment reasons
are (they name their own fund and account). Until a city saves its own chart, the sample
city's below applies.

Every ledger entry is one receivable movement (`receivables`) and one offset of the same amount
on the other side. The posting gate books the offset when the entry is posted (engine.money.gate
keeps it on the entry): a payment or refund to the cash account of the receivables' fund, a fee
to `fees`, an adjustment to `billing_adjustments` (or its reason's own account), a write-off to
`write_offs`, a deposit credit to `deposits_held`. So a changed chart applies to what is posted
from then on, and the journal of an earlier day stays as it was booked. A bill's charge is
split over its lines when the journal is made (engine.money.ledger.journal): each line to the
first entry of `bill_lines` whose word its name contains, else to `charges`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.numerals import is_digits

SAMPLE_CHART: dict[str, Any] = {
    "receivables": {"fund": "510", "account": "1210"},      # customer accounts receivable (the utility fund)
    "cash_account": "1010",                                  # cash and cash equivalents, the same code in each fund
    "deposits_held": {"fund": "510", "account": "2210"},    # customer deposits held (a liability)
    "charges": {"fund": "510", "account": "4210"},          # water sales: a bill line no word below matches
    "fees": {"fund": "510", "account": "4310"},             # penalties and service fees (late, returned payment)
    "billing_adjustments": {"fund": "510", "account": "4390"},      # billing adjustments (a reason without its own)
    "write_offs": {"fund": "510", "account": "4910"},       # uncollectible accounts written off
    "over_short": {"fund": "510", "account": "4950"},       # a counted drawer's variance
    "license_fees": {"fund": "100", "account": "4410"},     # business license and home occupation permit fees
    "bill_lines": [
        {"word": "franchise", "fund": "100", "account": "2310"},  # collected for the general fund
        {"word": "sewer", "fund": "520", "account": "4220"},      # sewer service charges
    ],
    "account_names": {
        "1010": "Cash", "1210": "Accounts receivable - utility customers", "2210": "Customer deposits",
        "2310": "Franchise fee payable", "4210": "Water sales", "4220": "Sewer service charges",
        "4310": "Penalties and service fees", "4390": "Billing adjustments", "4910": "Uncollectible write-offs",
        "4410": "Business license fees", "4950": "Cash over and short", "4340": "Hydrant meter rental",
        "4420": "Building permit fees", "4510": "Parking citations", "4620": "Copies and records requests",
    },
}
PLACES = {  # each (fund, account) of the chart and what it is, in the words of the error messages
    "receivables": "customer accounts receivable", "deposits_held": "customer deposits held",
    "charges": "a bill line's revenue when no word matches", "fees": "fees and penalties",
    "billing_adjustments": "billing adjustments", "write_offs": "write-offs", "over_short": "cash over and short",
    "license_fees": "license fees",
}
KEYS = ("cash_account", "bill_lines", "account_names", *PLACES)
MOST_LINES = 50
MOST_NAMES = 500


class ChartError(ValueError):
    """A chart of accounts that cannot be kept; the message names the key (and the entry) that is wrong."""


def _code(value: Any, where: str) -> str:
    """A fund or account code: digits, at most 12 (as written, leading zeros kept); or a ChartError naming `where`."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not (is_digits(text) and len(text) <= 12):
        raise ChartError(f"chart of accounts: {where} {value!r} must be digits (at most 12)")
    return text


def _place(value: Any, where: str) -> dict[str, str]:
    """{fund, account}, cleaned, or a ChartError naming `where`."""
    if not isinstance(value, dict) or set(value) != {"fund", "account"}:
        raise ChartError(f"chart of accounts: {where} needs exactly fund and account")
    return {"fund": _code(value["fund"], f"{where} fund"), "account": _code(value["account"], f"{where} account")}


def _bill_lines(value: Any) -> list[dict[str, str]]:
    """The bill-line words, each once, cleaned; or a ChartError naming the entry (1-based)."""
    if not isinstance(value, list) or len(value) > MOST_LINES:
        raise ChartError(f"chart of accounts: bill_lines is a list (at most {MOST_LINES}) of word, fund and account")
    cleaned, seen = [], set()
    for number, entry in enumerate(value, 1):
        if not isinstance(entry, dict) or set(entry) != {"word", "fund", "account"}:
            raise ChartError(f"chart of accounts: bill line {number} needs exactly word, fund and account")
        word = str(entry["word"]).strip().lower()
        if not word or len(word) > 40 or not word.isprintable():
            raise ChartError(f"chart of accounts: bill line {number}: a word of 1 to 40 characters")
        if word in seen:
            raise ChartError(f"chart of accounts: bill line {number}: the word {word!r} is given twice")
        seen.add(word)
        cleaned.append({"word": word, **_place({"fund": entry["fund"], "account": entry["account"]},
                                                f"bill line {number}")})
    return cleaned


def _names(value: Any) -> dict[str, str]:
    """Account code -> its name, cleaned; or a ChartError naming the code."""
    if not isinstance(value, dict) or len(value) > MOST_NAMES:
        raise ChartError(f"chart of accounts: account_names maps account codes to names (at most {MOST_NAMES})")
    names = {}
    for code, name in value.items():
        key = _code(code, "account_names code")
        text = str(name).strip() if isinstance(name, str) else ""
        if not text or len(text) > 80 or not text.isprintable():
            raise ChartError(f"chart of accounts: the name of account {key} is 1 to 80 characters")
        names[key] = text
    return names


def checked_chart(value: Any) -> dict[str, Any]:
    """The chart cleaned (every key, nothing else), or a ChartError naming what is wrong."""
    if not isinstance(value, dict):
        raise ChartError("chart of accounts: a mapping of " + ", ".join(KEYS))
    missing, unknown = [key for key in KEYS if key not in value], sorted(set(value) - set(KEYS))
    if missing or unknown:
        raise ChartError("chart of accounts: " + "; ".join(
            ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(unknown)}"] if unknown
                                                                       else [])))
    return {"receivables": _place(value["receivables"], "receivables"),
            "cash_account": _code(value["cash_account"], "cash_account"),
            **{key: _place(value[key], key) for key in PLACES if key != "receivables"},
            "bill_lines": _bill_lines(value["bill_lines"]), "account_names": _names(value["account_names"])}


@dataclass(frozen=True)
class Chart:
    """The chart in force: where each kind of money is booked, as (fund, account) pairs."""

    receivables: tuple[str, str]
    cash_account: str
    deposits_held: tuple[str, str]
    charges: tuple[str, str]
    fees: tuple[str, str]
    billing_adjustments: tuple[str, str]
    write_offs: tuple[str, str]
    over_short: tuple[str, str]
    license_fees: tuple[str, str]
    bill_lines: tuple[tuple[str, tuple[str, str]], ...]
    account_names: dict[str, str]

    def cash_of(self, fund: str) -> tuple[str, str]:
        """The cash account of a fund: where a GL line's money is received."""
        return (fund, self.cash_account)

    @property
    def cash(self) -> tuple[str, str]:
        """The cash of the receivables' fund: where customers' payments are received and refunds paid from."""
        return self.cash_of(self.receivables[0])

    def offset_of(self, kind: str) -> tuple[str, str]:
        """Where a ledger entry of this kind is offset (a KeyError for a kind the ledger does not have)."""
        return {"charge": self.charges, "fee": self.fees, "payment": self.cash, "refund": self.cash,
                "adjustment": self.billing_adjustments, "write_off": self.write_offs, "deposit": self.deposits_held}[kind]

    def bill_line_account(self, line_name: str) -> tuple[str, str]:
        """The revenue (fund, account) a bill line belongs to: the first word its name contains, else `charges`."""
        name = line_name.lower()
        return next((place for word, place in self.bill_lines if word in name), self.charges)

    def name_of(self, account: str) -> str:
        """An account code's name ("" when the chart names it not)."""
        return self.account_names.get(account, "")


def chart_of(kept: dict[str, Any] | None) -> Chart:
    """The chart from the kept setting (None: the sample city's)."""
    value = checked_chart(SAMPLE_CHART if kept is None else kept)
    pair = lambda place: (place["fund"], place["account"])  # noqa: E731
    return Chart(receivables=pair(value["receivables"]), cash_account=value["cash_account"],
                 **{key: pair(value[key]) for key in PLACES if key != "receivables"},
                 bill_lines=tuple((line["word"], pair(line)) for line in value["bill_lines"]),
                 account_names=dict(value["account_names"]))


SAMPLE = chart_of(None)  # the sample city's chart: what a city that has not saved its own books to
