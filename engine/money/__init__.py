"""Money: the ledger, billing, payments, deposits, cash and reports, and the amounts they share.

`engine.money.amounts` is pure Decimal arithmetic (the one rounding function, cents at rest)
and is all that this package's own namespace imports, so the rule core may use it; the
modules beside it read and write the database, and every posting goes through the gate.
"""
from engine.money.amounts import (CENT, ROUNDINGS, format_money, from_cents, money_text, parse_money, parse_plain_money,
                                  round_money, to_cents)

__all__ = ["CENT", "ROUNDINGS", "format_money", "from_cents", "money_text", "parse_money", "parse_plain_money",
           "round_money", "to_cents"]
