"""The Adjust balance and rebill pages: every amount shown before posting, refusals in words, roles on the server."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from engine.money import from_cents, ledger, to_cents
from engine.money.billing import bill_lines_summing_to_total, charges_by_service
from engine.store.adjustments import Adjustment
from engine.store.models import Bill, BillLine, Case, LedgerEntry, MeterRead
from tests.factories import NOW, create_account
from tests.web.pages import bill, fixed_clock, library  # noqa: F401  (fixture)


def test_a_clerk_reviews_then_posts_a_credit_within_the_limit(clerk, db, fixed_clock):
    """The confirmation shows the balance now, the credit and the balance after; nothing posts until confirmed."""
    account = create_account(db)
    bill(db, account, "2026-02", 12, due_on=date(2026, 3, 10))
    before = ledger.balance_cents(db, account.id)
    form = {"code": "leak", "direction": "credit", "amount": "40.00", "fee": "",
            "note": "leak fixed, invoice seen"}
    assert clerk.get(f"/accounts/{account.number}/adjust").status_code == 200
    review = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "review"})
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "Nothing is posted yet" in page
    assert f'id="balance-before">${before / 100:,.2f}<' in page and 'id="adjustment-amount">-$40.00<' in page
    assert f'id="balance-after"><strong>${(before - 4000) / 100:,.2f}</strong>' in page
    assert "it posts now" in page and ledger.balance_cents(db, account.id) == before
    posted = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "post"})
    assert posted.status_code == 302 and posted.headers["Location"].endswith(f"/accounts/{account.number}#adjustments")
    assert ledger.balance_cents(db, account.id) == before - 4000
    shown = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "On the next bill" in shown and "Leak adjustment: leak fixed, invoice seen" in shown


def test_over_the_limit_the_clerk_is_sent_to_the_approval_case(clerk, db, fixed_clock):
    """$180.00 by a clerk: the confirmation says it needs a supervisor; sending it opens the case, posts nothing."""
    account = create_account(db)
    bill(db, account, "2026-02", 12, due_on=date(2026, 3, 10))
    form = {"code": "leak", "direction": "credit", "amount": "180.00", "fee": "", "note": "slab leak"}
    page = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "review"}).get_data(as_text=True)
    assert "Over your limit: an adjustment of $180.00 needs Supervisor (the rule “Who may post an adjustment”)" in page
    assert "Send for approval" in page
    sent = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "post"})
    case = db.scalars(select(Case).where(Case.account_id == account.id)).one()
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/cases/{case.id}")
    assert db.scalars(select(Adjustment)).one().status == "waiting"
    assert db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "adjustment")).all() == []


def test_a_second_late_fee_waiver_is_refused_on_the_page_with_the_reason(clerk, db, fixed_clock):
    """The page says why the waiver is not allowed, in the rule's words, and nothing is posted."""
    account = create_account(db)
    first, second = (ledger.post_fee(db, account.id, Decimal("22.59"), on=day, now=NOW, actor="sweep:late-fees",
                                     description="Late fee", rule_id="late-fee", rule_version="2025-01-01")
                     for day in (date(2025, 11, 2), date(2026, 2, 2)))
    ledger.reverse(db, first.id, on=date(2025, 11, 5), now=NOW, actor="carla", reason="Late-fee waiver: first")
    before = clerk.get(f"/accounts/{account.number}/adjust").get_data(as_text=True)
    # the reasons' table names the rules by their titles (it said "reverses one fee (late-fee)")
    assert "reverses one fee (Late payment penalty on utility bills), where the fee was booked" in before
    assert ">When a late fee may be waived</a>:" in before
    assert ('id="not-now-late_fee_waiver">not for this account today. Late-fee waiver is not allowed: A late fee was '
            'already waived in the last 12 months (late-fee-waiver-eligibility).') in before
    page = clerk.post(f"/accounts/{account.number}/adjust", data={
        "code": "late_fee_waiver", "direction": "credit", "amount": "", "fee": str(second.id), "note": "again",
        "step": "review"})
    assert page.status_code == 400
    assert ("Late-fee waiver is not allowed: A late fee was already waived in the last 12 months "
            "(late-fee-waiver-eligibility)") in page.get_data(as_text=True)


def billed_from_a_read(db, account, period: str, ccf: int, reading: int) -> Bill:
    """A bill as the billing run makes it: its lines, a charge per service naming the bill, the period's read."""
    billed_on = date.fromisoformat(f"{period}-15")
    result = library().evaluate("water-rates-residential", {"meter_size": account.meter_size,
                                                            "consumption_ccf": Decimal(ccf), "sewer": True}, billed_on)
    lines = bill_lines_summing_to_total(result)
    row = Bill(account_id=account.id, cycle=account.cycle, period=period, service_from=billed_on,
               service_to=billed_on, billed_on=billed_on, due_on=date(2026, 3, 1), consumption_ccf=ccf,
               total_cents=to_cents(result.total), rule_id=result.rule, rule_version=result.version.isoformat(),
               explanation=result.to_json(),
               lines=[BillLine(position=n, name=name, amount_cents=to_cents(amount), detail=detail, service=service)
                      for n, (name, amount, detail, service) in enumerate(lines, 1)])
    db.add(row)
    db.add(MeterRead(account_id=account.id, period=period, read_on=billed_on, reading=reading, consumption_ccf=ccf))
    db.flush()
    for service, cents in charges_by_service(lines):
        ledger.post_charge(db, account.id, from_cents(cents), on=billed_on, due_on=row.due_on, now=NOW,
                           actor="billing", description="bill", reference=f"bill {row.id}", bill_id=row.id,
                           service=service)
    return row


