"""The fast paths (criteria decided and schedules priced a column at a time) give the explaining paths' answers.

Random documents of both kinds go through the real loader: criteria with every condition
operator and every hit policy, schedules with every line type and every option. Random
fact sets (absent facts, values on and beside every literal, bad values) are evaluated in
one batch and one at a time; outcomes, matched rules, traces, totals and refusals must be
the same.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, reject, settings, strategies as st

from eval_support import example, load_text
from engine.rulebook.evaluations import one_by_one
from engine.rules import criteria, pricing, schedule
from engine.rules.errors import DocumentErrors, EvaluationError
from test_criteria import random_account, random_condition

MARCH_1 = date(2026, 3, 1)


def yaml_value(value: object) -> str:
    """A value in YAML flow style, exactly as the loader reads it back (numbers as written, dates plain)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)}: {yaml_value(v)}" for k, v in value.items()) + "}"


def batch_error(found):
    """The error a batch gives today: the first refused fact, else the first other refusal, else None."""
    errors = [e for e in found if isinstance(e, EvaluationError)]
    facts = [e for e in errors if type(e).__name__ == "FactError"]
    return (facts or errors or [None])[0]


# --- criteria ----------------------------------------------------------------------------------------

INPUT_TYPES = {"n": "number", "m": "money", "k": "integer", "d": "date", "t": "text", "b": "boolean", "l": "list"}
DEFAULTS = {"n": Decimal("2.25"), "m": Decimal("50.00"), "k": 30, "d": date(2026, 3, 1), "t": "A", "b": False,
            "l": ["cap"]}


@st.composite
def criteria_documents(draw):
    """A criteria document over seven inputs of every type (required, optional or defaulted), random rules."""
    inputs = []
    for name, kind in INPUT_TYPES.items():
        how = draw(st.sampled_from(["required", "optional", "default"]))
        extra = {"required": False} if how == "optional" else {"default": DEFAULTS[name]} if how == "default" else {}
        inputs.append(f"  {name}: {yaml_value({'type': kind, **extra})}")
    rules = []
    for i, when in enumerate(draw(st.lists(st.one_of(st.none(), random_condition), min_size=1, max_size=4))):
        rule = {"name": f"rule {i}", "then": {"number": i, "last": i == 3}}
        if when is not None:
            rule["when"] = when
        rules.append(f"      - {yaml_value(rule)}")
    hit = draw(st.sampled_from(["first", "unique", "all"]))
    return ("id: random-criteria\nkind: criteria\ntitle: Random criteria\ninputs:\n" + "\n".join(inputs)
            + f"\nversions:\n  - effective: 2026-01-01\n    hit: {hit}\n    rules:\n" + "\n".join(rules) + "\n")


def loaded_or_rejected(text):
    """The document, or a rejected example when the loader refuses it (a condition durable_rules cannot take)."""
    try:
        return load_text(text)
    except DocumentErrors:
        reject()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(criteria_documents(), st.lists(random_account, min_size=1, max_size=12))
def test_a_batch_decides_and_explains_every_criteria_document_as_one_evaluation_at_a_time(text, accounts):
    doc = loaded_or_rejected(text)
    facts_list = [{k: v for k, v in account.items() if v is not None} for account in accounts]
    alone = one_by_one(lambda facts: criteria.evaluate(doc, facts, MARCH_1))(facts_list)
    expected_error = batch_error(alone)
    try:
        batch = criteria.evaluate_batch(doc, facts_list, MARCH_1)
    except EvaluationError as error:
        assert expected_error is not None and (type(error), str(error)) == (type(expected_error), str(expected_error))
        return
    assert expected_error is None
    assert batch.outcomes == [result.outcome for result in alone]
    assert [r.to_json() for r in batch] == [r.to_json() for r in alone]  # outcome, matched and trace


LIEN_CHECK = """
id: lien-check
kind: criteria
title: Lien check
inputs:
  past_due_balance: {type: money}
  days_past_due: {type: integer}
versions:
  - effective: 2026-01-01
"""


def test_a_batch_of_accounts_gives_each_its_own_trace():
    doc = loaded_or_rejected(LIEN_CHECK + """\
    rules:
      - name: Over threshold
        when: {all: [{fact: past_due_balance, gte: 250}, {fact: days_past_due, gte: 90}]}
        then: {lien: eligible}
""")
    batch = criteria.evaluate_batch(doc, [{"past_due_balance": "300", "days_past_due": 91},
                                          {"past_due_balance": "249.99", "days_past_due": 91}], MARCH_1)
    assert batch.outcomes == [{"lien": "eligible"}, {}]
    assert batch[0].trace == ["Over threshold: matched", "  past_due_balance = 300.00 >= 250: yes",
                              "  days_past_due = 91 >= 90: yes"]
    assert batch[1].trace[1] == "  past_due_balance = 249.99 >= 250: no"


