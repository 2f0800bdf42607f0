"""Checking the kept balances against the ledger: every account worked out again with `age()` and compared.

`ordinance ledger verify` calls `check_balances`; it reads and never writes. An account
with no kept row is the same as one whose kept row is all zeros. What is kept of each
service (account_service_balances) is compared too, as `services`: {service: [unpaid, past due, its aging buckets]}.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.money.ledger import held
from engine.money.ledger.aging import BUCKETS, Standing
from engine.money.ledger.kept import KEPT_COLUMNS, balance_row, kept_day, kept_services
from engine.money.ledger.standing import standings
from engine.store.models import AccountBalance, LedgerEntry

DIFFERENCES_LISTED = 100
ROWS_PER_READ = 5000
ZERO = dict.fromkeys(KEPT_COLUMNS, 0) | {"oldest_unpaid_due": None, "services": {}}


@dataclass(frozen=True)
class Difference:
    """An account whose kept row is not its standing worked out from its ledger on the kept day."""

    account_id: int
    kept: dict[str, Any]
    ledger: dict[str, Any]


@dataclass
class BalancesCheck:
    """What a check found: the kept day, the accounts compared, the differences (the first ones listed)."""

    as_of: date | None
    accounts: int = 0
    differing: int = 0
    differences: list[Difference] = field(default_factory=list)
    problem: str | None = None

    @property
    def agrees(self) -> bool:
        """True when every kept row is the ledger's standing."""
        return self.problem is None and self.differing == 0


def check_balances(session: Session) -> BalancesCheck:
    """Every account's kept row against its standing on the kept day, worked out from the ledger."""
    kept = kept_day(session)
    if not kept.kept:
        return BalancesCheck(None, problem="the balances are not kept yet: the ledger predates them; "
                                           "run `ordinance ledger rebuild-balances`")
    if kept.as_of is None:
        has_entries = session.scalar(select(LedgerEntry.id).limit(1)) is not None
        return BalancesCheck(None, problem="the ledger has entries but the kept balances have no day"
                             if has_entries else None)
    check = BalancesCheck(kept.as_of)
    ledger = ((a, _values(balance_row(a, s)) | {"services": _services(s)}) for a, s in standings(session, kept.as_of))
    for account_id, in_ledger, as_kept in _side_by_side(ledger, _kept_rows(session)):
        check.accounts += 1
        if in_ledger != as_kept:
            check.differing += 1
            if len(check.differences) < DIFFERENCES_LISTED:
                check.differences.append(Difference(account_id, as_kept, in_ledger))
    return check


def _values(row: dict[str, Any]) -> dict[str, Any]:
    """The kept values of a row, without its account id."""
    return {name: row[name] for name in KEPT_COLUMNS}


def _services(standing: Standing) -> dict[str, list[int]]:
    """What a standing owes of each service: {service: [unpaid, past due, current, .., over 90]} (cents)."""
    return {owed.service: [owed.unpaid_cents, owed.past_due_cents, *owed.buckets().values()]
            for owed in standing.by_service}


def _kept_rows(session: Session) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every kept row (with its services) in account order, ROWS_PER_READ at a time."""
    held.write_first(session)
    after = 0
    columns = [AccountBalance.account_id, *(getattr(AccountBalance, name) for name in KEPT_COLUMNS)]
    while True:
        rows = session.execute(select(*columns).where(AccountBalance.account_id > after)
                               .order_by(AccountBalance.account_id).limit(ROWS_PER_READ)).all()
        services = kept_services(session, [row.account_id for row in rows])
        for row in rows:
            yield row.account_id, {name: getattr(row, name) for name in KEPT_COLUMNS} | {
                "services": {s.service: [s.unpaid_cents, s.past_due_cents,
                                         *(getattr(s, f"{name}_cents") for name in BUCKETS)]
                             for s in services.get(row.account_id, [])}}
        if len(rows) < ROWS_PER_READ:
            return
        after = rows[-1].account_id


def _side_by_side(ledger: Iterator, kept: Iterator) -> Iterator[tuple[int, dict, dict]]:
    """(account, from the ledger, as kept) for every account in either stream (both in account order)."""
    left, right = next(ledger, None), next(kept, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left[0] < right[0]):
            yield left[0], left[1], ZERO
            left = next(ledger, None)
        elif left is None or right[0] < left[0]:
            yield right[0], ZERO, right[1]
            right = next(kept, None)
        else:
            yield left[0], left[1], right[1]
            left, right = next(ledger, None), next(kept, None)
