"""A city for the sweep benchmark, written fast: accounts, six months of bills and payments, yesterday's open cases.

Bills follow the sample city's billing-cycle timeline (bill and due dates of cycles A to D).
Each account keeps one habit: nine in ten pay every bill on time, six in a hundred pay each
bill twelve days late, two pay half of each bill, two have paid nothing for three months.
The night swept is the day after cycle D's October due date, so tonight some accounts are
newly past due, some late payers have just paid, and the accounts that were past due
yesterday already have the open case the sweep would have left them (with the dates of
their bill's timeline), and every account's balance is kept as of yesterday (as last night's
roll-over left it; the night's roll-over moves it). Rows go in with plain executemany in
batches: memory stays flat.
The sample city's settings are saved too: its notices print the city's name, address and phone.

    python -m benchmarks.sweep_city sqlite:////tmp/bench.db 100000
"""
from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from engine.money.ledger.aging import Posting, Standing, age
from engine.money.ledger.kept import balance_row, service_rows
from engine.rules.calendar import city_calendar
from engine.rules.library import RuleLibrary
from engine.rules.yamlsafe import read_yaml
from samplecity.city import city_settings_row

NIGHT = date(2026, 11, 13)  # the day after cycle D's October bill was due
PERIODS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
CYCLES = "ABCD"
BATCH = 5000
FIRST = ("Maria", "James", "Ana", "Robert", "Linh", "David", "Sofia", "Michael", "Grace", "Jose")
LAST = ("Garcia", "Smith", "Nguyen", "Johnson", "Lopez", "Brown", "Chen", "Miller", "Rivera", "Davis")
BALANCE_COLUMNS = ("account_id", "balance_cents", "past_due_cents", "oldest_unpaid_due", "current_cents",
                   "days_1_30_cents", "days_31_60_cents", "days_61_90_cents", "over_90_cents")
STAMP = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000000")


def delinquency_version(rules_dir: Path) -> int:
    """The version of the sample delinquency workflow (the workflows folder beside the rules): yesterday's cases
    were opened on it."""
    text = (rules_dir.parent / "workflows" / "delinquency.yaml").read_text(encoding="utf-8")
    return int(read_yaml(text, "delinquency.yaml").data["version"])


def timelines(rules_dir: Path) -> dict[tuple[str, str], dict[str, date]]:
    """Each cycle's timeline (bill, due, shut-off notice, ...) for each period, from the city calendar."""
    calendar = city_calendar(RuleLibrary.from_folder(rules_dir).get("city-calendar"))
    return {(cycle, period): calendar.timeline(cycle, period)[0] for cycle in CYCLES for period in PERIODS}


def habit(n: int) -> str:
    """An account's payment habit, fixed by its number."""
    roll = (n * 2654435761) % 100
    return "on_time" if roll < 90 else "late" if roll < 96 else "half" if roll < 98 else "stopped"


def account_rows(n: int, lines: dict, night: date) -> tuple[list[tuple], list[tuple[int, int, str, str]]]:
    """Ledger rows of account n (amount, effective, due, kind), and (due, amount, cycle, period) of its bills."""
    cycle, kind = CYCLES[n % 4], habit(n)
    entries, bills = [], []
    for number, period in enumerate(PERIODS):
        line = lines[(cycle, period)]
        if line["bill"] > night:
            continue
        cents = 4000 + (n * 37 + number * 1103) % 6000
        entries.append((cents, line["bill"], line["due"], "charge"))
        bills.append((line["due"], cents, cycle, period))
        paid_on, paid = line["due"] - timedelta(days=n % 10), cents
        if kind == "late":
            paid_on = line["due"] + timedelta(days=12)
        elif kind == "half":
            paid = cents // 2
        elif kind == "stopped" and number >= len(PERIODS) - 4:
            paid = 0
        if paid and paid_on <= night:
            entries.append((-paid, paid_on, None, "payment"))
    return entries, bills


def standing_yesterday(entries: list[tuple], first_id: int, night: date) -> Standing:
    """Where the account stood the day before the night (what last night's roll-over kept)."""
    postings = [Posting(i, cents, on, due) for i, (cents, on, due, _kind) in enumerate(entries, start=first_id)]
    return age(postings, night - timedelta(days=1))


def kept_row(n: int, standing: Standing) -> tuple:
    """The account's kept balance as the generator inserts it."""
    row = balance_row(n, standing)
    row["oldest_unpaid_due"] = row["oldest_unpaid_due"] and row["oldest_unpaid_due"].isoformat()
    return tuple(row[name] for name in BALANCE_COLUMNS)


def open_case(standing: Standing, bills: list, lines: dict, night: date) -> tuple[str, dict] | None:
    """The case yesterday's sweep left on the account: (state, fields), or None when it was not past due."""
    yesterday = night - timedelta(days=1)
    if standing.past_due_cents <= 0:
        return None
    cycle, period = next((c, p) for due, _cents, c, p in bills if due == standing.oldest_unpaid_due)
    line = lines[(cycle, period)]
    fields = {"period": period, "shutoff_notice_on": line["shutoff_notice"].isoformat()}
    if line["shutoff_notice"] > yesterday:
        return "reminded", fields
    fields.update(door_hanger_on=line["door_hanger"].isoformat(), shutoff_on=line["shutoff"].isoformat())
    return "shutoff_notice", fields


