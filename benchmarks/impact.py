"""The impact benchmark: a draft's impact on a generated city, against a bare evaluation of the same population.

It generates the sweep benchmark's city of N accounts (benchmarks.sweep_city: ledgers, kept
balances, yesterday's open cases) and gives every account its last bill (a month's use, the
period before the night), then makes two drafts the way the form editor makes them
(engine.rules.editing): the residential water schedule with tier 2 raised 5% from the first of
next month, and the shut-off criteria with the $50.00 threshold raised to $60.00 from the same
day. It times, on the same database in the same run:

- each draft's impact as the background job works it out (`engine.rulebook.impact.impact_of_draft`:
  the population read a chunk at a time, the version in force and the draft's evaluated, compared,
  counted, the largest increases and the examples explained);
- a bare evaluation of the same population: its facts read as the impact reads them, and the
  published document evaluated once over them by the same batch path, nothing compared or kept.

The ratio impact / bare says what the impact adds to the least any answer over those accounts costs.
`timer` is passed in (the command line hands `time.perf_counter`), and `cpu_timer` when given (the command
line hands `time.process_time`): on a shared machine the wall clock is mostly waiting for a CPU, and the
process's own CPU seconds say what the work costs.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks import sweep_city
from engine.money.billing import billing_policy
from engine.rulebook.evaluations import Evaluations
from engine.rulebook.impact import billed_accounts, impact_of_draft, past_due_accounts
from engine.rules import editing
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.db import make_engine, make_sessionmaker
from engine.store.schema import upgrade

TODAY = sweep_city.NIGHT
EFFECTIVE = date(TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1, 1)  # the first of next month
WATER, SHUTOFF = "water-rates-residential", "shutoff-eligibility"  # the sample city's documents
CHUNK = 2000


def add_last_bills(path: Path, accounts: int) -> None:
    """Every generated account's last bill: October's use (1 to 23 CCF), as the billing run leaves it."""
    connection = sqlite3.connect(str(path), isolation_level=None)
    try:
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO bills (id, account_id, cycle, period, service_from, service_to, billed_on, due_on, "
            "consumption_ccf, total_cents, rule_id, rule_version, explanation) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((n, n, "ABCD"[n % 4], "2026-10", "2026-09-15", "2026-10-14", "2026-10-15", "2026-11-05",
              1 + (n * 7) % 23, 0, WATER, "2026-07-01", "{}") for n in range(1, accounts + 1)))
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def rate_draft(rules_dir: Path) -> str:
    """The residential schedule with a version from the first of next month, tier 2 raised 5% (as the form does)."""
    text = (rules_dir / "utilities" / f"{WATER}.yaml").read_text(encoding="utf-8")
    made = editing.new_version(text, EFFECTIVE)
    text = made.text
    blocks = editing.data_at(load_document(text, "draft").versions[made.index].body, "lines[1].tiers.blocks")
    for size, tiers in blocks.items():
        text = editing.set_value(text, f"versions[{made.index}].lines[1].tiers.blocks.{size}[1].rate",
                                 editing.changed_by_percent(tiers[1]["rate"], Decimal(5)))
    return text


def criteria_draft(rules_dir: Path) -> str:
    """The shut-off criteria with a version from the first of next month, the $50.00 threshold at $60.00."""
    text = (rules_dir / "utilities" / f"{SHUTOFF}.yaml").read_text(encoding="utf-8")
    made = editing.new_version(text, EFFECTIVE)
    fifty = [cell.path for cell in editing.cells(made.text, [made.index]).values() if cell.written == "50.00"]
    typed, problems = editing.apply_cells(made.text, dict.fromkeys(fifty, "60.00"))
    assert fifty and not problems, problems
    return typed


def run_impact_bench(workdir: Path, accounts: int, *, rules_dir: Path, timer: Callable[[], float],
                     progress: Callable[[str], None] = lambda step: None,
                     cpu_timer: Callable[[], float] | None = None) -> dict[str, Any]:
    """Generate the city, make the two drafts, time each impact and the bare evaluation of its population."""
    path = workdir / "impact.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    progress(f"generating {accounts:,} accounts with ledgers, kept balances, cases and a last bill")
    sweep_city.generate(path, accounts, rules_dir)
    add_last_bills(path, accounts)
    library = RuleLibrary.from_folder(rules_dir)
    policy = billing_policy(library, TODAY)
    drafts = {WATER: load_document(rate_draft(rules_dir), f"{WATER} (draft)"),
              SHUTOFF: load_document(criteria_draft(rules_dir), f"{SHUTOFF} (draft)")}
    results: dict[str, Any] = {"accounts": accounts, "today": TODAY.isoformat(), "effective": EFFECTIVE.isoformat()}
    engine = make_engine(f"sqlite:///{path}")
    try:
        sessions = make_sessionmaker(engine)
        for name, document_id, population, evaluate in (
                ("rate", WATER, lambda s: billed_accounts(s, ["residential"], CHUNK, policy),
                 lambda e, facts: e.totals(facts)),
                ("criteria", SHUTOFF, lambda s: past_due_accounts(s, TODAY, CHUNK, library,
                                                                   reads=set(library.get(SHUTOFF).inputs)),
                 lambda e, facts: e.outcomes(facts))):
            progress(f"timing the {name} draft's impact and a bare evaluation of its population")
            with sessions() as session:
                start, cpu = timer(), cpu_timer() if cpu_timer else 0.0
                report = impact_of_draft(session, drafts[document_id], library, TODAY, chunk=CHUNK)
                results[f"{name}_impact_seconds"] = timer() - start
                if cpu_timer:
                    results[f"{name}_impact_cpu_seconds"] = cpu_timer() - cpu
            with sessions() as session:
                start, cpu = timer(), cpu_timer() if cpu_timer else 0.0
                facts = [facts for _, facts in population(session)]
                answers = evaluate(Evaluations(library, document_id, TODAY), facts)
                results[f"{name}_bare_seconds"] = timer() - start
                if cpu_timer:
                    results[f"{name}_bare_cpu_seconds"] = cpu_timer() - cpu
            counted = report.money.affected if report.money else report.outcomes.counted
            results[f"{name}_subjects"] = len(answers)
            results[f"{name}_counted"] = counted
            results[f"{name}_changed"] = (report.money.affected - report.money.bands["no change"]) if report.money \
                else report.outcomes.changed_count
            bare = results[f"{name}_bare_seconds"]
            results[f"{name}_ratio"] = results[f"{name}_impact_seconds"] / bare if bare else 0.0
    finally:
        engine.dispose()
    return results
