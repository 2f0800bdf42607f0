"""`ordinance sweep ...` on a database of the test's own: run with a progress bar, list, report, phone export."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from engine.store.models import AuditEntry, Case, LedgerEntry, Notice, SweepRun
from engine.sweeps.mailing import Mailer
from tests.sweeps.conftest import NIGHT, REPO, at, sweep
from webapp.cli import main as ordinance


@pytest.fixture()
def cli(committing_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Run `ordinance ARGS...` against the committing database, on the night of April 30: cli("sweep", "list")."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: at(NIGHT))  # the city's date the runs run on
    runner = CliRunner()
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance"),
           "ORDINANCE_SWEEP_CHUNK": "4"}

    def run(*args: str) -> Result:
        """The result of one command."""
        return runner.invoke(ordinance, list(args), env=env, catch_exceptions=False)

    yield run


def rows(factory) -> tuple[int, ...]:
    """Row counts of the tables a sweep writes to."""
    with factory() as session:
        return tuple(session.scalar(select(func.count()).select_from(m))
                     for m in (Case, LedgerEntry, Notice, SweepRun, AuditEntry))


def test_sweep_run_dry_run_reports_and_writes_nothing(cli, committing_db, city):
    """--dry-run prints the report of what would happen; every table is as it was."""
    before = rows(committing_db)
    result = cli("sweep", "run", "delinquency", "--as-of", "2026-04-30", "--dry-run", "--no-pdf")
    assert result.exit_code == 0, result.stderr
    assert "dry run: nothing was written" in result.output
    assert "delinquency.mail_reminder                        10" in result.output
    assert rows(committing_db) == before


def test_sweep_run_shows_progress_then_the_report_and_a_mailing(cli, committing_db, city, tmp_path):
    """A real run in chunks of four: the progress bar, the report, the mailing PDF in the instance folder."""
    result = cli("sweep", "run", "delinquency", "--as-of", "2026-04-30")
    assert result.exit_code == 0, result.stderr
    # the progress bar's label (no bar without a terminal) and the headline: the sweep's label, the id to type
    assert "Delinquency notices and shut-offs (delinquency) 2026-04-30" in result.stderr
    assert "Sweep Delinquency notices and shut-offs (delinquency) for 2026-04-30: done (run 1)" in result.output
    assert "past-due-reminder/es                             2" in result.output
    pdf = tmp_path / "instance" / "notices" / "2026-04-30" / "delinquency-past-due-reminder.pdf"
    assert f"Mailing: past-due-reminder x 10 -> {pdf}" in result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    again = cli("sweep", "run", "delinquency", "--as-of", "2026-04-30")
    assert "already done earlier (nothing repeated)" in again.output


def test_sweep_list_and_report(cli, committing_db, catalog, city):
    """`sweep list` names every sweep by its label with the id to type in brackets, and its last run; `sweep report`
    prints a run under the same name, or gives JSON of it with the id (a program reads that)."""
    sweep(committing_db, catalog)
    listing = cli("sweep", "list").output.splitlines()
    named = [line.split("  ")[0] for line in listing]
    assert named == ["Balances roll-over (balances-rollover)", "Cash-only review (cash-only-review)",
                     "Audit log checkpoint (audit-checkpoint)", "Delinquency notices and shut-offs (delinquency)",
                     "Deposit refunds (deposit-refunds)", "Liens (liens)", "Payment-plan defaults (plan-defaults)",
                     "License renewals (renewals)"]
    (delinquency,) = [line for line in listing if line.startswith("Delinquency notices")]
    assert "Delinquency: past-due accounts" in delinquency and delinquency.endswith("[last run 2026-04-30 (done)]")
    assert len({len(line) - len(line.split("  ", 1)[1].lstrip()) for line in listing}) == 1  # the titles line up
    report = cli("sweep", "report", "delinquency", "--as-of", "2026-04-30")
    assert report.output.startswith("Sweep Delinquency notices and shut-offs (delinquency) for 2026-04-30: run ")
    assert "Cases opened:" in report.output and "late-fee" in report.output
    data = json.loads(cli("sweep", "report", "delinquency", "--as-of", "2026-04-30", "--json").stdout)
    assert data["report"]["cases_opened"] == {"delinquency": 10} and data["sweep"] == "delinquency"
    missing = cli("sweep", "report", "liens", "--as-of", "2026-04-30")
    assert missing.exit_code == 1 and "Liens (liens) has not run for 2026-04-30" in missing.stderr
    missing = cli("sweep", "report", "liens", "--as-of", "2026-04-30", "--json")
    assert missing.exit_code == 1 and "Liens (liens) has not run for 2026-04-30" in missing.stderr
    unknown = cli("sweep", "report", "nosuch", "--as-of", "2026-04-30")
    assert unknown.exit_code == 1 and "no sweep named 'nosuch'; the sweeps are: " in unknown.stderr
    assert "has not run" not in unknown.stderr


def shutoff_notices_mailed(committing_db, catalog, folder: Path) -> None:
    """The reminders' night, then the shut-off notices' night of June 18 with its mailing (a shut-off notice never
    mailed holds its case off the phone list)."""
    sweep(committing_db, catalog)
    sweep(committing_db, catalog, on=date(2026, 6, 18), mailer=Mailer(REPO / "templates" / "notices", folder))


def test_phone_export_lists_the_accounts_scheduled_for_shutoff(cli, committing_db, catalog, city, tmp_path):
    """After the shut-off notices of June 18: ten accounts, each with its name, phone, language, amount and date."""
    shutoff_notices_mailed(committing_db, catalog, tmp_path / "notices")
    result = cli("sweep", "phone-export", "--as-of", "2026-06-18")
    assert result.exit_code == 0, result.stderr
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(lines) == 10 and "10 accounts scheduled for shut-off" in result.stderr
    first = lines[0]
    assert (first["name"], first["phone"], first["language"], first["shutoff_on"]) == (
        "Customer 0002", "530-555-0002", "en", "2026-07-06")
    with committing_db() as session:
        owed = session.scalar(select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.account_id == city[2]))
    assert first["amount"] == f"{owed / 100:.2f}"
    assert sorted(line["language"] for line in lines).count("es") == 2
    assert cli("sweep", "phone-export", "--as-of", "2026-07-07").stdout.splitlines() == [
        "account_number,name,phone,language,amount,shutoff_on"]


def test_phone_export_writes_the_city_s_layout_for_its_vendor(cli, committing_db, catalog, city, tmp_path):
    """The city saves its new vendor's layout (the admin page's setting): the same ten accounts, under the
    vendor's headings, in its order, with its date format and the phone's digits only."""
    from engine.city import update_city
    shutoff_notices_mailed(committing_db, catalog, tmp_path / "notices")
    before = cli("sweep", "phone-export", "--as-of", "2026-06-18").stdout.splitlines()
    with committing_db() as session, session.begin():
        update_city(session, actor="admin1", now=at(NIGHT), phone_export_layout={
            "columns": [{"field": "phone", "heading": "TN"}, {"field": "shutoff_on", "heading": "Date"},
                        {"field": "account_number", "heading": "Acct"}],
            "dates": "mm/dd/yyyy", "phone": "digits"})
    result = cli("sweep", "phone-export", "--as-of", "2026-06-18")
    assert result.exit_code == 0 and "10 accounts scheduled for shut-off" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "TN,Date,Acct" and len(lines) == len(before) == 11
    assert lines[1] == "5305550002,07/06/2026," + before[1].split(",")[0]
