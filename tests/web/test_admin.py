"""Administrators: adding and disabling users, and the city's settings."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from sqlalchemy import select

from engine import city, throttle, users
from engine.chart_of_accounts import SAMPLE_CHART, chart_of
from engine.store.models import AuditEntry, CitySettings, SignInThrottle
from tests.factories import NOW
from tests.web.conftest import create_user

NEW_USER = {"username": "jlee", "full_name": "Jordan Lee", "role": "clerk",
            "password": "supervisor-pass", "confirm": "supervisor-pass"}


def last_audit(db) -> AuditEntry:
    """The newest audit row."""
    return db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))


def test_an_admin_adds_a_user_who_can_then_sign_in(admin, app, db):
    response = admin.post("/admin/users", data=NEW_USER)
    assert response.status_code == 302
    assert b"Added jlee (clerk)." in admin.get("/admin/users").data
    entry = last_audit(db)
    assert (entry.action, entry.actor, entry.subject_id) == ("user.add", admin.user.username, "jlee")
    assert app.test_client().post("/login", data={"username": "jlee", "password": "supervisor-pass"}).status_code == 302


@pytest.mark.parametrize("change, message", [
    ({"confirm": "something else"}, "The two passwords differ."),
    ({"password": "short", "confirm": "short"}, "A password needs 12 to 256 characters."),
    ({"password": "password1234", "confirm": "password1234"}, "one of the most common passwords"),
    ({"password": "aldercreek2026", "confirm": "aldercreek2026"}, "built on the city&#39;s name"),
    ({"username": "Bad Name!"}, "A username is 2 to 64 lower-case letters"),
])
def test_a_bad_new_user_is_shown_again_and_nothing_is_saved(admin, db, change, message):
    before = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    response = admin.post("/admin/users", data={**NEW_USER, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert users.get_user(db, NEW_USER["username"]) is None and users.get_user(db, "bad name!") is None
    assert db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) == before


def test_a_taken_username_is_refused(admin, db):
    create_user(db, "clerk", username="jlee")
    response = admin.post("/admin/users", data=NEW_USER)
    assert response.status_code == 400 and b"already taken" in response.data


def test_an_admin_disables_a_user_who_can_no_longer_sign_in(admin, app, db):
    clerk = create_user(db, "clerk")
    response = admin.post("/admin/users/disable", data={"username": clerk.username}, follow_redirects=True)
    assert f"Disabled {clerk.username}".encode() in response.data
    db.expire_all()
    assert users.get_user(db, clerk.username).active is False
    assert last_audit(db).action == "user.disable"
    signed_in = app.test_client().post("/login", data={"username": clerk.username, "password": "correct horse battery"})
    assert users.SIGN_IN_FAILED.encode() in signed_in.data


def test_an_admin_cannot_disable_themself(admin, db):
    response = admin.post("/admin/users/disable", data={"username": admin.user.username}, follow_redirects=True)
    assert b"You cannot disable your own account." in response.data
    db.expire_all()
    assert users.get_user(db, admin.user.username).active is True


def test_the_city_page_shows_the_defaults_and_saves_changes(admin, db):
    page = admin.get("/admin/city").get_data(as_text=True)
    assert 'value="City of Alder Creek"' in page and 'value="America/Los_Angeles"' in page
    boxes = {re.search(r'value="(\w+)"', tag)[1]: "checked" in tag for tag in re.findall(r"<input [^>]*>", page)
             if 'name="languages"' in tag}
    assert boxes == {"en": True, "es": True}, boxes  # the languages the templates print, named by their words files
    assert "English" in page and "Spanish" in page
    response = admin.post("/admin/city", data={"name": "City of Alder Creek", "timezone": "America/Denver",
                                               "phone": "530-555-0100", "rules_need_second_approver": "y",
                                               "languages_shown": "yes", "languages": ["en"]})
    assert response.status_code == 302
    settings = db.scalar(select(CitySettings))
    assert (settings.timezone, settings.languages, settings.phone) == ("America/Denver", ["en"], "530-555-0100")
    entry = last_audit(db)
    assert entry.action == "city.update" and entry.detail["timezone"] == ["America/Los_Angeles", "America/Denver"]


def test_the_counter_s_categories_are_a_city_setting(admin, db):
    page = admin.get("/admin/city").get_data(as_text=True)
    assert "Copies and records requests" in page  # the sample city's list, as YAML
    base = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y"}
    bad = admin.post("/admin/city", data={**base, "receipt_categories": "- {code: Dogs, label: Dog licenses, "
                                                                        "fund: '100', account: '4430'}"})
    assert bad.status_code == 400
    assert "receipt category 1: code &#39;Dogs&#39; must be lower-case letters" in bad.get_data(as_text=True)
    not_yaml = admin.post("/admin/city", data={**base, "receipt_categories": "- [unclosed"})
    assert not_yaml.status_code == 400 and "not YAML (line 1)" in not_yaml.get_data(as_text=True)
    assert db.scalar(select(CitySettings)) is None
    saved = admin.post("/admin/city", data={**base, "receipt_categories":
                                            "- {code: dogs, label: Dog licenses, fund: '100', account: '4430'}"})
    assert saved.status_code == 302
    settings = db.scalar(select(CitySettings))
    assert settings.receipt_categories == [{"code": "dogs", "label": "Dog licenses", "fund": "100", "account": "4430"}]
    entry = last_audit(db)
    assert entry.detail["receipt_categories"][0][0]["code"] == "copies"


def test_a_bad_time_zone_is_refused_and_nothing_saved(admin, db):
    response = admin.post("/admin/city", data={"name": "City of Alder Creek", "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert b"is not a time zone" in response.data
    assert db.scalar(select(CitySettings)) is None


# --- the services themselves ---------------------------------------------------------------


def test_passwords_are_kept_as_scrypt_hashes(db):
    user = create_user(db, "clerk")
    assert user.password_hash.startswith("scrypt:") and "correct horse" not in user.password_hash


def test_a_wait_starts_after_five_failures_doubles_and_stops_at_fifteen_minutes(db):
    user = create_user(db, "clerk")
    waits = []
    for n in range(16):
        later = NOW + timedelta(hours=n)  # each try after the last wait ran out
        result = users.authenticate(db, user.username, "wrong password", later, address="10.0.0.7")
        assert result.message == users.SIGN_IN_FAILED
        waits.append(throttle.wait_left(db, "10.0.0.7", user.username, later))
    seconds = [int(wait.total_seconds()) if wait else 0 for wait in waits]
    assert seconds == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert users.authenticate(db, user.username, "correct horse battery", NOW + timedelta(hours=16),
                              address="10.0.0.7").ok


def test_after_a_day_without_failures_the_count_starts_afresh(db):
    user = create_user(db, "clerk")
    for _ in range(5):
        users.authenticate(db, user.username, "wrong password", NOW, address="10.0.0.7")
    users.authenticate(db, user.username, "wrong password", NOW + timedelta(days=1), address="10.0.0.7")
    row = db.scalar(select(SignInThrottle).where(SignInThrottle.scope == "username"))
    assert row.failures == 1 and row.wait_until is None


def test_set_password_lifts_the_user_s_waits_and_is_audited(db):
    user = create_user(db, "clerk")
    for _ in range(5):
        users.authenticate(db, user.username, "wrong password", NOW)
    assert users.authenticate(db, user.username, "correct horse battery", NOW).wait
    users.set_password(db, user.username, "a new password", actor="admin1", now=NOW)
    assert users.authenticate(db, user.username, "a new password", NOW).ok
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == user.username)
                         .order_by(AuditEntry.id)).all()
    assert actions == ["user.add", "sign_in.username_waits", "user.password", "user.login"]


def test_the_city_s_today_follows_its_time_zone():
    evening = datetime(2026, 3, 3, 6, 30, tzinfo=timezone.utc)
    assert city.local_today(evening, "America/Los_Angeles").isoformat() == "2026-03-02"
    assert city.local_today(evening, "Europe/Madrid").isoformat() == "2026-03-03"
    with pytest.raises(ValueError):
        city.local_today(evening.replace(tzinfo=None), "America/Los_Angeles")


def test_city_languages_must_include_english(db):
    with pytest.raises(city.CityError, match="must include English"):
        city.update_city(db, actor="admin1", now=NOW, languages=["es"])


def test_saving_unchanged_city_settings_writes_no_audit_row(db):
    city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    rows = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    assert db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) == rows


def test_the_tenders_a_cash_only_account_may_not_use_are_a_guarded_city_setting(login_as, db):
    """Shown ticked as the sample city's (personal and electronic checks); a change waits for a second administrator,
    then the counter refuses a card from a cash-only account and takes a check, with an audit row of the change."""
    from decimal import Decimal
    from engine import two_person
    from engine.money import cash
    from engine.money.payments import post_counter_payment
    from engine.money.tenders import PaymentError
    from engine.store.models import SettingChange
    from tests.factories import create_account
    from tests.ledger.money_support import create_user as create_staff
    ada, ben = login_as("admin"), login_as("admin")
    page = ada.get("/admin/city").get_data(as_text=True)
    assert "A cash-only account may not pay with" in page
    boxes = {re.search(r'value="(\w+)"', tag)[1]: "checked" in tag for tag in re.findall(r"<input [^>]*>", page)
             if 'name="cash_only_refused_tenders"' in tag}
    assert boxes == {"check": True, "card": False, "money_order": False, "ach": True}, boxes
    base = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y",
            "spanish": "y"}
    assert ada.post("/admin/city", data=base).status_code == 302  # the boxes not on the form: nothing asked
    assert db.scalar(select(SettingChange)) is None
    bad = ada.post("/admin/city", data={**base, "cash_only_tenders_shown": "yes",
                                        "cash_only_refused_tenders": ["check", "bitcoin"]})
    assert bad.status_code == 400 and "&#39;bitcoin&#39; is not a tender" in bad.get_data(as_text=True)
    asked = ada.post("/admin/city", data={**base, "cash_only_tenders_shown": "yes",
                                          "cash_only_refused_tenders": ["card", "ach"]})
    assert asked.status_code == 302
    change = db.scalar(select(SettingChange))
    assert two_person.describe(change) == ("Tenders a cash-only account may not pay with: a check, an electronic "
                                           "check (ACH) → a card, an electronic check (ACH)")
    assert city.get_city(db).cash_only_refused_tenders is None  # waiting
    two_person.approve(db, change.id, actor=ben.user.username, now=NOW)
    assert city.get_city(db).cash_only_refused_tenders == ["card", "ach"]
    entry = last_audit(db)
    assert entry.action == "city.update" and entry.detail["cash_only_refused_tenders"] == [["check", "ach"],
                                                                                          ["card", "ach"]]
    clerk, account = create_staff(db), create_account(db, cash_only=True)
    day = NOW.date()
    cash.open_drawer(db, clerk=clerk, business_date=day, opening=Decimal("0"), now=NOW)
    with pytest.raises(PaymentError, match="a card is not accepted; take cash, a check or a money order"):
        post_counter_payment(db, account_id=account.id, amount="20.00", tender="card", clerk=clerk, on=day, now=NOW)
    paid = post_counter_payment(db, account_id=account.id, amount="20.00", tender="check", clerk=clerk, on=day,
                                now=NOW, check_number="1001")
    assert paid.tender == "check"


def test_the_city_page_edits_the_chart_and_refuses_a_bad_one(admin, db):
    page = admin.get("/admin/city").get_data(as_text=True)
    assert "Chart of accounts" in page and "Accounts receivable - utility customers" in page
    base = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y"}
    bad = {**SAMPLE_CHART, "deposits_held": {"fund": "510", "account": "twenty-two"}}
    refused = admin.post("/admin/city", data={**base, "chart_of_accounts": yaml.safe_dump(bad)})
    assert refused.status_code == 400
    assert "deposits_held account &#39;twenty-two&#39; must be digits" in refused.get_data(as_text=True)
    assert db.scalar(select(CitySettings)) is None
    saved = admin.post("/admin/city", data={**base, "chart_of_accounts": yaml.safe_dump(
        {**SAMPLE_CHART, "deposits_held": {"fund": "510", "account": "2215"}})})
    assert saved.status_code == 302
    assert chart_of(db.scalar(select(CitySettings)).chart_of_accounts).deposits_held == ("510", "2215")
    assert "2215" in admin.get("/admin/city").get_data(as_text=True)
