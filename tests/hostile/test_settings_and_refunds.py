"""An outside tester's cases: one administrator alone never changes a guarded setting or a role, and a refund
never goes beyond the account's refundable credit -- at request, approval or issue, on the web or the command line.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import city, two_person, users
from engine.money import ledger
from engine.store.db import make_engine, make_sessionmaker, transaction
from engine.store.models import AuditEntry, Case, LedgerEntry, SettingChange, User
from engine.workflow import services
from engine.workflow.services import Catalog
from tests.factories import NOW, create_account, save_city
from tests.web.conftest import PASSWORD, create_user, csrf_token
from tests.web.conftest import app, clerk, login_as  # noqa: F401  (fixtures: the web app and signed-in staff)
from tests.workflow.conftest import REPO
from webapp.cli import main as ordinance
from samplecity.city import APPROVAL_ROLE_IDS

CITY_PAGE = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles"}  # the second-approver box unticked
TOO_MUCH = "the account's refundable credit is now $75.61; the refund asks for $207.57"
SHRUNK = "the account's refundable credit is now $25.61; the refund asks for $75.61"
ON = date(2026, 3, 2)


def audit_actions(db, since: int = 0) -> list[tuple[str, str]]:
    """(action, actor) of every audit row after row `since`."""
    return [(row.action, row.actor) for row in db.scalars(select(AuditEntry).where(AuditEntry.id > since)
                                                         .order_by(AuditEntry.id))]


def last_audit_id(db) -> int:
    """The newest audit row's id (0 when the log is empty)."""
    return db.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def the_change(db) -> SettingChange:
    """The one change asked for."""
    return db.scalars(select(SettingChange)).one()


def second_approver_rule(db) -> bool:
    """Whether rule versions need a second person, as the database has it now."""
    db.expire_all()
    return city.get_city(db).rules_need_second_approver


# --- two people means two people: the web pages --------------------------------------------------------------


