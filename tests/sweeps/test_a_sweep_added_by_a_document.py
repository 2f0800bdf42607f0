"""A city adds a sweep without code: a sweep document and a tag on its workflow, both published through the store.

The document opens a refund case for each closed account whose refundable credit is at
least $25.00; the refunds workflow's new version carries the tag the document reads. Run
for a night, the cases open (signed by the sweep, audited); run again for that night or
the next, nothing more opens.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.money import ledger
from engine.rulebook import store, workflow_store
from engine.rulebook.catalog_source import current_catalog, current_rules
from engine.rulebook.drafting import check_draft
from engine.rulebook.workflow_revisions import check_workflow_draft
from engine.store.models import AuditEntry, Case, User
from engine.sweeps.registry import all_sweeps, get_sweep
from engine.sweeps.runner import SweepError, run_sweep
from tests.factories import create_account, sample_version

REPO = Path(__file__).resolve().parents[2]
RULES, WORKFLOWS = REPO / "rules", REPO / "workflows"
TODAY = date(2026, 6, 1)  # a Monday: the document and the workflow's new version are published and run
NOW = datetime.combine(TODAY, time(17, 0), tzinfo=timezone.utc)
NAME = "closed-account-refunds"
SWEEP = f"""\
id: {NAME}
kind: sweep
title: Refunds of the credit left on closed accounts
department: finance
versions:
  - effective: 2026-06-01
    reference: Resolution 2026-51
    subjects: {{accounts_in_status: [closed]}}
    workflow: credit_refunds
    opens:
      when: {{fact: refundable, gte: 25}}
      fields:
        amount: {{fact: refundable}}
        source: {{value: closed_account}}
"""


TAGGED = sample_version("refunds") + 1  # the version of refunds that carries the tag


def refunds_tagged() -> str:
    """The next version of the sample city's refunds workflow, from the day, tagged credit_refunds; nothing else
    changed."""
    text = (WORKFLOWS / "refunds.yaml").read_text(encoding="utf-8")
    changed = text.replace(f"version: {TAGGED - 1}\ntags: [refund_requests]\n",
                           f"version: {TAGGED}\neffective: 2026-06-01\ntags: [credit_refunds, refund_requests]\n", 1)
    assert changed != text
    return changed


def overpaid(session, paid: str, *, status: str) -> int:
    """An account that paid a $40.00 bill and then `paid` again: a credit of `paid`; its status set."""
    account = create_account(session, status=status)
    ledger.post_charge(session, account.id, Decimal("40.00"), on=date(2026, 4, 1), due_on=date(2026, 4, 22),
                       now=NOW, actor="billing", description="Water service", service="water")
    for n, amount in enumerate(("40.00", paid)):
        ledger.post(session, account_id=account.id, kind="payment", amount=-Decimal(amount), on=date(2026, 4, 20 + n),
                    now=NOW, actor="carla", description="Payment (check)", reference=f"chk-{account.id}-{n}")
    return account.id


@pytest.fixture()
def city(committing_db):
    """The sample city's rules and workflows in the store; two supervisors; four accounts (ids by what they are)."""
    with committing_db() as session, session.begin():
        for username in ("sam", "sofia"):
            session.add(User(username=username, full_name=username.title(), role="supervisor", password_hash="-",
                             created_at=NOW))
        session.flush()
        store.import_folder(session, RULES, actor="cli:admin", now=NOW, today=TODAY)
        workflow_store.import_folder(session, WORKFLOWS, current_rules(session, RULES), actor="cli:admin", now=NOW,
                                     today=TODAY)
        return {"closed_80": overpaid(session, "80.00", status="closed"),
                "closed_10": overpaid(session, "10.00", status="closed"),
                "active_80": overpaid(session, "80.00", status="active"),
                "closed_25": overpaid(session, "25.00", status="closed")}


def publish(committing_db) -> None:
    """sam drafts the sweep and the tagged workflow; sofia publishes both (the sweep first: it makes the tag known)."""
    with committing_db() as session, session.begin():
        row = store.draft(session, check_draft(session, NAME, SWEEP, TODAY), "sam", NOW)
        store.publish(session, NAME, row.revision, "sofia", NOW, TODAY)
        rules = current_rules(session, RULES)
        checked = check_workflow_draft(session, rules, "refunds", refunds_tagged(), TODAY)
        assert checked.ok, checked.errors
        row = workflow_store.draft(session, checked, "sam", NOW)
        workflow_store.publish(session, rules, "refunds", row.revision, "sofia", NOW, TODAY)


def run(committing_db, night: date):
    """The sweep for a night, on that night, with the catalog the running system reads (the store's)."""
    with committing_db() as session:
        catalog = current_catalog(session, RULES, WORKFLOWS)
    return run_sweep(committing_db, get_sweep(NAME, catalog.rules), as_of=night, today=night,
                     clock=lambda: datetime.combine(night, time(11, 0), tzinfo=timezone.utc), runner="test",
                     services=catalog)


def refund_cases(committing_db) -> list[tuple]:
    """Every refund case: account, workflow version, state, fields, opened by."""
    with committing_db() as session:
        return [(c.account_id, c.workflow_version, c.state, c.fields, c.opened_by)
                for c in session.scalars(select(Case).where(Case.workflow_id == "refunds").order_by(Case.id))]


def test_the_tag_is_refused_until_a_sweep_document_reads_it(city, committing_db):
    """Before the sweep document is published, credit_refunds is no tag a workflow may carry."""
    with committing_db() as session:
        checked = check_workflow_draft(session, current_rules(session, RULES), "refunds", refunds_tagged(), TODAY)
    assert not checked.ok
    assert 'tags[0]: unknown tag "credit_refunds"; tags: collection, ' in str(checked.errors[0])


def test_a_published_sweep_document_opens_refund_cases_and_a_second_run_opens_none(city, committing_db):
    """The closed accounts with at least $25.00 of credit get a refund case for all of it; the rest get none."""
    with committing_db() as session:
        assert NAME not in all_sweeps(current_rules(session, RULES))
    with pytest.raises(SweepError, match=f"no sweep named '{NAME}'"):
        run(committing_db, TODAY)
    publish(committing_db)
    with committing_db() as session:
        assert NAME in all_sweeps(current_rules(session, RULES))

    first = run(committing_db, TODAY)
    assert first.status == "done"
    assert first.report["cases_opened"] == {"refunds": 2}
    opened = [(city["closed_80"], TAGGED, "requested", {"amount": "80.00", "source": "closed_account",
                                                         "requested_by": f"sweep:{NAME}"}, f"sweep:{NAME}"),
              (city["closed_25"], TAGGED, "requested", {"amount": "25.00", "source": "closed_account",
                                                         "requested_by": f"sweep:{NAME}"}, f"sweep:{NAME}")]
    assert refund_cases(committing_db) == opened
    with committing_db() as session:
        audited = session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "case.open")).all()
    assert audited == [f"sweep:{NAME}"] * 2

    assert run(committing_db, TODAY).status == "already_done"
    again = run(committing_db, date(2026, 6, 8))
    assert (again.status, again.report["cases_opened"], again.report["subjects"]) == ("done", {}, 3)
    assert refund_cases(committing_db) == opened
