"""kind: criteria — lien and shut-off decisions by durable_rules, with the trace by conditions."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, reject, settings, strategies as st

from eval_support import example, load_text, rules_folder_documents
from engine.rules import durable
from engine.rules.conditions import Condition
from engine.rules.document import InputSpec
from engine.rules.criteria import compiled_criteria, decide_in_python, evaluate, evaluate_batch
from engine.rules.dnf import literals
from engine.rules.errors import EvaluationError, FactError
from engine.rules.facts import check_facts
from engine.rules.results import dumps
from engine.rules.versions import version_in_force

MARCH_1 = date(2026, 3, 1)
LIEN = example("lien-eligibility")


def lien(balance, days, owner=True):
    """The lien decision on 2026-03-01 for one account."""
    return evaluate(LIEN, {"past_due_balance": balance, "days_past_due": days, "owner_is_customer": owner}, MARCH_1)


def test_an_owner_300_dollars_and_91_days_past_due_is_eligible_for_a_lien():
    result = lien("300.00", 91)
    assert result.to_json() == {
        "outcome": {"lien": "eligible", "notice": "lien-intent"},
        "matched": ["Owner account, over threshold", "Otherwise"],
        "trace": [
            "Owner account, over threshold: matched",
            "  past_due_balance = 300.00 >= 250: yes",
            "  days_past_due = 91 >= 90: yes",
            "  owner_is_customer = true == true: yes",
            "Otherwise: matched (no condition)",
        ],
        "rule": "lien-eligibility",
        "version": "2026-01-01",
        "reference": None,
        "as_of": "2026-03-01",
    }


def test_120_dollars_past_due_is_not_eligible_and_the_trace_says_why():
    result = lien("120.00", 91)
    assert result.outcome == {"lien": "not_eligible"} and result.matched == ["Otherwise"]
    assert "  past_due_balance = 120.00 >= 250: no" in result.trace


@pytest.mark.parametrize("balance, eligible", [("250.00", True), (250, True), ("249.99", False), ("250.01", True)])
def test_the_250_dollar_threshold_is_exact(balance, eligible):
    assert (lien(balance, 90).outcome["lien"] == "eligible") is eligible


def test_a_tenant_account_is_not_certified():
    assert lien("900.00", 200, owner=False).outcome == {"lien": "not_eligible"}


def test_a_missing_fact_is_an_error_naming_it():
    with pytest.raises(FactError, match="owner_is_customer: missing"):
        evaluate(LIEN, {"past_due_balance": "300.00", "days_past_due": 91}, MARCH_1)


APPROVALS = """
id: refund-approval-limits
kind: criteria
title: Who may approve a refund
inputs:
  amount: {type: money, min: 0}
  role: {type: text, values: [clerk, supervisor, director]}
versions:
  - effective: 2026-01-01
    hit: HIT
    rules:
      - name: Clerk, small refund
        when: {all: [{role: clerk}, {fact: amount, lte: 100}]}
        then: {approve: true, limit: 100}
      - name: Supervisor
        when: {fact: role, in: [supervisor, director]}
        then: {approve: true, limit: 2500, fee_share: 2.5}
      - name: Large amount
        when: {fact: amount, gt: 1000}
        then: {second_approver: true}
