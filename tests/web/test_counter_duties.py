"""Who records returned payments, closes the day and exports to the GL is a guarded city setting (engine.duties):
supervisors and administrators by default; a change waits for a second administrator and is audited; the server
checks it at each page and at `ordinance cash close-day`."""
from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from sqlalchemy import select

from engine import city, two_person
from engine.money import cash
from engine.money.payment_files import PaymentRow
from engine.money.payments import import_payments
from engine.store.models import AuditEntry, CashDrawer, Payment, SettingChange, User
from tests.factories import NOW, create_account, grant_duty, save_city
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

DAY = "2026-03-02"
BASE = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y",
        "spanish": "y", "duty_roles_shown": "yes"}
SAMPLE = {"duty_returned_payments": ["supervisor", "admin"], "duty_day_close": ["supervisor", "admin"],
          "duty_gl_export": ["supervisor", "admin"], "duty_day_forecast": ["supervisor", "admin"],
          "duty_billing_run": ["supervisor", "admin"]}


def counted_drawer(clerk) -> None:
    """The clerk opens a drawer with nothing in it and counts it: the day may close."""
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    assert "Your drawer is counted and closed" in clerk.post("/payments/drawer/count", data={},
                                                             follow_redirects=True).get_data(as_text=True)


def test_by_default_only_supervisors_close_the_day_and_export(fixed_clock, login_as, db):
    clerk = login_as("clerk")
    counted_drawer(clerk)
    page = clerk.get("/payments/drawer").get_data(as_text=True)
    assert "Close business day" not in page and "gl-export.csv" not in page
    refused = clerk.post("/payments/day/close", data={"business_date": DAY})
    assert refused.status_code == 403
    assert clerk.get(f"/payments/day/gl-export.csv?date={DAY}").status_code == 403
    assert clerk.get(f"/payments/day/counter-journal.csv?date={DAY}").status_code == 403
    assert not cash.day_is_closed(db, NOW.date())
    with pytest.raises(cash.CashError, match=r"only supervisors and administrators may close the business day here "
                                             r"\(.+ is a clerk\)"):
        cash.close_day(db, NOW.date(), user=clerk.user, now=NOW)


def test_a_city_that_lets_clerks_close_the_day_lets_a_clerk_close_it(fixed_clock, login_as, db):
    clerk = login_as("clerk")
    counted_drawer(clerk)
    save_city(db)
    grant_duty(db, "day_close", ["clerk", "supervisor", "admin"])
    db.commit()
    page = clerk.get("/payments/drawer").get_data(as_text=True)
    assert "Close business day" in page and "gl-export.csv" not in page  # the GL export stays with supervisors
    closed = clerk.post("/payments/day/close", data={"business_date": DAY}, follow_redirects=True)
    assert "Business day Mar 2, 2026 closed (1 drawer)." in closed.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(CashDrawer.status)) == "closed"
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "cash.day_close")).actor == clerk.user.username
    assert clerk.get(f"/payments/day/gl-export.csv?date={DAY}").status_code == 403


