"""The businesses of Alder Creek and their licenses, caught at every point of the license year.

Every license runs to December 31 (business-license-renewal). On the as-of date some
businesses have just applied, most hold this year's license (and near the year's end some
have already renewed for next year), some did not renew last year's (expired, and lapsed
120 days after expiry), and a few have closed. Fees come from business-license-fee (or
home-occupation-permit-fee for a home business run only by its residents).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from samplecity import people, places
from samplecity.accounts import Households, weighted
from samplecity.billing import RateBook

CATEGORIES = (("retail", 22), ("restaurant", 15), ("professional", 18), ("contractor", 15),
              ("personal_services", 12), ("manufacturing", 5), ("home_occupation", 13))
EMPLOYEES = {"retail": (1, 30), "restaurant": (3, 40), "professional": (1, 15), "contractor": (1, 25),
             "personal_services": (1, 8), "manufacturing": (5, 120), "home_occupation": (1, 3)}
NAMES = {
    "retail": ("{last} Hardware", "Foothill Books", "{first}'s Boutique", "Alder Creek Feed & Supply",
               "{last} Furniture", "Sierra Outfitters", "Mercado {last}", "Gold Country Antiques"),
    "restaurant": ("Taqueria {last}", "{last}'s Diner", "Golden Dragon", "Alder Creek Pizza Co.",
                   "Cafe {first}", "El Rancho Grill", "Mother Lode Coffee", "{first}'s Bakery"),
    "professional": ("{last} & {last2} CPAs", "{last} Law Office", "Sierra Insurance Agency",
                     "{last} Family Dentistry", "Foothill Realty", "{last} Engineering"),
    "contractor": ("{last} Plumbing", "{last} Electric", "Foothill Roofing", "{last} Construction",
                   "Sierra Landscaping", "{last} Painting", "Valley Heating & Air"),
    "personal_services": ("{first}'s Salon", "Alder Creek Barber Shop", "{first} Nail Studio",
                          "Creekside Dry Cleaners", "{last} Pet Grooming", "Serenity Day Spa"),
    "manufacturing": ("Sierra Woodworks", "{last} Machine Works", "Gold Hill Brewing Company",
                      "Foothill Fabrication", "{last} Cabinets"),
    "home_occupation": ("{first} {last} Bookkeeping", "{first} {last} Tutoring", "{last} Web Design",
                        "{first}'s Cakes", "{last} Piano Lessons", "{first} {last} Photography"),
}
STATUSES = (("applied", 6), ("active", 66), ("renewed", 10), ("not_renewed", 13), ("closed", 5))
LAPSE_DAYS = 120

BUSINESS_COLUMNS = ("id", "name", "owner_id", "address", "category", "employees", "gross_receipts_cents",
                    "opened_on")
LICENSE_COLUMNS = ("id", "number", "business_id", "license_type", "status", "fee_cents", "issued_on",
                   "expires_on", "version")


@dataclass(frozen=True)
class Application:
    """A license applied for and not yet issued: it gets an open licensing case."""

    license_id: int
    business_name: str
    applied_on: date


class LicenseYear:
    """Writes businesses, their owners and their licenses as they stand on the as-of date."""

    def __init__(self, rng: random.Random, writer, households: Households, rates: RateBook, as_of: date) -> None:
        """New owners are customers made by `households`; fees are priced by `rates`."""
        self.rng, self.writer, self.households, self.rates, self.as_of = rng, writer, households, rates, as_of
        self.businesses = writer.declare("businesses", BUSINESS_COLUMNS)
        self.licenses = writer.declare("licenses", LICENSE_COLUMNS)
        self.applications: list[Application] = []
        self.statuses: dict[str, int] = {}

    def business(self, business_id: int) -> None:
        """One business, its owner and its license."""
        rng, w = self.rng, self.writer
        category = weighted(rng, CATEGORIES)
        low, high = EMPLOYEES[category]
        employees = rng.randint(low, high)
        home = category == "home_occupation"
        street = rng.choice(self.households.streets.residential if home else self.households.streets.commercial)
        address, _ = places.next_address(rng, street)
        owner = self.households.resident(address if home else f"{rng.randint(100, 4999)} "
                                         f"{rng.choice(places.RESIDENTIAL_STREETS)}", "", street.zip,
                                         self.as_of - timedelta(days=rng.randint(60, 9000)))
        name = self.name(category)
        state = weighted(rng, STATUSES)
        opened = self.as_of - timedelta(days=rng.randint(20, 60) if state == "applied" else rng.randint(400, 9000))
        receipts = employees * rng.randint(40_000, 160_000) * 100
        self.businesses.append((business_id, name, owner, address, category, employees, receipts, w.day(opened)))
        self.license(business_id, name, category, employees, home and employees == 1, state, opened)

    def name(self, category: str) -> str:
        """A business name for the category."""
        rng = self.rng
        pattern = rng.choice(NAMES[category])
        surnames = people.HISPANIC_LAST + people.OTHER_LAST
        return pattern.format(first=rng.choice(people.HISPANIC_FIRST + people.OTHER_FIRST),
                              last=rng.choice(surnames), last2=rng.choice(surnames))

    def license(self, business_id: int, name: str, category: str, employees: int, permit: bool, state: str,
                opened: date) -> None:
        """The business's license in the state drawn for it."""
        rng, year = self.rng, self.as_of.year
        if state == "renewed" and self.as_of.month < 11:
            state = "active"  # early renewals come in November and December
        issued: date | None
        if state == "applied":
            status, issued, expires = "applied", None, None
        elif state == "active":
            renewed = date(year, 1, 2) + timedelta(days=rng.randint(0, 50))
            status, issued, expires = "active", min(max(renewed, opened), self.as_of), date(year, 12, 31)
        elif state == "renewed":
            status, expires = "active", date(year + 1, 12, 31)
            issued = date(year, 11, 1) + timedelta(days=rng.randint(0, max(0, (self.as_of - date(year, 11, 1)).days)))
        else:
            expires = date(year - 1, 12, 31)
            issued = date(year - 1, 1, 2) + timedelta(days=rng.randint(0, 50))
            if state == "closed":
                status = "closed"
            else:
                status = "lapsed" if (self.as_of - expires).days >= LAPSE_DAYS else "expired"
        self.statuses[status] = self.statuses.get(status, 0) + 1
        fee_day = issued if issued and self.rates.in_force("business-license-fee", issued) else self.as_of
        if permit:
            fee = self.rates.fee("home-occupation-permit-fee", {"new_permit": issued is None}, fee_day)
        else:
            fee = self.rates.fee("business-license-fee", {"category": category, "employees": employees}, fee_day)
        prefix = "HO" if permit else "BL"
        self.licenses.append((business_id, f"{prefix}-{business_id:06d}", business_id,
                              "home_occupation" if permit else "general_business", status, fee.total_cents,
                              self.writer.day(issued), self.writer.day(expires), 1))
        if status == "applied":
            self.applications.append(Application(business_id, name, opened + timedelta(days=rng.randint(1, 14))))