"""


def approvals(hit):
    """The refund approval criteria with a hit policy."""
    return load_text(APPROVALS.replace("HIT", hit))


def test_hit_first_takes_the_first_matching_rule_but_lists_every_match():
    result = evaluate(approvals("first"), {"amount": "1500.00", "role": "supervisor"}, MARCH_1)
    assert result.outcome == {"approve": True, "limit": 2500, "fee_share": Decimal("2.5")}
    assert result.matched == ["Supervisor", "Large amount"]
    assert json.loads(dumps(result.to_json()))["outcome"] == {"approve": True, "limit": 2500, "fee_share": 2.5}
    assert '"fee_share": 2.5' in dumps(result.to_json())


def test_hit_all_gives_every_matching_then_in_order_and_an_empty_list_for_none():
    doc = approvals("all")
    assert evaluate(doc, {"amount": "1500.00", "role": "supervisor"}, MARCH_1).outcome == [
        {"approve": True, "limit": 2500, "fee_share": Decimal("2.5")}, {"second_approver": True}]
    nothing = evaluate(doc, {"amount": "150.00", "role": "clerk"}, MARCH_1)
    assert nothing.outcome == [] and nothing.matched == []


def test_no_matching_rule_is_an_empty_outcome_not_an_error():
    result = evaluate(approvals("first"), {"amount": "150.00", "role": "clerk"}, MARCH_1)
    assert result.outcome == {} and result.to_json()["outcome"] == {}


def test_hit_unique_with_two_matches_is_an_error_naming_both():
    doc = approvals("unique")
    assert evaluate(doc, {"amount": "50.00", "role": "clerk"}, MARCH_1).outcome["limit"] == 100
    with pytest.raises(EvaluationError, match="both 'Supervisor' and 'Large amount' match"):
        evaluate(doc, {"amount": "1500.00", "role": "director"}, MARCH_1)


SHUTOFF = """
id: shutoff-checks
kind: criteria
title: Every kind of condition, for cross-checking durable_rules against the trace
inputs:
  past_due_balance: {type: money}
  days_past_due: {type: integer, min: 0}
  medical_certificate: {type: boolean, default: false}
  appeal_pending: {type: boolean, required: false}
  account_class: {type: text, values: [residential, commercial, industrial]}
  usage_ccf: {type: number, min: 0}
  notice_sent_on: {type: date, required: false}
versions:
  - effective: 2026-01-01
    hit: all
    rules:
      - name: Large commercial balance
        when:
          all:
            - {fact: past_due_balance, gt: 1000.5}
            - {fact: account_class, in: [commercial, industrial]}
        then: {flag: large}
      - name: Residential, 30 to 60 days
        when: {all: [{account_class: residential}, {fact: days_past_due, gte: 30, lt: 60}]}
        then: {flag: mid}
      - name: No appeal and no medical certificate
        when:
          not:
            any:
              - {fact: appeal_pending, eq: true}
              - {medical_certificate: true}
        then: {flag: clear}
      - name: Appeal not recorded
        when: {fact: appeal_pending, exists: false}
        then: {flag: no_appeal}
      - name: Notice before March
        when: {fact: notice_sent_on, lte: 2026-03-01}
        then: {flag: noticed}
      - name: Not a residential low user
        when:
          not:
            all:
              - {fact: usage_ccf, lte: 2.25}
              - {fact: account_class, ne: commercial}
              - {fact: notice_sent_on, exists: true}
        then: {flag: not_low}
      - name: Not residential
        when: {fact: account_class, not_in: [residential]}
        then: {flag: other_class}
      - name: Exactly 250, appeal not false
        when: {all: [{fact: past_due_balance, eq: 250}, {not: {fact: appeal_pending, ne: true}}]}
        then: {flag: exact}
      - name: Usage not 2.25
        when: {fact: usage_ccf, ne: 2.25, gte: 0.5}
        then: {flag: usage}
