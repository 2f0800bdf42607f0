"""The command line end to end: billing run from a file, payments import, and the reports as CSV."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

from click.testing import CliRunner

from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import User
from tests.ledger.billing_support import account_with_reads, reads_file
from tests.ledger.money_support import payment_file
from webapp.cli import main

WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]
SHOP = [("2025-12", date(2025, 12, 27), 962, 24), ("2026-01", date(2026, 1, 28), 988, 26)]  # 30 CCF is no jump


def _csv(text: str) -> list[dict]:
    """Rows of CSV text."""
    return list(csv.DictReader(io.StringIO(text)))


def test_billing_payments_and_reports_from_the_command_line(committing_url, tmp_path, monkeypatch):
    """Bill, pay, and read the register, rate summary, receipts, aging, GL export and trial balance."""
    # The command line's clock on March 5 (09:00 in the city): the payment file's paid-on dates must be near it.
    monkeypatch.setattr("webapp.cli.context.now", lambda: datetime(2026, 3, 5, 17, 0, tzinfo=timezone.utc))
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        home = account_with_reads(s, WINTER).number
        shop = account_with_reads(s, SHOP, meter_size='1"', rate_class="commercial").number
        s.add(User(username="sam", full_name="Sam Supervisor", role="supervisor", password_hash="-",
                   created_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    reads = reads_file(tmp_path, [f"{home},2026-02-26,1000", "GHOST-1,2026-02-26,3", f"{shop},2026-02-26,1018"])
    args = ["billing", "run", "--cycle", "A", "--period", "2026-03", "--reads", str(reads), "--as-of", "2026-03-01",
            "--exceptions", str(tmp_path / "exceptions.csv")]
    first = runner.invoke(main, args, env=env)
    assert first.exit_code == 1, first.output
    assert f"{reads}:3: GHOST-1: unknown account GHOST-1" in first.stderr
    assert "Billed 2 accounts for $346.11" in first.stdout
    again = runner.invoke(main, args, env=env)
    assert "Billed 0 accounts" in again.stdout and "2 already billed" in again.stdout

    payments = payment_file(tmp_path / "online.csv", [f"{home},100.00,2026-03-05,card,,WEB-1"])
    paid = runner.invoke(main, ["payments", "import", str(payments), "--source", "online"], env=env)
    assert paid.exit_code == 0 and "Posted 1 payments for $100.00" in paid.stdout

    register = _csv(runner.invoke(main, ["reports", "billing-register", "--cycle", "A", "--period", "2026-03"],
                                  env=env).stdout)
    assert [(r["account_number"], r["total"]) for r in register] == sorted(
        [(home, "97.45"), (shop, "248.66")]) + [("TOTAL", "346.11")]
    summary = _csv(runner.invoke(main, ["reports", "rate-summary", "--period", "2026-03"], env=env).stdout)
    assert {(r["rate_code"], r["billed"]) for r in summary} == {("water-rates-commercial", "248.66"),
                                                               ("water-rates-residential", "97.45")}
    receipts = _csv(runner.invoke(main, ["reports", "daily-receipts", "--date", "2026-03-05"], env=env).stdout)
    assert receipts[-1]["amount"] == "100.00" and receipts[0]["source"] == "online"
    aging = {r["account_number"]: r for r in _csv(runner.invoke(
        main, ["reports", "aging", "--as-of", "2026-04-30"], env=env).stdout)}
    assert aging[home]["balance"] == "-2.55" and aging[home]["current"] == "-2.55"
    assert aging[shop]["days_31_60"] == "248.66" and aging[shop]["days_past_due"] == "38"
    assert aging["TOTAL"]["balance"] == "246.11"
    trial = _csv(runner.invoke(main, ["reports", "trial-balance", "--as-of", "2026-03-31"], env=env).stdout)
    total = trial[-1]
    assert total["account"] == "TOTAL" and total["debit"] == total["credit"]
    by_account = {(r["fund"], r["account"]): r for r in trial[:-1]}
    assert by_account[("510", "1210")]["debit"] == "246.11"
    assert by_account[("520", "4220")]["credit"] == str(Decimal("16.33") + Decimal("22.26") + Decimal("25.48")
                                                        + Decimal("102.48"))
    assert by_account[("100", "2310")]["credit"] == "16.48"  # franchise fees 4.64 + 11.84
    gl = _csv(runner.invoke(main, ["reports", "gl-export", "--date", "2026-03-01", "--as", "sam"], env=env).stdout)
    assert sum(Decimal(r["debit"]) for r in gl) == sum(Decimal(r["credit"]) for r in gl) == Decimal("346.11")