def test_two_thousand_accounts_in_one_batch_each_decide_as_alone():
    """More fact sets than one chunk of the batch: every chunk is decided and kept in order."""
    doc = loaded_or_rejected(LIEN_CHECK + """\
    hit: all
    rules:
      - {name: Owes, when: {fact: past_due_balance, gt: 0}, then: {owes: true}}
      - {name: Late, when: {fact: days_past_due, gte: 30, lt: 4000}, then: {late: true}}
""")
    facts_list = [{"past_due_balance": Decimal(n % 7) - 3, "days_past_due": n % 61} for n in range(5000)]
    batch = criteria.evaluate_batch(doc, facts_list, MARCH_1)
    assert batch.outcomes == [criteria.evaluate(doc, facts, MARCH_1).outcome for facts in facts_list]


def test_a_bad_fact_anywhere_in_a_batch_is_named_before_a_unique_refusal_earlier():
    doc = loaded_or_rejected("""
id: overlap
kind: criteria
title: Overlap
inputs:
  days_past_due: {type: integer}
versions:
  - effective: 2026-01-01
    hit: unique
    rules:
      - {name: Late, when: {fact: days_past_due, gte: 30}, then: {late: true}}
      - {name: Very late, when: {fact: days_past_due, gte: 60}, then: {very: true}}
""")
    facts_list = [{"days_past_due": 90}] + [{"days_past_due": 1}] * 3000 + [{"days_past_due": "soon"}]
    with pytest.raises(EvaluationError, match="days_past_due: 'soon' is not an integer"):
        criteria.evaluate_batch(doc, facts_list, MARCH_1)
    with pytest.raises(EvaluationError, match="hit unique, but both 'Late' and 'Very late' match"):
        criteria.evaluate_batch(doc, facts_list[:-1], MARCH_1)


# --- schedules ---------------------------------------------------------------------------------------

SCHEDULE_INPUTS = """inputs:
  meter: {type: text, values: [A, B, C]}
  use: {type: number, min: 0}
  units: {type: integer, min: 0, required: false}
  fee: {type: money, default: 40}
  flag: {type: boolean, default: true}
  months: {type: integer, min: 0, default: 0}
"""
amounts = st.decimals(min_value=0, max_value=500, places=2).map(lambda d: d.normalize() if d == d.to_integral() else d)
rates = st.decimals(min_value=0, max_value=10, places=3)
limits = st.lists(st.integers(1, 60), min_size=0, max_size=3, unique=True).map(sorted)


@st.composite
def blocks(draw, mode):
    """Tier blocks, ascending, the last open; under all_units some may be flat amounts."""
    found = []
    for upto in draw(limits) + [None]:
        priced = "amount" if mode == "all_units" and draw(st.booleans()) else "rate"
        block = {"upto": upto} if upto is not None else {}
        block[priced] = draw(amounts if priced == "amount" else rates)
        found.append(block)
    return found


@st.composite
def basis(draw, earlier):
    """One line's basis: every kind, with every option."""
    kind = draw(st.sampled_from(["amount", "table", "per_unit", "tiers", "percent"]))
    if kind == "amount":
        return {"amount": draw(amounts)}
    if kind == "table":
        table = {"fact": "meter", "values": {k: draw(amounts) for k in draw(st.sets(st.sampled_from("ABC"), min_size=1))}}
        if draw(st.booleans()):
            table["default"] = draw(amounts)
        return {"table": table}
    if kind == "per_unit":
        spec = {"fact": draw(st.sampled_from(["use", "units", "fee"])), "rate": draw(rates)}
        if draw(st.booleans()):
            spec["over"] = draw(st.integers(0, 20))
        if draw(st.booleans()):
            spec["max_units"] = draw(st.integers(1, 40))
        return {"per_unit": spec}
    if kind == "tiers":
        mode = draw(st.sampled_from(["incremental", "all_units"]))
        spec = {"fact": draw(st.sampled_from(["use", "units"]))}
        if mode == "all_units" or draw(st.booleans()):
            spec["mode"] = mode
        if draw(st.booleans()):
            spec["by"] = "meter"
            spec["blocks"] = {k: draw(blocks(mode)) for k in "ABC"}
        else:
            spec["blocks"] = draw(blocks(mode))
        return {"tiers": spec}
    of = draw(st.sampled_from(["subtotal", "fact"] + (["line"] if earlier else [])))
    target = {"line": draw(st.sampled_from(earlier))} if of == "line" else {"fact": "fee"} if of == "fact" else of
    return {"percent": {"of": target, "rate": draw(st.decimals(min_value=0, max_value=25, places=2))}}


@st.composite
def lines(draw):
    """A version's lines, each with its options: when, multiply_by, min, max."""
    found, names = [], []
    for i in range(draw(st.integers(1, 5))):
        line = {"name": f"line {i}", **draw(basis(list(names)))}
        if draw(st.booleans()):
            line["when"] = draw(st.sampled_from([{"flag": True}, {"fact": "use", "gt": 5},
                                                 {"any": [{"meter": "A"}, {"fact": "units", "exists": False}]},
                                                 {"not": {"fact": "months", "gte": 2}}]))
        if draw(st.booleans()):
            line["multiply_by"] = {"fact": "months", **({"max": draw(st.integers(1, 5))} if draw(st.booleans()) else {})}
        if draw(st.booleans()):
            line["min"] = draw(amounts)
        if draw(st.booleans()):
            line["max"] = draw(amounts)
        found.append(line)
        names.append(line["name"])
    return found