def batches(accounts: int, lines: dict, night: date, version: int) -> Iterator[dict[str, list[tuple]]]:
    """Rows for each table, BATCH accounts at a time (the cases on that version of the delinquency workflow)."""
    entry_id = 0
    case_id = 0
    for start in range(1, accounts + 1, BATCH):
        rows: dict[str, list[tuple]] = {"customers": [], "properties": [], "accounts": [], "ledger": [], "cases": [],
                                        "enrolments": [], "balances": [], "service_balances": []}
        for n in range(start, min(start + BATCH, accounts + 1)):
            name = f"{FIRST[n % 10]} {LAST[(n // 10) % 10]} {n}"
            street = f"{100 + n % 9000} {LAST[n % 10]} Street"
            language = "es" if n % 7 == 0 else "en"
            rows["customers"].append((n, name, street, "", "Alder Creek", "CA", "95620", language,
                                      f"530-555-{n % 10000:04d}", "", STAMP))
            if n % 11 == 0:  # in the sample city's low-income program
                rows["enrolments"].append((n, "cap", "2020-01-01", None, "benchmark", STAMP))
            rows["properties"].append((n, f"BP{n:09d}", street, n))
            rows["accounts"].append((n, f"{n:07d}-01", n, n, CYCLES[n % 4], '3/4"', "residential", '["water", "sewer"]',
                                     "active", False, "2020-01-01", 1))
            entries, bills = account_rows(n, lines, night)
            standing = standing_yesterday(entries, entry_id + 1, night)
            rows["balances"].append(kept_row(n, standing))
            rows["service_balances"].extend(tuple(row[name] for name in SERVICE_BALANCE_COLUMNS)
                                            for row in service_rows(n, standing))
            for cents, on, due, kind in entries:
                entry_id += 1
                rows["ledger"].append((entry_id, n, kind, cents, on.isoformat(), due.isoformat() if due else None,
                                       STAMP, "bench", "Utility bill" if kind == "charge" else "Payment",
                                       "", "510", "4210" if kind == "charge" else "1010"))
            found = open_case(standing, bills, lines, night)
            if found:
                case_id += 1
                rows["cases"].append((case_id, "delinquency", version, "utility_account", n, n, found[0],
                                      json.dumps(found[1]), STAMP, "sweep:delinquency", 2))
        yield rows


INSERTS = {
    "customers": "INSERT INTO customers (id, name, mailing_street, mailing_unit, mailing_city, mailing_state, "
                 "mailing_zip, language, phone, email, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "enrolments": "INSERT INTO assistance_enrolments (customer_id, program, starts_on, ends_on, recorded_by, "
                  "recorded_at) VALUES (?,?,?,?,?,?)",
    "properties": "INSERT INTO properties (id, parcel, service_address, owner_id) VALUES (?,?,?,?)",
    "accounts": "INSERT INTO utility_accounts (id, number, customer_id, property_id, cycle, meter_size, rate_class, "
                "services, status, cash_only, opened_on, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    "ledger": "INSERT INTO ledger_entries (id, account_id, kind, amount_cents, effective_on, due_on, posted_at, actor, "
              "description, reference, fund, gl_account) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    "cases": "INSERT INTO cases (id, workflow_id, workflow_version, subject_type, subject_id, account_id, state, "
             "fields, opened_at, opened_by, version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "balances": "INSERT INTO account_balances (account_id, balance_cents, past_due_cents, oldest_unpaid_due, "
                "current_cents, days_1_30_cents, days_31_60_cents, days_61_90_cents, over_90_cents) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
    "service_balances": "INSERT INTO account_service_balances (account_id, service, unpaid_cents, past_due_cents, "
                        "current_cents, days_1_30_cents, days_31_60_cents, days_61_90_cents, over_90_cents) "
                        "VALUES (?,?,?,?,?,?,?,?,?)",
}
SERVICE_BALANCE_COLUMNS = ("account_id", "service", "unpaid_cents", "past_due_cents", "current_cents",
                           "days_1_30_cents", "days_31_60_cents", "days_61_90_cents", "over_90_cents")


def save_city(connection: sqlite3.Connection) -> None:
    """The sample city's settings row: the name, address, phone and website its notices print."""
    city = {**city_settings_row(), "languages": json.dumps(city_settings_row()["languages"])}
    connection.execute(f"INSERT INTO city_settings ({', '.join(city)}) VALUES ({', '.join('?' * len(city))})",
                       list(city.values()))


def keep_balances_from(connection: sqlite3.Connection, day: date) -> None:
    """The kept balances' day: the generated ledger's balances are kept as of `day`."""
    connection.execute("UPDATE balances_day SET as_of = ? WHERE id = 1", (day.isoformat(),))


def generate(path: str | Path, accounts: int, rules_dir: str | Path = "rules", night: date = NIGHT) -> dict[str, int]:
    """Fill a migrated, empty SQLite database with the benchmark city; rows written per table."""
    lines = timelines(Path(rules_dir))
    written = dict.fromkeys(INSERTS, 0)
    connection = sqlite3.connect(str(path), isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("BEGIN")
        save_city(connection)
        keep_balances_from(connection, night - timedelta(days=1))
        for rows in batches(accounts, lines, night, delinquency_version(Path(rules_dir))):
            for table, statement in INSERTS.items():
                connection.executemany(statement, rows[table])
                written[table] += len(rows[table])
        connection.execute("COMMIT")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return written


if __name__ == "__main__":
    print(json.dumps(generate(sys.argv[1].removeprefix("sqlite:///"), int(sys.argv[2]),
                              sys.argv[3] if len(sys.argv) > 3 else "rules")))