def test_one_administrator_cannot_switch_off_the_two_person_rule_a_second_one_can(login_as, db):
    """ada unticks the box: it waits; ada's own approval is refused; ben approves and it applies; all audited."""
    ada, ben = login_as("admin"), login_as("admin")
    since = last_audit_id(db)
    saved = ada.post("/admin/city", data=CITY_PAGE, follow_redirects=True).get_data(as_text=True)
    assert "waiting for a second person" in saved and f"{ben.user.username} may approve or refuse it." in saved
    change = the_change(db)
    assert (change.setting, change.old_value, change.new_value, change.requested_by, change.status) == (
        "rules_need_second_approver", True, False, ada.user.username, "pending")
    assert second_approver_rule(db) is True

    page = ada.get("/admin/changes").get_data(as_text=True)
    assert "You asked for it; another person must approve it." in page and f"Approve change {change.id}" not in page
    own = ada.post(f"/admin/changes/{change.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "You asked for this change; another person must approve it." in own
    assert second_approver_rule(db) is True and the_change(db).status == "pending"

    assert f"Approve change {change.id}" in ben.get("/admin/changes").get_data(as_text=True)
    approved = ben.post(f"/admin/changes/{change.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "Approved and applied: Rule versions need a second person to approve them: yes" in approved
    assert second_approver_rule(db) is False
    assert (the_change(db).status, the_change(db).decided_by) == ("approved", ben.user.username)
    assert audit_actions(db, since) == [
        ("city.update", ada.user.username),  # the city's first save stores the plain settings as they were
        ("change.ask", ada.user.username), ("change.approve", ben.user.username), ("city.update", ben.user.username)]
    update = db.scalars(select(AuditEntry).where(AuditEntry.action == "city.update")
                        .order_by(AuditEntry.id.desc())).first()
    assert update.detail == {"rules_need_second_approver": [True, False], "change": change.id,
                             "asked_by": ada.user.username}


def test_the_three_request_attack_leaves_the_rule_on(login_as, db):
    """Switch off, publish, switch on, by one administrator: the switch never happens, so nothing else can."""
    ada = login_as("admin")
    ada.post("/admin/city", data=CITY_PAGE)
    ada.post(f"/admin/changes/{the_change(db).id}/approve")
    ada.post("/admin/city", data={**CITY_PAGE, "rules_need_second_approver": "y"})
    assert second_approver_rule(db) is True
    with pytest.raises(city.CityError, match="changes only when a second person approves"):
        city.update_city(db, actor=ada.user.username, now=NOW, rules_need_second_approver=False)


def test_a_change_waits_when_nobody_can_approve_and_the_page_says_what_to_do(login_as, db):
    """The city's only administrator, no second approver: the change waits; the page says nobody can approve it."""
    ada = login_as("admin")
    ada.post("/admin/city", data=CITY_PAGE)
    page = ada.get("/admin/city").get_data(as_text=True)
    assert "Nobody can approve this yet" in page and "Name a supervisor as the second approver" in page
    assert second_approver_rule(db) is True


def test_a_clerk_or_a_supervisor_not_named_cannot_approve(login_as, db):
    """The approve button is refused to a clerk (403) and to a supervisor the city has not named."""
    ada, clerk, sofia = login_as("admin"), login_as("clerk"), login_as("supervisor")
    login_as("admin")  # a second administrator, so the change has an approver
    ada.post("/admin/city", data=CITY_PAGE)
    change = the_change(db)
    assert clerk.post(f"/admin/changes/{change.id}/approve").status_code == 403
    refused = sofia.post(f"/admin/changes/{change.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "You may not approve or refuse this change" in refused
    assert second_approver_rule(db) is True and the_change(db).status == "pending"


def test_approving_needs_the_form_s_csrf_token(app, login_as, db):
    """A forged approve without the token is refused and changes nothing; with it, the change applies."""
    ada, ben = login_as("admin"), login_as("admin")
    ada.post("/admin/city", data=CITY_PAGE)
    change = the_change(db)
    app.config["WTF_CSRF_ENABLED"] = True
    assert ben.post(f"/admin/changes/{change.id}/approve").status_code == 400
    assert second_approver_rule(db) is True
    token = csrf_token(ben.get("/admin/changes"))
    assert ben.post(f"/admin/changes/{change.id}/approve", data={"csrf_token": token}).status_code == 302
    assert second_approver_rule(db) is False


def test_a_city_with_one_administrator_names_a_supervisor_as_the_second_person(login_as, db):
    """ada names sam (sam accepts); then ada's switch-off waits for sam, and sam approves it."""
    ada, sam = login_as("admin"), login_as("supervisor")
    since = last_audit_id(db)
    ada.post("/admin/city", data={**CITY_PAGE, "rules_need_second_approver": "y",
                                  "second_approver": sam.user.username})
    naming = the_change(db)
    assert two_person.approvers(db, naming) == [sam.user.username]
    assert ada.post(f"/admin/changes/{naming.id}/approve").status_code == 302
    assert city.get_city(db).second_approver is None
    sam.post(f"/admin/changes/{naming.id}/approve")
    db.expire_all()
    assert city.get_city(db).second_approver == sam.user.username

    ada.post("/admin/city", data={**CITY_PAGE, "second_approver": sam.user.username})
    switch = db.scalars(select(SettingChange).where(SettingChange.status == "pending")).one()
    assert switch.setting == "rules_need_second_approver"
    assert "Waiting changes" in sam.get("/").get_data(as_text=True)  # the menu offers the second approver the page
    sam.post(f"/admin/changes/{switch.id}/approve")
    assert second_approver_rule(db) is False
    assert audit_actions(db, since) == [
        ("city.update", ada.user.username),  # the plain settings saved with the first form
        ("change.ask", ada.user.username), ("change.approve", sam.user.username), ("city.update", sam.user.username),
        ("change.ask", ada.user.username), ("change.approve", sam.user.username), ("city.update", sam.user.username)]


def test_the_second_approver_cannot_approve_their_own_promotion(login_as, db):
    """sam, the named second approver, may not approve making sam an administrator: nobody can, and it waits."""
    ada, sam = login_as("admin"), login_as("supervisor")
    naming = two_person.ask_city_change(db, "second_approver", sam.user.username, actor=ada.user.username, now=NOW)
    two_person.approve(db, naming.id, actor=sam.user.username, now=NOW)
    promotion = two_person.ask_role_change(db, sam.user.username, "admin", actor=ada.user.username, now=NOW)
    page = sam.post(f"/admin/changes/{promotion.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "This change is about your own role; another person must approve it." in page
    assert "Nobody can approve this yet" in page
    db.expire_all()
    assert users.get_user(db, sam.user.username).role == "supervisor"


def test_adding_a_supervisor_waits_for_a_second_administrator(login_as, db):
    """jlee is added as a clerk; the supervisor role waits; ada may not approve it; ben does; each step audited."""
    ada, ben = login_as("admin"), login_as("admin")
    since = last_audit_id(db)
    added = ada.post("/admin/users", data={"username": "jlee", "full_name": "Jordan Lee", "role": "supervisor",
                                           "password": PASSWORD, "confirm": PASSWORD}, follow_redirects=True)
    page = added.get_data(as_text=True)
    assert "Added jlee (clerk)." in page and "Make jlee a supervisor (now a clerk): waiting for a second person" in page
    assert users.get_user(db, "jlee").role == "clerk"
    change = the_change(db)
    assert "You asked for this change" in ada.post(f"/admin/changes/{change.id}/approve",
                                                   follow_redirects=True).get_data(as_text=True)
    ben.post(f"/admin/changes/{change.id}/approve")
    db.expire_all()
    assert users.get_user(db, "jlee").role == "supervisor"
    assert audit_actions(db, since) == [("user.add", ada.user.username), ("change.ask", ada.user.username),
                                        ("change.approve", ben.user.username), ("user.role", ben.user.username)]


def test_a_role_change_from_the_users_page_waits_and_a_refusal_changes_nothing(login_as, db):
    """ada asks to make a clerk an administrator; ben refuses it; the clerk stays a clerk; both steps audited."""
    ada, ben = login_as("admin"), login_as("admin")
    clerk = create_user(db, "clerk")
    since = last_audit_id(db)
    ada.post("/admin/users/role", data={"username": clerk.username, "role": "admin"})
    change = the_change(db)
    assert (change.username, change.old_value, change.new_value) == (clerk.username, "clerk", "admin")
    ben.post(f"/admin/changes/{change.id}/refuse")
    db.expire_all()
    assert users.get_user(db, clerk.username).role == "clerk" and the_change(db).status == "refused"
    assert audit_actions(db, since) == [("change.ask", ada.user.username), ("change.refuse", ben.user.username)]


def test_the_one_who_asked_may_withdraw_but_never_approve(db):
    """Withdrawn by its asker, a change is closed and nothing applies."""
    for name in ("ada", "ben"):
        create_user(db, "admin", username=name)
    change = two_person.ask_city_change(db, "rules_need_second_approver", False, actor="ada", now=NOW)
    with pytest.raises(two_person.ChangeError, match="You asked for this change"):
        two_person.approve(db, change.id, actor="ada", now=NOW)
    assert two_person.refuse(db, change.id, actor="ada", now=NOW).status == "withdrawn"
    with pytest.raises(two_person.ChangeError, match="already withdrawn"):
        two_person.approve(db, change.id, actor="ben", now=NOW)
    assert city.get_city(db).rules_need_second_approver is True


# --- two people means two people: the command line -------------------------------------------------------------


@pytest.fixture()
def users_cli(committing_url: str, tmp_path: Path):
    """Run `ordinance users ...` on a database of the test's own: the result (exit code, stdout, stderr)."""
    runner = CliRunner()
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    return lambda *args, password=None: runner.invoke(ordinance, ["users", *args], env=env,
                                                      input=f"{password}\n" if password else None)


def committed(url: str, model) -> list:
    """Every row of a table in a database the command line committed to."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        rows = list(session.scalars(select(model).order_by(model.id)))
    engine.dispose()
    return rows


def test_the_command_line_grants_roles_through_the_same_two_person_service(users_cli, committing_url):
    """The operator's bootstrap adds the first two administrators; after that a third waits for a second one."""
    add = ("add", "--name", "Someone", "--password-stdin")
    assert users_cli(*add, "ann", "--role", "admin", password=PASSWORD).exit_code == 0  # no administrator yet
    assert users_cli(*add, "bob", "--role", "admin", password=PASSWORD).exit_code == 0  # no second person yet
    alone = users_cli(*add, "cal", "--role", "admin", password=PASSWORD)
    assert alone.exit_code == 1
    assert alone.stderr == ("Error: Making cal an administrator waits for a second person: say which administrator "
                            "asks for it with --as USERNAME.\n")

    asked = users_cli(*add, "cal", "--role", "admin", "--as", "ann", password=PASSWORD)
    assert asked.exit_code == 0, asked.output
    assert "Added cal (clerk): Someone" in asked.stdout and "bob may approve or refuse it." in asked.stdout
    [change] = committed(committing_url, SettingChange)
    assert "Make cal an administrator (now a clerk)" in users_cli("changes").stdout
    own = users_cli("approve", str(change.id), "--as", "ann")
    assert (own.exit_code, own.stderr) == (1, "Error: You asked for this change; another person must approve it.\n")
    assert users_cli("approve", str(change.id), "--as", "bob").exit_code == 0
    assert {u.username: u.role for u in committed(committing_url, User)} == {"ann": "admin", "bob": "admin",
                                                                             "cal": "admin"}
    demote = users_cli("role", "bob", "clerk", "--as", "cal")
    assert demote.exit_code == 0 and "ann may approve or refuse it." in demote.stdout
    audit = [(row.action, row.actor, row.detail.get("bootstrap")) for row in committed(committing_url, AuditEntry)]
    assert [(action, bootstrap) for action, _actor, bootstrap in audit] == [
        ("user.add", True), ("user.add", True), ("user.add", None), ("change.ask", None), ("change.approve", None),
        ("user.role", None), ("change.ask", None)]
    assert [actor for _action, actor, _b in audit][2:] == ["ann", "ann", "bob", "bob", "cal"]


# --- refunds within the credit ---------------------------------------------------------------------------------


def credit_of(db, amount: str):
    """An account that paid its bill of `amount` twice: a refundable credit of `amount`."""
    save_city(db)
    account = create_account(db)
    ledger.post_charge(db, account.id, Decimal(amount), on=date(2026, 2, 1), due_on=date(2026, 2, 20), now=NOW,
                       actor="billing", description="Water and sewer")
    for day in (2, 3):
        ledger.post(db, account_id=account.id, kind="payment", amount=-Decimal(amount), on=date(2026, 2, day),
                    now=NOW, actor="test", description="Payment (cash, counter)", reference=f"test-{day}")
    return account


def refunds(db, account_id: int) -> int:
    """How many refund entries the account's ledger has."""
    return db.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.account_id == account_id,
                                                                         LedgerEntry.kind == "refund"))


def test_a_refund_beyond_the_credit_is_refused_at_request_on_the_web(app, clerk, db):
    """$207.57 on a $75.61 credit: no case opens, and the account page says why in words."""
    app.config["CLOCK"] = lambda: NOW
    account = credit_of(db, "75.61")
    response = clerk.post(f"/accounts/{account.number}/refund", data={"amount": "207.57", "source": "overpayment"},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "Refund not requested: " + TOO_MUCH.replace("'", "&#39;") in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Case).where(Case.account_id == account.id)) == 0


@pytest.fixture()
def approved_refund(app, db):
    """A $75.61 refund of a $75.61 credit, requested by one clerk and approved by another: (case, account, clerks)."""
    app.config["CLOCK"] = lambda: NOW
    account = credit_of(db, "75.61")
    carla, colin = create_user(db, "clerk"), create_user(db, "clerk")
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    case = services.open_case(db, catalog, "refunds", account.id, actor=carla.username, on=ON, now=NOW,
                              fields={"amount": "75.61", "source": "overpayment"})
    services.take_step(db, catalog, case.id, "research", user=carla.username, on=ON, now=NOW, version=case.version,
                       form={"research_notes": "paid twice in February"})
    services.take_step(db, catalog, case.id, "approve", user=colin.username, on=ON, now=NOW, version=case.version)
    return case, account


def shrink_the_credit(db, account) -> None:
    """A new $50.00 bill after the approval: the refundable credit is now $25.61."""
    ledger.post_charge(db, account.id, Decimal("50.00"), on=ON, due_on=date(2026, 3, 20), now=NOW, actor="billing",
                       description="Water and sewer")


def test_a_credit_that_shrinks_after_approval_refuses_the_issue_on_the_case_page(approved_refund, clerk, db):
    """The issue is refused with the credit and the amount in words (400, never 500); the case stays approved."""
    case, account = approved_refund
    shrink_the_credit(db, account)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert SHRUNK.replace("'", "&#39;") in page  # the step is greyed, saying why
    response = clerk.post(f"/cases/{case.id}/steps/issue_check", data={
        "issue_check-version": case.version, "issue_check-check_number": "100482"})
    assert response.status_code == 400
    assert SHRUNK.replace("'", "&#39;") in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, case.id).state == "approved" and refunds(db, account.id) == 0


