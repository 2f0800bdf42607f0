"""One command-line context: every command's database, date and failures go through webapp.cli.context."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from engine.city import update_city
from engine.money.ledger.posting import LedgerError
from engine.store.db import transaction
from webapp.cli.failures import CityGroup

# 03:00 UTC on July 1 is still the evening of June 30 in Alder Creek (America/Los_Angeles).
JULY_FIRST_UTC = datetime(2026, 7, 1, 3, 0, tzinfo=timezone.utc)

POOL_PERMIT = """\
id: pool-permit-fee
kind: schedule
title: Pool permit
versions:
  - effective: 2026-01-01
    reference: Resolution 2025-70
    lines:
      - name: Permit
        amount: 40.00
  - effective: 2026-07-01
    reference: Resolution 2026-31
    lines:
      - name: Permit
        amount: 45.00
"""


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    """A rules folder holding a pool permit whose fee changes on July 1, 2026."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "pool-permit-fee.yaml").write_text(POOL_PERMIT, encoding="utf-8")
    return folder


@pytest.fixture()
def empty_url(tmp_path: Path) -> str:
    """A database with no tables (never upgraded)."""
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture()
def late_evening(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The command line's clock stopped at 03:00 UTC on July 1, 2026."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: JULY_FIRST_UTC)
    return JULY_FIRST_UTC


@pytest.mark.parametrize("args", [
    ("rules", "show", "pool-permit-fee", "--as-of", "2026-13-01"),
    ("reports", "aging", "--as-of", "2026-13-01"),
    ("sweep", "report", "delinquency", "--as-of", "2026-13-01"),
    ("cases", "show", "1", "--on", "13/01/2026"),
])
def test_a_date_that_is_not_one_names_the_option_and_the_form(cli, args):
    result = cli(*args)
    option = args[-2]
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stderr and "write it as YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output


def test_a_date_outside_the_years_the_city_keeps_is_refused(cli):
    result = cli("reports", "trial-balance", "--as-of", "1899-12-31")
    assert result.exit_code == 2
    assert "Invalid value for '--as-of': 1899-12-31 is outside the years 1990 to 2100" in result.stderr


@pytest.mark.parametrize("args", [
    ("users", "list"), ("audit", "verify"), ("tokens", "revoke", "portal"), ("sweep", "list"),
    ("sweep", "report", "delinquency"), ("reports", "aging"), ("cash", "balancing"),
    ("payments", "return", "1", "--reason", "NSF", "--as", "sam"), ("rules", "history", "pool-permit-fee"),
    ("rules", "show", "pool-permit-fee"), ("cases", "show", "1"), ("scheduler", "--no-catch-up"), ("jobs", "list"),
])
def test_a_database_without_tables_says_to_run_db_upgrade(cli, empty_url, rules_dir, args):
    result = cli(*args, *(("--rules-dir", str(rules_dir)) if args[:2] == ("rules", "show") else ()),
                 env_overrides={"DATABASE_URL": empty_url})
    assert result.exit_code == 1
    assert result.stderr.endswith("no Ordinance tables yet; run `ordinance db upgrade` first\n")
    assert "Traceback" not in result.output


def test_rules_show_marks_the_version_in_force_on_the_city_date_not_the_machine_date(cli, rules_dir, late_evening):
    """At 03:00 UTC on July 1 it is June 30 in the city: the fee of January is still in force."""
    result = cli("rules", "show", "pool-permit-fee", "--rules-dir", str(rules_dir))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-3:] == [
        "  * 2026-01-01  Resolution 2025-70",
        "    2026-07-01  Resolution 2026-31",
        "  in force on 2026-06-30: 2026-01-01",
    ]


def test_the_city_date_follows_the_time_zone_the_city_saved(cli, committing_db, rules_dir, late_evening):
    """A city in Auckland is already at 15:00 on July 1: the new fee is in force there."""
    with transaction(committing_db) as session:
        update_city(session, actor="test", now=late_evening, timezone="Pacific/Auckland")
    result = cli("rules", "show", "pool-permit-fee", "--rules-dir", str(rules_dir))
    assert result.stdout.splitlines()[-1] == "  in force on 2026-07-01: 2026-07-01"


def test_a_sweep_report_without_as_of_is_for_the_city_date(cli, late_evening):
    result = cli("sweep", "report", "delinquency")
    assert (result.exit_code, result.stderr) == \
        (1, "Error: Delinquency notices and shut-offs (delinquency) has not run for 2026-06-30\n")


def test_rules_show_with_as_of_needs_no_database(cli, empty_url, rules_dir):
    """Given the day, `rules show` reads only the folder."""
    result = cli("rules", "show", "pool-permit-fee", "--as-of", "2026-07-01", "--rules-dir", str(rules_dir),
                 env_overrides={"DATABASE_URL": empty_url})
    assert result.exit_code == 0 and result.stdout.endswith("  in force on 2026-07-01: 2026-07-01\n")


