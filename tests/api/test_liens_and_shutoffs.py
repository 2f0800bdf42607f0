"""GET /api/v1/liens for title companies and GET /api/v1/shutoffs for the phone notification vendor."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import ledger
from tests.factories import NOW, create_account, create_case, create_customer, create_property, sample_version


def owe(db, account, amount: str, *, due_on: date) -> None:
    """A water charge of `amount` billed three weeks before `due_on`."""
    ledger.post_charge(db, account.id, Decimal(amount), on=date.fromordinal(due_on.toordinal() - 21), due_on=due_on,
                       now=NOW, actor="billing", description="Water service", service="water")


def test_a_parcel_lists_its_accounts_liens_and_eligibility_without_personal_data(api, db):
    owner = create_customer(db, name="Dana Owner", phone="530-555-0199", email="dana@example.org")
    parcel = create_property(db, owner=owner, parcel="012-345-678")
    liened = create_account(db, owner, property=parcel, number="100-000001")
    owe(db, liened, "480.00", due_on=date(2025, 11, 20))  # 102 days past due on 2026-03-02
    create_case(db, workflow_id="liens", subject_type="lien", subject_id=liened.id, account_id=liened.id,
                state="filed", fields={"pay_by": "2026-01-20", "recording_number": "2026-0001234",
                                       "recorded_on": "2026-02-10", "bankruptcy_note": "not the title company's"})
    create_case(db, workflow_id="liens", subject_type="lien", subject_id=liened.id, account_id=liened.id,
                state="released", closed_at=NOW, fields={"recording_number": "2024-0000007"})
    tenant = create_account(db, create_customer(db, name="Terry Tenant"), property=parcel, number="100-000002")
    owe(db, tenant, "300.00", due_on=date(2025, 11, 20))
    response = api("liens:read").get("/api/v1/liens?parcel=012-345-678")
    assert response.status_code == 200, response.data
    body = response.json
    assert (body["parcel"], body["service_address"], body["as_of"]) == ("012-345-678", parcel.service_address,
                                                                        "2026-03-02")
    first, second = body["accounts"]
    assert first == {"account_number": "100-000001", "status": "active", "balance": "480.00", "past_due": "480.00",
                     "days_past_due": 102,
                     "lien_eligibility": {"eligible": True, "rule": "lien-eligibility", "version": "2025-01-01",
                                          "reference": "Alder Creek Municipal Code 13.04.190"},
                     "open_liens": [{"state": "filed", "state_label": "Lien recorded", "fields": [
                         {"name": "pay_by", "label": "Pay by", "value": "2026-01-20"},
                         {"name": "recording_number", "label": "County recording number", "value": "2026-0001234"},
                         {"name": "recorded_on", "label": "Recorded on", "value": "2026-02-10"}]}]}
    assert (second["account_number"], second["past_due"], second["open_liens"]) == ("100-000002", "300.00", [])
    assert second["lien_eligibility"]["eligible"] is False  # a tenant's account is never liened
    text = response.get_data(as_text=True)
    for personal in ("Dana", "Terry", "530-555", "dana@example.org", owner.mailing_street, "bankruptcy_note"):
        assert personal not in text


def test_a_lien_cases_holds_make_the_account_not_eligible(api, db):
    account = create_account(db)
    owe(db, account, "480.00", due_on=date(2025, 11, 20))
    create_case(db, workflow_id="liens", subject_type="lien", subject_id=account.id, account_id=account.id,
                state="eligible", fields={"bankruptcy": True})
    parcel = account.property.parcel
    body = api("liens:read").get(f"/api/v1/liens?parcel={parcel}").json
    assert body["accounts"][0]["lien_eligibility"]["eligible"] is False
    assert body["accounts"][0]["open_liens"][0]["state"] == "eligible"


def test_an_unknown_or_missing_parcel_is_refused_naming_it(api):
    caller = api("liens:read")
    missing = caller.get("/api/v1/liens")
    assert missing.status_code == 400 and missing.json["field"] == "parcel"
    unknown = caller.get("/api/v1/liens?parcel=999-999-999")
    assert unknown.status_code == 404 and unknown.json == {"error": "There is no parcel '999-999-999'.",
                                                           "field": "parcel"}


def scheduled(db, state: str, shutoff_on: str | None, *, name: str, closed: bool = False):
    """A delinquency case in `state` with a shut-off date, on an account owing $212.40 past due."""
    customer = create_customer(db, name=name, phone="530-555-0142", language="es")
    account = create_account(db, customer)
    owe(db, account, "212.40", due_on=date(2026, 1, 26))
    fields = {"shutoff_on": shutoff_on} if shutoff_on else {}
    create_case(db, subject_id=account.id, account_id=account.id, state=state, fields=fields,
                closed_at=NOW if closed else None)
    return account


def test_the_shutoffs_of_a_day_list_name_phone_language_amount_and_date(api, db):
    due = scheduled(db, "door_hanger", "2026-03-10", name="Rosa Díaz")
    scheduled(db, "shutoff_notice", "2026-03-11", name="Another Day")
    scheduled(db, "past_due", "2026-03-10", name="Not Yet Scheduled")
    scheduled(db, "door_hanger", "2026-03-10", name="Closed Case", closed=True)
    response = api("shutoffs:read").get("/api/v1/shutoffs?date=2026-03-10")
    assert response.status_code == 200, response.data
    assert response.json == {"date": "2026-03-10", "count": 1, "accounts": [
        {"account_number": due.number, "name": "Rosa Díaz", "phone": "530-555-0142", "language": "es",
         "amount": "212.40", "shutoff_on": "2026-03-10"}]}


def test_a_day_without_shutoffs_is_an_empty_list(api):
    assert api("shutoffs:read").get("/api/v1/shutoffs?date=2026-03-12").json == {
        "date": "2026-03-12", "count": 0, "accounts": []}


def test_a_bad_or_missing_date_is_400_naming_it(api):
    caller = api("shutoffs:read")
    for query, words in (("", "date is required"), ("?date=10/03/2026", "YYYY-MM-DD"),
                         ("?date=2026-13-01", "not a date on the calendar")):
        response = caller.get(f"/api/v1/shutoffs{query}")
        assert response.status_code == 400 and response.json["field"] == "date" and words in response.json["error"]


def test_the_lien_search_follows_the_workflow_tagged_parcel_liens_whatever_its_id(db, database_url, tmp_path):
    """The sample city's workflows renamed (ids and states): the search finds the renamed liens workflow by its tag
    and asks the criteria its first step asks."""
    from sqlalchemy.orm import sessionmaker

    from tests.api.conftest import TokenClient, add_token
    from tests.sweeps.test_a_renamed_city import rename_workflows, renamed, renamed_id
    from webapp.app import create_app
    from webapp.config import TestConfig

    rename_workflows(tmp_path / "renamed")
    app = create_app(TestConfig(database_url=database_url, instance=tmp_path, CLOCK=lambda: NOW,
                                WORKFLOWS_DIR=str(tmp_path / "renamed")),
                     sessions=sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint",
                                           expire_on_commit=False))
    account = create_account(db)
    owe(db, account, "480.00", due_on=date(2025, 11, 20))
    create_case(db, workflow_id=renamed_id("liens"), subject_type="lien", subject_id=account.id,
                account_id=account.id, state=renamed("filed"), fields={"recording_number": "2026-0001234"},
                workflow_version=sample_version("liens"))
    create_case(db, workflow_id="liens", subject_type="lien", subject_id=account.id, account_id=account.id,
                state="filed", fields={"recording_number": "not a case of the city's liens workflow now"})
    caller = TokenClient(app.test_client(), add_token(db, "liens:read"))
    body = caller.get(f"/api/v1/liens?parcel={account.property.parcel}").json
    [found] = body["accounts"]
    assert found["lien_eligibility"]["rule"] == "lien-eligibility" and found["lien_eligibility"]["eligible"] is True
    assert found["open_liens"] == [{"state": renamed("filed"), "state_label": "Lien recorded", "fields": [
        {"name": "recording_number", "label": "County recording number", "value": "2026-0001234"}]}]
