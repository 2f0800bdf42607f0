"""The rules benchmark: criteria and bills through the evaluators, against durable_rules alone and plain Python.

It uses the two worked examples of RULES-FORMAT.md (lien eligibility, residential water),
written out below so the hand-coded Python equivalents stay exactly in step with them;
before timing anything it checks that evaluators and hand-coded versions agree.
`timer` is passed in (the command line hands `time.perf_counter`) so nothing here reads
a clock of its own accord.
"""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from engine.money import round_money
from engine.rules.loader import load_document

AS_OF = date(2026, 3, 1)
DURABLE_SAMPLE = 20_000  # durable_rules alone is slow; time it on at most this many fact sets

LIEN_YAML = """
id: lien-eligibility
kind: criteria
title: Which delinquent accounts are certified for a lien
inputs:
  past_due_balance: {type: money}
  days_past_due: {type: integer}
  owner_is_customer: {type: boolean}
versions:
  - effective: 2026-01-01
    hit: first
    rules:
      - name: Owner account, over threshold
        when:
          all:
            - {fact: past_due_balance, gte: 250}
            - {fact: days_past_due, gte: 90}
            - {owner_is_customer: true}
        then: {lien: eligible, notice: lien-intent}
      - name: Otherwise
        then: {lien: not_eligible}
"""

WATER_YAML = """
id: water-rates-residential
kind: schedule
title: Residential water and sewer
inputs:
  meter_size: {type: text, values: ['3/4"', '1"']}
  consumption_ccf: {type: number, min: 0}
  winter_average_ccf: {type: number, min: 0, default: 5}
  sewer: {type: boolean, default: true}
versions:
  - effective: 2026-01-01
    reference: Resolution 2025-41
    lines:
      - name: Water base charge
        table: {fact: meter_size, values: {'3/4"': 24.42, '1"': 35.19}}
      - name: Water use
        tiers:
          fact: consumption_ccf
          by: meter_size
          blocks:
            '3/4"': [{upto: 7, rate: 2.08}, {upto: 12, rate: 2.61}, {rate: 3.64}]
            '1"':   [{upto: 11, rate: 2.08}, {upto: 19, rate: 2.61}, {rate: 3.64}]
      - name: Sewer base charge
        when: {sewer: true}
        amount: 16.59
      - name: Sewer use (winter average)
        when: {sewer: true}
        per_unit: {fact: winter_average_ccf, rate: 3.23}
      - name: Franchise fee
        percent: {of: subtotal, rate: 5}
"""

LIMIT, DAYS = Decimal(250), 90
ELIGIBLE, NOT_ELIGIBLE = {"lien": "eligible", "notice": "lien-intent"}, {"lien": "not_eligible"}


def lien_by_hand(facts: dict) -> dict:
    """The lien decision written as plain if/else, on the same raw facts."""
    if Decimal(facts["past_due_balance"]) >= LIMIT and int(facts["days_past_due"]) >= DAYS \
            and facts["owner_is_customer"] is True:
        return ELIGIBLE
    return NOT_ELIGIBLE


BASE = {'3/4"': Decimal("24.42"), '1"': Decimal("35.19")}
BLOCKS = {'3/4"': (7, 12), '1"': (11, 19)}
RATES = (Decimal("2.08"), Decimal("2.61"), Decimal("3.64"))
SEWER_BASE, SEWER_RATE, FRANCHISE = Decimal("16.59"), Decimal("3.23"), Decimal("0.05")


def water_bill_by_hand(facts: dict) -> Decimal:
    """The residential water bill written as plain Python, on the same raw facts."""
    meter, used = facts["meter_size"], Decimal(facts["consumption_ccf"])
    first, second = BLOCKS[meter]
    use = min(used, first) * RATES[0] + max(min(used, second) - first, 0) * RATES[1] + max(used - second, 0) * RATES[2]
    lines = [BASE[meter], round_money(use)]
    if facts.get("sewer", True):
        winter = Decimal(facts.get("winter_average_ccf", 5))
        lines += [SEWER_BASE, round_money(winter * SEWER_RATE)]
    subtotal = sum(lines)
    return subtotal + round_money(subtotal * FRANCHISE)


def account_facts(rng: random.Random, count: int) -> list[dict]:
    """Delinquent accounts as a sweep reads them (JSON-like: money as strings)."""
    return [{"past_due_balance": f"{rng.randint(0, 900)}.{rng.randint(0, 99):02d}",
             "days_past_due": rng.randint(0, 365), "owner_is_customer": rng.random() < 0.6}
            for _ in range(count)]