def test_a_change_of_who_closes_the_day_waits_for_a_second_administrator_and_is_audited(fixed_clock, login_as, db):
    ada, ben = login_as("admin"), login_as("admin")
    page = ada.get("/admin/city").get_data(as_text=True)
    boxes = {re.search(r'value="(\w+)"', tag)[1]: "checked" in tag for tag in re.findall(r"<input [^>]*>", page)
             if 'name="duty_day_close"' in tag}
    assert boxes == {"clerk": False, "supervisor": True, "admin": True}, boxes
    bad = ada.post("/admin/city", data={**BASE, **SAMPLE, "duty_day_close": ["clerk", "mayor"]})
    assert bad.status_code == 400 and "&#39;mayor&#39; is not a page role" in bad.get_data(as_text=True)
    nobody = ada.post("/admin/city", data={**BASE, **SAMPLE, "duty_day_close": []})
    assert nobody.status_code == 400 and "who may close the business day: at least one page role" in \
        nobody.get_data(as_text=True)
    assert db.scalar(select(SettingChange)) is None
    asked = ada.post("/admin/city", data={**BASE, **SAMPLE, "duty_day_close": ["clerk", "supervisor", "admin"]},
                     follow_redirects=True).get_data(as_text=True)
    words = ("Who may close the business day: supervisors and administrators \u2192 clerks, supervisors and "
             "administrators")
    assert words in asked
    change = db.scalar(select(SettingChange))
    assert two_person.describe(change) == words and change.requested_by == ada.user.username
    assert city.get_city(db).duty_roles is None  # waiting: clerks may not close yet
    clerk = login_as("clerk")
    assert clerk.post("/payments/day/close", data={"business_date": DAY}).status_code == 403
    own = ada.post(f"/admin/changes/{change.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "another person must approve it" in own
    db.expire_all()
    assert city.get_city(db).duty_roles is None
    ben.post(f"/admin/changes/{change.id}/approve", follow_redirects=True)
    db.expire_all()
    assert city.setting_value(city.get_city(db), "duty_roles")["day_close"] == ["clerk", "supervisor", "admin"]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "city.update").order_by(AuditEntry.id.desc()))
    assert entry.actor == ben.user.username and entry.detail["asked_by"] == ada.user.username
    old, new = entry.detail["duty_roles"]
    assert old["day_close"] == ["supervisor", "admin"] and new["day_close"] == ["clerk", "supervisor", "admin"]
    with pytest.raises(city.CityError, match="changes only when a second person approves"):
        city.update_city(db, actor=ada.user.username, now=NOW, duty_roles={"day_close": ["admin"]})


def test_the_close_day_command_asks_the_city_setting(cli, committing_db):
    """`ordinance cash close-day --as` is refused to a clerk by default, and closes for one when the city allows."""
    with committing_db() as session:
        session.add(User(username="cal", full_name="Cal Clerk", role="clerk", password_hash="-", created_at=NOW))
        save_city(session)
        session.commit()
    refused = cli("cash", "close-day", "--date", DAY, "--as", "cal")
    assert refused.exit_code == 1
    assert "only supervisors and administrators may close the business day here (cal is a clerk)" in refused.output
    with committing_db() as session:
        assert not cash.day_is_closed(session, date(2026, 3, 2))
        grant_duty(session, "day_close", ["clerk", "supervisor", "admin"])
        session.commit()
    closed = cli("cash", "close-day", "--date", DAY, "--as", "cal")
    assert closed.exit_code == 0 and f"Business day {DAY} closed" in closed.output
    with committing_db() as session:
        assert cash.day_is_closed(session, date(2026, 3, 2))


def test_the_return_command_asks_the_city_setting_of_its_actor(cli, committing_db):
    """`ordinance payments return --as` records a return only for someone the city lets: a clerk is refused by
    default and nothing changes; a name that is no active user is refused; a clerk may once the city allows."""
    with committing_db() as session:
        session.add(User(username="cal", full_name="Cal Clerk", role="clerk", password_hash="-", created_at=NOW))
        save_city(session)
        number = create_account(session).number
        session.commit()
    import_payments(committing_db, [PaymentRow(1, number, 4_000, date(2026, 3, 2), "ach", "", "T-1")],
                    source="bank", file_name="bank.csv", now=NOW)
    with committing_db() as session:
        payment_id = session.scalar(select(Payment.id))
    asked = ("payments", "return", str(payment_id), "--reason", "NSF", "--on", DAY, "--as")
    refused = cli(*asked, "cal")
    assert refused.exit_code == 1
    assert "only supervisors and administrators may record a returned payment here (cal is a clerk)" in \
        refused.output
    stranger = cli(*asked, "nobody")
    assert stranger.exit_code == 1 and "no active user 'nobody'" in stranger.output
    with committing_db() as session:
        assert session.get(Payment, payment_id).status == "posted"
        grant_duty(session, "returned_payments", ["clerk", "supervisor", "admin"])
        session.commit()
    returned = cli(*asked, "cal")
    assert returned.exit_code == 0 and f"Payment {payment_id} returned" in returned.output
    with committing_db() as session:
        assert session.get(Payment, payment_id).status == "returned"


