"""Money's one rounding function, and the whole cents money may hold."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.money import parse_money, round_money, to_cents
from engine.money.amounts import whole_cents


def test_a_fraction_of_a_cent_is_rounded_half_up_by_round_money_only():
    """$0.125 is $0.13 (half up); a share rounded down drops the fraction; half even when a rule says so."""
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("33.339"), "down") == Decimal("33.33")
    assert round_money(Decimal("0.125"), "half_even") == Decimal("0.12")


def test_whole_cents_are_what_money_may_hold():
    """52.03, 52.030 and 52 are whole cents; 52.035 is not, and is refused where money is read."""
    assert whole_cents(Decimal("52.03")) and whole_cents(Decimal("52.030")) and whole_cents(Decimal("52"))
    assert not whole_cents(Decimal("52.035"))
    with pytest.raises(ValueError, match="more than two decimals"):
        parse_money("52.035")
    with pytest.raises(ValueError, match="more than two decimals"):
        to_cents(Decimal("52.035"))
    assert to_cents(Decimal("52.03")) == 5203 and parse_money("52") == Decimal("52.00")