"""
SHUTOFF_DOC = load_text(SHUTOFF)

near = lambda *points: st.one_of(*[st.sampled_from([p - d, p, p + d]) for p in points for d in (Decimal("0.01"),)])
shutoff_facts = st.fixed_dictionaries(
    {
        "past_due_balance": st.one_of(near(Decimal("250"), Decimal("1000.5")),
                                      st.decimals(0, 5000, places=2, allow_nan=False, allow_infinity=False)),
        "days_past_due": st.one_of(st.sampled_from([29, 30, 59, 60, 61]), st.integers(0, 400)),
        "medical_certificate": st.one_of(st.none(), st.booleans()),
        "appeal_pending": st.one_of(st.none(), st.booleans()),
        "account_class": st.sampled_from(["residential", "commercial", "industrial"]),
        "usage_ccf": st.one_of(near(Decimal("2.25"), Decimal("0.5")).filter(lambda d: d >= 0),
                               st.decimals(0, 100, places=3, allow_nan=False, allow_infinity=False)),
        "notice_sent_on": st.one_of(st.none(), st.dates(date(2026, 2, 25), date(2026, 3, 5))),
    }
)


def compiled_version(doc, on=MARCH_1):
    """The compiled criteria version in force on a date."""
    return compiled_criteria(doc).version(version_in_force(doc, on))


def test_durable_rules_and_the_trace_agree_on_hand_picked_accounts():
    compiled = compiled_version(SHUTOFF_DOC)
    facts = check_facts(SHUTOFF_DOC, {"past_due_balance": "250.00", "days_past_due": 45, "account_class": "residential",
                                      "usage_ccf": "2.25", "notice_sent_on": "2026-03-01", "appeal_pending": True})
    assert compiled.durable.decide(facts) == decide_in_python(compiled, facts) == (1, 4, 7)
    nothing_optional = check_facts(SHUTOFF_DOC, {"past_due_balance": "1000.51", "days_past_due": 5,
                                                 "account_class": "industrial", "usage_ccf": 0})
    assert compiled.durable.decide(nothing_optional) == decide_in_python(compiled, nothing_optional) == (0, 2, 3, 5, 6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shutoff_facts)
def test_durable_rules_decides_as_the_pure_python_trace_on_random_accounts(raw):
    facts = check_facts(SHUTOFF_DOC, raw)
    compiled = compiled_version(SHUTOFF_DOC)
    assert compiled.durable.decide(facts) == decide_in_python(compiled, facts)
    result = evaluate(SHUTOFF_DOC, raw, MARCH_1)
    trace_says = [line.rsplit(": ", 1)[0] for line in result.trace if line.endswith(": matched")]
    assert result.matched == [compiled.rules[i].name for i in decide_in_python(compiled, facts)] == trace_says


def every_criteria_document():
    """The example criteria and every criteria document of the sample city's rules/ folder."""
    return [LIEN, SHUTOFF_DOC, approvals("all")] + rules_folder_documents("criteria")


def literals_of(doc):
    """Every literal each fact is compared with, over all versions."""
    found = {}
    for version in doc.versions:
        for rule in version.body.get("rules", []):
            if rule.get("when") is not None:
                literals(Condition.compile(rule["when"], doc.inputs).root, found)
    return found


def near_a_literal(spec, literal, rng):
    """A value of the input's type at, just under or just over a literal."""
    step = rng.choice([-1, 0, 1])
    if isinstance(literal, date):
        return (literal + timedelta(days=step)).isoformat()
    if isinstance(literal, Decimal) and not isinstance(literal, bool):
        if spec.type == "integer":
            return int(literal) + step
        return str(literal + step * (Decimal("0.01") if spec.type == "money" else Decimal("0.001")))
    return literal


def random_facts_for(doc, rng, literals=None):
    """Random facts of the right types for a document's inputs, half of them at or next to its literals."""
    facts = {}
    for name, spec in doc.inputs.items():
        if not spec.required and rng.random() < 0.2:
            continue
        low = spec.min if isinstance(spec.min, Decimal) else Decimal(0)
        near = [v for v in (literals or {}).get(name, []) if not isinstance(v, bool)]
        if near and spec.type != "boolean" and rng.random() < 0.5:
            facts[name] = near_a_literal(spec, rng.choice(near), rng)
        elif spec.values:
            facts[name] = rng.choice(spec.values)
        elif spec.type == "boolean":
            facts[name] = rng.random() < 0.5
        elif spec.type == "date":
            facts[name] = (date(2026, 1, 1) + timedelta(days=rng.randint(-400, 400))).isoformat()
        elif spec.type == "integer":
            facts[name] = int(low) + rng.randint(0, 400)
        elif spec.type == "money":
            facts[name] = str(low + Decimal(rng.randint(0, 300000)) / 100)
        elif spec.type == "number":
            facts[name] = str(low + Decimal(rng.randint(0, 20000)) / 100)
        else:
            facts[name] = rng.choice(["A", "B", "residential", "commercial", ""])
    return facts


