"""`ordinance billing run --statements` and `ordinance billing statements` from the command line."""
from __future__ import annotations

import csv
from datetime import date

from click.testing import CliRunner

from engine.statements.batch import pages_of
from engine.store.db import make_engine, make_sessionmaker
from tests.ledger.billing_support import account_with_reads, reads_file
from tests.statements.conftest import page_text
from webapp.cli import main

WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]
SHOP = [("2025-12", date(2025, 12, 27), 962, 24), ("2026-01", date(2026, 1, 28), 988, 26)]  # 30 CCF is no jump


def test_a_billing_run_makes_its_statements_and_they_can_be_made_again(committing_url, tmp_path):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        home = account_with_reads(s, WINTER).number
        shop = account_with_reads(s, SHOP, meter_size='1"', rate_class="commercial").number
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    reads = reads_file(tmp_path, [f"{home},2026-02-26,1000", f"{shop},2026-02-26,1018"])
    runner = CliRunner()
    billed = runner.invoke(main, ["billing", "run", "--cycle", "A", "--period", "2026-03", "--reads", str(reads),
                                  "--as-of", "2026-03-01", "--statements"], env=env)
    assert billed.exit_code == 0, billed.output
    assert "Billed 2 accounts for $346.11" in billed.output and "Statements: 2 bills, 2 pages in" in billed.output
    pdf = tmp_path / "instance" / "notices" / "statements" / "2026-03" / "statements-A-2026-03.pdf"
    assert pages_of(pdf.read_bytes()) == 2
    text = page_text(pdf, 1) + page_text(pdf, 2)
    assert "$97.45" in text and "$248.66" in text
    with (pdf.parent / "postal-summary-A-2026-03.csv").open(newline="") as handle:
        assert list(csv.DictReader(handle))[-1] == {"zip": "all", "language": "all", "pieces": "2", "pages": "2"}

    again = runner.invoke(main, ["billing", "statements", "--cycle", "A", "--period", "2026-03",
                                 "--folder", str(tmp_path / "again")], env=env)
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "2026-03" / "statements-A-2026-03.pdf").exists()


def test_statements_of_a_run_without_bills_say_so_and_write_nothing(committing_url, tmp_path):
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    result = CliRunner().invoke(main, ["billing", "statements", "--cycle", "Z", "--period", "2026-03"], env=env)
    assert result.exit_code == 1
    assert "no bills for cycle Z in 2026-03" in result.output
    assert not (tmp_path / "instance" / "notices" / "statements").exists()
    bad = CliRunner().invoke(main, ["billing", "statements", "--cycle", "A", "--period", "2026-3"], env=env)
    assert bad.exit_code != 0 and "2026-3" in bad.output
