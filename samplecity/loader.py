"""Loading the sample city into an empty database, all in one transaction.

`load_demo` checks the database is empty of city data, writes the city settings and the
demo logins (through engine.users, audited as any new user), then every account's year
and the businesses through the bulk writer (millions of rows, audited together by one
`demo.load` row with the counts rather than row by row), then opens the handful of cases
through the workflow services (which audit their own steps, as they always do). Nothing
here reads the clock: `as_of` and `now` come in.
"""
from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from engine import audit
from engine.money.ledger.kept import start_keeping
from samplecity import city
from samplecity.accounts import Households
from samplecity.billing import BillingCalendar, RateBook, version_in_force
from samplecity.bulk import BulkWriter
from samplecity.cases import OpenCases
from samplecity.dice import dice
from samplecity.history import AccountYears, Standing
from samplecity.licenses import Application, LicenseYear
from samplecity.set_aside import put_back, set_aside
from engine.rulebook.store import import_documents
from engine.rulebook.workflow_store import import_workflows
from engine.rules.months import first_of_month
from engine.store.models import Business, CitySettings, Customer, UtilityAccount, User
from engine.roles import holds, record_grant
from engine.users import add_user
from engine.workflow.services import Catalog

Progress = Callable[[str, int, int], None]
CITY_TABLES = (CitySettings, Customer, UtilityAccount, Business)
RULES_NEEDED = ("water-rates-residential", "water-rates-commercial", "city-calendar")
REPORT_EVERY = 1000  # accounts between progress reports
SEQUENCED_TABLES = ("customers", "properties", "utility_accounts", "meters", "deposits", "meter_reads", "bills", "bill_lines",
                    "payments", "ledger_entries", "businesses", "licenses")
BULK_TABLES = SEQUENCED_TABLES + ("assistance_enrolments", "account_balances", "account_service_balances")


class DemoRefused(Exception):
    """The sample city cannot be loaded here; the message says why and nothing was written."""


@dataclass(frozen=True)
class DemoSummary:
    """What a load wrote: rows per table, and what the city's accounts and licenses look like."""

    rows: dict[str, int]
    behaviours: dict[str, int]
    license_statuses: dict[str, int]
    cases: dict[str, int]
    rule_evaluations: int
    logins_added: tuple[str, ...] = field(default_factory=tuple)


def has_city_data(connection: Connection) -> bool:
    """True when the database already holds city settings, customers, accounts or businesses."""
    return any(connection.execute(select(func.count()).select_from(model)).scalar_one() for model in CITY_TABLES)


def billing_periods(as_of: date) -> list[str]:
    """The twelve months (YYYY-MM, oldest first) ending with the month before `as_of`."""
    return [first_of_month(as_of, later).strftime("%Y-%m") for later in range(-12, 0)]


def check_rules_reach(library: Any, as_of: date, periods: list[str]) -> None:
    """Refuse an as-of date whose year of bills starts before the rate schedules and calendar do."""
    year, month = int(periods[0][:4]), int(periods[0][5:])
    earliest = date(year, month, 1) - timedelta(days=31)
    for rule_id in RULES_NEEDED:
        if rule_id not in library:
            raise DemoRefused(f"the rules folder has no {rule_id}; the sample city's bills need it")
        if version_in_force(library.get(rule_id), earliest) is None:
            first = min(v.effective for v in library.get(rule_id).versions)
            raise DemoRefused(f"{rule_id} has no version in force on {earliest}, where a year of bills "
                              f"before {as_of} starts; choose an --as-of at least 13 months after {first}")


def add_demo_logins(session: Session, now: datetime) -> tuple[str, ...]:
    """The clerk, supervisor and admin logins of the demo, skipping usernames already taken."""
    added = []
    for login in city.DEMO_LOGINS:
        if session.scalar(select(User.id).where(User.username == login.username)) is None:
            add_user(session, username=login.username, full_name=login.full_name, role=login.role,
                     password=login.password, actor="demo", now=now)
            added.append(login.username)
    return tuple(added)


def add_demo_grants(session: Session, now: datetime) -> None:
    """The demo logins' approval roles (defined at install), granted as the city's bootstrap, audited."""
    for login in city.DEMO_LOGINS:
        for role_id in login.grants:
            if not holds(session, login.username, role_id):
                record_grant(session, login.username, role_id, actor="demo", now=now, bootstrap=True)


def load_demo(engine: Engine, catalog: Catalog, *, accounts: int, licenses: int, seed: int, as_of: date,
              now: datetime, progress: Progress | None = None) -> DemoSummary:
    """Load the sample city into an empty database in one transaction, or raise DemoRefused."""
    report = progress or (lambda phase, done, total: None)
    periods = billing_periods(as_of)
    check_rules_reach(catalog.rules, as_of, periods)
    with engine.connect() as connection, bulk_mode(connection):
        with connection.begin():
            if has_city_data(connection):
                raise DemoRefused("the database already holds a city; the sample city loads only into an "
                                  "empty database")
            with Session(bind=connection) as session:
                session.add(CitySettings(**city.city_settings_row()))
                logins = add_demo_logins(session, now)
                add_demo_grants(session, now)
                import_documents(session, catalog.rules, actor="demo", now=now, today=as_of)  # the rule store
                import_workflows(session, catalog.workflows, catalog.rules, actor="demo", now=now, today=as_of)
                start_keeping(session, as_of)  # each account's balance is kept as its year is written
                session.flush()
                made = write_city(connection, catalog.rules, accounts, licenses, seed, as_of, periods, report)
                if connection.dialect.name == "postgresql":
                    restart_sequences(connection)  # before the services insert rows of their own
                cases = open_cases(session, catalog, made, as_of, now, report)
                audit.record(session, actor="demo", action="demo.load", subject_type="city",
                             subject_id=city.CITY_NAME, at=now,
                             detail={"seed": seed, "as_of": as_of.isoformat(), "accounts": accounts,
                                     "licenses": licenses, "rows": made.rows, "cases": cases,
                                     "logins_added": list(logins)})
                session.flush()
    return DemoSummary(made.rows, made.behaviours, made.license_statuses, cases, made.rule_evaluations, logins)