@st.composite
def schedule_documents(draw):
    """A schedule with two versions (so periods span them), random lines, limits and rounding."""
    versions = []
    for effective in ("2026-01-01", "2026-07-01"):
        version = f"  - effective: {effective}\n    lines:\n" + "".join(f"      - {yaml_value(l)}\n" for l in draw(lines()))
        if draw(st.booleans()):
            version += "    rounding: half_even\n"
        if draw(st.booleans()):
            version += f"    minimum: {draw(amounts)}\n"
        if draw(st.booleans()):
            version += f"    maximum: {draw(amounts)}\n"
        versions.append(version)
    return "id: random-schedule\nkind: schedule\ntitle: Random schedule\n" + SCHEDULE_INPUTS + "versions:\n" + "".join(versions)


bill_facts = st.fixed_dictionaries({
    "meter": st.sampled_from(["A", "B", "C", "D", None]),
    "use": st.one_of(st.integers(0, 80), st.decimals(min_value=0, max_value=80, places=3), st.just("7.5")),
    "units": st.one_of(st.none(), st.integers(0, 50)),
    "fee": st.one_of(st.none(), st.decimals(min_value=0, max_value=200, places=2), st.just("12.345")),
    "flag": st.one_of(st.none(), st.booleans()),
    "months": st.one_of(st.none(), st.integers(0, 8)),
})


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(schedule_documents(), st.lists(bill_facts, min_size=1, max_size=10),
       st.sampled_from([None, ("2026-06-16", "2026-07-15")]), st.sampled_from([date(2026, 3, 1), date(2026, 8, 1)]))
def test_a_batch_prices_every_schedule_as_one_evaluation_at_a_time(text, bills, period, on):
    doc = loaded_or_rejected(text)
    facts_list = [{k: v for k, v in bill.items() if v is not None} for bill in bills]
    alone = one_by_one(lambda facts: schedule.evaluate(doc, facts, on, period=period))(facts_list)
    try:
        batch = pricing.evaluate_batch(doc, facts_list, on, period=period)
    except (EvaluationError, ArithmeticError) as error:
        first = next(e for e in alone if isinstance(e, EvaluationError))
        assert (type(error), str(error)) == (type(first), str(first))
        return
    assert not any(isinstance(e, EvaluationError) for e in alone)
    assert batch.by_columns  # the fast path priced them all: nothing was left to the explaining one
    assert [str(total) for total in batch.totals] == [str(result.total) for result in alone]
    assert [r.to_json() for r in batch[:3]] == [r.to_json() for r in alone[:3]]


def test_the_residential_water_bill_in_batch_is_the_worked_example_of_rules_format():
    doc = example("water-rates-residential")
    batch = pricing.evaluate_batch(doc, [{"meter_size": '3/4"', "consumption_ccf": 12},
                                         {"meter_size": '3/4"', "consumption_ccf": 12, "sewer": False}], date(2026, 2, 1))
    assert [str(total) for total in batch.totals] == ["89.01", "54.63"]  # without sewer: 52.03 + 5% (2.60)
    assert batch[0].lines[1]["detail"] == "7 CCF x 2.08 + 5 CCF x 2.61"


def test_a_bill_a_line_cannot_price_refuses_as_alone_even_far_into_a_batch():
    doc = loaded_or_rejected("""
id: meter-fee
kind: schedule
title: Meter fee
inputs:
  meter: {type: text}
versions:
  - effective: 2026-01-01
    lines:
      - {name: Meter fee, table: {fact: meter, values: {A: 5, B: 7}}}
""")
    facts_list = [{"meter": "A"}] * 4000 + [{"meter": "Z"}]
    with pytest.raises(EvaluationError, match="Meter fee: meter 'Z' is not in the table"):
        pricing.evaluate_batch(doc, facts_list, MARCH_1)
    assert pricing.evaluate_batch(doc, facts_list[:-1], MARCH_1).totals == [Decimal("5.00")] * 4000


def test_months_late_count_as_dates_do(on=MARCH_1 + timedelta(days=1)):
    doc = loaded_or_rejected("""
id: late-penalty
kind: schedule
title: Late penalty
inputs:
  license_fee: {type: money}
  months_late: {type: integer, min: 0}
versions:
  - effective: 2026-01-01
    lines:
      - name: Late penalty, 10% a month
        percent: {of: {fact: license_fee}, rate: 10}
        multiply_by: {fact: months_late, max: 5}
""")
    facts_list = [{"license_fee": "213.93", "months_late": n} for n in range(8)]
    assert pricing.evaluate_batch(doc, facts_list, on).totals == [
        schedule.evaluate(doc, facts, on).total for facts in facts_list]
