"""What every `ordinance` command shares: the city's database, its clock, its date, and how a command fails.

    from webapp.cli.context import CityContext, city_date_option, pass_city

    @command.command("close-day")
    @city_date_option("--date", "day")            # omitted: today in the city
    @pass_city
    def close_day_command(city: CityContext, day: date) -> None:
        with city.transaction() as session:      # committed on success, rolled back on error
            cash.close_day(session, day, user=..., now=city.now())

The database is opened on first use and its schema checked once; the city's date is the
command line's clock (`now`, which tests replace) in the city's saved time zone. A command
raises the domain's errors or calls `fail`; `webapp.cli.failures` prints them, never a traceback.
"""
from __future__ import annotations

import functools
import getpass
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.city import DEFAULT_TIMEZONE, get_city, local_today
from engine.store.db import DatabaseURLError, make_engine, make_sessionmaker, transaction
from engine.store.schema import is_new, upgrade
from webapp.cli.failures import USAGE_ERROR, Failure
from webapp.config import Config, ConfigError, utc_now

__all__ = ["CITY_DATE", "RECORD_ID", "USAGE_ERROR", "ActingUser", "CityContext", "CityDate", "Database", "acting_user",
           "actor", "catalog_folders", "city_context", "city_date_option", "fail", "now", "open_database", "pass_city",
           "require_schema"]

