"""The cash-only review sweep: cash-only lifted once the returned payments have aged out of 12 months, and only then."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.store.models import AuditEntry, Payment, SweepRun, UtilityAccount
from engine.sweeps.registry import get_sweep
from engine.sweeps.report import SweepReport
from engine.sweeps.runner import SweepContext
from tests.factories import create_account
from tests.sweeps.conftest import at, sweep

ON = date(2026, 11, 24)  # the sweep's night


def returned(session, account_id: int, on: date, n: int) -> None:
    """A check received a week before `on` and returned by the bank on `on`."""
    session.add(Payment(account_id=account_id, amount_cents=5000, tender="check", source="counter",
                        received_on=on - timedelta(days=7), idempotency_key=f"test-{account_id}-{on}-{n}",
                        status="returned", returned_on=on, return_reason="NSF", actor="carla",
                        posted_at=at(on - timedelta(days=7))))


def cash_only_city(committing_db) -> dict[str, int]:
    """Three accounts: two returns 13 months ago (cash-only), two returns with one 2 months ago (cash-only), and one
    that was never cash-only although its returns aged out too."""
    with committing_db() as session, session.begin():
        aged, recent, never = (create_account(session, cash_only=True), create_account(session, cash_only=True),
                               create_account(session))
        for n, on in enumerate((date(2025, 10, 1), date(2025, 10, 20))):
            returned(session, aged.id, on, n)
            returned(session, never.id, on, n)
        returned(session, recent.id, date(2026, 3, 5), 0)
        returned(session, recent.id, date(2026, 9, 24), 1)
        return {"aged": aged.id, "recent": recent.id, "never": never.id}


def cash_only(committing_db) -> dict[int, bool]:
    """Every account's cash-only flag by id."""
    with committing_db() as session:
        return dict(session.execute(select(UtilityAccount.id, UtilityAccount.cash_only)).all())


def clearing_rows(committing_db) -> list[tuple]:
    """The audit rows of cash-only being cleared: (actor, account, detail)."""
    with committing_db() as session:
        return [(e.actor, e.subject_id, e.detail) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account.cash_only").order_by(AuditEntry.id))]


def test_the_sweep_is_registered_and_visits_only_cash_only_accounts_in_id_order(committing_db):
    """Its name finds it; its subjects are the cash-only accounts, chunked after the cursor."""
    ids = cash_only_city(committing_db)
    review = get_sweep("cash-only-review")
    night = SweepContext(review.name, ON, at(ON), SweepReport(), False, None, None, ON)
    with committing_db() as session:
        assert review.subject_ids(session, night, 0, 10) == [ids["aged"], ids["recent"]]
        assert review.subject_ids(session, night, 0, 1) == [ids["aged"]]
        assert review.subject_ids(session, night, ids["aged"], 10) == [ids["recent"]]


def test_returns_aged_out_clear_cash_only_and_a_recent_one_keeps_it(committing_db, catalog):
    """Two returns 13 months ago: cleared with an audit row; a return 2 months ago (two in 12 months): kept."""
    ids = cash_only_city(committing_db)
    outcome = sweep(committing_db, catalog, on=ON, name="cash-only-review")
    assert outcome.status == "done"
    assert outcome.report["exceptions"] == []
    assert outcome.report["subjects"] == 2
    assert outcome.report["steps"] == {"clear_cash_only": 1, "keep_cash_only": 1}
    assert cash_only(committing_db) == {ids["aged"]: False, ids["recent"]: True, ids["never"]: False}
    [(actor, subject, detail)] = clearing_rows(committing_db)
    assert (actor, subject) == ("sweep:cash-only-review", str(ids["aged"]))
    assert detail == {"cash_only": False, "returned_payments_12m": 0, "rule_id": "cash-only-status",
                      "rule_version": "2025-01-01", "as_of": "2026-11-24"}


def test_the_day_the_second_return_ages_out_the_recent_account_is_cleared(committing_db, catalog):
    """The account with returns on 2026-03-05 and 2026-09-24 is kept on 2027-03-04 and cleared on 2027-03-05."""
    ids = cash_only_city(committing_db)
    kept = sweep(committing_db, catalog, on=date(2027, 3, 4), name="cash-only-review").report
    assert kept["steps"] == {"clear_cash_only": 1, "keep_cash_only": 1}
    assert cash_only(committing_db)[ids["recent"]] is True
    cleared = sweep(committing_db, catalog, on=date(2027, 3, 5), name="cash-only-review").report
    assert cleared["steps"] == {"clear_cash_only": 1}
    assert cash_only(committing_db)[ids["recent"]] is False
    assert [row[2]["returned_payments_12m"] for row in clearing_rows(committing_db)] == [0, 1]


def test_run_twice_the_second_run_changes_nothing(committing_db, catalog):
    """The same night again is already done; the next night finds only the kept account and keeps it."""
    ids = cash_only_city(committing_db)
    sweep(committing_db, catalog, on=ON, name="cash-only-review")
    flags, rows = cash_only(committing_db), clearing_rows(committing_db)
    again = sweep(committing_db, catalog, on=ON, name="cash-only-review")
    assert again.status == "already_done"
    next_night = sweep(committing_db, catalog, on=ON + timedelta(days=1), name="cash-only-review")
    assert next_night.status == "done" and next_night.report["subjects"] == 1
    assert next_night.report["steps"] == {"keep_cash_only": 1}
    assert cash_only(committing_db) == flags and flags[ids["recent"]] is True
    assert clearing_rows(committing_db) == rows and len(rows) == 1


def test_a_dry_run_reports_the_clearing_and_writes_nothing(committing_db, catalog):
    """A dry run counts what it would clear; flags, audit rows and runs are as they were."""
    ids = cash_only_city(committing_db)
    with committing_db() as session:
        audit_rows = session.scalar(select(func.count()).select_from(AuditEntry))
    outcome = sweep(committing_db, catalog, on=ON, name="cash-only-review", dry_run=True)
    assert outcome.status == "dry_run"
    assert outcome.report["steps"] == {"clear_cash_only": 1, "keep_cash_only": 1}
    assert cash_only(committing_db) == {ids["aged"]: True, ids["recent"]: True, ids["never"]: False}
    with committing_db() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows
        assert session.scalar(select(func.count()).select_from(SweepRun)) == 0
