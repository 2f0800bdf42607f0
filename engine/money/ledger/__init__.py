"""An account's ledger: append-only postings, and balances and aging derived from them.

Sign convention (see engine.money.ledger.aging): positive = the customer owes more (charge, fee,
refund of a credit, reversal of a payment); negative = paid or credited (payment,
write-off, deposit applied, reversal of a charge). The balance is the sum of the entries.
"""
from engine.money.ledger.aging import BUCKETS, Posting, Standing, age, bucket_for
from engine.money.ledger.posting import (
    LedgerError,
    balance_cents,
    lock_account,
    post,
    post_adjustment,
    post_charge,
    post_deposit_credit,
    post_fee,
    post_payment,
    post_refund,
    post_write_off,
    refundable_cents,
    reverse,
)
from engine.money.ledger.standing import standing, standings, statement, unpaid_entries

__all__ = ["BUCKETS", "LedgerError", "Posting", "Standing", "age", "balance_cents", "bucket_for", "lock_account",
           "post", "post_adjustment", "post_charge", "post_deposit_credit", "post_fee", "post_payment",
           "post_refund", "post_write_off", "refundable_cents", "reverse", "standing", "standings", "statement",
           "unpaid_entries"]
