"""Balances kept as they change: by every posting, by the night's roll-over (what the date alone changes), a rebuild."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select, update

from engine.money import ledger
from engine.money.ledger import kept
from engine.money.ledger.balances import OWING, PAST_DUE, count_of, kept_on, standings_of, standings_on
from engine.money.ledger.moving import crossing_due_dates, crossings, moving_accounts
from engine.money.ledger.verify import check_balances
from engine.store.models import AccountBalance, AuditEntry, BalancesDay
from tests.factories import NOW, create_account

MARCH_1 = date(2026, 3, 1)


def charge(db, account_id: int, dollars: str, *, on: date, due_on: date) -> None:
    """A water bill."""
    ledger.post_charge(db, account_id, Decimal(dollars), on=on, due_on=due_on, now=NOW, actor="billing",
                       description="Water and sewer")


def pay(db, account_id: int, dollars: str, *, on: date) -> None:
    """A payment at the counter."""
    ledger.post(db, account_id=account_id, kind="payment", amount=-Decimal(dollars), on=on, now=NOW, actor="carla",
                description="Payment (cash, counter)")


def kept_row(db, account_id: int) -> dict:
    """The account's kept row as values."""
    row = db.get(AccountBalance, account_id, populate_existing=True)
    return {name: getattr(row, name) for name in kept.KEPT_COLUMNS}


def test_a_posting_keeps_its_account_s_balance_on_the_kept_day(db):
    """A $52.03 bill due March 20 and $20.00 paid on March 1: kept as $32.03, all current, on the first day posted."""
    account = create_account(db).id
    charge(db, account, "52.03", on=MARCH_1, due_on=date(2026, 3, 20))
    assert kept_on(db) == MARCH_1
    pay(db, account, "20.00", on=MARCH_1)
    pay(db, account, "5.00", on=date(2026, 3, 5))  # dated after the kept day: it counts from March 5
    assert kept_row(db, account) == {"balance_cents": 3203, "past_due_cents": 0, "oldest_unpaid_due": None,
                                     "current_cents": 3203, "days_1_30_cents": 0, "days_31_60_cents": 0,
                                     "days_61_90_cents": 0, "over_90_cents": 0}
    assert standings_on(db, date(2026, 3, 25), [account])[account].past_due_cents == 2703


def test_a_posting_rolled_back_leaves_no_kept_balance(db):
    """The kept row is written in the posting's own transaction."""
    account = create_account(db).id
    with db.begin_nested() as savepoint:
        charge(db, account, "10.00", on=MARCH_1, due_on=MARCH_1)
        savepoint.rollback()
    assert db.get(AccountBalance, account, populate_existing=True) is None


def test_the_aging_boundaries_are_those_of_the_buckets():
    """An amount changes bucket on its 1st, 31st, 61st and 91st day late: from March 1 to 2, debts due these days."""
    assert crossings() == (1, 31, 61, 91) and crossings((15, 45, 120)) == (1, 16, 46, 121)
    one_each = [(day, day) for day in (date(2025, 12, 1), date(2025, 12, 31), date(2026, 1, 30), MARCH_1)]
    assert crossing_due_dates(MARCH_1, date(2026, 3, 2)) == one_each
    assert crossing_due_dates(MARCH_1, date(2026, 4, 1)) == [(date(2025, 12, 1), date(2026, 3, 31))]


