"""Aging from entries alone: worked examples and properties of the pure `age()`."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from engine.money.ledger import Posting, age

AS_OF = date(2026, 6, 30)


def test_a_charge_not_yet_due_is_current():
    """A $52.03 bill due tomorrow is all current, nothing past due."""
    standing = age([Posting(1, 5203, date(2026, 6, 10), date(2026, 7, 1))], AS_OF)
    assert standing.balance_cents == 5203 and standing.current == 5203
    assert standing.past_due_cents == 0 and standing.days_past_due == 0


def test_payments_go_to_the_oldest_charge_first():
    """Three bills, one payment that covers the oldest and part of the second."""
    entries = [Posting(1, 6000, date(2026, 3, 1), date(2026, 3, 21)),   # 101 days late
               Posting(2, 5000, date(2026, 4, 1), date(2026, 4, 21)),   # 70 days late
               Posting(3, 4000, date(2026, 6, 1), date(2026, 6, 21)),   # 9 days late
               Posting(4, -8000, date(2026, 6, 25))]
    standing = age(entries, AS_OF)
    assert standing.balance_cents == 7000
    assert (standing.current, standing.days_1_30, standing.days_31_60, standing.days_61_90,
            standing.over_90) == (0, 4000, 0, 3000, 0)
    assert standing.past_due_cents == 7000
    assert standing.days_past_due == 70
    assert standing.oldest_unpaid_due == date(2026, 4, 21)


def test_a_returned_payment_makes_the_old_charge_unpaid_again():
    """The reversal cancels the payment it reverses, so the charge it paid is late again."""
    entries = [Posting(1, 6000, date(2026, 3, 1), date(2026, 3, 21)),
               Posting(2, -6000, date(2026, 3, 20)),
               Posting(3, 6000, date(2026, 6, 25), date(2026, 6, 25), reverses_id=2)]
    standing = age(entries, AS_OF)
    assert standing.balance_cents == 6000
    assert standing.over_90 == 6000 and standing.days_past_due == 101


def test_an_overpayment_is_a_credit_in_current():
    """Paying $100 on a $40 bill leaves a $60 credit: a negative balance, nothing past due."""
    standing = age([Posting(1, 4000, date(2026, 6, 1), date(2026, 6, 21)), Posting(2, -10000, date(2026, 6, 2))],
                   AS_OF)
    assert standing.balance_cents == -6000 and standing.current == -6000
    assert standing.past_due_cents == 0 and standing.days_past_due == 0


def test_entries_after_the_as_of_day_do_not_count():
    """A payment dated tomorrow does not pay today's standing."""
    entries = [Posting(1, 4000, date(2026, 5, 1), date(2026, 5, 21)), Posting(2, -4000, AS_OF + timedelta(days=1))]
    assert age(entries, AS_OF).past_due_cents == 4000


def test_bucket_edges():
    """Due 30 days ago is 1-30; 31 is 31-60; 90 is 61-90; 91 is over 90; due today is current."""
    for days, bucket in ((0, "current"), (1, "days_1_30"), (30, "days_1_30"), (31, "days_31_60"),
                         (60, "days_31_60"), (61, "days_61_90"), (90, "days_61_90"), (91, "over_90")):
        standing = age([Posting(1, 100, date(2026, 1, 1), AS_OF - timedelta(days=days))], AS_OF)
        assert standing.buckets()[bucket] == 100, (days, bucket)


entry = st.tuples(st.integers(-50000, 50000).filter(bool), st.integers(0, 400), st.integers(0, 60))


@given(st.lists(entry, max_size=40), st.lists(st.integers(0, 39), max_size=8), st.integers(0, 500))
def test_buckets_always_sum_to_the_balance(raw, reversals, as_of_offset):
    """For any entries, reversals and day: buckets sum to the balance, past due never exceeds it."""
    start = date(2025, 1, 1)
    entries = [Posting(i + 1, cents, start + timedelta(days=day), start + timedelta(days=day + due))
               for i, (cents, day, due) in enumerate(raw)]
    for n, target in enumerate(reversals):
        if target < len(entries):
            original = entries[target]
            entries.append(Posting(len(raw) + n + 1, -original.amount_cents,
                                   original.effective_on + timedelta(days=5), reverses_id=original.id))
    as_of = start + timedelta(days=as_of_offset)
    standing = age(entries, as_of)
    assert sum(standing.buckets().values()) == standing.balance_cents
    assert standing.balance_cents == sum(e.amount_cents for e in entries if e.effective_on <= as_of)
    assert 0 <= standing.past_due_cents <= max(standing.balance_cents, 0)
    assert (standing.days_past_due > 0) == (standing.past_due_cents > 0)
