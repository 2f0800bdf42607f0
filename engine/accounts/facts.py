"""An account's facts on a day, read in one place: for one account, or for a chunk of accounts.

The facts are the account's own (number, status, cycle, meter, rate class, cash-only), its
customer's and its parcel's (the assistance programs the customer is enrolled in on the
day and whether one of them counts as low income, owner is the customer, parcel), its ledger standing
on the day (balance, past due, days past due), and the fact of every measure in force on the
day whose subject is the account (kind: measure, engine.rules.measure: returned payments in
12 months, late payments, unpaid water charges, ...), counted from the streams the account
keeps (engine.accounts.history). A chunk is read in a few queries however many accounts it
holds: the accounts with their properties, their customers' enrolments on the day, their
ledger standings, and one per stream the measures read. The workflow runtime, a draft's
impact and the nightly sweeps all take their facts from here, so one account's facts are
the same whichever of them asks.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.accounts.assistance import city_programs, low_income_programs, programs_on
from engine.accounts.history import ServiceOff, account_streams
from engine.money.ledger import Standing, standings
from engine.rules.document import RuleDocument
from engine.rules.kinds.measure import in_force, measured_facts, streams_read
from engine.store.kept_reads import ACCOUNT_ROWS as KEPT_ROWS, kept_read
from engine.store.models import Property, UtilityAccount

ACCOUNT_CHUNK = 1000  # account ids per query

# The record facts, in the order they are given (workflows/README.md documents each); the measures' follow.
ACCOUNT_FACT_NAMES = ("account_number", "account_status", "account_closed", "balance", "past_due_balance",
                      "days_past_due", "cycle", "meter_size", "rate_class", "low_income", "assistance_programs",
                      "owner_is_customer", "cash_only", "parcel")


def facts_for_account(session: Session, account_id: int, as_of: date, rules: Iterable[RuleDocument],
                      service_off: ServiceOff | None = None) -> dict[str, Any]:
    """One utility account's facts on the day, the measures among `rules` included; LookupError for no such account.

    `service_off`: the workflows' states tagged service_off by workflow id and version
    (WorkflowSet.states_tagged_by_version), which a measure counting shut-offs or reconnections needs.
    """
    return facts_for_accounts(session, [account_id], as_of, rules, service_off)[account_id]


def facts_for_accounts(session: Session, account_ids: Iterable[int], as_of: date,
                       rules: Iterable[RuleDocument],
                       service_off: ServiceOff | None = None) -> dict[int, dict[str, Any]]:
    """The facts of each of these accounts on the day, by account id (in id order), a chunk of queries at a time."""
    wanted = sorted(set(account_ids))
    measures = in_force(rules, "account", as_of)  # read once for every chunk
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), ACCOUNT_CHUNK):
        ids = wanted[start:start + ACCOUNT_CHUNK]
        found.update(facts_with_standings(session, dict(standings(session, as_of, account_ids=ids)), as_of,
                                          measures, service_off))
    return found


def facts_with_standings(session: Session, known: Mapping[int, Standing], as_of: date,
                         rules: Iterable[RuleDocument],
                         service_off: ServiceOff | None = None) -> dict[int, dict[str, Any]]:
    """The facts of accounts whose standings on the day the caller has read already (in the order given)."""
    ids = list(known)
    rows = _account_rows(session, ids)
    missing = [account_id for account_id in ids if account_id not in rows]
    if missing:
        raise LookupError(f"no utility account with id {missing[0]}")
    measured = account_measures(session, ids, as_of, rules, service_off)
    enrolled = programs_on(session, (row.customer_id for row in rows.values()), as_of)
    low_income = low_income_programs(city_programs(session))
    return {account_id: {**_facts(rows[account_id], known[account_id], enrolled[rows[account_id].customer_id],
                                  low_income), **measured[account_id]} for account_id in ids}


def account_measures(session: Session, ids: list[int], as_of: date, rules: Iterable[RuleDocument],
                     service_off: ServiceOff | None = None) -> dict[int, dict[str, Any]]:
    """Each account's facts from the measures in force on the day, its streams read a chunk at a time."""
    measures = in_force(rules, "account", as_of)
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), ACCOUNT_CHUNK):
        chunk = ids[start:start + ACCOUNT_CHUNK]
        events = (account_streams(session, chunk, as_of, streams_read(measures, as_of), service_off)
                  if measures else {})
        found.update((account_id, measured_facts(measures, events.get(account_id, {}), as_of))
                     for account_id in chunk)
    return found


# Built once: the accounts of `ids` with their properties' columns.
ACCOUNT_ROWS = (select(UtilityAccount.id, UtilityAccount.number, UtilityAccount.status, UtilityAccount.cycle,
                       UtilityAccount.meter_size, UtilityAccount.rate_class, UtilityAccount.cash_only,
                       UtilityAccount.customer_id, Property.owner_id, Property.parcel)
                .join(Property, Property.id == UtilityAccount.property_id)
                .where(UtilityAccount.id.in_(bindparam("ids", expanding=True))))


def _account_rows(session: Session, ids: list[int]) -> dict[int, Any]:
    """Each account's columns with its property's, by id, a chunk per query (kept for a sweep chunk: kept_reads)."""
    kept = kept_read(session, KEPT_ROWS, dict)
    wanted = [account_id for account_id in ids if account_id not in kept]
    for start in range(0, len(wanted), ACCOUNT_CHUNK):
        kept.update((row.id, row) for row in session.execute(ACCOUNT_ROWS,
                                                             {"ids": wanted[start:start + ACCOUNT_CHUNK]}))
    return {account_id: kept[account_id] for account_id in ids if account_id in kept}


def standing_facts(standing: Standing) -> dict[str, Any]:
    """The facts a ledger standing gives: balance, past-due balance, days past due."""
    return {"balance": standing.balance, "past_due_balance": standing.past_due_balance,
            "days_past_due": standing.days_past_due}


def _facts(row: Any, standing: Standing, programs: list[str], low_income: frozenset[str]) -> dict[str, Any]:
    """One account's record facts from its row, its standing, and the programs its customer is enrolled in."""
    return {
        "account_number": row.number, "account_status": row.status, "account_closed": row.status == "closed",
        **standing_facts(standing), "cycle": row.cycle, "meter_size": row.meter_size,
        "rate_class": row.rate_class, "low_income": not low_income.isdisjoint(programs),
        "assistance_programs": list(programs),
        "owner_is_customer": row.owner_id == row.customer_id, "cash_only": bool(row.cash_only),
        "parcel": row.parcel,
    }
