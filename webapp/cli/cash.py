"""`ordinance cash`: drawers at the counter from the command line (the web UI calls the same services)."""
from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit_checkpoints import CheckpointWriter
from engine.exports import write_csv
from engine.money import cash
from engine.money.bounds import LARGEST, BoundError, typed_amount
from engine.money.payments import COUNTER_TENDERS, post_counter_payment
from engine.store.models import User, UtilityAccount, receipt_number
from webapp.cli.context import RECORD_ID, USAGE_ERROR, CityContext, acting_user, city_date_option, fail, pass_city


def _user(session: Session, username: str) -> User:
    """The active user with this username, or exit 1."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        fail(f"no active user {username!r}")
    return user


def _money(text: str, option: str) -> Decimal:
    """A dollar amount typed on the command line, or exit 2 naming the option and the limit."""
    try:
        return typed_amount(text, field=option, ceiling=LARGEST)
    except BoundError as bad:
        fail(str(bad), USAGE_ERROR)


@click.group("cash")
def command() -> None:
    """Cash drawers: open, take payments, count, balance, close the day."""


@command.command("open")
@acting_user("username", help="The clerk whose drawer it is.", was=("--user",))
@click.option("--opening", required=True, help="Starting cash, e.g. 150.00.")
@city_date_option("--date", "day", help="Business date")
@pass_city
def open_command(city: CityContext, username: str, opening: str, day: date) -> None:
    """Open the clerk's drawer for the day (today: the first open day, once today is closed)."""
    with city.transaction() as session:
        day = cash.counter_day(session, day) if day == city.today else day
        drawer = cash.open_drawer(session, clerk=_user(session, username), business_date=day,
                                  opening=_money(opening, "--opening"), now=city.now())
    click.echo(f"Drawer {drawer.id} open for {username} on {day}.")


@command.command("pay")
@click.argument("account_number")
@click.option("--amount", required=True)
@click.option("--tender", type=click.Choice(list(COUNTER_TENDERS)), required=True)
@click.option("--check-number", default="")
@acting_user("username", help="The clerk taking the payment.", was=("--user",))
@pass_city
def pay_command(city: CityContext, account_number: str, amount: str, tender: str, check_number: str,
                username: str) -> None:
    """Take a counter payment into the clerk's open drawer: a receipt of one account and one tender."""
    today = city.today
    with city.transaction() as session:
        account = session.scalar(select(UtilityAccount).where(UtilityAccount.number == account_number))
        if account is None:
            fail(f"no account {account_number}")
        payment = post_counter_payment(session, account_id=account.id, amount=amount, tender=tender,
                                       clerk=_user(session, username), on=today, now=city.now(),
                                       check_number=check_number)
    click.echo(f"Receipt {receipt_number(payment.receipt_id)} posted to {account_number}.")


@command.command("count")
@click.argument("drawer_id", type=RECORD_ID)
@click.option("--cash", "cash_amount", default="0")
@click.option("--check", "check_amount", default="0")
@click.option("--card", "card_amount", default="0")
@click.option("--money-order", "money_order_amount", default="0")
@acting_user("username", help="Who counted.", was=("--user",))
@pass_city
def count_command(city: CityContext, drawer_id: int, cash_amount: str, check_amount: str, card_amount: str,
                  money_order_amount: str, username: str) -> None:
    """Record the counted amounts by tender; the variance posts to cash over and short."""
    counted = {"cash": _money(cash_amount, "--cash"), "check": _money(check_amount, "--check"),
               "card": _money(card_amount, "--card"), "money_order": _money(money_order_amount, "--money-order")}
    with city.transaction() as session:
        cash.count_drawer(session, drawer_id, counted, user=_user(session, username), now=city.now())
    click.echo(f"Drawer {drawer_id} counted.")


@command.command("balancing")
@city_date_option("--date", "day", help="Business date")
@pass_city
def balancing_command(city: CityContext, day: date) -> None:
    """The day's balancing report as CSV: expected, counted and variance per drawer and tender."""
    with city.session() as session:
        write_csv(sys.stdout, (line.row() for line in cash.balancing(session, day)),
                  ["drawer", "tender", "expected", "counted", "variance"])


@command.command("close-day")
@city_date_option("--date", "day", help="Business date")
@acting_user("username", help="Who closes it: someone the city lets (its day_close duty).", was=("--user",))
@pass_city
def close_day_command(city: CityContext, day: date, username: str) -> None:
    """Close the business day (a supervisor; every drawer counted)."""
    with city.transaction() as session:
        drawers = cash.close_day(session, day, user=_user(session, username), now=city.now(),
                                 checkpoint=CheckpointWriter(city.config.AUDIT_KEY))
    click.echo(f"Business day {day} closed ({len(drawers)} drawers).")
