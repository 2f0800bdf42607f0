"""The city's chart of accounts for utility billing: funds, account codes, and which entry goes where.

Every ledger entry is one receivable movement (fund 510, account 1210) and one offset of the
same amount on the other side; the offset account depends on the entry's kind (and for a
bill, on each bill line); engine.money.ledger.journal sums them into balanced journals.
"""
from __future__ import annotations

WATER_FUND, SEWER_FUND, GENERAL_FUND = "510", "520", "100"

CASH = (WATER_FUND, "1010")                 # cash and cash equivalents (pooled, utility fund)
RECEIVABLES = (WATER_FUND, "1210")          # customer accounts receivable
DEPOSITS_HELD = (WATER_FUND, "2210")        # customer deposits held (a liability)
FRANCHISE_PAYABLE = (GENERAL_FUND, "2310")  # franchise fee collected for the general fund
WATER_REVENUE = (WATER_FUND, "4210")        # water sales
SEWER_REVENUE = (SEWER_FUND, "4220")        # sewer service charges
FEE_REVENUE = (WATER_FUND, "4310")          # penalties and service fees (late, returned payment)
ADJUSTMENTS = (WATER_FUND, "4390")          # billing adjustments
WRITE_OFFS = (WATER_FUND, "4910")           # uncollectible accounts written off
GENERAL_CASH = (GENERAL_FUND, "1010")       # cash of the general fund (license fees, miscellaneous receipts)
LICENSE_FEES = (GENERAL_FUND, "4410")       # business license and home occupation permit fees
OVER_SHORT = (WATER_FUND, "4950")           # cash over and short: a counted drawer's variance

ACCOUNT_NAMES = {
    "1010": "Cash", "1210": "Accounts receivable - utility customers", "2210": "Customer deposits",
    "2310": "Franchise fee payable", "4210": "Water sales", "4220": "Sewer service charges",
    "4310": "Penalties and service fees", "4390": "Billing adjustments", "4910": "Uncollectible write-offs",
    "4410": "Business license fees", "4950": "Cash over and short",
}


def cash_of(fund: str) -> tuple[str, str]:
    """The cash account (1010) of a fund: where a GL line's money is received."""
    return (fund, CASH[1])

OFFSET_BY_KIND = {
    "charge": WATER_REVENUE, "fee": FEE_REVENUE, "payment": CASH, "refund": CASH,
    "adjustment": ADJUSTMENTS, "write_off": WRITE_OFFS, "deposit": DEPOSITS_HELD,
}


def bill_line_account(line_name: str) -> tuple[str, str]:
    """The revenue (fund, account) a bill line belongs to, by the words in its name."""
    name = line_name.lower()
    if "franchise" in name:
        return FRANCHISE_PAYABLE
    if "sewer" in name:
        return SEWER_REVENUE
    return WATER_REVENUE

