"""Approval roles in the refunds workflow: a refund over $25,000.00 needs three approvers, each a different person
holding the role refund-approval names (a supervisor, the City Attorney, the Council Clerk)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine import roles
from engine.rules.errors import DocumentErrors
from engine.store.models import LedgerEntry, User
from engine.workflow import services
from engine.workflow.definitions import load_workflow
from engine.workflow.guards import Actor, judge
from engine.workflow.runtime import StepRefused
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_account
from tests.workflow.conftest import at, charge, pay

ON = date(2026, 5, 5)


def grant(db, username: str, *role_ids: str) -> None:
    """Give a staff user approval roles (the city's bootstrap: no second person in these tests' city)."""
    for role_id in role_ids:
        roles.record_grant(db, username, role_id, actor="ada", now=at(ON))


def add_user(db, username: str, role: str) -> None:
    """One more member of staff."""
    db.add(User(username=username, full_name=username.title(), role=role, password_hash="-", created_at=at(ON)))
    db.flush()


def take(db, catalog, case, step, user, **form):
    """Take a step on the version the user sees now."""
    return services.take_step(db, catalog, case.id, step, user=user, on=ON, now=at(ON), version=case.version,
                              form=form)


def refused(db, catalog, case, step, user) -> list[str]:
    """The reasons a step is refused (it must be)."""
    with pytest.raises(StepRefused) as failure:
        take(db, catalog, case, step, user)
    return failure.value.reasons


def researched_refund(db, catalog, amount: str):
    """A refund of a whole credit of `amount`, requested and researched by carla."""
    account = create_account(db)
    charge(db, account.id, amount, on=date(2026, 4, 1), due_on=date(2026, 4, 22))
    pay(db, account.id, amount, on=date(2026, 4, 20))
    pay(db, account.id, amount, on=date(2026, 4, 21))
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                              fields={"amount": amount, "source": "overpayment"})
    take(db, catalog, case, "research", "carla", research_notes="a wire sent twice")
    return case, account


@pytest.fixture()
def approvers(db, staff):
    """sam (supervisor) also holds city_attorney and council_clerk; dora is the City Attorney, pat the Council
    Clerk, dee the department head; colin (a clerk) holds nothing."""
    for username, role in (("dora", "clerk"), ("pat", "clerk"), ("dee", "supervisor")):
        add_user(db, username, role)
    grant(db, "sam", "city_attorney", "council_clerk")
    grant(db, "dora", "city_attorney")
    grant(db, "pat", "council_clerk")
    grant(db, "dee", "department_head")


def test_a_refund_over_25000_needs_three_different_people_each_with_the_role(db, catalog, approvers):
    """$30,000.00: sam approves first; sam again is refused at every later step, colin has no role; dora the City
    Attorney and pat the Council Clerk approve; the check is issued on three people's word."""
    case, account = researched_refund(db, catalog, "30000.00")
    assert refused(db, catalog, case, "approve", "sam") == [
        "a refund of $30,000.00 needs more than one approver: approve it and send it to the second approver"]
    take(db, catalog, case, "approve_first", "sam")
    assert case.state == "awaiting_second"
    assert refused(db, catalog, case, "approve_second_of_three", "sam") == [
        "you took approve_first on this case; this step needs another person (approve_first was taken by sam)"]
    assert refused(db, catalog, case, "approve_second_of_three", "colin") == [
        "this step needs the approval role city_attorney (refund-approval); you are a clerk"]
    assert refused(db, catalog, case, "approve_second_of_three", "pat") == [
        "this step needs the approval role city_attorney (refund-approval); you are a clerk, holding council_clerk"]
    assert refused(db, catalog, case, "approve_second", "dora") == [
        "a refund of $30,000.00 needs a third approver: give the second approval and send it on"]
    take(db, catalog, case, "approve_second_of_three", "dora")
    assert case.state == "awaiting_third"
    assert refused(db, catalog, case, "approve_third", "sam") == [
        "you took approve_first on this case; this step needs another person (approve_first was taken by sam; "
        "approve_second_of_three was taken by dora)"]
    assert refused(db, catalog, case, "approve_third", "ada") == [
        "this step needs the approval role council_clerk (refund-approval); you are an admin"]
    event = take(db, catalog, case, "approve_third", "pat")
    distinct = next(e for e in event.explanation if e["guard"] == "distinct_from")
    assert distinct["detail"] == ("approve_first was taken by sam; approve_second_of_three was taken by dora; "
                                  "you are pat")
    take(db, catalog, case, "issue_check", "carla", check_number="100731")
    approvals = [(e.step, e.actor) for e in case.events if e.step.startswith("approve")]
    assert approvals == [("approve_first", "sam"), ("approve_second_of_three", "dora"), ("approve_third", "pat")]
    refund = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id,
                                                  LedgerEntry.kind == "refund")).one()
    assert (refund.amount_cents, case.state) == (3_000_000, "issued")


