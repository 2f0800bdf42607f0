"""The night's roll-over of the kept balances: a sweep run once a night before the others, changing only what moved."""
from __future__ import annotations

from datetime import timedelta

from engine.money.ledger.balances import PAST_DUE, count_of, kept_on
from engine.money.ledger.verify import check_balances
from engine.store.models import AccountBalance
from tests.sweeps.conftest import BILLED, DUE, NIGHT, sweep


def test_the_roll_over_moves_the_bills_that_fell_due_and_runs_once_a_night(committing_db, catalog, city):
    """Kept from the billing day. The due date's night takes in the payments of the 22 accounts that paid (all or
    part) on that day; the next night only the ten unpaid bills move, to past due. Each night's roll-over runs
    once; none goes back."""
    with committing_db() as session:
        assert kept_on(session) == BILLED
    on_the_due_date = sweep(committing_db, catalog, on=DUE, name="balances-rollover").report
    assert on_the_due_date["extra"]["balances"]["accounts_worked_out"] == 22
    done = sweep(committing_db, catalog, on=NIGHT, name="balances-rollover")
    assert done.status == "done" and done.report["steps"] == {"balances.rolled_over": 1}
    assert done.report["extra"]["balances"] == {"from": DUE.isoformat(), "to": NIGHT.isoformat(),
                                                "accounts_worked_out": 10}
    with committing_db() as session:
        assert kept_on(session) == NIGHT and check_balances(session).agrees
        assert session.query(AccountBalance).filter(AccountBalance.past_due_cents > 0).count() == 10
    assert sweep(committing_db, catalog, on=NIGHT, name="balances-rollover").status == "already_done"
    earlier = sweep(committing_db, catalog, on=NIGHT - timedelta(days=5), name="balances-rollover")
    assert earlier.report["subjects"] == 0  # the kept day never goes back
    with committing_db() as session:
        assert kept_on(session) == NIGHT


def test_the_delinquency_sweep_does_the_same_with_or_without_the_night_s_roll_over(committing_db, catalog, city):
    """Candidates read from balances kept on the billing day (worked out where they moved) or rolled over: alike."""
    without = sweep(committing_db, catalog, on=NIGHT, dry_run=True).report
    sweep(committing_db, catalog, on=NIGHT, name="balances-rollover")
    rolled = sweep(committing_db, catalog, on=NIGHT, dry_run=True).report
    assert without == rolled and without["subjects"] == 10 and without["cases_opened"] == {"delinquency": 10}
    with committing_db() as session:
        assert count_of(session, NIGHT, PAST_DUE) == 10
