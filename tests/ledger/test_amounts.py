"""Money's one rounding function and its two ways of being written: for people and for machines."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from engine.money import format_money, money_text, parse_money, round_money, to_cents
from engine.money.amounts import whole_cents
from engine.notices.formats import money as notice_money
from webapp.formatting import money as page_money


@pytest.mark.parametrize("amount, people, machines", [
    (Decimal("1234.5"), "$1,234.50", "1234.50"),
    (Decimal("52.03"), "$52.03", "52.03"),
    (Decimal("-30"), "-$30.00", "-30.00"),
    (5203, "$52.03", "52.03"),
    (-3000, "-$30.00", "-30.00"),
    (0, "$0.00", "0.00"),
    ("1234.5", "$1,234.50", "1234.50"),
    (Decimal("1234567.89"), "$1,234,567.89", "1234567.89"),
])
def test_money_for_people_and_for_machines(amount, people, machines):
    """Decimal dollars, integer cents and dollars as text, each written both ways."""
    assert format_money(amount) == people
    assert money_text(amount) == machines


def test_a_page_and_a_notice_show_money_the_same_way():
    """The page filter and the notice filter both write $1,234.50 and -$10.00."""
    assert page_money(Decimal("1234.5")) == notice_money("1234.5") == "$1,234.50"
    assert page_money("-10") == notice_money("-10") == "-$10.00"
    assert page_money(None) == "" and page_money("not money") == "not money"


def test_a_fraction_of_a_cent_is_rounded_half_up_by_round_money_only():
    """$0.125 is written $0.13 (half up, as round_money does), not $0.12 (half even, as format() does)."""
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert format_money(Decimal("0.125")) == "$0.13" and money_text(Decimal("0.125")) == "0.13"
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


ENGINE = Path(__file__).resolve().parents[2] / "engine"
BY_HAND = re.compile(r"""\.2f\}|quantize\((CENT|Decimal\(["']0?\.01["']\))|\$\{[^}]*amount""")


def money_written_by_hand(root: Path) -> list[str]:
    """The engine's lines that write or round money to cents themselves (`:.2f`, quantize to cents, "$" before an
    amount), outside amounts.py."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "amounts.py" or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BY_HAND.search(line):
                found.append(f"{path.name}:{number}")
    return found


def test_the_engine_writes_and_rounds_money_only_through_amounts(tmp_path):
    """A measure's JSON once wrote its money with f"{value:.2f}" (half even), a fee's and a waiver's history line
    with "$" and the amount as kept ($1234.50); now money_text and format_money, like everything else."""
    assert money_written_by_hand(ENGINE) == []
    (tmp_path / "measure.py").write_text('shown = f"{value:.2f}"\nkept = value.quantize(Decimal("0.01"))\n'
                                         'said = f"Fee {done.get(\'schedule\')}: ${done.get(\'amount\')}"\n')
    assert money_written_by_hand(tmp_path) == ["measure.py:1", "measure.py:2", "measure.py:3"]

