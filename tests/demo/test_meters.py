"""The sample city's meters: one on file for every account, every read names it; a move-out and move-in on them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.accounts.meters import latest_read
from engine.accounts.service_start import NewCustomer, StartRequest, plan_start, start_service
from engine.accounts.service_stop import StopRequest, plan_stop, stop_service
from engine.money.ledger.posting import balance_cents
from engine.money.ledger.verify import check_balances
from engine.store.meters import Meter
from engine.store.models import Deposit, MeterRead, User, UtilityAccount
from engine.workflow.move_out_refunds import MoveOutRefunds
from tests.demo.conftest import ACCOUNTS, AS_OF, NOW


def test_every_account_has_its_meter_and_every_read_names_it(city: Engine) -> None:
    with Session(city) as session:
        pairs = session.execute(select(UtilityAccount.id, UtilityAccount.meter_size, UtilityAccount.property_id,
                                       UtilityAccount.opened_on, Meter.size, Meter.property_id, Meter.installed_on,
                                       Meter.dials, Meter.route)
                                .join(Meter, Meter.account_id == UtilityAccount.id)).all()
        assert len(pairs) == ACCOUNTS
        for _, size, prop, opened, meter_size, meter_prop, installed, dials, route in pairs:
            assert (meter_size, meter_prop, installed) == (size, prop, opened)
            assert dials == (6 if size in ('1-1/2"', '2"', '3"', '4"', '6"') else 4) and route[0] in "ABCD"
        strays = session.scalar(select(func.count()).select_from(MeterRead).join(
            Meter, Meter.id == MeterRead.meter_id, isouter=True).where(
            (Meter.account_id != MeterRead.account_id) | MeterRead.meter_id.is_(None)))
        assert strays == 0


def test_a_sample_city_tenant_moves_out_and_the_next_moves_in_on_the_same_meter(city: Engine, city_rules) -> None:
    """On the demo's data: the final bill priced from the last cycle read, the deposit applied, the books agree."""
    with Session(city) as session, session.begin():
        session.add(User(username="carla", full_name="Carla", role="clerk", password_hash="-", created_at=NOW))
        session.flush()
        account = session.scalar(select(UtilityAccount).join(Deposit, Deposit.account_id == UtilityAccount.id)
                                 .where(Deposit.status == "held", UtilityAccount.status == "active",
                                        UtilityAccount.rate_class == "residential").order_by(UtilityAccount.id))
        last = latest_read(session, account.id)
        move_out = last.read_on + timedelta(days=12)
        request = StopRequest(account.id, move_out_on=move_out, final_reading=last.reading + 3, billed_on=AS_OF)
        plan = plan_stop(session, city_rules.rules, request, now=NOW, actor="carla")
        assert (plan.service_from, plan.service_to, plan.consumption_ccf) == (
            last.read_on + timedelta(days=1), move_out, 3)
        assert any("prorated for 12 days of 30" in detail for _, _, detail, _ in plan.bill_lines)
        before = balance_cents(session, account.id)
        done = stop_service(session, city_rules.rules, request, refunds=MoveOutRefunds(city_rules), now=NOW,
                            actor="carla", seen=plan.figures())
        assert balance_cents(session, account.id) == before + plan.bill_cents - plan.deposit_cents
        assert (done.refund_case_id is not None) == (plan.refund_cents > 0)
        meter = session.scalar(select(Meter).where(Meter.property_id == account.property_id))
        assert meter.account_id is None
        arriving = StartRequest(property_id=account.property_id, start_on=move_out + timedelta(days=1),
                                start_reading=last.reading + 3, rate_class="residential",
                                services=("water", "sewer"), meter_id=meter.id,
                                new_customer=NewCustomer("Ana Ruiz", "1 Main Street", "Alder Creek", "CA", "95601"))
        deposit = plan_start(session, city_rules.rules, arriving).deposit
        started = start_service(session, city_rules.rules, arriving, now=NOW, actor="carla", seen_deposit=deposit)
        assert started.account.number.rsplit("-", 1)[0] == account.number.rsplit("-", 1)[0]
        assert check_balances(session).agrees
