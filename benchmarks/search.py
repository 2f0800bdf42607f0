"""The search benchmark: a city of N accounts with the sample city's names, streets and phones, searched.

It builds a fresh SQLite database (migrated, so the search tables are kept by their
triggers as the rows go in), with one customer, property and account per account number,
and a business with a license for one account in twenty. It then draws a mix of realistic
searches from the rows themselves (surnames, first and last names, starts and parts of
names, street names, house number and street, the address with its street words abbreviated
("120 Oak St" for 120 Oak Street), phones in several formats, e-mail addresses,
account numbers with and without their zeros, license numbers, business names, parcels,
and a name nobody has) and times each the way the results page reads it: the ranked
results and the standing of each account found. The baseline, timed in the same run, is a
single account read by its primary key. The clock is passed in (`timer`).
"""
from __future__ import annotations

import random
import sqlite3
import statistics
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from engine.addresses import standard_word
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import UtilityAccount
from engine.store.schema import upgrade
from samplecity import people, places
from samplecity.accounts import SHOP_WORDS
from webapp.accounts.lookup import standings_today
from webapp.search.finder import find

TARGET_P95_MS = 150.0
AS_OF = date(2026, 11, 13)
STAMP = "2026-11-01 12:00:00.000000"
BATCH = 10_000
BUSINESS_EVERY = 20
KINDS = ("surname", "first and last name", "start of a surname", "part of a surname", "street name",
         "house number and street", "address abbreviated", "phone as written", "phone, digits only", "phone, last seven", "e-mail",
         "account number", "account number without zeros", "license number", "business name", "parcel",
         "nobody")


def build_city(path: Path, accounts: int, seed: int = 2026) -> None:
    """A migrated SQLite database at `path` with `accounts` accounts (and their customers, properties, businesses)."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    rng = random.Random(seed)
    streets = places.lay_out_streets(rng)
    connection = sqlite3.connect(str(path), isolation_level=None)
    try:
        connection.execute("BEGIN")
        for start in range(1, accounts + 1, BATCH):
            rows = _rows(rng, streets, range(start, min(start + BATCH, accounts + 1)))
            for table, (columns, values) in rows.items():
                marks = ", ".join("?" * len(columns))
                connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _rows(rng: random.Random, streets: places.Streets, ids: range) -> dict[str, tuple[tuple[str, ...], list]]:
    """The rows of one batch of accounts, by table."""
    customers, properties, accounts, businesses, licenses = [], [], [], [], []
    for n in ids:
        who = people.person(rng, n)
        street = rng.choice(streets.residential + streets.commercial)
        address, parcel = places.next_address(rng, street)
        customers.append((n, who.name, address, "", places.CITY, places.STATE, street.zip, who.language, who.phone,
                          who.email, STAMP))
        properties.append((n, parcel, address, n))
        accounts.append((n, f"{n:06d}-{rng.randint(1, 9):02d}", n, n, street.cycle, '3/4"', "residential",
                         '["water", "sewer"]', "active", False, "2020-01-01", 1))
        if n % BUSINESS_EVERY == 0:
            businesses.append((n, f"{who.last} {rng.choice(SHOP_WORDS)}", n, address, "retail", 3, 0, "2019-05-01"))
            licenses.append((n, f"BL-{n:07d}", n, "general_business", "active", 15000, "2026-01-01", "2026-12-31", 1))
    return {
        "customers": (("id", "name", "mailing_street", "mailing_unit", "mailing_city", "mailing_state", "mailing_zip",
                       "language", "phone", "email", "created_at"), customers),
        "properties": (("id", "parcel", "service_address", "owner_id"), properties),
        "utility_accounts": (("id", "number", "customer_id", "property_id", "cycle", "meter_size", "rate_class",
                              "services", "status", "cash_only", "opened_on", "version"), accounts),
        "businesses": (("id", "name", "owner_id", "address", "category", "employees", "gross_receipts_cents",
                        "opened_on"), businesses),
        "licenses": (("id", "number", "business_id", "license_type", "status", "fee_cents", "issued_on", "expires_on",
                      "version"), licenses),
    }


def searches(connection: sqlite3.Connection, accounts: int, count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(kind, text, what it looks for) of `count` searches a counter would type, drawn from the city's own rows.

    What it looks for is the account number drawn, or "BL-..." for a business by its license or name.
    """
    rng = random.Random(seed)
    drawn = []
    for i in range(count):
        kind, n = KINDS[i % len(KINDS)], rng.randint(1, accounts)
        row = connection.execute(  # the account drawn, or the next one whose customer gave an e-mail address
            "SELECT c.name, c.phone, c.email, p.service_address, p.parcel, a.number FROM utility_accounts a "
            "JOIN customers c ON c.id = a.customer_id JOIN properties p ON p.id = a.property_id "
            "WHERE a.id >= ? AND (c.email != '' OR ? != 'e-mail') ORDER BY a.id LIMIT 1", (n, kind)).fetchone()
        business = connection.execute("SELECT id, name FROM businesses WHERE id >= ? ORDER BY id LIMIT 1",
                                      (n,)).fetchone() or (0, "")
        sought = f"BL-{business[0]:07d}" if kind in ("license number", "business name") else row[-1]
        drawn.append((kind, _typed(rng, kind, row, business), sought))
    return drawn