def test_a_refund_over_5000_goes_to_the_department_head_after_a_supervisor(db, catalog, approvers):
    """$7,500.00: two approvals, the second by the department head; a supervisor without the role may not give it."""
    case, _ = researched_refund(db, catalog, "7500.00")
    take(db, catalog, case, "approve_first", "sofia")
    assert refused(db, catalog, case, "approve_second", "sam") == [
        "this step needs the approval role department_head (refund-approval); you are a supervisor, holding "
        "city_attorney, council_clerk"]
    assert refused(db, catalog, case, "approve_second_of_three", "dee") == [
        "a refund of $7,500.00 needs two approvers: give the second approval"]
    take(db, catalog, case, "approve_second", "dee")
    assert case.state == "approved"


def test_a_small_refund_still_takes_one_approval(db, catalog, approvers):
    """$80.00: the single approval as before; the chain's first step is refused, saying why."""
    case, _ = researched_refund(db, catalog, "80.00")
    assert refused(db, catalog, case, "approve_first", "colin") == [
        "a refund of $80.00 needs one approver: approve the refund"]
    take(db, catalog, case, "approve", "colin")
    assert case.state == "approved"


def test_a_revoked_role_no_longer_approves(db, catalog, approvers):
    """dora's City Attorney role is revoked: the step she could take is refused, on the page and when taken."""
    case, _ = researched_refund(db, catalog, "30000.00")
    take(db, catalog, case, "approve_first", "sam")
    roles.revoke(db, "dora", "city_attorney", actor="ada", now=at(ON))
    options = {o.id: o for o in services.steps_for(db, catalog, case.id, user="dora", on=ON)}
    assert options["approve_second_of_three"].reasons == [
        "this step needs the approval role city_attorney (refund-approval); you are a clerk"]
    assert options["approve_second_of_three"].needs == ["city_attorney"]
    assert refused(db, catalog, case, "approve_second_of_three", "dora") == options["approve_second_of_three"].reasons


def test_a_listed_approval_role_lets_its_holders_take_the_step(catalog):
    """`roles: [supervisor, city_attorney]`: a supervisor or a holder of city_attorney, nobody else."""
    listed = load_workflow(LISTED, "listed.yaml", catalog.rules, {"city_attorney"})
    step = listed.transitions[0]
    assert step.roles == ("supervisor", "city_attorney")
    verdicts = {name: judge(listed, "requested", step, actor, {}, {}, catalog.rules, ON)
                for name, actor in (("dora", Actor("dora", "clerk", frozenset({"city_attorney"}))),
                                    ("sam", Actor("sam", "supervisor")), ("colin", Actor("colin", "clerk")))}
    assert {name: v.allowed for name, v in verdicts.items()} == {"dora": True, "sam": True, "colin": False}
    assert verdicts["colin"].reasons == ["this step needs the role supervisor or city_attorney; you are a clerk"]


LISTED = """\
id: legal-review
title: A legal review
subject: refund
version: 1
initial: requested
states:
  requested: {label: Requested}
  reviewed: {label: Reviewed, final: true}
transitions:
  - id: review
    from: requested
    to: reviewed
    roles: [supervisor, city_attorney]
"""


def test_a_workflow_naming_a_role_the_city_has_not_defined_is_refused_with_file_line_and_path(catalog):
    """Without city_attorney among the city's approval roles the same definition does not load."""
    with pytest.raises(DocumentErrors) as failure:
        load_workflow(LISTED, "listed.yaml", catalog.rules, {"council_clerk"})
    assert str(failure.value) == ('listed.yaml:13: transitions[0].roles[1]: unknown role "city_attorney"; page roles: '
                                  "clerk, supervisor, admin; approval roles: council_clerk")


def test_a_rule_guard_without_its_own_words_says_what_the_rule_gave(catalog):
    """In an `all:`, a rule guard with no `says:` refuses with the rule's outcome; the step's `says:` is for the
    conditions."""
    text = LISTED.replace("    roles: [supervisor, city_attorney]\n", """\
    roles: [supervisor]
    when:
      all:
        - {rule: refund-approval, outcome: {approvals: 2}}
        - {fact: credit_after_refund, gte: 0}
    says: "the credit is now {refundable}"
""")
    workflow = load_workflow(text, "listed.yaml", catalog.rules, APPROVAL_ROLE_IDS)
    verdict = judge(workflow, "requested", workflow.transitions[0], Actor("sam", "supervisor"),
                    {"amount": Decimal("80.00"), "source": "overpayment", "refundable": Decimal("80.00"),
                     "credit_after_refund": Decimal("-1.00")}, {}, catalog.rules, ON)
    assert verdict.reasons == [
        "refund-approval says no: it gives approver_role = clerk, second_approval = false, approvals = 1; this step "
        "needs approvals = 2", "the credit is now $80.00"]
