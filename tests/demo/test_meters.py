"""The sample city's meters: one on file for every account, and every read names it."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from engine.store.meters import Meter
from engine.store.models import MeterRead, UtilityAccount
from tests.demo.conftest import ACCOUNTS


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