def test_a_credit_that_shrinks_before_approval_refuses_the_approval(db):
    """Requested within the credit, the credit shrinks: the approval says why, and the case stays researched."""
    account = credit_of(db, "75.61")
    for name in ("carla", "colin"):
        create_user(db, "clerk", username=name)
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=NOW,
                              fields={"amount": "75.61", "source": "overpayment"})
    services.take_step(db, catalog, case.id, "research", user="carla", on=ON, now=NOW, version=case.version,
                       form={"research_notes": "paid twice"})
    shrink_the_credit(db, account)
    [approve] = [o for o in services.steps_for(db, catalog, case.id, user="colin", on=ON) if o.id == "approve"]
    assert approve.reasons == [SHRUNK]
    with pytest.raises(services.CaseError, match="refundable credit is now"):
        services.take_step(db, catalog, case.id, "approve", user="colin", on=ON, now=NOW, version=case.version)
    assert case.state == "researched"


def test_the_ledger_refuses_a_refund_beyond_the_credit_as_a_last_line(db):
    """Even called directly, the ledger refuses it in the same words."""
    account = credit_of(db, "75.61")
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.post_refund(db, account.id, Decimal("207.57"), on=ON, now=NOW, actor="carla")
    assert str(refused.value) == TOO_MUCH