@pytest.mark.parametrize("doc", every_criteria_document(), ids=lambda d: d.id)
def test_every_criteria_document_decides_the_same_by_durable_rules_and_by_python(doc):
    import random

    rng = random.Random(7)
    for version in doc.versions:
        if version.retired:
            continue
        compiled = compiled_criteria(doc).version(version)
        batch, literals = [], literals_of(doc)
        for _ in range(400):
            try:
                batch.append(check_facts(doc, random_facts_for(doc, rng, literals)))
            except FactError:
                continue  # a value outside a declared range: not a fact set the city can have
        assert len(batch) > 100
        assert compiled.durable.decide_many(batch) == [decide_in_python(compiled, f) for f in batch]
        assert compiled.decide_many(batch) == [decide_in_python(compiled, f) for f in batch]


@pytest.mark.parametrize("doc", every_criteria_document(), ids=lambda d: d.id)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=20))
def test_on_random_accounts_durable_rules_decides_every_criteria_document_as_the_trace_does(doc, seeds):
    import random

    literals = literals_of(doc)
    for version in [v for v in doc.versions if not v.retired]:
        compiled = compiled_criteria(doc).version(version)
        batch = []
        for seed in seeds:
            try:
                batch.append(check_facts(doc, random_facts_for(doc, random.Random(seed), literals)))
            except FactError:
                continue  # a value outside a declared range: not a fact set the city can have
        assert compiled.durable.decide_many(batch) == [decide_in_python(compiled, f) for f in batch]


def test_a_batch_sweep_decides_like_one_evaluation_at_a_time():
    import random

    rng = random.Random(3)
    facts_list = [{"past_due_balance": f"{rng.randint(0, 600)}.{rng.randint(0, 99):02d}",
                   "days_past_due": rng.randint(0, 200), "owner_is_customer": rng.random() < 0.5} for _ in range(2000)]
    swept = evaluate_batch(LIEN, facts_list, MARCH_1)
    assert [r.outcome for r in swept[:200]] == [evaluate(LIEN, f, MARCH_1).outcome for f in facts_list[:200]]
    expected = [("eligible" if Decimal(f["past_due_balance"]) >= 250 and f["days_past_due"] >= 90
                 and f["owner_is_customer"] else "not_eligible") for f in facts_list]
    assert [r.outcome["lien"] for r in swept] == expected


def test_each_version_is_registered_with_durable_rules_once_per_process():
    lien("300.00", 91)
    before = durable.registered_rulesets()
    again = example("lien-eligibility")  # a second reading of the same document
    evaluate(again, {"past_due_balance": "1", "days_past_due": 1, "owner_is_customer": False}, MARCH_1)
    assert durable.registered_rulesets() == before
    name = compiled_version(LIEN).durable.name
    assert name.startswith("ordinance-lien-eligibility-2026-01-01-") and name in before


def test_nothing_is_left_in_durable_rules_after_an_evaluation():
    compiled = compiled_version(LIEN)
    facts = check_facts(LIEN, {"past_due_balance": "300.00", "days_past_due": 91, "owner_is_customer": True})
    compiled.durable.decide(facts)
    last = f"s{next(durable._SESSIONS) - 1}"
    assert compiled.durable.session_facts(last) is None  # the session's state is deleted


