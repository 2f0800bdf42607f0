"""`ordinance cash`: drawers at the counter from the command line (the web UI calls the same services)."""
from __future__ import annotations

import csv
import sys
from decimal import Decimal

import click
from sqlalchemy import select

from engine.money import cash
from engine.money.cash import CashError
from engine.money import parse_money
from engine.money.payments import PaymentError, post_counter_payment
from engine.store.models import User, UtilityAccount
from webapp.cli.billing import city_today
from webapp.cli.context import fail, now, open_database, require_schema

DATE = click.DateTime(["%Y-%m-%d"])


def _user(session, username: str) -> User:
    """The active user with this username, or exit 1."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        fail(f"no active user {username!r}")
    return user


def _money(text: str) -> Decimal:
    """A dollar amount from the command line, or exit 2."""
    try:
        return parse_money(text)
    except ValueError as bad:
        fail(str(bad), 2)


@click.group("cash")
def command() -> None:
    """Cash drawers: open, take payments, count, balance, close the day."""


@command.command("open")
@click.option("--user", "username", required=True)
@click.option("--opening", required=True, help="Starting cash, e.g. 150.00.")
@click.option("--date", "day", type=DATE, help="Business date (default: today in the city).")
def open_command(username, opening, day) -> None:
    """Open the clerk's drawer for the day."""
    db = open_database()
    require_schema(db)
    on = day.date() if day else city_today(db)
    try:
        with db.transaction() as session:
            drawer = cash.open_drawer(session, clerk=_user(session, username), business_date=on,
                                      opening=_money(opening), now=now())
    except CashError as bad:
        fail(str(bad))
    click.echo(f"Drawer {drawer.id} open for {username} on {on}.")


@command.command("pay")
@click.argument("account_number")
@click.option("--amount", required=True)
@click.option("--tender", type=click.Choice(["cash", "check", "card"]), required=True)
@click.option("--check-number", default="")
@click.option("--user", "username", required=True)
def pay_command(account_number, amount, tender, check_number, username) -> None:
    """Take a counter payment into the clerk's open drawer."""
    db = open_database()
    require_schema(db)
    on = city_today(db)
    try:
        with db.transaction() as session:
            account = session.scalar(select(UtilityAccount).where(UtilityAccount.number == account_number))
            if account is None:
                fail(f"no account {account_number}")
            payment = post_counter_payment(session, account_id=account.id, amount=amount, tender=tender,
                                           clerk=_user(session, username), on=on, now=now(),
                                           check_number=check_number)
    except (PaymentError, CashError) as bad:
        fail(str(bad))
    click.echo(f"Payment {payment.id} posted to {account_number}.")


@command.command("count")
@click.argument("drawer_id", type=int)
@click.option("--cash", "cash_amount", default="0")
@click.option("--check", "check_amount", default="0")
@click.option("--card", "card_amount", default="0")
@click.option("--user", "username", required=True)
def count_command(drawer_id, cash_amount, check_amount, card_amount, username) -> None:
    """Record the counted amounts by tender."""
    db = open_database()
    require_schema(db)
    counted = {"cash": _money(cash_amount), "check": _money(check_amount), "card": _money(card_amount)}
    try:
        with db.transaction() as session:
            cash.count_drawer(session, drawer_id, counted, user=_user(session, username), now=now())
    except CashError as bad:
        fail(str(bad))
    click.echo(f"Drawer {drawer_id} counted.")


@command.command("balancing")
@click.option("--date", "day", type=DATE, help="Default: today in the city.")
def balancing_command(day) -> None:
    """The day's balancing report as CSV: expected, counted and variance per drawer and tender."""
    db = open_database()
    require_schema(db)
    on = day.date() if day else city_today(db)
    with db.sessions() as session:
        writer = csv.DictWriter(sys.stdout, ["drawer", "tender", "expected", "counted", "variance"])
        writer.writeheader()
        writer.writerows(line.row() for line in cash.balancing(session, on))


@command.command("close-day")
@click.option("--date", "day", type=DATE, help="Default: today in the city.")
@click.option("--user", "username", required=True, help="A supervisor.")
def close_day_command(day, username) -> None:
    """Close the business day (a supervisor; every drawer counted)."""
    db = open_database()
    require_schema(db)
    on = day.date() if day else city_today(db)
    try:
        with db.transaction() as session:
            drawers = cash.close_day(session, on, user=_user(session, username), now=now())
    except CashError as bad:
        fail(str(bad))
    click.echo(f"Business day {on} closed ({len(drawers)} drawers).")
