"""Partial periods (engine.rules.proration): the share of a whole period; a block naming a line that is not there."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.rules.errors import DocumentErrors
from engine.rules.loader import load_document
from engine.rules.months import months_in
from engine.rules.proration import Proration

DAYS = Proration.of({"proration": {"by": "days", "unit_days": 30, "whole_days": {"from": 25, "to": 35},
                                   "minimum_days": 5}})


@pytest.mark.parametrize("first,last,fraction,words", [
    (date(2026, 3, 1), date(2026, 3, 17), Decimal(17) / 30, "17 days of 30"),
    (date(2026, 3, 1), date(2026, 3, 25), Decimal(1), ""),          # 25 days: whole
    (date(2026, 2, 1), date(2026, 3, 7), Decimal(1), ""),           # 35 days: whole
    (date(2026, 2, 1), date(2026, 3, 8), Decimal(36) / 30, "36 days of 30"),  # longer than a unit pays more
    (date(2026, 3, 1), date(2026, 3, 2), Decimal(5) / 30, "2 days, billed as 5 of 30"),
])
def test_a_period_by_days(first, last, fraction, words):
    share = DAYS.share(first, last)
    assert (share.fraction, share.words) == (fraction, words)


def test_months_begun_and_months_completed():
    assert months_in(date(2026, 4, 15), date(2026, 12, 31), "started") == 9
    assert months_in(date(2026, 4, 15), date(2026, 12, 31), "completed") == 8
    assert months_in(date(2026, 4, 1), date(2026, 12, 31), "completed") == 9
    year = Proration.of({"proration": {"by": "months", "unit_months": 12, "count": "completed"}})
    assert year.share(date(2026, 1, 1), date(2026, 12, 31)).whole
    assert year.share(date(2026, 4, 15), date(2026, 12, 31)).fraction == Decimal(8) / 12


def test_without_a_block_nothing_is_prorated_and_a_first_bill_covers_30_days():
    none = Proration.of({})
    assert none.share(date(2026, 3, 1), date(2026, 3, 3)).whole
    assert none.first_bill_from(date(2026, 3, 30), date(2020, 1, 1)) == date(2026, 3, 1)
    assert none.first_bill_from(date(2026, 3, 30), date(2026, 3, 20)) == date(2026, 3, 20)


def test_a_block_naming_a_line_the_version_has_not_is_refused_with_its_path():
    text = """id: refuse
kind: schedule
title: Refuse
department: utilities
inputs: {}
versions:
  - effective: 2026-01-01
    proration: {by: days, lines: [Cart servce]}
    lines:
      - name: Cart service
        amount: 24.60
"""
    with pytest.raises(DocumentErrors) as refused:
        load_document(text, "refuse.yaml")
    assert 'versions[0].proration.lines[0]: no line is named "Cart servce"' in str(refused.value)
