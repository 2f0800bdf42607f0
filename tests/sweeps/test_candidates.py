"""The delinquency sweep's shortcuts never skip work: SQL candidates and the bulk pre-check, against the full rules."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from engine.accounts.facts import standing_facts
from engine.money import ledger
from engine.money.ledger.aging import Posting, age
from engine.rulebook.revisions import sha256_of
from engine.store.models import BalancesDay, Case, LedgerEntry, RuleVersion
from engine.office_counts import past_due_count
from engine.sweeps.casework import might_move
from engine.sweeps.delinquency import maybe_past_due
from engine.workflow import runtime
from engine.workflow.guards import Actor
from tests.factories import create_account, create_case
from tests.sweeps.conftest import at

NIGHT = date(2026, 6, 1)
SERVICES = ("water", "sewer", None)
BY_SERVICE = """\
id: payment-order
kind: payment-order
title: Payments by service
versions:
  - effective: 2026-01-01
    order: {by_service: [water, sewer]}
"""


def random_ledger(session, account_id: int, rng: random.Random) -> None:
    """Charges due before, on and after the night; payments, adjustments, and reversals of either, some on the night."""
    entries = []
    for _ in range(rng.randint(1, 6)):
        on = NIGHT - timedelta(days=rng.randint(0, 90))
        kind = rng.choice(("charge", "charge", "payment", "adjustment", "reverse"))
        amount = Decimal(rng.randint(1, 20000)) / 100
        if kind == "charge":
            entries.append(ledger.post_charge(session, account_id, amount, on=on, now=at(on), actor="billing",
                                              due_on=on + timedelta(days=rng.choice((0, 10, 21, 40))),
                                              description="Water", service=SERVICES[len(entries) % 3]))
        elif kind == "payment":
            entries.append(ledger.post(session, account_id=account_id, kind="payment", amount=-amount, on=on,
                                       now=at(on), actor="carla", description="Payment", reference="test"))
        elif kind == "adjustment":
            entries.append(ledger.post_adjustment(session, account_id, rng.choice((amount, -amount)), on=on,
                                                  now=at(on), actor="sam", reason="test"))
        elif entries and entries[-1].kind in ("charge", "payment"):
            last = entries[-1]
            on = max(last.effective_on, NIGHT - timedelta(days=rng.randint(0, 2)))
            entries.append(ledger.reverse(session, last.id, on=on,
                           now=at(NIGHT), actor="sam", reason="test"))


def test_every_account_past_due_by_aging_is_a_candidate(db):
    """Random ledgers: the SQL candidate list holds every account the full aging finds past due on the night."""
    rng = random.Random(20261113)
    ids = []
    for _ in range(150):
        account = create_account(db)
        random_ledger(db, account.id, rng)
        ids.append(account.id)
    db.flush()
    candidates = set(maybe_past_due(db, NIGHT, min(ids) - 1, max(ids)))
    past_due = {account_id for account_id, s in ledger.standings(db, NIGHT, account_ids=ids) if s.past_due_cents > 0}
    assert past_due and past_due <= candidates
    assert len(candidates) < len(ids)  # it does leave accounts out


def test_under_a_payment_order_by_service_every_account_past_due_is_still_a_candidate(db):
    """Credits pay the water first, even water not due yet: the candidates and the dashboard's count still hold."""
    db.add(RuleVersion(document_id="payment-order", revision=1, kind="payment-order", title="Payments by service",
                       department=None, yaml_text=BY_SERVICE, sha256=sha256_of(BY_SERVICE), status="published",
                       latest_effective=date(2026, 1, 1), author="import", approver="import", created_at=at(NIGHT),
                       published_at=at(NIGHT), note=""))
    rng = random.Random(20261206)
    ids = []
    for _ in range(150):
        account = create_account(db)
        random_ledger(db, account.id, rng)
        ids.append(account.id)
    db.flush()
    candidates = set(maybe_past_due(db, NIGHT, min(ids) - 1, max(ids)))
    standings = dict(ledger.standings(db, NIGHT, account_ids=ids))
    past_due = {account_id for account_id, s in standings.items() if s.past_due_cents > 0}
    oldest_first = {account_id for account_id, s in ledger.standings(db, NIGHT, account_ids=ids)
                    if age_oldest_first(db, account_id).past_due_cents > 0}
    assert past_due and past_due <= candidates and past_due != oldest_first  # the order does change who is late
    db.execute(delete(BalancesDay))  # balances not kept: the dashboard counts from the ledger
    everyone = sum(1 for _, s in ledger.standings(db, NIGHT) if s.past_due_cents > 0)
    assert past_due_count(db, NIGHT) == everyone


def age_oldest_first(db, account_id: int):
    """The account's standing on the night as if credits paid the oldest due first."""
    rows = db.execute(select(LedgerEntry).where(LedgerEntry.account_id == account_id)).scalars()
    return age([Posting(e.id, e.amount_cents, e.effective_on, e.due_on, e.reverses_id, e.service) for e in rows],
               NIGHT)


def test_a_case_the_pre_check_passes_over_has_no_sweep_step_the_runtime_would_allow(db, catalog):
    """Cases in every delinquency state, with balances and dates on both sides: skipped ones have nothing allowed."""
    rng = random.Random(7)
    states = [s for s, state in catalog.workflows.get("delinquency").states.items() if not state.final]
    skipped = 0
    for n in range(80):
        account = create_account(db, cycle="B")
        if n % 3:
            ledger.post_charge(db, account.id, Decimal(rng.choice((20, 60, 120))), on=date(2026, 4, 8), now=at(NIGHT),
                               actor="billing", due_on=date(2026, 4, 29), description="Water")
        day = (NIGHT + timedelta(days=rng.randint(-5, 5))).isoformat()
        create_case(db, subject_id=account.id, account_id=account.id, state=states[n % len(states)],
                    fields={"period": "2026-04", "shutoff_notice_on": day, "door_hanger_on": day, "shutoff_on": day})
    workflow = catalog.workflows.get("delinquency")
    for case in db.scalars(select(Case)):
        facts = standing_facts(ledger.standing(db, case.account_id, NIGHT))
        if might_move(workflow, case, facts, NIGHT):
            continue
        skipped += 1
        verdicts = runtime.steps_allowed(db, catalog.rules, catalog.workflows, case, Actor("sweep:delinquency"), NIGHT)
        assert not any(v.allowed for v in verdicts), (case.state, case.fields, facts)
    assert skipped > 20
