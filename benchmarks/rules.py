"""The rules benchmark: the city's own documents on a generated city's real accounts, against plain Python.

It generates a city of N accounts twice over in a work folder: the sweep benchmark's city
(benchmarks.sweep_city: ledgers, kept balances, yesterday's open cases) for decisions, and
the billing benchmark's city (benchmarks.billing: meters, reads, winter use) for bills. It
then reads every account's facts as the sweeps and the billing run read them (the facts
provider, engine.accounts.facts, with each open case's own fields over them; the billing
run's rate facts for each residential read), and times, on those fact sets:

- `rules/utilities/shutoff-eligibility.yaml` decided in batch (`engine.rules.criteria`), by
  durable_rules alone (on a sample), and by the same decision written as plain if/else;
- `rules/utilities/water-rates-residential.yaml` priced in batch (`engine.rules.pricing`),
  one bill at a time by the explaining evaluation, and as plain Python.

Before timing it checks that all of them agree on every fact set (the explaining paths on
a sample), and it counts the distinct fact sets, so that no cache of answers by fact set
could stand in for the evaluators. Every batch run is given the document read afresh
(untimed): the compiled version and its key cache start cold, as in a new process. `timer` is passed in
(the command line hands `time.perf_counter` or `time.process_time`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks import billing as billing_city, sweep_city
from engine.accounts.facts import facts_for_accounts
from engine.money import round_money
from engine.money.billing import billing_policy
from engine.rules import criteria, pricing, schedule
from engine.rules.document import RuleDocument
from engine.rules.facts import check_facts
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Case, UtilityAccount
from engine.store.schema import upgrade

SHUTOFF = Path("utilities/shutoff-eligibility.yaml")
WATER = Path("utilities/water-rates-residential.yaml")
NIGHT = sweep_city.NIGHT  # the sweep city's night: its accounts' facts are read as of that day
BILLED_ON = billing_city.AS_OF  # the billing city's bills are priced on that day
DURABLE_SAMPLE = 5_000  # durable_rules alone is slow; timed on at most this many fact sets
EXPLAINED_SAMPLE = 20_000  # the explaining paths are checked and timed on at most this many
TARGETS = {"criteria": 1_000_000, "bills": 300_000}  # per second, DESIGN.md's quality bars

# --- the same decision and the same bill, written by hand ----------------------------------------

FIFTY = Decimal("50.00")
HOLDS = (("appeal_pending", "appeal_pending"), ("medical_certificate", "medical_certificate"),
         ("payment_plan_active", "payment_plan"))


def shutoff_by_hand(facts: dict) -> dict:
    """Shut-off eligibility (version of 2025-01-01) as plain if/else, on the same raw facts."""
    for fact, reason in HOLDS:
        if facts.get(fact):
            return {"eligible": False, "reason": reason}
    balance, days = facts["past_due_balance"], facts["days_past_due"]
    if balance < FIFTY:
        return {"eligible": False, "reason": "balance_below_minimum"}
    if days < 60:
        return {"eligible": False, "reason": "under_60_days"}
    if facts.get("low_income") and days < 90:
        return {"eligible": False, "reason": "assistance_program_extension"}
    return {"eligible": True, "reason": "delinquent"}


BASE = {'5/8"': Decimal("22.10"), '3/4"': Decimal("27.02"), '1"': Decimal("36.86"), '1-1/2"': Decimal("61.46"),
        '2"': Decimal("90.98")}
BLOCKS = {'5/8"': (6, 12), '3/4"': (7, 14), '1"': (11, 21), '1-1/2"': (22, 42), '2"': (35, 67)}
RATES = (Decimal("2.05"), Decimal("2.57"), Decimal("3.58"))
SEWER_BASE, SEWER_RATE, SEWER_MOST, FRANCHISE = Decimal("16.33"), Decimal("3.18"), 12, Decimal("0.05")


def water_bill_by_hand(facts: dict) -> Decimal:
    """The residential water bill (version of 2025-07-01) as plain Python, on the same raw facts."""
    meter, used = facts["meter_size"], facts["consumption_ccf"]
    first, second = BLOCKS[meter]
    use = (min(used, first) * RATES[0] + max(min(used, second) - first, 0) * RATES[1]
           + max(used - second, 0) * RATES[2])
    subtotal = BASE[meter] + round_money(use)
    if facts.get("sewer", True):
        subtotal += SEWER_BASE + round_money(min(facts.get("winter_average_ccf", 5), SEWER_MOST) * SEWER_RATE)
    return subtotal + round_money(subtotal * FRANCHISE)


# --- the city and its fact sets --------------------------------------------------------------------


def city_documents(rules_dir: Path) -> dict[str, str]:
    """The YAML text of the two documents measured, by id (read afresh for every timed run)."""
    return {path.stem: (rules_dir / path).read_text(encoding="utf-8") for path in (SHUTOFF, WATER)}


def fresh(text: str, name: str) -> RuleDocument:
    """A document read from its text: nothing compiled yet."""
    return load_document(text, name)


def account_fact_sets(workdir: Path, accounts: int, rules_dir: Path) -> list[dict]:
    """Every account of a generated sweep city: its facts on the night, its open case's fields over them."""
    path = workdir / "accounts.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    sweep_city.generate(path, accounts, rules_dir)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with make_sessionmaker(engine)() as session:
            ids = list(session.scalars(select(UtilityAccount.id).order_by(UtilityAccount.id)))
            fields = dict(session.execute(select(Case.account_id, Case.fields).where(Case.closed_at.is_(None))).all())
            found = facts_for_accounts(session, ids, NIGHT, RuleLibrary.from_folder(rules_dir))
    finally:
        engine.dispose()
    return [{**found[account_id], **fields.get(account_id, {})} for account_id in ids]


