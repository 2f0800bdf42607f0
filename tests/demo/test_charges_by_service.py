"""The sample city's ledger is by service, as a billing run leaves it: charges, kept balances and the account page."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.money.ledger import aging
from engine.store.models import AccountBalance, AccountServiceBalance, LedgerEntry, UtilityAccount
from samplecity.city import DEMO_LOGINS
from tests.demo.conftest import AS_OF
from webapp.app import create_app
from webapp.config import TestConfig


def test_every_charge_names_its_service_and_the_service_balances_sum_to_the_balance(city: Engine) -> None:
    with Session(city) as session:
        charged = set(session.scalars(select(LedgerEntry.service).where(LedgerEntry.kind == "charge")))
        assert charged == {"water", "sewer", "fees"}
        balances = dict(session.execute(select(AccountBalance.account_id, AccountBalance.balance_cents)).all())
        owed: dict[int, dict[str, int]] = defaultdict(dict)
        for row in session.scalars(select(AccountServiceBalance)):
            owed[row.account_id][row.service] = row.unpaid_cents
        entries: dict[int, list[aging.Posting]] = defaultdict(list)
        for e in session.scalars(select(LedgerEntry)):
            entries[e.account_id].append(aging.Posting(e.id, e.amount_cents, e.effective_on, e.due_on, e.reverses_id,
                                                       e.service))
    assert {service for services in owed.values() for service in services} >= {"water", "sewer"}
    for account_id, balance in balances.items():
        assert sum(owed[account_id].values()) == max(balance, 0), account_id
        standing = aging.age(entries[account_id], AS_OF)
        assert owed[account_id] == standing.unpaid_by_service(), account_id


def test_the_account_page_shows_water_and_sewer_owed_for_a_demo_account_with_an_unpaid_bill(city: Engine,
                                                                                           tmp_path) -> None:
    with Session(city) as session:
        number = session.scalars(
            select(UtilityAccount.number).join(AccountServiceBalance,
                                               AccountServiceBalance.account_id == UtilityAccount.id)
            .where(AccountServiceBalance.service.in_(("water", "sewer")), AccountServiceBalance.unpaid_cents > 0)
            .group_by(UtilityAccount.number).having(func.count() == 2).order_by(UtilityAccount.number)).first()
    assert number is not None
    app = create_app(TestConfig(database_url=str(city.url), instance=tmp_path),
                     sessions=sessionmaker(bind=city, expire_on_commit=False))
    client = app.test_client()
    clerk = next(login for login in DEMO_LOGINS if login.username == "clerk")
    assert client.post("/login", data={"username": clerk.username, "password": clerk.password}).status_code == 302
    page = client.get(f"/accounts/{number}").get_data(as_text=True)
    table = page[page.index('id="by-service"'):]
    table = table[:table.index("</table>")]
    assert "Owed by service" in table
    assert '<th scope="row">Water</th>' in table and '<th scope="row">Sewer</th>' in table
