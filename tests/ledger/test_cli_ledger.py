"""`ordinance ledger verify` and `ordinance ledger rebuild-balances` end to end, on a database of the test's own."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import delete, select, update

from engine.money import ledger
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import AccountBalance, AccountServiceBalance, AuditEntry, BalancesDay
from tests.factories import NOW, create_account
from webapp.cli import main


def run(env: dict, *args: str):
    """One `ordinance` command's result (stderr apart where click keeps it apart)."""
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    return runner.invoke(main, list(args), env=env)


def test_verify_names_the_account_whose_kept_balance_differs_and_a_rebuild_puts_it_right(committing_url, tmp_path):
    """Two accounts billed; one kept row changed by hand: verify exits 1 naming it; rebuild; verify passes."""
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        home, shop = create_account(s), create_account(s)
        for account in (home, shop):
            ledger.post_charge(s, account.id, Decimal("52.03"), on=date(2026, 3, 1), due_on=date(2026, 3, 20),
                               now=NOW, actor="billing", description="Water and sewer")
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    agreed = run(env, "ledger", "verify")
    assert agreed.exit_code == 0 and "Kept balances OK: 2 accounts on 2026-03-01 agree" in agreed.stdout

    with sessions() as s, s.begin():
        s.execute(update(AccountBalance).where(AccountBalance.account_id == shop.id).values(past_due_cents=700))
    differs = run(env, "ledger", "verify")
    assert differs.exit_code == 1
    assert "DIFFER from the ledger for 1 of 2 accounts on 2026-03-01" in differs.stderr
    assert f"{shop.number}: past_due kept 7.00, ledger 0.00" in differs.stderr and home.number not in differs.stderr
    with sessions() as s, s.begin():  # what is kept of a service is checked too (a charge without one: other)
        s.execute(update(AccountServiceBalance).where(AccountServiceBalance.account_id == home.id)
                  .values(unpaid_cents=5000))
    differs = run(env, "ledger", "verify")
    assert f"{home.number}: other unpaid kept 50.00, ledger 52.03; past due kept 0.00, ledger 0.00" in differs.stderr

    rebuilt = run(env, "ledger", "rebuild-balances", "--as-of", "2026-03-21")
    assert rebuilt.exit_code == 0 and "rebuilt from the ledger for 2026-03-21: 2 accounts" in rebuilt.stdout
    assert "2 accounts on 2026-03-21 agree" in run(env, "ledger", "verify").stdout
    with sessions() as s:
        assert s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "ledger.balances_rebuilt")) == \
            {"as_of": "2026-03-21", "accounts": 2}


def test_verify_refuses_balances_that_are_not_kept_yet(committing_url, tmp_path):
    """A ledger older than the table: verify says to rebuild and exits 1."""
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        ledger.post_charge(s, create_account(s).id, Decimal("10.00"), on=date(2026, 3, 1), due_on=date(2026, 3, 20),
                           now=NOW, actor="billing", description="Water and sewer")
        s.execute(delete(AccountBalance))
        s.execute(delete(BalancesDay))
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    refused = run(env, "ledger", "verify")
    assert refused.exit_code == 1 and "run `ordinance ledger rebuild-balances`" in refused.stderr


def test_verify_of_an_empty_ledger_passes(committing_url, tmp_path):
    """Nothing posted yet: nothing to differ."""
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    result = run(env, "ledger", "verify")
    assert result.exit_code == 0 and "the ledger is empty" in result.stdout
