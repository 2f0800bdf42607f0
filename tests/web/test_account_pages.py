"""Account search and the account page: standing, why a bill is what it is, returns, refund requests."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry, Case, LedgerEntry, Notice, Payment
from tests.factories import NOW, create_account, create_customer, create_property
from tests.web.pages import TODAY, bill, charge, credit, fixed_clock  # noqa: F401  (fixture)


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_every_staff_role_opens_search_and_the_account_page(login_as, db, role):
    account = create_account(db)
    client = login_as(role)
    assert client.get("/accounts/").status_code == 200
    assert client.get(f"/accounts/{account.number}").status_code == 200


def test_a_stranger_is_sent_to_sign_in(client, db):
    account = create_account(db)
    response = client.get(f"/accounts/{account.number}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_search_finds_by_number_name_and_address_whatever_the_case(clerk, db):
    customer = create_customer(db, name="Maria Lopez-Ruiz")
    account = create_account(db, customer=customer, number="777-000123",
                             property=create_property(db, owner=customer, service_address="1200 Elmwood Drive"))
    create_account(db, number="778-000001")
    for typed in ("777-0001", "maria lo", "MARIA LOPEZ", "1200 elmwood"):
        page = clerk.get("/search/", query_string={"q": typed}).get_data(as_text=True)
        assert f'href="/accounts/{account.number}"' in page, typed
        assert "778-000001" not in page, typed
    nothing = clerk.get("/search/", query_string={"q": "Zebulon"}).get_data(as_text=True)
    assert "Nothing matches “Zebulon”" in nothing


def test_the_exact_number_goes_straight_to_the_account(clerk, db):
    account = create_account(db, number="779-000042")
    response = clerk.get("/search/", query_string={"q": "779-000042"})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/779-000042"


def test_an_unknown_account_number_is_a_404_that_says_so(clerk):
    response = clerk.get("/accounts/999-NOPE")
    assert response.status_code == 404
    assert "There is no utility account numbered 999-NOPE" in response.get_data(as_text=True)


def test_the_account_page_shows_standing_and_why_each_bill_is_what_it_is(fixed_clock, clerk, db):
    customer = create_customer(db, name="Ana Ortiz", language="es", phone="530-555-0142")
    account = create_account(db, customer=customer, cash_only=True)
    bill(db, account, "2026-01", 12, due_on=date(2026, 2, 5))
    bill(db, account, "2026-02", 9, due_on=date(2026, 3, 5))
    credit(db, account, "20.00")

    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "Ana Ortiz" in page and "Spanish" in page and "530-555-0142" in page
    assert "cash only" in page
    # January's bill: 3/4" meter, 12 CCF at the FY2025-26 rates; 20.00 paid against it.
    assert '<span class="period">2026-01</span>' in page
    assert page.index("2026-02</span>") < page.index("2026-01</span>")  # latest first
    assert "7 CCF x 2.05 + 5 CCF x 2.57" in page  # the water use line, worked out
    assert "Rate schedule <strong>Residential water and sewer service</strong>, version of Jul 1, 2025" in page
    assert "Resolution 2025-41, Exhibit A (FY2025-26)" in page
    january = db.scalar(select(LedgerEntry.amount_cents).where(LedgerEntry.account_id == account.id,
                                                               LedgerEntry.reference == "bill 2026-01"))
    february = db.scalar(select(LedgerEntry.amount_cents).where(LedgerEntry.account_id == account.id,
                                                                LedgerEntry.reference == "bill 2026-02"))
    balance = january + february - 2000
    assert f'id="balance">${balance / 100:,.2f}<' in page
    assert f'${(january - 2000) / 100:,.2f}</dd>' in page  # past due: January less the payment
    assert 'id="days-past-due">25<' in page  # due Feb 5, today Mar 2


def test_a_supervisor_returns_a_check_and_the_ledger_reverses_it(fixed_clock, login_as, db):
    account = create_account(db)
    charge(db, account, "80.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    payment = Payment(account_id=account.id, amount_cents=5000, tender="check", source="lockbox",
                      received_on=date(2026, 2, 25), check_number="1042", idempotency_key="web-return-1",
                      status="posted", actor="lockbox", posted_at=NOW)
    db.add(payment)
    db.flush()
    from engine.money import ledger
    ledger.post_payment(db, payment, now=NOW)

    clerk = login_as("clerk")
    refused = clerk.post(f"/accounts/{account.number}/payments/{payment.id}/return", data={"reason": "NSF"})
    assert refused.status_code == 403
    assert db.get(Payment, payment.id).status == "posted"

    supervisor = login_as("supervisor")
    assert "Return payment" in supervisor.get(f"/accounts/{account.number}").get_data(as_text=True)
    response = supervisor.post(f"/accounts/{account.number}/payments/{payment.id}/return", data={"reason": "NSF"},
                               follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Payment {payment.id} returned." in page
    db.expire_all()
    assert db.get(Payment, payment.id).status == "returned"
    kinds = db.scalars(select(LedgerEntry.kind).where(LedgerEntry.account_id == account.id)).all()
    assert "reversal" in kinds and "fee" in kinds  # the returned-payment fee by rule
    assert "returned</span>" in page


def test_a_return_needs_a_reason_and_returns_nothing_without_one(fixed_clock, supervisor, db):
    account = create_account(db)
    payment = Payment(account_id=account.id, amount_cents=5000, tender="check", source="lockbox",
                      received_on=TODAY, idempotency_key="web-return-2", status="posted", actor="x", posted_at=NOW)
    db.add(payment)
    db.flush()
    page = supervisor.post(f"/accounts/{account.number}/payments/{payment.id}/return", data={"reason": ""},
                           follow_redirects=True).get_data(as_text=True)
    assert "Say why the bank returned it." in page
    assert db.get(Payment, payment.id).status == "posted"


def test_a_clerk_requests_a_refund_of_a_credit_and_a_refund_case_opens(fixed_clock, clerk, db):
    account = create_account(db)
    credit(db, account, "45.00")
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "Up to $45.00 of this account's credit may be refunded." in page

    bad = clerk.post(f"/accounts/{account.number}/refund", data={"amount": "10.005", "source": "overpayment"})
    assert bad.status_code == 400
    assert "Use at most two decimals" in bad.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Case).where(Case.account_id == account.id)) == 0

    response = clerk.post(f"/accounts/{account.number}/refund", data={"amount": "45.00", "source": "overpayment"})
    case = db.scalar(select(Case).where(Case.account_id == account.id, Case.workflow_id == "refunds"))
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    assert case.state == "requested" and case.fields["amount"] == "45.00"
    assert case.fields["requested_by"] == clerk.user.username
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.open", AuditEntry.subject_id == str(case.id))) == 1


def test_a_notice_prints_as_a_pdf_on_demand(fixed_clock, clerk, db):
    account = create_account(db)
    data = {"recipient": {"name": "Ana Ortiz", "street": "12 Oak", "city_line": "Alder Creek CA 95601"}}
    notice = Notice(subject_type="utility_account", subject_id=account.id, notice_type="past-due-reminder",
                    period="2026-02", language="en", created_on=TODAY, data=data)
    db.add(notice)
    db.flush()
    assert f"/accounts/{account.number}/notices/{notice.id}.pdf" in clerk.get(
        f"/accounts/{account.number}").get_data(as_text=True)
    other = create_account(db)
    assert clerk.get(f"/accounts/{other.number}/notices/{notice.id}.pdf").status_code == 404


def test_a_cash_only_duration_is_said_in_words_on_the_account_page(clerk, db):
    """The day the status ends, in the city's date style, and the rule that decided it."""
    account = create_account(db, cash_only=True, cash_only_until=date(2027, 3, 2),
                             cash_only_reason="Two or more returned payments in 12 months")
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert ('id="cash-only">Cash only until Mar 2, 2027 — Two or more returned payments in 12 months.</p>'
            in page)
    open_ended = create_account(db, cash_only=True)
    assert 'id="cash-only">Cash only.</p>' in clerk.get(f"/accounts/{open_ended.number}").get_data(as_text=True)
