"""The payment files page: a file posts whole, a bad one names every bad line, look-alikes wait for a supervisor."""
from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry, LedgerEntry, Payment, PaymentImport
from tests.factories import create_account
from tests.web.conftest import csrf_token
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

HEADER = "account_number,amount,paid_on,tender,check_number,transaction_id"


def upload(client, lines: list[str], name: str = "lockbox-0304.csv", **options):
    """Send a lockbox file (the header and `lines`) from the payment files page."""
    content = "\n".join([HEADER, *lines]).encode() + b"\n"
    return client.post("/payments/files", data={"payment_file": (io.BytesIO(content), name), "source": "lockbox",
                                                **options}, content_type="multipart/form-data"), content


def state(db) -> tuple[int, int, int, int]:
    """Payments, ledger entries, the ledger's sum, audit rows."""
    return (db.scalar(select(func.count()).select_from(Payment)),
            db.scalar(select(func.count()).select_from(LedgerEntry)),
            db.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))),
            db.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.fixture()
def customers(db):
    """Two accounts that pay by lockbox."""
    return create_account(db), create_account(db)


def test_a_clerk_posts_a_good_file_whole(fixed_clock, clerk, db, customers):
    one, two = customers
    assert "Payment files" in clerk.get("/payments/files").get_data(as_text=True)
    response, _ = upload(clerk, [f"{one.number},52.03,2026-03-02,check,1042,LBX-1",
                                 f"{two.number},40.00,2026-03-02,ach,,LBX-2"])
    assert response.status_code == 302
    page = clerk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Posted 2 payments for $92.03; 0 posted before (skipped)." in page
    assert "LBX-1" in page and "LBX-2" in page and "posted</span>" in page
    assert state(db)[:3] == (2, 2, -9203)


def test_a_file_with_bad_lines_posts_nothing_and_the_page_names_every_one(fixed_clock, clerk, db, customers):
    one, _ = customers
    before = state(db)
    response, _ = upload(clerk, [f"{one.number},52.03,2026-03-02,check,1042,LBX-1",
                                 f"{one.number},12.345,2026-03-02,check,1043,LBX-2",
                                 "NO-SUCH,10.00,2026-03-02,check,7,LBX-3"])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "lockbox-0304.csv was refused: nothing was posted" in page
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td>(\w+)</td><td>([^<]+)</td></tr>', page)
    assert [(line, field) for line, field, _ in cells] == [("3", "amount"), ("4", "account_number")]
    assert "unknown account NO-SUCH" in cells[1][2]
    assert state(db) == before


def test_a_look_alike_line_waits_for_a_supervisor_who_confirms_it(fixed_clock, login_as, db, customers):
    one, two = customers
    clerk = login_as("clerk")
    upload(clerk, [f"{one.number},40.00,2026-03-02,check,,"], name="monday.csv")
    earlier = db.scalar(select(Payment.id))
    before = state(db)
    response, content = upload(clerk, [f"{two.number},15.00,2026-03-02,check,77,LBX-9",
                                       f"{one.number},40.00,2026-03-02,check,,"], name="tuesday.csv")
    held = db.scalar(select(PaymentImport).where(PaymentImport.file_name == "tuesday.csv"))
    assert response.headers["Location"] == f"/payments/files/{held.id}"
    page = clerk.get(f"/payments/files/{held.id}").get_data(as_text=True)
    assert "Not posted yet: 1 line without a transaction id looks like other payments." in page
    assert f"payment {earlier} (lockbox)" in page and "Possible duplicates" in page
    assert "Confirm: these are real payments" not in page  # a clerk has no button
    sha = hashlib.sha256(content).hexdigest()
    assert held.file_sha256 == sha and sha in page
    assert clerk.post(f"/payments/files/{held.id}/confirm", data={"file_sha256": sha}).status_code == 403
    assert state(db) == before

    supervisor = login_as("supervisor")
    assert "Confirm: these are real payments" in supervisor.get(f"/payments/files/{held.id}").get_data(as_text=True)
    wrong = supervisor.post(f"/payments/files/{held.id}/confirm", data={"file_sha256": "0" * 64},
                            follow_redirects=True).get_data(as_text=True)
    assert f"this file&#39;s SHA-256 is {sha}" in wrong and state(db)[:3] == before[:3]

    done = supervisor.post(f"/payments/files/{held.id}/confirm", data={"file_sha256": sha}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert f"Posted 2 payments for $55.00; 0 posted before (skipped). Possible duplicates confirmed by " \
           f"{supervisor.user.username}." in text
    assert state(db)[:3] == (3, 3, -9500)
    (audit,) = db.scalars(select(AuditEntry).where(AuditEntry.action == "payments.import_confirmed"))
    assert (audit.actor, audit.subject_id, audit.detail["file_sha256"]) == (supervisor.user.username, str(held.id), sha)
    assert [(r["line"], r["looks_like_payments"]) for r in audit.detail["rows"]] == [(3, [earlier])]
    again = supervisor.post(f"/payments/files/{held.id}/confirm", data={"file_sha256": sha}, follow_redirects=True)
    assert "is not waiting for confirmation (posted)" in again.get_data(as_text=True) and state(db)[0] == 3


def test_the_confirmation_needs_its_csrf_token(fixed_clock, app, login_as, db, customers):
    one, _ = customers
    supervisor = login_as("supervisor")
    upload(supervisor, [f"{one.number},40.00,2026-03-02,check,,", f"{one.number},40.00,2026-03-02,check,,"])
    held = db.scalar(select(PaymentImport))
    app.config["WTF_CSRF_ENABLED"] = True
    refused = supervisor.post(f"/payments/files/{held.id}/confirm", data={"file_sha256": held.file_sha256})
    assert refused.status_code == 400 and state(db)[0] == 0
    token = csrf_token(supervisor.get(f"/payments/files/{held.id}"))
    posted = supervisor.post(f"/payments/files/{held.id}/confirm",
                             data={"file_sha256": held.file_sha256, "csrf_token": token})
    assert posted.status_code == 302 and state(db)[0] == 2