def open_cases(session: Session, catalog: Catalog, made: CityRows, as_of: date, now: datetime,
               report: Progress) -> dict[str, int]:
    """The open cases, through the workflow services; returns how many of each workflow."""
    report("cases", 0, 0)
    cases = OpenCases(session, catalog, BillingCalendar(catalog.rules), as_of, now)
    cases.delinquency(made.standings)
    cases.licensing(made.applications)
    cases.refund(made.standings)
    session.flush()
    total = sum(cases.by_workflow.values())
    report("cases", total, total)
    return dict(cases.by_workflow)


@contextmanager
def bulk_mode(connection: Connection) -> Iterator[None]:
    """On SQLite: the city written once, with a large page cache and without a foreign-key lookup per row.

    In WAL mode every page is written twice (to the log, then back into the database); with
    the rollback journal, pages added to the file's end are written once and need no journal.
    So the load switches the journal to DELETE (which SQLite refuses, harmlessly, while
    another connection is open: then the load runs in WAL) and back to WAL afterwards. The
    pragmas apply to this connection only and only outside a transaction, so they are set
    before the load's transaction begins and put back (as engine.store.db sets them) after.
    The loader assigns every key itself; PostgreSQL checks them row by row, and the tests run
    SQLite's own `foreign_key_check` over a loaded city.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    journal(raw, "DELETE")
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("PRAGMA cache_size=-262144")  # 256 MiB: the indexes of a large city stay in memory
    raw.execute("PRAGMA temp_store=MEMORY")  # the load's staging tables
    try:
        yield
    finally:
        raw.execute("PRAGMA temp_store=DEFAULT")
        raw.execute("PRAGMA cache_size=-2000")
        raw.execute("PRAGMA foreign_keys=ON")
        journal(raw, "WAL")


def journal(raw: sqlite3.Connection, mode: str) -> None:
    """Switch SQLite's journal mode if no other connection is in the way (each new connection sets WAL anyway)."""
    try:
        raw.execute(f"PRAGMA journal_mode={mode}")
    except sqlite3.OperationalError:
        pass


@dataclass
class CityRows:
    """What the bulk part of the load wrote, and what the cases are opened from."""

    rows: dict[str, int]
    behaviours: dict[str, int]
    license_statuses: dict[str, int]
    rule_evaluations: int
    standings: list[Standing]
    applications: list[Application]


def write_city(connection: Connection, library: Any, accounts: int, licenses: int, seed: int, as_of: date,
               periods: list[str], report: Progress) -> CityRows:
    """Every account's year and the businesses, through one bulk writer, all written when this returns.

    On PostgreSQL the tables' foreign keys and secondary indexes are set aside meanwhile (samplecity.set_aside).
    """
    aside = set_aside(connection, BULK_TABLES) if connection.dialect.name == "postgresql" else None
    writer = BulkWriter(connection, city.TIME_ZONE)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows and no cycles among them: the collector would only scan them
    try:
        made = write_rows(writer, library, accounts, licenses, seed, as_of, periods, report)
        report("writing", 0, 0)
        writer.finish()
        report("writing", writer.written["bill_lines"], writer.written["bill_lines"])
    except BaseException:
        writer.abandon()
        raise
    finally:
        if collecting:
            gc.enable()
    if aside is not None:
        report("keys", 0, 0)
        put_back(connection, aside)
        report("keys", len(aside.statements), len(aside.statements))
    made.rows.update((table, rows) for table, rows in writer.written.items() if not table.startswith("demo_"))
    return made


def write_rows(writer: BulkWriter, library: Any, accounts: int, licenses: int, seed: int, as_of: date,
               periods: list[str], report: Progress) -> CityRows:
    """Make the city's rows and hand them to the writer."""
    rates, calendar = RateBook(library), BillingCalendar(library)
    households = Households(dice(seed, "households"), writer, rates, date.fromisoformat(periods[0] + "-01"))
    years = AccountYears(writer, rates, calendar, periods, as_of, seed)
    standings: list[Standing] = []
    report("accounts", 0, accounts)
    for account_id in range(1, accounts + 1):
        found = years.year(households.account(account_id))
        if found is not None:
            standings.append(found)
        if account_id % REPORT_EVERY == 0 or account_id == accounts:
            writer.flush_full()
            report("accounts", account_id, accounts)
    years.write_bill_lines()
    business_year = LicenseYear(dice(seed, "businesses"), writer, households, rates, as_of)
    report("businesses", 0, licenses)
    for business_id in range(1, licenses + 1):
        business_year.business(business_id)
    writer.flush()
    report("businesses", licenses, licenses)
    return CityRows({}, dict(years.counts.behaviours, returned_checks=years.counts.returned_checks),
                    dict(business_year.statuses), rates.evaluations, standings, business_year.applications)


def restart_sequences(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the ids the loader assigned itself."""
    for table in SEQUENCED_TABLES:
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