def bill_fact_sets(workdir: Path, accounts: int, now: datetime, rules_dir: Path) -> list[dict]:
    """The rate facts of every residential read of a generated billing city, as the billing run builds them."""
    url = f"sqlite:///{workdir / 'bills.db'}"
    reads = billing_city.generate_city(url, accounts, now=now)
    policy = billing_policy(RuleLibrary.from_folder(rules_dir), BILLED_ON)
    water = policy.rate_schedules["residential"]
    return [facts for rule_id, facts in billing_city.plain_facts(url, reads, policy) if rule_id == water]


def distinct(fact_sets: Sequence[dict], doc: RuleDocument) -> int:
    """How many different fact sets there are, by the values of the inputs the document declares."""
    names = sorted(doc.inputs)
    return len({tuple(repr(facts.get(name)) for name in names) for facts in fact_sets})


# --- timing ---------------------------------------------------------------------------------------------


def rate(timer: Callable[[], float], count: int, work: Callable[..., Any], repeats: int = 3,
         setup: Callable[[], Any] | None = None) -> float:
    """How many items a second `work` gets through: the best of `repeats` runs (others share the machine).

    With `setup`, each run first prepares, untimed, what `work` is then given (a document read afresh).
    """
    best = 0.0
    for _ in range(repeats):
        prepared = setup() if setup is not None else None
        start = timer()
        work(prepared) if setup is not None else work()
        elapsed = timer() - start
        best = max(best, count / elapsed if elapsed > 0 else 0.0)
    return best


def each(evaluate: Callable[[dict], Any], items: Sequence[dict]) -> Callable[[], list]:
    """Work that evaluates every item, keeping the answers (as a batch does)."""
    return lambda: [evaluate(item) for item in items]