def test_a_domain_error_is_a_message_and_exit_1_not_a_traceback(cli):
    """Returning a payment that does not exist: PaymentError, told as `Error: ...`."""
    result = cli("payments", "return", "999", "--reason", "NSF", "--as", "sam", "--on", "2026-03-05")
    assert (result.exit_code, result.stderr) == (1, "Error: no payment 999\n")


def test_a_file_that_cannot_be_written_is_named(cli, tmp_path):
    result = cli("reports", "aging", "--as-of", "2026-03-31", "--output", str(tmp_path / "nowhere" / "aging.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nowhere' / 'aging.csv'}: No such file or directory\n"


def test_a_database_that_cannot_be_opened_is_a_message(cli, tmp_path):
    result = cli("users", "list", env_overrides={"DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"})
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot open the database: unable to open database file")


def _group_raising(error: Exception) -> click.Group:
    """A one-command group whose command raises `error`."""
    group = CityGroup("city")

    @group.command("go")
    def go() -> None:
        raise error

    return group


@pytest.mark.parametrize("error, message", [
    (LedgerError("the ledger does not balance"), "Error: the ledger does not balance\n"),
    (LookupError("no license with id 7"), "Error: no license with id 7\n"),
])
def test_the_handler_tells_each_expected_error_in_one_line(error, message):
    result = CliRunner().invoke(_group_raising(error), ["go"])
    assert (result.exit_code, result.stderr, result.exception.__class__) == (1, message, SystemExit)


@pytest.mark.parametrize("slip", [KeyError("meter_size"), IndexError("list index out of range"),
                                  RuntimeError("a bug")])
def test_a_slip_in_the_code_keeps_its_traceback(slip):
    result = CliRunner().invoke(_group_raising(slip), ["go"])
    assert result.exception is slip and result.stderr == ""


def test_rules_show_and_eval_answer_from_the_published_store_not_the_folder(cli, committing_db, rules_dir, late_evening):
    """After a new revision is published, `rules show` and `rules eval` give it; the folder still holds the old text."""
    from engine.rulebook import store
    from engine.users import add_user

    assert cli("rules", "show", "pool-permit-fee").stderr == (
        "error: the rule store has no published rules yet: load them with `ordinance rules import`, or read a "
        "folder's files with --rules-dir rules\n")
    assert cli("rules", "import", str(rules_dir)).exit_code == 0
    changed = rules_dir.parent / "changed"
    changed.mkdir()
    (changed / "pool-permit-fee.yaml").write_text(POOL_PERMIT.replace("amount: 45.00", "amount: 47.50"))
    with transaction(committing_db) as session:
        for name in ("ana", "ben"):
            add_user(session, username=name, full_name=name.title(), role="supervisor",
                     password="correct horse battery staple 42", actor="test", now=late_evening)
        store.import_folder(session, changed, actor="test", now=late_evening, today=date(2026, 6, 30),
                            author="ana", approver="ben")

    shown = cli("rules", "show", "pool-permit-fee", "--as-of", "2026-07-01")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[1] == "  published: pool-permit-fee revision 2"
    published = cli("rules", "eval", "pool-permit-fee", "--as-of", "2026-07-01", "--facts", "-", input="{}")
    assert published.stdout.splitlines()[-1] == "  total: 47.50"
    from_files = cli("rules", "eval", "pool-permit-fee", "--as-of", "2026-07-01", "--facts", "-",
                     "--rules-dir", str(rules_dir), input="{}")
    assert from_files.stdout.splitlines()[-1] == "  total: 45.00"
    assert cli("rules", "show", "pool-permit-fee", "--rules-dir", str(rules_dir)).stdout.splitlines()[1] == (
        f"  file: {rules_dir}/pool-permit-fee.yaml")


# --- every command through the one context ----------------------------------------------------------------------------

CLI = Path(__file__).resolve().parents[2] / "webapp" / "cli"
OWN_WAYS = re.compile(r"\b(date\.today|datetime\.now|datetime\.utcnow|utc_now|local_today|make_engine|"
                      r"make_sessionmaker|create_engine|sessionmaker|open_database|require_schema|is_new)\s*\(")


def opened_by_hand(folder: Path) -> list[str]:
    """The lines of command modules that open a database, check its schema or read a clock themselves."""
    found = []
    for path in sorted(folder.glob("*.py")):
        if path.name in ("context.py", "failures.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OWN_WAYS.search(line.split("#", 1)[0]):
                found.append(f"{path.name}:{number}")
    return found


def test_no_command_opens_the_database_checks_the_schema_or_reads_a_clock_but_the_context(tmp_path):
    """The issue counted 30 openings, 27 schema checks and 14 city dates (one the machine's date.today()); all are
    webapp.cli.context's now. A benchmark's own generated database is opened by benchmarks/, not the command."""
    assert opened_by_hand(CLI) == []
    (tmp_path / "rules.py").write_text("as_of = as_of or date.today()\nengine = make_engine(url)\n")
    assert opened_by_hand(tmp_path) == ["rules.py:1", "rules.py:2"]