def test_the_corrections_report_shows_who_asked_and_who_approved(login_as, db, fixed_clock):
    """Reports > Voids, returns and adjustments: the clerk's adjustment approved by a supervisor, on the day."""
    account = create_account(db)
    bill(db, account, "2026-02", 12, due_on=date(2026, 3, 10))
    clerk, supervisor = login_as("clerk"), login_as("supervisor")
    form = {"code": "courtesy", "direction": "credit", "amount": "120.00", "fee": "", "note": "hold time",
            "step": "post"}
    clerk.post(f"/accounts/{account.number}/adjust", data=form)
    case = db.scalars(select(Case).where(Case.account_id == account.id)).one()
    taken = supervisor.post(f"/cases/{case.id}/steps/approve", data={"approve-version": case.version,
                                                                      "approve-decision_comment": "fine"})
    assert taken.status_code == 302
    rows = supervisor.get("/reports/corrections", query_string={"date": "2026-03-02", "format": "csv"})
    text = rows.get_data(as_text=True)
    assert (f"2026-03-02,{clerk.user.username},adjustment,adjustment "
            f"{db.scalars(select(Adjustment)).one().id},{account.number},-120.00,Courtesy credit: hold time,"
            f"{supervisor.user.username}") in text


def test_a_supervisor_rebills_the_latest_bill_from_a_corrected_read_and_a_clerk_may_not(login_as, db, fixed_clock):
    """The confirmation shows the old charges reversed, the new bill and the change; posting cancels the old bill."""
    account = create_account(db)
    old = billed_from_a_read(db, account, "2026-02", 12, 1012)
    url = f"/accounts/{account.number}/bills/{old.id}/rebill"
    assert login_as("clerk").get(url).status_code == 403
    supervisor = login_as("supervisor")
    assert "Cancel and rebill this bill" in supervisor.get(f"/accounts/{account.number}").get_data(as_text=True)
    review = supervisor.post(url, data={"reading": "1007", "reason": "misread", "step": "review"})
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "makes 7 CCF (was 12 CCF)" in page
    assert f'id="reversed">-${old.total_cents / 100:,.2f}<' in page
    done = supervisor.post(url, data={"reading": "1007", "reason": "misread", "step": "post"})
    assert done.status_code == 302
    new = db.scalars(select(Bill).where(Bill.account_id == account.id, Bill.cancelled_on.is_(None))).one()
    assert f'id="billed">${new.total_cents / 100:,.2f}<' in page
    assert ledger.balance_cents(db, account.id) == new.total_cents
    shown = supervisor.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "cancelled Mar 2, 2026" in shown and f"rebill of bill {old.id}" in shown


def test_the_same_confirmation_pressed_twice_posts_the_adjustment_once(clerk, db, fixed_clock):
    """A double click on "Post the adjustment" posted the credit twice; the confirmation now carries a one-time key,
    and its second post is the first one's answer: one adjustment, one ledger entry, one request in the audit log."""
    from sqlalchemy import func
    from engine.store.models import AuditEntry
    account = create_account(db)
    bill(db, account, "2026-02", 12, due_on=date(2026, 3, 10))
    before = ledger.balance_cents(db, account.id)
    form = {"code": "leak", "direction": "credit", "amount": "40.00", "fee": "", "note": "leak fixed"}
    review = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "review"}).get_data(as_text=True)
    key = re.search(r'id="key" name="key" type="hidden" value="([0-9a-f]{32})"', review).group(1)
    for _ in range(2):
        posted = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "post", "key": key})
        assert posted.status_code == 302
    assert ledger.balance_cents(db, account.id) == before - 4000
    assert len(db.scalars(select(Adjustment).where(Adjustment.account_id == account.id)).all()) == 1
    assert db.scalar(select(func.count()).select_from(AuditEntry)
                     .where(AuditEntry.action == "adjustment.request")) == 1
    again = clerk.post(f"/accounts/{account.number}/adjust", data={**form, "step": "review"}).get_data(as_text=True)
    assert key not in again  # each confirmation shown has a key of its own


def test_a_confirmation_key_of_another_account_is_refused(clerk, db, fixed_clock):
    """A key already used on one account, sent with another account's adjustment, posts nothing there."""
    first, other = create_account(db), create_account(db)
    for account in (first, other):
        bill(db, account, "2026-02", 12, due_on=date(2026, 3, 10))
    form = {"code": "leak", "direction": "credit", "amount": "40.00", "fee": "", "note": "leak fixed"}
    review = clerk.post(f"/accounts/{first.number}/adjust", data={**form, "step": "review"}).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([0-9a-f]{32})"', review).group(1)
    assert clerk.post(f"/accounts/{first.number}/adjust", data={**form, "step": "post", "key": key}).status_code == 302
    before = ledger.balance_cents(db, other.id)
    refused = clerk.post(f"/accounts/{other.number}/adjust", data={**form, "step": "post", "key": key})
    assert refused.status_code == 302 and ledger.balance_cents(db, other.id) == before
    assert "this confirmation was for another account" in clerk.get(refused.headers["Location"]).get_data(as_text=True)