def test_the_roll_over_works_out_only_the_accounts_whose_charges_fall_due_or_age(db):
    """From March 1 to March 2: a bill due March 1 falls due, one due January 30 turns 31 days late, an entry
    dated March 2 takes effect; a paid bill, a debt long over 90 days and a credit do not move."""
    falls_due, paid, long_late, turns_31, dated_ahead, credit = (create_account(db).id for _ in range(6))
    charge(db, falls_due, "40.00", on=date(2026, 2, 8), due_on=MARCH_1)
    charge(db, paid, "40.00", on=date(2026, 2, 8), due_on=MARCH_1)
    pay(db, paid, "40.00", on=date(2026, 2, 20))
    charge(db, long_late, "40.00", on=date(2025, 10, 1), due_on=date(2025, 10, 20))
    charge(db, turns_31, "40.00", on=date(2026, 1, 10), due_on=date(2026, 1, 30))
    charge(db, dated_ahead, "40.00", on=date(2026, 3, 2), due_on=date(2026, 3, 23))
    pay(db, credit, "25.00", on=date(2026, 2, 2))
    kept.rebuild_balances(db, MARCH_1, now=NOW, actor="test")

    assert moving_accounts(db, MARCH_1, date(2026, 3, 2)) == {falls_due, turns_31, dated_ahead}
    done = kept.roll_over(db, date(2026, 3, 2), now=NOW, actor="sweep:balances-rollover")
    assert (done.from_day, done.to_day, done.accounts, done.rebuilt) == (MARCH_1, date(2026, 3, 2), 3, False)
    assert kept_row(db, falls_due)["past_due_cents"] == 4000
    assert kept_row(db, turns_31)["days_31_60_cents"] == 4000
    assert kept_row(db, dated_ahead)["current_cents"] == 4000
    assert check_balances(db).agrees
    assert kept.roll_over(db, date(2026, 3, 2), now=NOW, actor="sweep:balances-rollover").accounts == 0
    assert kept.roll_over(db, MARCH_1, now=NOW, actor="sweep:balances-rollover").to_day == date(2026, 3, 2)