@pytest.fixture()
def cases_cli(committing_url: str, committing_db, tmp_path: Path):
    """`ordinance cases ...` on a database of the test's own with a $75.61 credit (account 1), carla and colin."""
    with transaction(committing_db) as session:
        account = credit_of(session, "75.61")
        for name in ("carla", "colin"):
            session.add(User(username=name, full_name=name.title(), role="clerk", password_hash="-", created_at=NOW))
        account_id = account.id
    runner = CliRunner()
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    folders = ["--rules-dir", str(REPO / "rules"), "--workflows-dir", str(REPO / "workflows"), "--on", ON.isoformat()]

    def run(*args: str):
        """One `ordinance cases` command's result."""
        return runner.invoke(ordinance, ["cases", *args, *folders], env=env)

    run.account_id = account_id
    run.sessions = committing_db
    return run


def test_the_command_line_refuses_a_refund_beyond_the_credit_with_a_message(cases_cli):
    """`cases open` with $207.57 on a $75.61 credit: exit 1 and "Error: ...", never a traceback."""
    opened = cases_cli("open", "refunds", "--subject", str(cases_cli.account_id), "--as", "carla",
                       "--field", "amount=207.57", "--field", "source=overpayment")
    assert (opened.exit_code, opened.stderr) == (1, f"Error: {TOO_MUCH}\n")
    assert "Traceback" not in opened.output


