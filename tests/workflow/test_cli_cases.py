"""`ordinance cases open|show|steps|take` as support staff script them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.store.db import transaction
from tests.factories import create_license
from tests.workflow.conftest import REPO, add_staff
from webapp.cli import main

ON = "2026-03-02"


@pytest.fixture()
def license_id(committing_db) -> int:
    """An applied-for license and the staff, committed."""
    with transaction(committing_db) as session:
        add_staff(session)
        return create_license(session, status="applied", issued_on=None, expires_on=None, fee_cents=0).id


@pytest.fixture()
def cases(committing_url, tmp_path: Path):
    """Run `ordinance cases ...` on the test's database with the city's rules and workflows, as of ON."""
    runner = CliRunner()
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    folders = ["--rules-dir", str(REPO / "rules"), "--workflows-dir", str(REPO / "workflows"), "--on", ON]
    return lambda *args: runner.invoke(main, ["cases", *args, *folders], env=env)


def test_open_steps_take_and_show(cases, license_id):
    """A clerk opens a license case, sees the steps, takes one, and the history shows it."""
    opened = cases("open", "licensing", "--subject", str(license_id), "--as", "carla")
    assert opened.exit_code == 0, opened.output
    assert opened.stdout == "Opened case 1: licensing v2, applied (version 1)\n"
    steps = cases("steps", "1", "--as", "carla")
    assert steps.exit_code == 0
    assert steps.stdout.splitlines()[:3] == [
        "[yes] start_review -> in_review: Start the review",
        "[no ] deny -> denied: Deny the application",
        "      this step needs the role supervisor; you are a clerk",
    ]
    cli = cases("steps", "1", "--as", "cli:support")
    assert "      this step needs the role clerk or supervisor; cli:support has no staff role" in cli.stdout
    taken = cases("take", "1", "start_review", "--as", "carla", "--version", "1")
    assert (taken.exit_code, taken.stdout) == (0, "Case 1: applied -> in_review (start_review by carla)\n")
    shown = json.loads(cases("show", "1", "--json").stdout)
    assert (shown["state"], shown["version"]) == ("in_review", 2)
    assert [(e["step"], e["actor"]) for e in shown["history"]] == [("open", "carla"), ("start_review", "carla")]
    assert {"name": "category", "value": "retail", "type": "text",
            "meaning": "the business category (retail, restaurant, ...)"} in shown["facts"]
    text = cases("show", "1").stdout
    assert "State: in_review (In review), version 2" in text
    assert "  2026-03-02 carla: start_review applied -> in_review" in text
    assert "  new_permit = true  (boolean: the license has never been issued)" in text


def test_open_without_as_acts_as_the_command_line(cases, license_id, committing_db):
    """No --as: the case is opened by cli:<system user>, and its fields are checked."""
    bad = cases("open", "refunds", "--subject", "1", "--field", "amount=ten")
    assert (bad.exit_code, bad.stderr) == (1, "Error: amount: 'ten' is not an amount of money\n")
    opened = cases("open", "licensing", "--subject", str(license_id))
    assert opened.exit_code == 0
    shown = json.loads(cases("show", "1", "--json").stdout)
    assert shown["opened_by"].startswith("cli:")


def test_a_stale_version_and_a_wrong_role_are_refused(cases, license_id):
    """The case changed since version 1: a conflict; a clerk denying: the role it needs."""
    cases("open", "licensing", "--subject", str(license_id), "--as", "carla")
    cases("take", "1", "start_review", "--as", "carla", "--version", "1")
    stale = cases("take", "1", "deny", "--as", "sam", "--version", "1", "--field", "denial_reason=late")
    assert stale.exit_code == 1
    assert "case 1 changed since you opened it (you saw version 1, it is now version 2)" in stale.stderr
    clerk = cases("take", "1", "deny", "--as", "carla", "--field", "denial_reason=late")
    assert clerk.exit_code == 1
    assert clerk.stderr == "Error: deny refused:\n  this step needs the role supervisor; you are a clerk\n"
    missing = cases("take", "1", "deny", "--as", "sam")
    assert missing.stderr == "Error: deny refused:\n  denial_reason: Reason is required\n"


def test_show_gives_a_scheduled_cases_shutoff_day_and_why_it_moved(cases, committing_db):
    """A door hanger printed Friday July 3, 2026 (a holiday): the shut-off day is Monday July 6, with the reason."""
    from datetime import date
    from decimal import Decimal

    from engine.money import ledger
    from tests.factories import NOW, create_account, create_case

    with transaction(committing_db) as session:
        account = create_account(session)
        ledger.post_charge(session, account.id, Decimal("212.40"), on=date(2026, 4, 8), due_on=date(2026, 4, 29),
                           now=NOW, actor="billing", description="Water and sewer")
        create_case(session, subject_id=account.id, account_id=account.id, state="door_hanger",
                    fields={"shutoff_on": "2026-07-03"})
    text = cases("show", "1").stdout
    assert "Shut-off day: 2026-07-06\n  the notices said 2026-07-03: 2026-07-03 is a holiday (Independence Day " \
           "(observed)); 2026-07-03 is a Friday (no shut-offs on Fridays)\n" in text, text
