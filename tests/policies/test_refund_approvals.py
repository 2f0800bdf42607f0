"""Long Beach, CA's refund approvals, published as a version of refund-approval: one, two or three different
people by amount, each holding the approval role the rule names.

Long Beach Municipal Code § 3.48.040 "Refund—Conditions of payment": a refund of "one thousand dollars
($1,000.00) or less" when "the department head ... authorizes the refund"; "ten thousand dollars ($10,000.00)
or less" when the department head, "with the approval of the City Attorney, authorizes the refund"; "more than
ten thousand dollars ($10,000.00)" when the department head, "with the approval of the City Attorney and the
City Council, authorizes the refund". The Council's approval is recorded by the Council Clerk (the sample
city's approval role for it).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine import roles
from engine.store.models import LedgerEntry, User
from engine.workflow.runtime import StepRefused
from tests.policies.town import Town, at, town

PUBLISHED = date(2026, 4, 1)
ON = date(2026, 4, 20)
LONG_BEACH = """\
  - effective: 2026-04-01
    reference: "Long Beach Municipal Code § 3.48.040"
    hit: unique
    rules:
      - name: Refund of $1,000.00 or less
        when: {fact: amount, lte: 1000.00}
        then: {approver_role: department_head, second_approval: false, approvals: 1}
      - name: Refund over $1,000.00 up to $10,000.00
        when: {fact: amount, gt: 1000.00, lte: 10000.00}
        then: {approver_role: department_head, second_approval: true, approvals: 2, second_approver_role: city_attorney}
      - name: Refund over $10,000.00
        when: {fact: amount, gt: 10000.00}
        then:
          approver_role: department_head
          second_approval: true
          approvals: 3
          second_approver_role: city_attorney
          third_approver_role: council_clerk
"""


@pytest.fixture()
def city(db) -> Town:
    """Long Beach's refund approvals published; dee the department head, dora the City Attorney, pat the Council
    Clerk, each granted their role by the administrator."""
    city = town(db, PUBLISHED)
    city.add_version("refund-approval", LONG_BEACH)
    for username, role_id in (("dee", "department_head"), ("dora", "city_attorney"), ("pat", "council_clerk")):
        db.add(User(username=username, full_name=username.title(), role="clerk", password_hash="-",
                    created_at=at(PUBLISHED)))
        db.flush()
        roles.record_grant(db, username, role_id, actor="ana", now=at(PUBLISHED))
    return city


def researched(city: Town, amount: str):
    """A credit of `amount` (a bill paid twice) whose refund carla requested and researched."""
    account_id = city.account()
    city.bill(account_id, amount, on=date(2026, 4, 1), due_on=date(2026, 4, 22))
    city.pay(account_id, amount, on=date(2026, 4, 10))
    city.pay(account_id, amount, on=date(2026, 4, 11) + timedelta(days=1))
    case = city.open_case("refunds", account_id, ON, amount=amount, source="overpayment")
    city.take(case, "research", "carla", ON, research_notes="the bill was paid twice")
    return case


def refused(city: Town, case, step: str, user: str) -> list[str]:
    """Why a step is refused (it must be)."""
    with pytest.raises(StepRefused) as refusal:
        city.take(case, step, user, ON)
    return refusal.value.reasons


def test_up_to_1000_the_department_head_alone(city):
    """$950.00: the department head approves alone; a supervisor without the role may not."""
    case = researched(city, "950.00")
    assert refused(city, case, "approve", "sam") == [
        "this step needs the approval role department_head (refund-approval); you are a supervisor"]
    city.take(case, "approve", "dee", ON)
    assert case.state == "approved"


def test_up_to_10000_the_department_head_then_the_city_attorney(city):
    """$4,000.00: the department head, then the City Attorney — two people."""
    case = researched(city, "4000.00")
    city.take(case, "approve_first", "dee", ON)
    assert refused(city, case, "approve_second", "pat") == [
        "this step needs the approval role city_attorney (refund-approval); you are a clerk, holding council_clerk"]
    city.take(case, "approve_second", "dora", ON)
    assert case.state == "approved"


def test_over_10000_three_different_people_then_the_check(city):
    """$12,500.00: department head, City Attorney, Council Clerk — three people; then the check, $12,500.00 on
    the ledger."""
    case = researched(city, "12500.00")
    city.take(case, "approve_first", "dee", ON)
    city.take(case, "approve_second_of_three", "dora", ON)
    assert case.state == "awaiting_third"
    city.take(case, "approve_third", "pat", ON)
    city.take(case, "issue_check", "carla", ON, check_number="100731")
    assert [(e.step, e.actor) for e in case.events if e.step.startswith("approve")] == [
        ("approve_first", "dee"), ("approve_second_of_three", "dora"), ("approve_third", "pat")]
    refund = city.db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == case.subject_id,
                                                       LedgerEntry.kind == "refund")).one()
    assert (refund.amount_cents, refund.effective_on, case.state) == (1_250_000, ON, "issued")
