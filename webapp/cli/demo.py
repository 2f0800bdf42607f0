"""`ordinance demo`: load the sample city of Alder Creek into an empty database."""
from __future__ import annotations

import time
from datetime import date

import click

from engine.rules.errors import DocumentErrors
from engine.workflow.services import Catalog
from samplecity import city as sample
from samplecity.loader import DemoRefused, has_city_data, load_demo
from webapp.cli.context import CITY_DATE, CityContext, fail, pass_city

PHASES = {"accounts": "Accounts with a year of reads, bills and payments",
          "businesses": "Businesses and licenses", "writing": "Bill lines (and the rows still queued) written",
          "keys": "Indexes built and foreign keys checked (PostgreSQL)", "cases": "Open cases"}


class PhaseReport:
    """Prints one line per phase with its count and rate, and a progress bar for the accounts."""

    def __init__(self) -> None:
        """Nothing started yet."""
        self.bar = None
        self.started = time.monotonic()
        self.done = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Report that `done` of `total` items of a phase are written."""
        if done == 0:
            self.started = time.monotonic()
            if phase == "accounts":
                self.bar = click.progressbar(length=total, label=PHASES[phase], show_pos=True, width=30)
                self.bar.__enter__()
            self.done = 0
            return
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done
            if done < total:
                return
            self.bar.__exit__(None, None, None)
            self.bar = None
        seconds = max(time.monotonic() - self.started, 1e-6)
        click.echo(f"{PHASES[phase]}: {total:,} in {seconds:.1f} s ({rate_text(total / seconds)})")


def rate_text(per_second: float) -> str:
    """A phase's rate: whole items a second, or to three significant figures below ten a second (an index in 3 s)."""
    return f"{per_second:,.0f}/s" if per_second >= 10 else f"{per_second:.3g}/s"


def print_logins() -> None:
    """The demo logins and where to use them."""
    click.echo(f"\nThe sample city is at {sample.URL} - sign in as:")
    for login in sample.DEMO_LOGINS:
        holds = f"  (approves as {', '.join(login.grants)})" if login.grants else ""
        click.echo(f"  {login.role:<11} {login.username:<11} password {login.password}{holds}")


@click.command("demo")
@click.option("--accounts", default=2000, show_default=True, type=click.IntRange(1, 2_000_000),
              help="How many utility accounts.")
@click.option("--licenses", default=300, show_default=True, type=click.IntRange(0, 200_000),
              help="How many businesses with licenses.")
@click.option("--seed", default=2026, show_default=True, type=int, help="The same seed gives the same city.")
@click.option("--as-of", "as_of", type=CITY_DATE, default=None,
              help="The city's today, YYYY-MM-DD: bills run to the month before. Default: today in the city.")
@click.option("--if-new", is_flag=True, help="Load only into a database without a city; print the logins either way.")
@click.option("--rules-dir", default="rules", show_default=True, help="The city's rule documents.")
@click.option("--workflows-dir", default="workflows", show_default=True, help="The city's workflow definitions.")
@pass_city
def command(city: CityContext, accounts: int, licenses: int, seed: int, as_of: date | None, if_new: bool,
            rules_dir: str, workflows_dir: str) -> None:
    """Load the sample city: accounts, bills, payments, licenses, open cases and demo logins."""
    moment = city.now()
    city.upgrade()  # an empty database is the usual start; its date is then today in Alder Creek
    day = as_of or city.today
    with city.db.engine.connect() as connection:
        loaded = has_city_data(connection)
    if loaded and if_new:
        click.echo("The database already holds a city; nothing loaded.")
        print_logins()
        return
    try:
        catalog = Catalog.load(rules_dir, workflows_dir, sample.APPROVAL_ROLE_IDS)
    except DocumentErrors as errors:
        fail(f"the rules in {rules_dir} or the workflows in {workflows_dir} do not load:\n{errors}")
    click.echo(f"Loading the sample city: {accounts:,} accounts, {licenses:,} businesses, seed {seed}, "
               f"as of {day} into {city.db.engine.url.render_as_string()}")
    started = time.monotonic()
    try:
        summary = load_demo(city.db.engine, catalog, accounts=accounts, licenses=licenses, seed=seed, as_of=day,
                            now=moment, progress=PhaseReport())
    except DemoRefused as refused:
        fail(str(refused))
    rows = sum(summary.rows.values())
    click.echo(f"Done in {time.monotonic() - started:.1f} s: {rows:,} rows; {summary.rule_evaluations:,} rule "
               f"evaluations; cases {summary.cases}")
    print_logins()