def meter_facts(rng: random.Random, count: int) -> list[dict]:
    """Meter reads as billing hands them."""
    return [{"meter_size": rng.choice(('3/4"', '1"')), "consumption_ccf": rng.randint(0, 60),
             "sewer": rng.random() < 0.8, "winter_average_ccf": rng.randint(2, 12)} for _ in range(count)]


def _rate(timer: Callable[[], float], count: int, work: Callable[[], Any], repeats: int = 3) -> float:
    """How many items a second `work` gets through: the best of `repeats` runs (others share the machine)."""
    best = 0.0
    for _ in range(repeats):
        start = timer()
        work()
        elapsed = timer() - start
        best = max(best, count / elapsed if elapsed > 0 else 0.0)
    return best


def _each(evaluate: Callable[[dict], Any], items: list[dict]) -> Callable[[], None]:
    """Work that evaluates every item and keeps no result (a billing run writes each bill away)."""

    def work() -> None:
        """Evaluate them all."""
        for item in items:
            evaluate(item)

    return work


def bench_bills(n_bills: int, timer: Callable[[], float], rng: random.Random) -> dict:
    """Bills/s through the schedule evaluator and by hand, after checking that they agree."""
    from engine.rules import schedule

    water = load_document(WATER_YAML, "<bench water>")
    reads = meter_facts(rng, n_bills)
    if [schedule.evaluate(water, f, AS_OF).total for f in reads[:1000]] != [water_bill_by_hand(f) for f in reads[:1000]]:
        raise AssertionError("the schedule and the hand-coded water bill disagree")
    return {
        "bills_per_s": _rate(timer, n_bills, _each(lambda f: schedule.evaluate(water, f, AS_OF), reads)),
        "plain_bills_per_s": _rate(timer, n_bills, _each(water_bill_by_hand, reads)),
    }


def bench_criteria(n_facts: int, timer: Callable[[], float], rng: random.Random) -> dict:
    """Criteria facts/s: the batch path, durable_rules alone, and by hand, after checking that they agree."""
    from engine.rules import criteria
    from engine.rules.facts import check_facts

    lien = load_document(LIEN_YAML, "<bench lien>")
    accounts = account_facts(rng, n_facts)
    sample = accounts[:1000]
    if [r.outcome for r in criteria.evaluate_batch(lien, sample, AS_OF)] != [lien_by_hand(f) for f in sample]:
        raise AssertionError("criteria and the hand-coded lien decision disagree")
    compiled = criteria.compiled_criteria(lien).version(lien.versions[0])
    checked = [check_facts(lien, f) for f in accounts[:DURABLE_SAMPLE]]
    cold: list = []

    def sweep() -> None:
        """Decide every account with a freshly read document: a cold region cache, as a new process has."""
        cold[:] = [load_document(LIEN_YAML, "<bench lien, cold>")]
        criteria.evaluate_batch(cold[0], accounts, AS_OF)

    results = {
        "criteria_facts_per_s": _rate(timer, n_facts, sweep),
        "durable_facts_per_s": _rate(timer, len(checked), lambda: compiled.durable.decide_many(checked)),
        "plain_criteria_facts_per_s": _rate(timer, n_facts, _each(lien_by_hand, accounts)),
    }
    results["criteria_regions"] = len(criteria.compiled_criteria(cold[0]).version(cold[0].versions[0]).regions)
    return results


def run_rules_bench(n_facts: int, n_bills: int, *, timer: Callable[[], float], seed: int = 2026) -> dict:
    """Criteria facts/s (batch, durable_rules, plain Python) and bills/s (schedule, plain Python), with ratios."""
    rng = random.Random(seed)
    results: dict[str, Any] = {"n_facts": n_facts, "n_bills": n_bills}
    results.update(bench_bills(n_bills, timer, rng))
    results.update(bench_criteria(n_facts, timer, rng))
    plain_criteria, plain_bills = results["plain_criteria_facts_per_s"], results["plain_bills_per_s"]
    results["criteria_vs_plain"] = results["criteria_facts_per_s"] / plain_criteria if plain_criteria else 0.0
    results["durable_vs_plain"] = results["durable_facts_per_s"] / plain_criteria if plain_criteria else 0.0
    results["bills_vs_plain"] = results["bills_per_s"] / plain_bills if plain_bills else 0.0
    results["criteria_target_met"] = results["criteria_facts_per_s"] >= 100_000
    results["bills_target_met"] = results["bills_per_s"] >= 20_000
    return results
