"""The dashboard's counts, the error pages and the security headers."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from engine.store.models import Case, LedgerEntry, Payment, SweepRun
from tests.factories import NOW, create_account, create_business, create_case, create_license
from tests.web.pages import live_figures  # noqa: F401  (fixture)
from webapp.auth import STAFF, role_required

TODAY = date(2026, 3, 2)  # NOW is 09:00 on March 2 in Alder Creek


def count(page: str, element_id: str) -> int:
    """The number shown in the dashboard card with this id."""
    match = re.search(rf'id="{element_id}">([\d,]+)<', page)
    assert match, f"no {element_id} on the page"
    return int(match.group(1).replace(",", ""))


def post(db, account, kind, cents, due_on=None, on=TODAY):
    """A ledger entry on an account."""
    db.add(LedgerEntry(account_id=account.id, kind=kind, amount_cents=cents, effective_on=on, due_on=due_on,
                       posted_at=NOW, actor="test", description=kind))
    db.flush()


@pytest.fixture()
def fixed_clock(app):
    """The app's clock fixed at the factories' NOW."""
    app.config["CLOCK"] = lambda: NOW


def test_the_dashboard_counts_what_is_in_the_database(fixed_clock, live_figures, clerk, db):
    """Counted at every view (the city's setting 0), the page shows what was added between two views."""
    before = clerk.get("/").get_data(as_text=True)
    late, paid_up, current = create_account(db), create_account(db), create_account(db)
    create_account(db, status="closed")
    post(db, late, "charge", 5203, due_on=date(2026, 2, 20))
    post(db, late, "payment", -2000)
    post(db, paid_up, "charge", 5203, due_on=date(2026, 2, 20))
    post(db, paid_up, "payment", -5203)
    post(db, current, "charge", 5203, due_on=date(2026, 3, 20))
    db.add(Payment(account_id=paid_up.id, amount_cents=5203, tender="cash", source="counter", received_on=TODAY,
                   idempotency_key="t-1", actor="test", posted_at=NOW))
    create_license(db)
    create_license(db, status="expired")
    create_business(db)
    create_case(db, state="past_due")
    create_case(db, state="past_due")
    create_case(db, state="closed_paid", closed_at=NOW)
    db.add(SweepRun(sweep="delinquency", as_of=TODAY, status="done", started_at=NOW, finished_at=NOW))
    db.flush()

    page = clerk.get("/").get_data(as_text=True)
    assert count(page, "active-accounts") - count(before, "active-accounts") == 3 + 3  # each case has an account of its own
    assert count(page, "past-due-accounts") - count(before, "past-due-accounts") == 1
    assert count(page, "businesses") - count(before, "businesses") == 3
    assert count(page, "active-licenses") - count(before, "active-licenses") == 1
    assert count(page, "payments-today") - count(before, "payments-today") == 1
    assert re.search(r"<td>Utility delinquency and shut-off</td><td>Past due</td><td class=\"num\">"
                     r"<a href=\"/cases/\?workflow=delinquency"
                     r"&amp;state=past_due\">2</a></td>", page)
    assert "closed paid" not in page
    assert re.search(r'<td><a href="/sweeps/runs/\d+">Delinquency notices and shut-offs</a></td><td>Mar 2, 2026</td>\s*<td><span class="badge ok">'
                     r'done</span></td>', page)


def test_today_is_the_city_s_date_not_utc(app, clerk, db):
    late_evening = datetime(2026, 3, 3, 6, 30, tzinfo=timezone.utc)  # 22:30 on March 2 in Alder Creek
    app.config["CLOCK"] = lambda: late_evening
    assert "Monday, March 2, 2026" in clerk.get("/").get_data(as_text=True)


def test_an_unknown_page_is_404(clerk):
    response = clerk.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_a_conflicting_save_is_409_says_the_case_changed_and_saves_nothing(app, login_as, db):
    case = create_case(db, state="past_due")

    @app.route("/test-conflict/<int:case_id>", methods=["POST"])
    @role_required(*STAFF)
    def conflict(case_id):
        """A clerk's step on a case that someone else saved in the meantime."""
        from webapp.extensions import database
        mine = database.session.get(Case, case_id)
        database.session.execute(text("UPDATE cases SET version = version + 1, state = 'reminded' WHERE id = :i"),
                                 {"i": case_id})  # the other clerk's save
        mine.state = "shutoff_scheduled"
        database.session.commit()
        return "saved"

    response = login_as("clerk").post(f"/test-conflict/{case.id}")
    assert response.status_code == 409
    assert b"This case changed since you opened it" in response.data
    db.expire_all()
    assert db.get(Case, case.id).state == "past_due"  # the whole request was rolled back


def test_an_error_is_500_with_a_plain_page(app, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/test-crash")
    @role_required(*STAFF)
    def crash():
        """A bug."""
        raise RuntimeError("boom")

    response = login_as("clerk").get("/test-crash")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data and b"boom" not in response.data


def test_every_response_carries_the_security_headers(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_samesite_lax(client, db):
    from tests.web.conftest import PASSWORD, create_user
    user = create_user(db, "clerk")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_unless_served_on_loopback(tmp_path, monkeypatch):
    from webapp.config import Config
    monkeypatch.setenv("SECRET_KEY", "x")
    assert Config(instance=tmp_path).SESSION_COOKIE_SECURE is True
    assert Config(instance=tmp_path, host="127.0.0.1").SESSION_COOKIE_SECURE is False


def test_the_secret_key_is_generated_once_and_private(tmp_path, monkeypatch):
    from webapp.config import Config
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Config(instance=tmp_path).SECRET_KEY
    assert Config(instance=tmp_path).SECRET_KEY == first and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_pages_escape_what_people_typed(admin, db):
    from tests.web.conftest import create_user
    create_user(db, "clerk", full_name="<script>alert(1)</script>")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_past_due_accounts_agree_with_the_ledger_s_aging(db):
    from engine.money.ledger import standings
    from engine.office_counts import past_due_accounts

    def entry(account, kind, cents, on, due_on=None, reverses=None):
        """A ledger entry, returned so it can be reversed."""
        row = LedgerEntry(account_id=account.id, kind=kind, amount_cents=cents, effective_on=on, due_on=due_on,
                          posted_at=NOW, actor="test", description=kind, reverses_id=reverses)
        db.add(row)
        db.flush()
        return row

    bounced, future_credit, reversed_charge, fee_today, late = (create_account(db) for _ in range(5))
    paid = entry(bounced, "payment", -5203, date(2026, 2, 25))
    entry(bounced, "charge", 5203, date(2026, 2, 1), due_on=date(2026, 2, 20))
    entry(bounced, "reversal", 5203, TODAY, reverses=paid.id)  # a returned check, dated today
    entry(future_credit, "charge", 5203, date(2026, 2, 1), due_on=date(2026, 2, 20))
    entry(future_credit, "payment", -5203, date(2026, 3, 5))  # not in force yet
    charge = entry(reversed_charge, "charge", 5203, date(2026, 2, 1), due_on=date(2026, 2, 20))
    entry(reversed_charge, "reversal", -5203, date(2026, 2, 22), reverses=charge.id)
    entry(fee_today, "fee", 2500, TODAY)  # due today: not yet late
    entry(late, "charge", 3000, date(2026, 1, 1), due_on=date(2026, 1, 20))
    entry(late, "charge", 3000, date(2026, 2, 1), due_on=date(2026, 2, 20))
    entry(late, "payment", -3000, date(2026, 2, 10))

    ids = [a.id for a in (bounced, future_credit, reversed_charge, fee_today, late)]
    by_ledger = {account_id for account_id, standing in standings(db, TODAY, ids) if standing.past_due_cents > 0}
    assert by_ledger == {bounced.id, future_credit.id, late.id}
    everyone = sum(1 for _, standing in standings(db, TODAY) if standing.past_due_cents > 0)
    assert past_due_accounts(db, TODAY) == everyone >= 3