def _typed(rng: random.Random, kind: str, row: tuple, business: tuple[int, str]) -> str:
    """What a clerk would type to find this account (or the next business) in the way `kind` says."""
    name, phone, email, address, parcel, number = row
    first, last = name.split(" ", 1)[0], name.split(" ")[-1]
    house, street = address.split(" ", 1)
    digits = "".join(ch for ch in phone if ch.isdigit())
    typed = {
        "surname": last, "first and last name": f"{first} {last}", "start of a surname": last[:4].lower(),
        "part of a surname": last[1:5], "street name": street, "house number and street": f"{house} {street.split()[0]}",
        "address abbreviated": " ".join([house, *(standard_word(word).title() for word in street.split())]),
        "phone as written": f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", "phone, digits only": digits,
        "phone, last seven": f"{digits[3:6]}-{digits[6:]}", "e-mail": email, "account number": number,
        "account number without zeros": number.lstrip("0").split("-")[0], "license number": f"BL-{business[0]:07d}",
        "business name": business[1], "parcel": parcel,
        "nobody": rng.choice(("Zebulon Quixwater", "Xylophone Lane", "Q9Z7")),
    }
    return typed[kind]


def _numbers(results) -> set[str]:
    """The account numbers and license numbers ("BL-" and the business id) among the results."""
    return {f.account.number if f.account else f"BL-{f.business.id:07d}" for f in results.found}


def percentile(samples: list[float], share: float) -> float:
    """The sample below which `share` of the samples fall (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_search_bench(path: Path, accounts: int, queries: int, timer: Callable[[], float]) -> dict:
    """Build the city, then time the mix of searches and the baseline primary-key reads; milliseconds."""
    started = timer()
    build_city(path, accounts)
    built = timer() - started
    connection = sqlite3.connect(str(path))
    drawn = searches(connection, accounts, queries)
    connection.close()
    engine = make_engine(f"sqlite:///{path}")
    factory = make_sessionmaker(engine)
    rng = random.Random(11)
    baseline, timings = [], {kind: [] for kind in KINDS}
    found, sought_found = dict.fromkeys(KINDS, 0), dict.fromkeys(KINDS, 0)
    with factory() as session:
        for _kind, typed, _sought in drawn[:5]:  # warm the page cache, as a running office would be
            find(session, typed)
        for kind, typed, sought in drawn:
            began = timer()
            session.scalar(select(UtilityAccount).where(UtilityAccount.id == rng.randint(1, accounts)))
            baseline.append(timer() - began)
            session.expunge_all()
            began = timer()
            results = find(session, typed)
            standings_today(session, [f.account for f in results.found if f.account], AS_OF)
            timings[kind].append(timer() - began)
            found[kind] += bool(results.found)
            sought_found[kind] += sought in _numbers(results)
            session.expunge_all()
    engine.dispose()
    every = [t for kind in KINDS for t in timings[kind]]
    ms = lambda seconds: round(seconds * 1000, 2)  # noqa: E731
    p95 = ms(percentile(every, 0.95))
    return {
        "accounts": accounts, "queries": len(every), "build_seconds": round(built, 1),
        "search_p50_ms": ms(statistics.median(every)), "search_p95_ms": p95, "search_max_ms": ms(max(every)),
        "baseline_p50_ms": ms(statistics.median(baseline)), "baseline_p95_ms": ms(percentile(baseline, 0.95)),
        "p95_over_baseline_p95": round(percentile(every, 0.95) / percentile(baseline, 0.95), 1),
        "by_kind": {kind: {"p50_ms": ms(statistics.median(timings[kind])), "p95_ms": ms(percentile(timings[kind], 0.95)),
                           "found_something": f"{found[kind]}/{len(timings[kind])}",
                           "found_the_one_drawn": f"{sought_found[kind]}/{len(timings[kind])}"}
                    for kind in KINDS if timings[kind]},
        "target_p95_ms": TARGET_P95_MS, "meets_target": p95 <= TARGET_P95_MS,
    }
