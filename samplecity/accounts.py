"""Customers, properties and utility accounts: who receives water where, and who owns the house.

About 30% of homes are rented (the customer is a tenant and the owner a landlord who
usually lives elsewhere or is a management firm); about 8% of accounts are commercial,
on larger meters. Most accounts have water and sewer; homes on septic have water only. Each
account has its meter on file (engine.store.meters): numbered AC and the account id, on the
street's read route, installed the day the account opened.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from samplecity import people, places
from engine.assistance_programs import DEFAULT_PROGRAM

COMMERCIAL_SHARE = 8
TENANT_SHARE = 30
WATER_ONLY_SHARE = 7
NEW_LANDLORD_SHARE = 25  # percent of rentals whose owner is not already a landlord in town
FIRE_LINE_SHARE = 15  # percent of commercial accounts with a private fire service line
RESIDENTIAL_METERS = (('5/8"', 46), ('3/4"', 41), ('1"', 10), ('1-1/2"', 2), ('2"', 1))
COMMERCIAL_METERS = (('3/4"', 12), ('1"', 28), ('1-1/2"', 24), ('2"', 20), ('3"', 10), ('4"', 5), ('6"', 1))
SHOP_WORDS = ("Market", "Auto Repair", "Dental Group", "Laundromat", "Bakery", "Cafe", "Car Wash",
              "Medical Clinic", "Hardware", "Taqueria", "Pizza", "Salon", "Veterinary Hospital",
              "Plaza", "Fitness", "Brewing Company", "Nursery", "Church", "Apartments", "Motel")


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    """One of the choices, drawn by its weight."""
    roll = rng.randint(1, sum(weight for _, weight in choices))
    for value, weight in choices:
        roll -= weight
        if roll <= 0:
            return value
    return choices[-1][0]


@dataclass(slots=True)
class AccountPlan:
    """What the rest of the load needs to know about one utility account."""

    id: int
    number: str
    customer_id: int
    cycle: str
    meter_size: str
    rate_class: str
    sewer: bool
    fire_line: bool
    tenant: bool
    opened_on: date


CUSTOMER_COLUMNS = ("id", "name", "mailing_street", "mailing_unit", "mailing_city", "mailing_state",
                    "mailing_zip", "language", "phone", "email", "created_at")
ENROLMENT_COLUMNS = ("customer_id", "program", "starts_on", "ends_on", "recorded_by", "recorded_at")
PROPERTY_COLUMNS = ("id", "parcel", "service_address", "owner_id")
ACCOUNT_COLUMNS = ("id", "number", "customer_id", "property_id", "cycle", "meter_size", "rate_class",
                   "services", "status", "cash_only", "opened_on", "closed_on", "version")
METER_COLUMNS = ("id", "number", "size", "dials", "location", "route", "installed_on", "removed_on", "property_id",
                 "account_id")
METER_LOCATIONS = ("front yard, by the sidewalk", "sidewalk box, left of the driveway", "side yard",
                   "parking strip vault", "front yard, right of the walk", "alley box")
LARGE_METERS = ('1-1/2"', '2"', '3"', '4"', '6"')  # six-dial registers; smaller meters have four
DEPOSIT_COLUMNS = ("id", "account_id", "amount_cents", "received_on", "status", "settled_on",
                   "rule_id", "rule_version")


class Households:
    """Makes customers, properties and accounts one account at a time, writing their rows."""

    def __init__(self, rng: random.Random, writer, rates, window_start: date) -> None:
        """Write rows with `writer`; price deposits with `rates`; accounts open before `window_start`."""
        self.rng, self.writer, self.rates, self.window_start = rng, writer, rates, window_start
        self.streets = places.lay_out_streets(rng)
        self.customers = writer.declare("customers", CUSTOMER_COLUMNS)
        self.enrolments = writer.declare("assistance_enrolments", ENROLMENT_COLUMNS)
        self.properties = writer.declare("properties", PROPERTY_COLUMNS)
        self.accounts = writer.declare("utility_accounts", ACCOUNT_COLUMNS)
        self.deposits = writer.declare("deposits", DEPOSIT_COLUMNS)
        self.meters = writer.declare("meters", METER_COLUMNS)
        self.next_customer = 1
        self.landlords: list[int] = []
        self.deposit_count = 0
        self.services_text = {True: writer.document(["water", "sewer"]), False: writer.document(["water"])}

    def customer(self, name: str, street: str, unit: str, city: str, state: str, zip_code: str,
                 language: str, phone: str, email: str, low_income: bool, since: date) -> int:
        """Write one customer and return its id."""
        customer_id = self.next_customer
        self.next_customer += 1
        moment = self.writer.moment(since, 9 * 60 + customer_id % 480)
        self.customers.append((customer_id, name, street, unit, city, state, zip_code, language, phone, email,
                               moment))
        if low_income:  # enrolled in the sample city's low-income program since the customer was added
            self.enrolments.append((customer_id, DEFAULT_PROGRAM, since, None, "clerk", moment))
        return customer_id

    def resident(self, street: str, unit: str, zip_code: str, since: date) -> int:
        """A household living at the address, as a customer."""
        who = people.person(self.rng, self.next_customer)
        return self.customer(who.name, street, unit, places.CITY, places.STATE, zip_code, who.language,
                             who.phone, who.email, people.is_low_income(self.rng), since)

    def landlord(self, since: date) -> int:
        """The owner of a rented home: an existing landlord in three rentals of four, else a new one."""
        rng = self.rng
        if self.landlords and rng.randint(1, 100) > NEW_LANDLORD_SHARE:
            return rng.choice(self.landlords)
        if rng.randint(1, 10) <= 6:
            street, city, state, zip_code = places.mailing_elsewhere(rng)
        else:
            street, city, state, zip_code = f"PO Box {rng.randint(100, 2999)}", places.CITY, places.STATE, places.ZIPS[0]
        landlord_id = self.customer(people.landlord_name(rng), street, "", city, state, zip_code, "en",
                                    people.phone_number(rng), "", False, since)
        self.landlords.append(landlord_id)
        return landlord_id

    def commercial_customer(self, address: str, zip_code: str, since: date) -> int:
        """A business receiving commercial service at its own address."""
        rng = self.rng
        owner = rng.choice(people.HISPANIC_LAST + people.OTHER_LAST + ("Alder Creek", "Foothill", "Sierra"))
        name = f"{owner} {rng.choice(SHOP_WORDS)}"
        return self.customer(name, address, "", places.CITY, places.STATE, zip_code, "en",
                             people.phone_number(rng), "", False, since)

    def opened_on(self, tenant: bool) -> date:
        """When an account opened: owners any day since 1998, tenants within the last five years."""
        last = self.window_start.toordinal() - 30
        first = last - 5 * 365 if tenant else date(1998, 1, 1).toordinal()
        return date.fromordinal(self.rng.randint(first, last))

    def account(self, account_id: int) -> AccountPlan:
        """One account with its property, customer (and owner, for a rental), and maybe a deposit."""
        rng = self.rng
        commercial = rng.randint(1, 100) <= COMMERCIAL_SHARE
        street = rng.choice(self.streets.commercial if commercial else self.streets.residential)
        address, parcel = places.next_address(rng, street)
        tenant = not commercial and rng.randint(1, 100) <= TENANT_SHARE
        opened = self.opened_on(tenant)
        if commercial:
            customer_id = self.commercial_customer(address, street.zip, opened)
            owner_id = customer_id if rng.randint(1, 10) <= 6 else self.landlord(opened)
        elif tenant:
            owner_id = self.landlord(opened)
            customer_id = self.resident(address, places.unit_for(rng), street.zip, opened)
        else:
            customer_id = owner_id = self.resident(address, "", street.zip, opened)
        self.properties.append((account_id, parcel, address, owner_id))
        meter = weighted(rng, COMMERCIAL_METERS if commercial else RESIDENTIAL_METERS)
        sewer = rng.randint(1, 100) > WATER_ONLY_SHARE
        fire_line = commercial and rng.randint(1, 100) <= FIRE_LINE_SHARE
        number = f"{account_id:06d}-{rng.randint(2, 9) if tenant else 1:02d}"
        self.accounts.append((account_id, number, customer_id, account_id, street.cycle, meter,
                              "commercial" if commercial else "residential", self.services_text[sewer],
                              "active", False, self.writer.day(opened), None, 1))
        self.meters.append((account_id, f"AC{account_id:07d}", meter, 6 if meter in LARGE_METERS else 4,
                            METER_LOCATIONS[account_id % len(METER_LOCATIONS)], f"{street.cycle}-{street.book:03d}",
                            self.writer.day(opened), None, account_id, account_id))
        plan = AccountPlan(account_id, number, customer_id, street.cycle, meter,
                           "commercial" if commercial else "residential", sewer, fire_line, tenant, opened)
        self.maybe_deposit(plan)
        return plan

    def maybe_deposit(self, plan: AccountPlan) -> None:
        """A held deposit for about half the tenants who moved in while the deposit schedule was in force."""
        if not plan.tenant or self.rng.randint(1, 100) > 50:
            return
        if not self.rates.in_force("deposit-amount", plan.opened_on):
            return
        fee = self.rates.fee("deposit-amount", {"meter_size": plan.meter_size}, plan.opened_on)
        self.deposit_count += 1
        self.deposits.append((self.deposit_count, plan.id, fee.total_cents, self.writer.day(plan.opened_on),
                              "held", None, fee.rule_id, fee.rule_version))