def bench_criteria(text: str, fact_sets: list[dict], timer: Callable[[], float]) -> dict:
    """Shut-off decisions/s: in batch, by durable_rules alone and by hand, after checking that all agree."""
    doc = fresh(text, str(SHUTOFF))
    batch = criteria.evaluate_batch(doc, fact_sets, NIGHT)
    by_hand = [shutoff_by_hand(facts) for facts in fact_sets]
    if batch.outcomes != by_hand:
        raise AssertionError("the batch and the hand-written shut-off decision disagree")
    sample = range(0, len(fact_sets), max(1, len(fact_sets) // EXPLAINED_SAMPLE))
    if any(criteria.evaluate(doc, fact_sets[i], NIGHT).outcome != by_hand[i] for i in sample):
        raise AssertionError("the explaining evaluation and the hand-written shut-off decision disagree")
    compiled = criteria.compiled_criteria(doc).version(doc.versions[0])
    checked = [check_facts(doc, facts) for facts in fact_sets[:DURABLE_SAMPLE]]
    keys_decided = []

    def cold_batch(cold: RuleDocument) -> None:
        """Decide every fact set with a document read afresh (nothing compiled, no key known)."""
        criteria.evaluate_batch(cold, fact_sets, NIGHT).outcomes
        keys_decided.append(len(criteria.compiled_criteria(cold).version(cold.versions[0]).regions))

    return {
        "criteria_fact_sets": len(fact_sets), "criteria_distinct": distinct(fact_sets, doc),
        "criteria_per_s": rate(timer, len(fact_sets), cold_batch, setup=lambda: fresh(text, str(SHUTOFF))),
        "criteria_keys_decided_by_durable": keys_decided[-1],
        "durable_per_s": rate(timer, len(checked), lambda: compiled.durable.decide_many(checked), repeats=1),
        "plain_criteria_per_s": rate(timer, len(fact_sets), each(shutoff_by_hand, fact_sets)),
    }


def bench_bills(text: str, fact_sets: list[dict], timer: Callable[[], float]) -> dict:
    """Residential water bills/s: in batch, by the explaining evaluation and by hand, after checking that all agree."""
    doc = fresh(text, str(WATER))
    by_hand = [water_bill_by_hand(facts) for facts in fact_sets]
    if pricing.evaluate_batch(doc, fact_sets, BILLED_ON).totals != by_hand:
        raise AssertionError("the batch and the hand-written water bill disagree")
    sample = fact_sets[:EXPLAINED_SAMPLE]
    if [schedule.evaluate(doc, facts, BILLED_ON).total for facts in sample] != by_hand[:len(sample)]:
        raise AssertionError("the explaining evaluation and the hand-written water bill disagree")
    return {
        "bills": len(fact_sets), "bills_distinct": distinct(fact_sets, doc),
        "bills_per_s": rate(timer, len(fact_sets), lambda cold: pricing.evaluate_batch(cold, fact_sets, BILLED_ON).totals,
                            setup=lambda: fresh(text, str(WATER))),
        "explained_bills_per_s": rate(timer, len(sample), each(lambda f: schedule.evaluate(doc, f, BILLED_ON), sample),
                                      repeats=1),
        "plain_bills_per_s": rate(timer, len(fact_sets), each(water_bill_by_hand, fact_sets)),
    }


def run_rules_bench(workdir: Path, accounts: int, *, rules_dir: Path, now: datetime,
                    timer: Callable[[], float], progress: Callable[[str], None] = lambda step: None) -> dict:
    """Generate the city, read its fact sets, check and time every path; the numbers with their ratios."""
    texts = city_documents(rules_dir)
    progress(f"generating {accounts:,} accounts with ledgers and cases, reading their facts")
    decisions = account_fact_sets(workdir, accounts, rules_dir)
    progress(f"generating {accounts:,} accounts with meters and reads, building their rate facts")
    bills = bill_fact_sets(workdir, accounts, now, rules_dir)
    progress("checking and timing")
    results: dict[str, Any] = {"accounts": accounts, "night": NIGHT.isoformat(), "billed_on": BILLED_ON.isoformat()}
    results.update(bench_criteria(texts["shutoff-eligibility"], decisions, timer))
    results.update(bench_bills(texts["water-rates-residential"], bills, timer))
    for name, plain in (("criteria", "plain_criteria_per_s"), ("durable", "plain_criteria_per_s"),
                        ("bills", "plain_bills_per_s"), ("explained_bills", "plain_bills_per_s")):
        results[f"{name}_vs_plain"] = results[f"{name}_per_s"] / results[plain] if results[plain] else 0.0
    results["criteria_target_met"] = results["criteria_per_s"] >= TARGETS["criteria"]
    results["bills_target_met"] = results["bills_per_s"] >= TARGETS["bills"]
    return results