def test_readers_give_the_ledger_s_standing_on_a_day_the_roll_over_has_not_reached(db):
    """Kept on March 1, read on April 15 and on February 15: the moved accounts are worked out from the ledger."""
    accounts = [create_account(db).id for _ in range(4)]
    charge(db, accounts[0], "40.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    charge(db, accounts[1], "40.00", on=date(2026, 3, 1), due_on=date(2026, 3, 20))
    charge(db, accounts[2], "40.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    pay(db, accounts[2], "40.00", on=date(2026, 2, 25))
    kept.rebuild_balances(db, MARCH_1, now=NOW, actor="test")
    for day in (date(2026, 4, 15), date(2026, 2, 15), MARCH_1):
        by_ledger = {a: ledger.standing(db, a, day) for a in accounts}
        assert standings_on(db, day, accounts) == by_ledger
        past_due = {a for a, s in by_ledger.items() if s.past_due_cents > 0}
        assert {a for a, _ in standings_of(db, day, PAST_DUE)} >= past_due
        assert count_of(db, day, PAST_DUE) == sum(1 for _, s in ledger.standings(db, day) if s.past_due_cents > 0)
        assert count_of(db, day, OWING) == sum(1 for _, s in ledger.standings(db, day) if s.balance_cents > 0)


def test_a_rebuild_replaces_every_kept_row_from_the_ledger_and_is_audited(db):
    """A kept row changed by hand is found by the check, and the rebuild puts it right."""
    account = create_account(db).id
    charge(db, account, "52.03", on=MARCH_1, due_on=date(2026, 3, 20))
    db.execute(update(AccountBalance).where(AccountBalance.account_id == account).values(balance_cents=1))
    check = check_balances(db)
    assert not check.agrees and [d.account_id for d in check.differences] == [account]
    assert check.differences[0].kept["balance_cents"] == 1 and check.differences[0].ledger["balance_cents"] == 5203
    kept.rebuild_balances(db, date(2026, 3, 21), now=NOW, actor="cli:sam")
    assert check_balances(db).agrees and kept_row(db, account)["past_due_cents"] == 5203
    audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.balances_rebuilt")
                         .order_by(AuditEntry.id)).all()[-1]
    assert (audited.actor, audited.detail["as_of"]) == ("cli:sam", "2026-03-21")


def test_balances_not_kept_yet_are_read_from_the_ledger_and_the_roll_over_builds_them(db):
    """A ledger older than the table (no kept day): readers work from the ledger; the first roll-over rebuilds."""
    account = create_account(db).id
    charge(db, account, "52.03", on=MARCH_1, due_on=date(2026, 3, 20))
    db.execute(delete(AccountBalance))
    db.execute(delete(BalancesDay))
    assert kept_on(db) is None and not check_balances(db).agrees
    pay(db, account, "2.03", on=date(2026, 3, 2))  # not kept: the posting writes no kept row
    assert db.get(AccountBalance, account, populate_existing=True) is None
    assert standings_on(db, date(2026, 3, 25), [account])[account].past_due_cents == 5000
    assert count_of(db, date(2026, 3, 25), PAST_DUE) >= 1
    assert kept.roll_over(db, date(2026, 3, 25), now=NOW, actor="sweep:balances-rollover").rebuilt
    assert kept_row(db, account)["past_due_cents"] == 5000 and check_balances(db).agrees


def test_a_sweep_chunk_holds_its_kept_balances_until_it_ends(db):
    """Inside holding_balances a posting's kept row waits for the block's end; a reader of the kept rows sees it
    all the same; a posting in a savepoint rolled back leaves the account's earlier held standing; a block that
    fails writes nothing."""
    first, second = create_account(db).id, create_account(db).id
    charge(db, first, "10.00", on=MARCH_1, due_on=MARCH_1)
    with kept.holding_balances(db):
        charge(db, first, "5.00", on=MARCH_1, due_on=MARCH_1)
        assert db.scalar(select(AccountBalance.balance_cents).where(AccountBalance.account_id == first)) == 1000
        assert count_of(db, MARCH_1, OWING) == 1  # the reader writes what is held first
        assert kept_row(db, first)["balance_cents"] == 1500
        charge(db, second, "7.00", on=MARCH_1, due_on=MARCH_1)
        with db.begin_nested() as savepoint:
            charge(db, second, "100.00", on=MARCH_1, due_on=MARCH_1)
            savepoint.rollback()
    assert (kept_row(db, first)["balance_cents"], kept_row(db, second)["balance_cents"]) == (1500, 700)
    try:
        with kept.holding_balances(db):
            charge(db, first, "1.00", on=MARCH_1, due_on=MARCH_1)
            raise RuntimeError("the chunk failed")
    except RuntimeError:
        pass
    assert kept_row(db, first)["balance_cents"] == 1500  # (its transaction is rolled back with the chunk)


def test_due_dates_crossing_a_boundary_by_the_first_days_a_date_holds():
    """No due date lies before the year 1: the ranges start at date.min, never an OverflowError; a boundary of more
    days than lie between the year 1 and `later` is crossed by no due date."""
    assert crossing_due_dates(date.min, date(1, 1, 20)) == [(date.min, date(1, 1, 19))]  # a day late only
    assert crossing_due_dates(date.min, date(1, 3, 15)) == [(date.min, date(1, 3, 14))]
    assert crossing_due_dates(date(1, 1, 5), date(1, 1, 5)) == []


def test_the_boundaries_crossed_near_the_first_day_of_the_calendar_are_worked_out(db):
    """An aging report asked as of 0001-01-01 (a clerk's slip of the keyboard) was a 500 (OverflowError) once balances
    were kept: the due dates before the calendar's first day are none, and no account has moved."""
    first = date.min
    assert crossing_due_dates(first, MARCH_1) == [(first, date(2026, 2, 28))]
    assert crossing_due_dates(first, first) == []
    assert crossing_due_dates(first, date(1, 1, 2)) == [(first, first)]
    account = create_account(db).id
    charge(db, account, "40.00", on=date(2026, 2, 8), due_on=MARCH_1)
    kept.rebuild_balances(db, MARCH_1, now=NOW, actor="test")
    assert account in moving_accounts(db, MARCH_1, first)
    assert standings_on(db, first, [account])[account].balance_cents == 0
