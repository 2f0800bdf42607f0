"""`when:` conditions: combinators, comparisons, absent facts and the trace of every leaf."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.rules.conditions import Condition
from engine.rules.document import InputSpec
from engine.rules.errors import EvaluationError

LIEN_WHEN = {
    "all": [
        {"fact": "past_due_balance", "gte": Decimal(250)},
        {"fact": "days_past_due", "gte": Decimal(90)},
        {"any": [{"fact": "owner_is_customer", "eq": True}, {"fact": "lien_agreement_signed", "eq": True}]},
        {"not": {"fact": "appeal_pending", "eq": True}},
    ]
}


def lien_facts(**changes):
    """A delinquent owner account, 91 days and $300 past due, with `changes`."""
    facts = {"past_due_balance": Decimal("300.00"), "days_past_due": 91, "owner_is_customer": True,
             "lien_agreement_signed": False, "appeal_pending": False}
    facts.update(changes)
    return {k: v for k, v in facts.items() if v is not None}


def test_an_owner_91_days_and_300_dollars_past_due_meets_the_lien_condition():
    result = Condition.compile(LIEN_WHEN).evaluate(lien_facts())
    assert result.holds
    assert "days_past_due = 91 >= 90: yes" in result.trace
    assert "past_due_balance = 300.00 >= 250: yes" in result.trace


def test_120_dollars_past_due_is_under_the_threshold_and_the_trace_says_so():
    result = Condition.compile(LIEN_WHEN).evaluate(lien_facts(past_due_balance=Decimal("120.00")))
    assert not result.holds
    assert "past_due_balance = 120.00 >= 250: no" in result.trace
    assert "days_past_due = 91 >= 90: yes" in result.trace  # every leaf is traced, not only up to the first no


def test_an_appeal_pending_blocks_the_lien_through_not():
    cond = Condition.compile(LIEN_WHEN)
    result = cond.evaluate(lien_facts(appeal_pending=True))
    assert not result.holds and "not: no" in result.trace and "  appeal_pending = true == true: yes" in result.trace


def test_a_signed_lien_agreement_stands_in_for_an_owner():
    assert Condition.compile(LIEN_WHEN).holds(lien_facts(owner_is_customer=False, lien_agreement_signed=True))
    assert not Condition.compile(LIEN_WHEN).holds(lien_facts(owner_is_customer=False))


def test_an_absent_fact_fails_every_comparison_and_only_exists_false_holds():
    facts = lien_facts(appeal_pending=None)
    for leaf in ({"fact": "appeal_pending", "eq": True}, {"fact": "appeal_pending", "ne": True},
                 {"fact": "appeal_pending", "exists": True}, {"fact": "appeal_pending", "not_in": [True]}):
        assert not Condition.compile(leaf).holds(facts)
    result = Condition.compile({"fact": "appeal_pending", "exists": False}).evaluate(facts)
    assert result.holds and result.trace == ["appeal_pending is absent: yes"]
    assert Condition.compile(LIEN_WHEN).holds(facts)  # not (absent == true) holds


def test_one_leaf_with_two_comparisons_is_a_range():
    cond = Condition.compile({"fact": "days_past_due", "gte": Decimal(30), "lt": Decimal(60)})
    assert [cond.holds({"days_past_due": d}) for d in (29, 30, 59, 60)] == [False, True, True, False]
    assert cond.evaluate({"days_past_due": 45}).trace == ["days_past_due = 45 >= 30 and < 60: yes"]


def test_shorthand_sewer_true_means_fact_sewer_eq_true():
    cond = Condition.compile({"sewer": True})
    assert cond.holds({"sewer": True}) and not cond.holds({"sewer": False}) and not cond.holds({})
    assert cond.facts_read() == {"sewer"}


def test_true_is_never_the_number_one_and_text_is_matched_exactly():
    assert not Condition.compile({"fact": "units", "eq": True}).holds({"units": Decimal(1)})
    assert not Condition.compile({"fact": "meter_size", "eq": '3/4"'}).holds({"meter_size": '3/4" '})
    assert Condition.compile({"fact": "meter_size", "in": ['3/4"', '1"']}).holds({"meter_size": '1"'})
    assert Condition.compile({"fact": "meter_size", "not_in": ['3/4"', '1"']}).holds({"meter_size": '2"'})
    assert Condition.compile({"fact": "class", "ne": "commercial"}).holds({"class": "residential"})


def test_dates_compare_as_dates_and_money_as_decimals():
    cond = Condition.compile({"fact": "notice_sent_on", "lte": date(2026, 3, 1)})
    assert cond.holds({"notice_sent_on": date(2026, 2, 28)}) and not cond.holds({"notice_sent_on": date(2026, 3, 2)})
    assert cond.evaluate({"notice_sent_on": date(2026, 3, 2)}).trace == ["notice_sent_on = 2026-03-02 <= 2026-03-01: no"]
    assert Condition.compile({"fact": "balance", "gt": Decimal("249.99")}).holds({"balance": Decimal("250.00")})
    assert Condition.compile({"fact": "balance", "eq": Decimal(250)}).holds({"balance": Decimal("250.00")})


def test_literals_take_the_type_of_their_declared_input():
    inputs = {"notice_sent_on": InputSpec("notice_sent_on", "date"), "cycle": InputSpec("cycle", "text")}
    assert Condition.compile({"fact": "notice_sent_on", "gte": "2026-03-01"}, inputs).holds({"notice_sent_on": date(2026, 3, 1)})
    assert Condition.compile({"cycle": Decimal(1)}, inputs).holds({"cycle": "1"})
    with pytest.raises(EvaluationError, match="cylce is not a declared input"):
        Condition.compile({"cylce": "A"}, inputs)


def test_ordering_text_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="cannot compare"):
        Condition.compile({"fact": "meter_size", "gt": Decimal(1)}).holds({"meter_size": '1"'})


def test_malformed_conditions_are_refused():
    for raw in ({"fact": "x", "between": [1, 2]}, {"all": []}, {"fact": "x"}, {"fact": "x", "in": 3}, []):
        with pytest.raises(EvaluationError):
            Condition.compile(raw)


def test_facts_read_lists_every_fact_in_the_tree():
    assert Condition.compile(LIEN_WHEN).facts_read() == {
        "past_due_balance", "days_past_due", "owner_is_customer", "lien_agreement_signed", "appeal_pending"}
