"""The streets and parcels of Alder Creek, and the towns where absentee owners live.

Each residential street belongs to one meter-reading route, and so to one billing cycle
(A to D): neighbours are read and billed on the same day, as in a real city. House
numbers climb along each street and parcels (APN "book-page-parcel") follow them, so
every address and parcel is unique without a lookup.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

CITY = "Alder Creek"
STATE = "CA"
ZIPS = ("95601", "95602", "95603", "95604")
CYCLES = ("A", "B", "C", "D")

RESIDENTIAL_STREETS = (
    "Manzanita Way", "Oak Street", "Valley View Drive", "Sierra Avenue", "Redbud Lane",
    "Madrone Court", "Pine Street", "Cedar Street", "Alder Avenue", "Willow Lane",
    "Buckeye Road", "Live Oak Drive", "Poppy Lane", "Lupine Court", "Sugar Pine Drive",
    "Ridgeview Drive", "Foothill Boulevard", "Mission Street", "Camino Real", "Calle Rosa",
    "Vista del Sol", "Canyon Creek Road", "Miner's Ravine Road", "Gold Hill Road",
    "Pioneer Way", "Quail Run", "Deer Creek Drive", "Bear River Road", "Meadowlark Lane",
    "Heron Court", "Cottonwood Street", "Sycamore Avenue", "Maple Street", "Elm Street",
    "Walnut Avenue", "Orchard Lane", "Vineyard Drive", "Olive Street", "Almond Court",
    "Harvest Lane", "Park Avenue", "School Street", "Church Street", "Grange Road",
    "Railroad Avenue", "Depot Street", "Mill Street", "Water Street", "High Street",
    "Lincoln Way", "Jefferson Street", "Washington Street", "Madison Avenue", "Monroe Street",
    "Cesar Chavez Street", "Dolores Huerta Way", "Rancho Drive", "Hacienda Court",
    "Los Robles Drive", "Mariposa Avenue", "Sunset Drive", "Sunrise Avenue", "Hillcrest Drive",
    "Lakeview Drive", "Creekside Way", "Riverbend Road", "Bridge Street", "Granite Way",
    "Quartz Court", "Mother Lode Drive", "Ponderosa Way", "Juniper Lane", "Laurel Street",
    "Magnolia Avenue", "Jasmine Court", "Camellia Way", "Azalea Drive", "Hawthorn Street",
    "Chaparral Court", "Sagebrush Lane",
)
COMMERCIAL_STREETS = (
    "Main Street", "Commerce Way", "Industrial Parkway", "Alder Creek Boulevard",
    "Market Street", "Enterprise Drive", "Grass Valley Highway", "Center Street",
)
ELSEWHERE = (  # where absentee owners and management firms receive their mail
    ("Sacramento", "CA", "95814"), ("Roseville", "CA", "95661"), ("Davis", "CA", "95616"),
    ("Auburn", "CA", "95603"), ("San Jose", "CA", "95126"), ("Oakland", "CA", "94610"),
    ("Reno", "NV", "89501"), ("Folsom", "CA", "95630"), ("Elk Grove", "CA", "95624"),
    ("Portland", "OR", "97205"),
)
ELSEWHERE_STREETS = ("Capitol Mall", "J Street", "Harbor Boulevard", "Professional Drive",
                     "Sunrise Boulevard", "Corporate Way", "Lakeside Drive", "Broadway")
UNIT_SHARE = 12  # percent of rented homes that are units in a small complex


@dataclass
class Street:
    """A street: its name, ZIP code, assessor's book, billing cycle and the next free house number."""

    name: str
    zip: str
    book: int
    cycle: str
    next_number: int
    parcels: int = 0


@dataclass
class Streets:
    """The streets of the city with their house-number counters."""

    residential: list[Street] = field(default_factory=list)
    commercial: list[Street] = field(default_factory=list)


def lay_out_streets(rng: random.Random) -> Streets:
    """Give each street a ZIP, an assessor's book, a billing cycle and a first house number."""
    streets = Streets()
    for index, name in enumerate(RESIDENTIAL_STREETS):
        streets.residential.append(Street(name, ZIPS[index % len(ZIPS)], 10 + index, CYCLES[index % 4],
                                          rng.choice((100, 200, 500, 1000, 1200))))
    for index, name in enumerate(COMMERCIAL_STREETS):
        streets.commercial.append(Street(name, ZIPS[index % 2], 100 + index, CYCLES[index % 4],
                                         rng.choice((100, 300, 1000))))
    return streets


def next_address(rng: random.Random, street: Street) -> tuple[str, str]:
    """The next house on a street: its service address and its parcel number (APN)."""
    number = street.next_number
    street.next_number += rng.choice((2, 2, 4, 6, 10))
    street.parcels += 1
    page, slot = divmod(street.parcels - 1, 60)
    parcel = f"{street.book:03d}-{page + 1:03d}-{slot * 10 + 10:03d}"
    return f"{number} {street.name}", parcel


def unit_for(rng: random.Random) -> str:
    """An apartment number for a rented unit, or "" for a house."""
    if rng.randint(1, 100) > UNIT_SHARE:
        return ""
    return f"Apt {rng.randint(1, 4)}{rng.choice('ABCD')}"


def mailing_elsewhere(rng: random.Random) -> tuple[str, str, str, str]:
    """A mailing address outside the city: street, city, state, ZIP."""
    city, state, zip_code = rng.choice(ELSEWHERE)
    return f"{rng.randint(100, 9999)} {rng.choice(ELSEWHERE_STREETS)}", city, state, zip_code