NO_TABLES = "the database has no Ordinance tables yet; run `ordinance db upgrade` first"
Command = TypeVar("Command", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class Database:
    """The configured database: its engine and a sessionmaker."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with transaction(self.sessions) as session:
            yield session

    def upgrade(self) -> bool:
        """Migrate the schema to the newest version; True when the database was new."""
        new = is_new(self.engine)
        upgrade(self.engine)
        return new


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop the command: `Error: MESSAGE` on stderr and exit `code` (no traceback)."""
    raise Failure(message, code)


def open_database(config: Config | None = None) -> Database:
    """The database DATABASE_URL names (a malformed URL or setting is a DatabaseURLError or ConfigError: exit 2)."""
    config = config or Config()
    engine = make_engine(config.DATABASE_URL)
    return Database(config, engine, make_sessionmaker(engine))


def require_schema(db: Database) -> None:
    """Fail with advice when the database has no Ordinance tables yet (OperationalError when unreachable)."""
    if is_new(db.engine):
        fail(NO_TABLES)


def now() -> datetime:
    """The command line's clock: aware UTC."""
    return utc_now()


def actor() -> str:
    """Who the command line acts as in the audit log: cli: and the system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


class CityContext:
    """One command's view of the city: its database (opened on first use, schema checked once), clock and date."""

    def __init__(self, config: Config | None = None) -> None:
        """Nothing opened yet; `config` defaults to the environment's settings."""
        self._config = config
        self._database: Database | None = None
        self._checked = False
        self._timezone: str | None = None
        self._today: date | None = None

    @property
    def config(self) -> Config:
        """The settings from the environment (DATABASE_URL, ORDINANCE_INSTANCE, ...)."""
        if self._config is None:
            self._config = Config()
        return self._config

    def configure(self, config: Config) -> None:
        """Use these settings rather than the environment's alone (before the database is opened)."""
        if self._database is not None:
            raise RuntimeError("the database is already open with the environment's settings")
        self._config = config

    def _opened(self) -> Database:
        """The database, opened on first use, its schema not checked."""
        if self._database is None:
            self._database = open_database(self.config)
        return self._database

    @property
    def db(self) -> Database:
        """The database with Ordinance's tables, or a Failure saying to run `ordinance db upgrade`."""
        database = self._opened()
        if not self._checked:
            require_schema(database)
            self._checked = True
        return database

    def upgrade(self) -> bool:
        """Create or migrate the tables (the commands that may start from an empty database); True when new."""
        new = self._opened().upgrade()
        self._checked = True
        return new

    def now(self) -> datetime:
        """The command line's clock, aware UTC (the module's `now`, so a test can replace it)."""
        return now()

    @property
    def timezone(self) -> str:
        """The city's time zone, as the city saved it (America/Los_Angeles until it does)."""
        if self._timezone is None:
            with self.session() as session:
                self._timezone = get_city(session).timezone
        return self._timezone

    @property
    def today(self) -> date:
        """The city's date now: the command line's clock in the city's time zone (the same all through a command)."""
        if self._today is None:
            self._today = local_today(self.now(), self.timezone)
        return self._today

    def today_now(self) -> date:
        """The city's date at this moment, read afresh: for a command that runs for days (the sweep worker), whose
        `today` is the day it started."""
        return local_today(self.now(), self.timezone)

    def today_or_default(self) -> date:
        """Today in the city; where no database is set up (checking files on a laptop), today in the default zone."""
        if self._database is None and not self._database_there():
            return local_today(self.now(), DEFAULT_TIMEZONE)
        try:
            return self.today
        except (Failure, OperationalError, DatabaseURLError, ConfigError):
            return local_today(self.now(), DEFAULT_TIMEZONE)

    def read_if_there(self, read: Callable[[Session], T]) -> T | None:
        """`read(session)` where the city has a database; None where it has none, or none with Ordinance's tables
        (checking files on a laptop)."""
        if self._database is None and not self._database_there():
            return None
        try:
            with self.session() as session:
                return read(session)
        except (Failure, OperationalError, DatabaseURLError, ConfigError):
            return None

    def _database_there(self) -> bool:
        """Whether there is a database to ask, found without creating one (nor the instance folder and its keys)."""
        url = self._config.DATABASE_URL if self._config is not None else os.environ.get("DATABASE_URL")
        if not url:  # Config's default: the instance folder's SQLite file
            url = f"sqlite:///{Path(os.environ.get('ORDINANCE_INSTANCE') or 'instance').resolve() / 'ordinance.db'}"
        return not _missing_sqlite_file(url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self.db.transaction() as session:
            yield session

    def session(self) -> Session:
        """A session for reading (use it in a `with`); on SQLite it never waits behind a writer."""
        session = self.db.sessions()
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        return session

    def close(self) -> None:
        """Let go of the database's connections."""
        if self._database is not None:
            self._database.engine.dispose()

    def __enter__(self) -> CityContext:
        """Itself, closed when the command line's run ends."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the database."""
        self.close()


def _missing_sqlite_file(url: str) -> bool:
    """Whether the URL names a SQLite file that does not exist yet."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and bool(parsed.database) and parsed.database != ":memory:" \
        and not Path(parsed.database).exists()


CITY_CONTEXT = "ordinance.city"


def city_context(ctx: click.Context) -> CityContext:
    """The run's one CityContext, made on first use and closed when the run ends."""
    if CITY_CONTEXT not in ctx.meta:  # meta is shared by every context of one run
        ctx.meta[CITY_CONTEXT] = ctx.find_root().with_resource(CityContext())
    return ctx.meta[CITY_CONTEXT]


def pass_city(function: Command) -> Command:
    """Hand a command the run's CityContext as its first argument."""

    @functools.wraps(function)
    def with_city(*args: Any, **kwargs: Any) -> Any:
        return function(city_context(click.get_current_context()), *args, **kwargs)

    return with_city  # type: ignore[return-value]


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CityDate(click.ParamType):
    """A day typed on the command line: YYYY-MM-DD, in the years 1990 to 2100."""

    name = "YYYY-MM-DD"
    first, last = date(1990, 1, 1), date(2100, 12, 31)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        """The date, or a usage error naming the option and the form it takes."""
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            day = date.fromisoformat(text) if ISO_DAY.fullmatch(text) else None
        except ValueError:
            self.fail(f"{text!r} is not a date on the calendar; write it as YYYY-MM-DD, e.g. 2026-11-20", param, ctx)
        if day is None:
            self.fail(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-20", param, ctx)
        if not self.first <= day <= self.last:
            self.fail(f"{day} is outside the years {self.first.year} to {self.last.year}", param, ctx)
        return day


CITY_DATE = CityDate()
# A record's number (a case, a payment, a job, a revision): a whole number the database's ids can hold.
RECORD_ID = click.IntRange(1, 2**63 - 1)


def _today_when_omitted(ctx: click.Context, _param: click.Parameter, value: date | None) -> date:
    """The day given, or today in the city."""
    return value if value is not None else city_context(ctx).today


def city_date_option(*names: str, help: str = "The day") -> Callable[[Command], Command]:
    """A date option, YYYY-MM-DD, that is today in the city when omitted."""
    return click.option(*names, type=CITY_DATE, default=None, callback=_today_when_omitted,
                        help=f"{help} (default: today in the city).")


class ActingUser(click.Option):
    """`--as USERNAME`: the member of staff a command acts as, spelt the same in every command. An older spelling
    of it (`--user` in the cash commands, `--actor` in `payments return`) is still taken, so scripts written with
    it keep working, but --help and the error messages name `--as` only."""

    def __init__(self, param_decls: list[str], *, was: tuple[str, ...] = (), **attrs: Any) -> None:
        """The option `--as` (`param_decls`: it and the parameter's name) with the old spellings `was`."""
        super().__init__([*param_decls, *was], **attrs)
        self.was = tuple(was)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The help line of `--as` alone."""
        every = self.opts
        self.opts = [opt for opt in every if opt not in self.was]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = every

    def get_error_hint(self, ctx: click.Context) -> str:
        """`'--as'` in a usage error (a missing --as), not the old spellings."""
        return "'--as'"


def acting_user(name: str, *, help: str, required: bool = True, default: str | None = None,
                was: tuple[str, ...] = ()) -> Callable[[Command], Command]:
    """The `--as USERNAME` option of a command that acts as a member of staff, its value given as `name`; `was`:
    the option's old spellings, still taken (hidden)."""
    defaults = {} if required else {"default": default}  # click takes a default given, even None, as a value
    return click.option("--as", name, cls=ActingUser, was=was, required=required, metavar="USERNAME", help=help,
                        **defaults)



PROGRAM = Path(__file__).resolve().parents[2]  # the program's own rules and workflows folders are under it


def catalog_folders(function: Command) -> Command:
    """The options `--rules-dir` and `--workflows-dir`, read only while the rule store has nothing published: the
    program's own folders when omitted, whatever the working folder."""
    function = click.option("--workflows-dir", default=str(PROGRAM / "workflows"), show_default="workflows",
                            help="The workflows folder, used only while the rule store has no published workflow.")(
        function)
    return click.option("--rules-dir", default=str(PROGRAM / "rules"), show_default="rules",
                        help="The rules folder, used only while the rule store has nothing published.")(function)
