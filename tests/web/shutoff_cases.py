"""A cycle-B account that owes April's bill, its case walked to the field crew's shut-off list."""
from __future__ import annotations

import shutil
from datetime import date, datetime, time, timezone
from pathlib import Path

from engine.accounts.meters import NewMeter, install_meter
from engine.workflow import services
from engine.workflow.services import Catalog
from tests.factories import create_account, create_customer, create_property, print_notices
from tests.workflow.conftest import charge


REPO = Path(__file__).resolve().parents[2]


def weather_calendar(folder: Path) -> Path:
    """The sample city's rules copied into `folder`/rules, its 2026 calendar barring shut-offs at or below 32°F or at
    or above 95°F (`no_shutoff.forecast`): the folder's path."""
    rules = folder / "rules"
    shutil.copytree(REPO / "rules", rules)
    path = rules / "calendar" / "city-calendar.yaml"
    text = path.read_text()
    start = text.index("  - effective: 2026-01-01")
    at_ = text.index("      weekdays: [fri]\n", start) + len("      weekdays: [fri]\n")
    path.write_text(text[:at_] + "      forecast: {low_at_most: 32, high_at_least: 95}\n" + text[at_:])
    return rules


def at(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=timezone.utc)


def released_for_shutoff(db, catalog: Catalog, *, name: str, street: str, parcel: str, number: str, meter: str,
                         location: str, route: str) -> tuple[int, date]:
    """The case of a new account released for shut-off (its notices printed the day each is made, door hanger posted
    2026-06-30 by carla, released by the night on its shut-off day): its id and its shut-off day."""
    customer = create_customer(db, name=name)
    place = create_property(db, owner=customer, service_address=street, parcel=parcel)
    account = create_account(db, customer=customer, property=place, cycle="B", number=number)
    install_meter(db, NewMeter(number=meter, size='3/4"', location=location, route=route),
                  property_id=place.id, account_id=account.id, on=date(2020, 1, 1), now=at(date(2020, 1, 1)),
                  actor="test")
    charge(db, account.id, "120.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 4, 30), now=at(date(2026, 4, 30)), fields={"period": "2026-04"})
    for step, day, user in (("mail_reminder", date(2026, 4, 30), "sweep:delinquency"),
                            ("mail_shutoff_notice", date(2026, 6, 18), "sweep:delinquency"),
                            ("post_door_hanger", date(2026, 6, 30), "carla")):
        services.take_step(db, catalog, case.id, step, user=user, on=day, now=at(day), version=case.version)
        print_notices(db, case.id, day)  # each notice goes out on its day
    shutoff_on = date.fromisoformat(case.fields["shutoff_on"])
    services.take_step(db, catalog, case.id, "ready_for_shutoff", user="sweep:delinquency", on=shutoff_on,
                       now=at(shutoff_on), version=case.version)  # the night's release
    return case.id, shutoff_on