def test_the_command_line_refuses_an_issue_beyond_the_credit_and_the_case_stays_approved(cases_cli):
    """The credit shrinks after approval: `cases take ... issue_check` exits 1 with the reason; nothing posted."""
    subject = str(cases_cli.account_id)
    assert cases_cli("open", "refunds", "--subject", subject, "--as", "carla", "--field", "amount=75.61",
                     "--field", "source=overpayment").exit_code == 0
    assert cases_cli("take", "1", "research", "--as", "carla", "--field", "research_notes=paid twice").exit_code == 0
    assert cases_cli("take", "1", "approve", "--as", "colin").exit_code == 0
    with transaction(cases_cli.sessions) as session:
        ledger.post_charge(session, cases_cli.account_id, Decimal("50.00"), on=ON, due_on=date(2026, 3, 20), now=NOW,
                           actor="billing", description="Water and sewer")
    issued = cases_cli("take", "1", "issue_check", "--as", "carla", "--field", "check_number=100482")
    assert (issued.exit_code, issued.stderr) == (1, f"Error: issue_check refused:\n  {SHRUNK}\n")
    with transaction(cases_cli.sessions) as session:
        assert session.get(Case, 1).state == "approved" and refunds(session, cases_cli.account_id) == 0


def test_a_role_change_asked_for_a_user_whose_role_moved_since_is_refused_unapplied(db):
    """ada asks cal -> supervisor, cal is disabled meanwhile: ben's approval is refused and nothing is applied."""
    for name in ("ada", "ben"):
        create_user(db, "admin", username=name)
    create_user(db, "clerk", username="cal")
    change = two_person.ask_role_change(db, "cal", "supervisor", actor="ada", now=NOW)
    users.disable_user(db, "cal", actor="ada", now=NOW)
    with pytest.raises(two_person.ChangeError, match="it is no longer clerk"):
        two_person.approve(db, change.id, actor="ben", now=NOW)
    assert change.status == "pending" and users.get_user(db, "cal").role == "clerk"