def resident_kib():
    """This process's resident memory, in KiB (Linux), after handing freed memory back.

    Garbage is collected and glibc is asked to return free heap pages (`malloc_trim`), so what is
    counted is memory still held. Memory freed but kept by the allocator, which other tests in the
    same process leave behind in varying amounts, would otherwise move the figure by megabytes."""
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def sweep_durable_directly(count, compiled):
    """Ask durable_rules about `count` fresh accounts, in batches, bypassing the region cache."""
    import random

    rng = random.Random(count)
    for _ in range(count // 1000):
        batch = [{"past_due_balance": Decimal(rng.randint(0, 90000)) / 100, "days_past_due": rng.randint(0, 200),
                  "owner_is_customer": rng.random() < 0.5} for _ in range(1000)]
        compiled.durable.decide_many(batch)


def test_durable_rules_memory_does_not_grow_across_20_000_evaluations():
    compiled = compiled_version(LIEN)
    sweep_durable_directly(20000, compiled)  # the allocator's arenas grown once, as after the first sweep
    growth = []
    for _ in range(3):
        before = resident_kib()
        sweep_durable_directly(20000, compiled)
        growth.append(resident_kib() - before)
    # A leak grows the same in every round; one round's noise from the rest of the process does not.
    assert min(growth) < 4096, growth


@pytest.mark.slow
def test_durable_rules_memory_does_not_grow_across_100_000_evaluations():
    compiled = compiled_version(LIEN)
    sweep_durable_directly(10000, compiled)
    before = resident_kib()
    for _ in range(100_000):
        compiled.durable.decide({"past_due_balance": Decimal("300.00"), "days_past_due": 91, "owner_is_customer": True})
    sweep_durable_directly(100_000, compiled)
    assert resident_kib() - before < 8192


def test_threads_deciding_at_once_each_get_their_own_answers():
    import random
    from concurrent.futures import ThreadPoolExecutor

    compiled = compiled_version(SHUTOFF_DOC)
    rng = random.Random(11)
    literals = literals_of(SHUTOFF_DOC)
    batches = [[check_facts(SHUTOFF_DOC, random_facts_for(SHUTOFF_DOC, rng, literals)) for _ in range(300)]
               for _ in range(8)]
    with ThreadPoolExecutor(4) as pool:
        decided = list(pool.map(compiled.durable.decide_many, batches))
    assert decided == [[decide_in_python(compiled, f) for f in batch] for batch in batches]


def test_a_fact_tested_only_for_existence_reaches_durable_rules():
    doc = load_text("""
id: appeal-on-file
kind: criteria
title: Whether an appeal is on file
inputs:
  appeal_filed_on: {type: date, required: false}
  account_class: {type: text, required: false}
versions:
  - effective: 2026-01-01
    hit: all
    rules:
      - name: Appeal on file
        when: {fact: appeal_filed_on, exists: true}
        then: {hold: true}
      - name: No class recorded
        when: {fact: account_class, exists: false}
        then: {review: true}
""")
    assert evaluate(doc, {"appeal_filed_on": "2026-02-02", "account_class": "residential"}, MARCH_1).matched == [
        "Appeal on file"]
    assert evaluate(doc, {}, MARCH_1).matched == ["No class recorded"]


RANDOM_INPUTS = {
    "n": InputSpec("n", "number", required=False), "m": InputSpec("m", "money", required=False),
    "k": InputSpec("k", "integer", required=False), "d": InputSpec("d", "date", required=False),
    "t": InputSpec("t", "text", required=False), "b": InputSpec("b", "boolean", required=False),
    "l": InputSpec("l", "list", required=False),
}
POINTS = {
    "n": [Decimal("0"), Decimal("2.25"), Decimal("2.250"), Decimal("7"), Decimal("-1.5")],
    "m": [Decimal("0.00"), Decimal("49.99"), Decimal("50"), Decimal("250.00")],
    "k": [Decimal(0), Decimal(30), Decimal(60), Decimal(90)],
    "d": [date(2026, 2, 28), date(2026, 3, 1), date(2026, 12, 31)],
    "t": ["A", "B", 'residential', '3/4"'],
    "b": [True, False],
    "l": ["cap", "medical_baseline", "senior"],
}
ORDERED_FACTS = ("n", "m", "k", "d")


@st.composite
def random_leaf(draw):
    """One leaf on a random fact, with one or two comparisons of the right kinds."""
    fact = draw(st.sampled_from(sorted(RANDOM_INPUTS)))
    ops = (["contains", "exists"] if fact == "l" else
           ["eq", "ne", "in", "not_in", "exists"] + (["gt", "gte", "lt", "lte"] if fact in ORDERED_FACTS else []))
    leaf = {"fact": fact}
    for op in draw(st.lists(st.sampled_from(ops), min_size=1, max_size=2, unique=True)):
        if op == "exists":
            leaf[op] = draw(st.booleans())
        elif op in ("in", "not_in"):
            leaf[op] = draw(st.lists(st.sampled_from(POINTS[fact]), max_size=3))
        else:
            leaf[op] = draw(st.sampled_from(POINTS[fact]))
    return leaf


random_condition = st.recursive(
    random_leaf(),
    lambda inner: st.one_of(st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
                            st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
                            st.builds(lambda x: {"not": x}, inner)),
    max_leaves=6,
)


def near(points):
    """A value at, or just beside, one of the points."""
    def beside(p):
        if isinstance(p, date):
            return st.sampled_from([p - timedelta(days=1), p, p + timedelta(days=1)])
        if isinstance(p, Decimal):
            return st.sampled_from([p - Decimal("0.01"), p, p + Decimal("0.001"), p + Decimal("0.01")])
        return st.just(p)
    return st.one_of(*[beside(p) for p in points])


random_account = st.fixed_dictionaries({
    "n": st.one_of(st.none(), near(POINTS["n"])),
    "m": st.one_of(st.none(), near(POINTS["m"]).map(lambda v: v.quantize(Decimal("0.01")))),
    "k": st.one_of(st.none(), st.sampled_from([-1, 0, 1, 29, 30, 31, 59, 60, 61, 89, 90, 91])),
    "d": st.one_of(st.none(), near(POINTS["d"])),
    "t": st.one_of(st.none(), st.sampled_from(["A", "B", "C", "residential", '3/4"', ""])),
    "b": st.one_of(st.none(), st.booleans()),
    "l": st.one_of(st.none(), st.lists(st.sampled_from(["cap", "medical_baseline", "senior", "other"]), max_size=3)),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(random_condition, min_size=1, max_size=3), st.lists(random_account, min_size=1, max_size=8))
def test_any_condition_decides_the_same_in_durable_rules_as_in_python(raws, accounts):
    conditions = [Condition.compile(raw, RANDOM_INPUTS) for raw in raws]
    try:
        ruleset = durable.criteria_ruleset("random-conditions", MARCH_1, RANDOM_INPUTS, conditions)
    except EvaluationError as refused:  # refused with its rule named: the test below holds that message
        if "too complex for durable_rules" not in str(refused):
            raise
        reject()
    facts_list = [{k: v for k, v in account.items() if v is not None} for account in accounts]
    expected = [tuple(i for i, c in enumerate(conditions) if c.holds(facts)) for facts in facts_list]
    assert ruleset.decide_many(facts_list) == expected


def test_a_condition_too_complex_for_durable_rules_is_refused_with_its_rule_named():
    huge = {"any": [{"fact": "k", "in": [Decimal(i * 10 + j) for j in range(9)]} for i in range(30)]}
    with pytest.raises(EvaluationError, match="rule 1: the condition is too complex for durable_rules"):
        durable.criteria_ruleset("too-complex", MARCH_1, RANDOM_INPUTS, [Condition.compile(huge, RANDOM_INPUTS)])


def test_the_exact_encoding_keeps_fractions_apart_from_thresholds():
    conditions = [Condition.compile({"fact": "n", op: Decimal("2.25")}, RANDOM_INPUTS)
                  for op in ("gt", "gte", "lt", "lte", "eq", "ne")]
    ruleset = durable.criteria_ruleset("exact-encoding", MARCH_1, RANDOM_INPUTS, conditions)
    decided = ruleset.decide_many([{"n": Decimal(v)} for v in ("2.2499", "2.25", "2.250", "2.2501")])
    assert decided == [(2, 3, 5), (1, 3, 4), (1, 3, 4), (0, 1, 5)]


# --- durations: `for:` on a rule gives its outcome `until` ---------------------------------

TIMED = """\
id: timed-status
kind: criteria
title: A status for a while
inputs:
  returns: {type: integer, min: 0}
  returned_on: {type: date, required: false}
versions:
  - effective: 2024-01-01
    hit: HIT
    rules:
      - name: Many returns
        when: {fact: returns, gte: 3}
        then: {cash_only: true, level: 2}
        for: {years: 2, from: returned_on}
      - name: Two returns
        when: {fact: returns, gte: 2}
        then: {cash_only: true, level: 1}
        for: {months: 12}
      - name: One return
        when: {fact: returns, eq: 1}
        then: {warning: true}
        for: {days: 90}
      - name: Otherwise
        then: {cash_only: false}
"""


def timed(hit: str = "first"):
    return load_text(TIMED.replace("HIT", hit))


@pytest.mark.parametrize("facts, on, outcome", [
    ({"returns": 2}, date(2026, 3, 2), {"cash_only": True, "level": 1, "until": "2027-03-02"}),
    ({"returns": 2}, date(2027, 1, 31), {"cash_only": True, "level": 1, "until": "2028-01-31"}),
    ({"returns": 1}, date(2026, 3, 2), {"warning": True, "until": "2026-05-31"}),
    ({"returns": 3, "returned_on": "2024-02-29"}, date(2024, 3, 5), {"cash_only": True, "level": 2,
                                                                     "until": "2026-03-01"}),
    ({"returns": 3}, date(2026, 3, 2), {"cash_only": True, "level": 2, "until": "2028-03-02"}),
    ({"returns": 0}, date(2026, 3, 2), {"cash_only": False}),
])
def test_a_rule_with_for_gives_the_day_its_outcome_ends(facts, on, outcome):
    """Counted from the day decided, or from the `from` fact; months the calendar way (Feb 29 + 2 years: Mar 1)."""
    assert evaluate(timed(), facts, on).outcome == outcome


def test_until_under_hit_all_and_in_a_batch_is_per_fact_set():
    assert evaluate(timed("all"), {"returns": 3, "returned_on": "2026-01-10"}, date(2026, 3, 2)).outcome == [
        {"cash_only": True, "level": 2, "until": "2028-01-10"}, {"cash_only": True, "level": 1, "until": "2027-03-02"},
        {"cash_only": False}]
    batch = evaluate_batch(timed(), [{"returns": 3, "returned_on": "2026-01-10"},
                                     {"returns": 3, "returned_on": "2026-02-10"}], date(2026, 3, 2))
    assert [o["until"] for o in batch.outcomes] == ["2028-01-10", "2028-02-10"]
    assert batch[1].outcome["until"] == "2028-02-10"
    # the key cache is shared by both fact sets: the cached decision itself is never given an `until`
    assert "until" not in compiled_criteria(batch.doc).version(batch.compiled.version).rules[0].then


@pytest.mark.parametrize("lasts, then, message", [
    ("{months: 12, days: 5}", "{cash_only: true}", "versions[0].rules[0].for: a duration is one of days, months or "
                                                   "years; this one has days and months"),
    ("{from: returned_on}", "{cash_only: true}", "versions[0].rules[0].for: a duration is one of days, months or "
                                                 "years"),
    ("{months: 12, from: returns}", "{cash_only: true}", "versions[0].rules[0].for.from: a duration counts from a "
                                                         "date; returns is integer"),
    ("{months: 12, from: returnd_on}", "{cash_only: true}", 'versions[0].rules[0].for.from: a duration names '
                                                            '"returnd_on", which is not a declared input (declared: '
                                                            'returns, returned_on)'),
    ("{months: 12}", "{cash_only: true, until: soon}", "versions[0].rules[0].then.until: a rule with for: "
                                                              "gives until itself (the day the duration ends); "
                                                              "remove until from then"),
])
def test_a_wrong_duration_is_named(lasts, then, message):
    from engine.rules.errors import DocumentErrors
    text = f"""\
id: timed-status
kind: criteria
title: A status for a while
inputs:
  returns: {{type: integer, min: 0}}
  returned_on: {{type: date, required: false}}
versions:
  - effective: 2025-01-01
    rules:
      - name: Two returns
        when: {{fact: returns, gte: 2}}
        then: {then}
        for: {lasts}
"""
    with pytest.raises(DocumentErrors) as raised:
        load_text(text, "timed-status.yaml")
    assert [str(e).split(": ", 1)[1] for e in raised.value.errors] == [message]
