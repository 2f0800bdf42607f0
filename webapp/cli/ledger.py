"""`ordinance ledger`: the kept balances checked against the ledger, and rebuilt from it.

    ordinance ledger verify
    ordinance ledger rebuild-balances [--as-of 2026-11-20]

`verify` works every account's standing out again from its ledger on the kept day and names
each account whose kept balance differs (exit 1); it writes nothing and repairs nothing.
`rebuild-balances` replaces the whole table from the ledger, audited as
`ledger.balances_rebuilt`: after migrating a ledger older than the table, or after verify.
"""
from __future__ import annotations

import sys
from datetime import date

import click
from sqlalchemy import select

from engine.money import money_text
from engine.money.ledger.kept import rebuild_balances
from engine.money.ledger.verify import BalancesCheck, Difference, check_balances
from engine.store.models import UtilityAccount
from webapp.cli.context import CityContext, actor, city_date_option, pass_city


@click.group("ledger")
def command() -> None:
    """The account ledgers' kept balances: check them against the ledger, rebuild them from it."""


@command.command("verify")
@pass_city
def verify_command(city: CityContext) -> None:
    """Work every kept balance out again from the ledger; name each account that differs and exit 1."""
    with city.session() as session:
        check = check_balances(session)
        numbers = _numbers(session, [d.account_id for d in check.differences])
    if check.agrees:
        click.echo(_agreed(check))
        return
    if check.problem:
        click.echo(f"Kept balances NOT CHECKED: {check.problem}.", err=True)
        sys.exit(1)
    click.echo(f"Kept balances DIFFER from the ledger for {check.differing:,} of {check.accounts:,} accounts on "
               f"{check.as_of}:", err=True)
    for difference in check.differences:
        click.echo(f"  {numbers.get(difference.account_id, difference.account_id)}: {_differing(difference)}",
                   err=True)
    if check.differing > len(check.differences):
        click.echo(f"  ... and {check.differing - len(check.differences):,} more", err=True)
    click.echo("Rebuild them from the ledger with `ordinance ledger rebuild-balances`.", err=True)
    sys.exit(1)


@command.command("rebuild-balances")
@city_date_option("--as-of", "as_of", help="The day the balances are kept for")
@pass_city
def rebuild_command(city: CityContext, as_of: date) -> None:
    """Replace every kept balance with the account's standing worked out from its ledger (audited)."""
    with city.transaction() as session:
        accounts = rebuild_balances(session, as_of, now=city.now(), actor=actor())
    click.echo(f"Kept balances rebuilt from the ledger for {as_of}: {accounts:,} accounts "
               f"(audited as ledger.balances_rebuilt).")


def _agreed(check: BalancesCheck) -> str:
    """The line for a table that agrees with the ledger."""
    if check.as_of is None:
        return "Kept balances OK: the ledger is empty; its first posting starts them."
    return f"Kept balances OK: {check.accounts:,} accounts on {check.as_of} agree with the ledger."


def _differing(difference: Difference) -> str:
    """What differs, kept against the ledger, column by column."""
    parts = []
    for name, in_ledger in difference.ledger.items():
        kept = difference.kept[name]
        if name == "services":
            parts.extend(_services_differing(kept, in_ledger))
        elif kept != in_ledger:
            shown = (lambda v: money_text(v)) if name.endswith("_cents") else str
            parts.append(f"{name.removesuffix('_cents')} kept {shown(kept)}, ledger {shown(in_ledger)}")
    return "; ".join(parts)


def _services_differing(kept: dict, in_ledger: dict) -> list[str]:
    """Each service whose kept amounts differ: its unpaid and past due, kept against the ledger."""
    zero = [0, 0]
    return [f"{service} unpaid kept {money_text(kept.get(service, zero)[0])}, ledger "
            f"{money_text(in_ledger.get(service, zero)[0])}; past due kept {money_text(kept.get(service, zero)[1])}, "
            f"ledger {money_text(in_ledger.get(service, zero)[1])}"
            for service in sorted(set(kept) | set(in_ledger)) if kept.get(service) != in_ledger.get(service)]


def _numbers(session, account_ids: list[int]) -> dict[int, str]:
    """The account numbers of these ids."""
    if not account_ids:
        return {}
    return dict(session.execute(select(UtilityAccount.id, UtilityAccount.number)
                                .where(UtilityAccount.id.in_(account_ids))).all())