def test_a_money_ceiling_changes_only_when_a_second_administrator_approves(login_as, db):
    """ada raises the counter ceiling to $250,000.00 and lowers the paid-on window: both wait; ben approves one."""
    ada, ben = login_as("admin"), login_as("admin")
    form = {**CITY_PAGE, "rules_need_second_approver": "y", "counter_payment_ceiling": "$250,000.00",
            "paid_on_days_back": "30"}
    saved = ada.post("/admin/city", data=form, follow_redirects=True).get_data(as_text=True)
    assert "At most, a counter payment: $100,000.00 \u2192 $250,000.00: waiting for a second person" in saved
    asked = {c.setting: c for c in db.scalars(select(SettingChange).where(SettingChange.status == "pending"))}
    assert set(asked) == {"counter_payment_ceiling_cents", "paid_on_days_back"}
    assert (city.get_city(db).counter_payment_ceiling_cents, city.get_city(db).paid_on_days_back) == (10_000_000, 90)
    ceiling = asked["counter_payment_ceiling_cents"]
    assert "another person must approve it" in ada.post(f"/admin/changes/{ceiling.id}/approve",
                                                        follow_redirects=True).get_data(as_text=True)
    ben.post(f"/admin/changes/{ceiling.id}/approve", follow_redirects=True)
    db.expire_all()
    assert (city.get_city(db).counter_payment_ceiling_cents, city.get_city(db).paid_on_days_back) == (25_000_000, 90)


@pytest.mark.parametrize("typed, words", [("$20,000,000.00", "counter payment ceiling: from $0.01 to $10,000,000.00"), ("lots", "is not an amount")])
def test_a_ceiling_beyond_the_largest_amount_or_no_amount_is_refused_and_nothing_waits(login_as, db, typed, words):
    ada = login_as("admin")
    page = ada.post("/admin/city", data={**CITY_PAGE, "counter_payment_ceiling": typed}).get_data(as_text=True)
    assert words in page
    assert db.scalar(select(func.count()).select_from(SettingChange)) == 0
