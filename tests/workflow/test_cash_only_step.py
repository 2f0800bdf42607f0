"""A workflow step sets a status until a day a rule computes: `cash_only: CRITERIA` with the rule's `for:`.

A city whose supervisor makes an account cash-only for 6 months after a broken payment
promise: the step's rule says so, the account is cash-only until the day 6 months after the
step, and the nightly cash-only review ends it on that day, not before.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import AuditEntry, CaseEvent, UtilityAccount
from engine.workflow import services
from engine.workflow.definitions import WorkflowSet, load_workflow
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_account
from tests.workflow.conftest import REPO, at

RULE = """\
id: broken-promise-cash-only
kind: criteria
title: Cash only after a broken payment promise
inputs:
  account_status: {type: text}
versions:
  - effective: 2025-01-01
    rules:
      - name: Broken payment promise
        when: {account_status: active}
        then: {cash_only: true}
        for: {months: 6}
      - name: Otherwise
        then: {cash_only: false}
"""
WORKFLOW = """\
id: payment-promises
title: Payment promises
subject: utility_account
version: 1
initial: promised
states:
  promised: {label: Payment promised}
  broken: {label: Promise broken, final: true}
transitions:
  - id: promise_broken
    label: Record the broken promise
    from: promised
    to: broken
    roles: [supervisor]
    actions:
      - cash_only: broken-promise-cash-only
"""


def city() -> Catalog:
    """The sample city's rules with the rule above, and the workflow above."""
    rules = RuleLibrary.from_documents([*RuleLibrary.from_folder(REPO / "rules"), load_document(RULE, "rule.yaml")])
    workflow = load_workflow(WORKFLOW, "payment-promises.yaml", rules, APPROVAL_ROLE_IDS)
    return Catalog(rules=rules, workflows=WorkflowSet.of([workflow]))


def test_a_step_makes_the_account_cash_only_for_six_months_ending_on_the_day_the_rule_gives(db, staff):
    catalog = city()
    account = create_account(db)
    case = services.open_case(db, catalog, "payment-promises", account.id, actor="sam", on=date(2026, 3, 31),
                              now=at(date(2026, 3, 31)))
    services.take_step(db, catalog, case.id, "promise_broken", user="sam", on=date(2026, 3, 31),
                       now=at(date(2026, 3, 31)), version=case.version, form={})
    row = db.get(UtilityAccount, account.id)
    assert (row.cash_only, row.cash_only_until, row.cash_only_reason) == (True, date(2026, 10, 1),
                                                                           "Broken payment promise")
    event = db.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()[-1]
    assert {"rule": "broken-promise-cash-only", "version": "2025-01-01"} in event.rules
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "account.cash_only")).all()[-1]
    assert (audit.actor, audit.detail["until"], audit.detail["case_id"]) == ("sam", "2026-10-01", case.id)
    # six months from March 31 run the calendar way: September has no 31st, so the status ends on October 1;
    # the cash-only review (tests/sweeps/test_cash_only_durations.py) clears on the day ends_on turns true
    from engine.accounts.cash_only import ends_on
    assert not ends_on(row, date(2026, 9, 30)) and ends_on(row, date(2026, 10, 1))