def test_the_gl_export_command_asks_the_city_setting_of_its_user(cli, committing_db, tmp_path):
    """`ordinance reports gl-export --as`: a clerk is refused by default (exit 2, who may, no file, no audit row);
    a stranger and a disabled supervisor are refused; a supervisor gets the export and an audit row naming them;
    a clerk does once the city lets clerks."""
    with committing_db() as session:
        session.add_all([User(username="cal", full_name="Cal Clerk", role="clerk", password_hash="-", created_at=NOW),
                         User(username="sam", full_name="Sam Supervisor", role="supervisor", password_hash="-",
                              created_at=NOW),
                         User(username="old", full_name="Old Supervisor", role="supervisor", password_hash="-",
                              created_at=NOW, active=False)])
        save_city(session)
        session.commit()
    out = tmp_path / "gl.csv"
    asked = ("reports", "gl-export", "--date", DAY, "--output", str(out), "--as")

    def audit_rows(session) -> list[AuditEntry]:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "cash.gl_export")
                                    .order_by(AuditEntry.id)))

    refused = cli(*asked, "cal")
    assert refused.exit_code == 2, refused.output
    assert ("only supervisors and administrators may download the day's GL export and counter journal here "
            "(cal is a clerk)") in refused.output and "nothing was exported" in refused.output
    stranger = cli(*asked, "nobody")
    assert stranger.exit_code == 2 and "--as: no user 'nobody'" in stranger.output
    disabled = cli(*asked, "old")
    assert disabled.exit_code == 2 and "old is not an active user" in disabled.output
    assert not out.exists()
    with committing_db() as session:
        assert audit_rows(session) == []
    missing = cli("reports", "gl-export", "--date", DAY)
    assert missing.exit_code == 2 and "--as" in missing.output

    taken = cli(*asked, "sam")
    assert taken.exit_code == 0, taken.output
    assert out.read_bytes().startswith(b"date,fund,account,account_name,debit,credit")
    with committing_db() as session:
        [entry] = audit_rows(session)
        assert (entry.actor, entry.subject_type, entry.subject_id) == ("sam", "business_day", DAY)
        assert entry.detail["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        grant_duty(session, "gl_export", ["clerk", "supervisor", "admin"])
        session.commit()
    out.unlink()
    clerk = cli(*asked, "cal")
    assert clerk.exit_code == 0, clerk.output
    assert out.exists()
    with committing_db() as session:
        assert [entry.actor for entry in audit_rows(session)] == ["sam", "cal"]


def test_the_gl_export_downloaded_on_the_page_writes_the_command_line_s_audit_row(fixed_clock, login_as, db):
    """The download is taken through engine.money.cash.export_gl, as `ordinance reports gl-export --as` takes it: an
    audit row naming the signed-in person and the SHA-256 of the bytes they got; a refused clerk writes none."""
    clerk, supervisor = login_as("clerk"), login_as("supervisor")
    assert clerk.get(f"/payments/day/gl-export.csv?date={DAY}").status_code == 403
    download = supervisor.get(f"/payments/day/gl-export.csv?date={DAY}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    data = download.get_data()
    assert data.startswith(b"date,fund,account,account_name,debit,credit")
    db.expire_all()
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "cash.gl_export"))
    assert (entry.actor, entry.subject_type, entry.subject_id) == (supervisor.user.username, "business_day", DAY)
    assert entry.detail == {"closed": False, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    by_command = cash.export_gl(db, date.fromisoformat(DAY), user=supervisor.user, now=NOW)
    assert by_command == data  # the same bytes, the same row
    rows = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "cash.gl_export").order_by(AuditEntry.id)))
    assert [row.detail for row in rows] == [entry.detail, entry.detail]
