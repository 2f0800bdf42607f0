"""The command line's one error handler: an expected failure is a line on stderr and exit 1, never a traceback.

    ordinance cash close-day --as sam
    Error: drawer 3 has not been counted yet          (exit 1)

A command raises the domain's own errors (or calls `fail`); `CityGroup` turns the expected
ones, listed in EXPECTED, into a `Failure` that click prints as `Error: MESSAGE`. A bad
DATABASE_URL or other setting exits 2, as click's usage errors do. Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

import click
from sqlalchemy.exc import OperationalError

from engine.api_tokens import TokenError
from engine.city import CityError
from engine.money.billing import BillingError
from engine.money.cash import CashError
from engine.money.deposits import DepositError
from engine.money.ledger.posting import LedgerError
from engine.money.payments import PaymentError
from engine.notices.catalog import NoticeDataError
from engine.notices.wkhtmltopdf import PdfRenderError
from engine.rulebook.store import RuleStoreError
from engine.rules.errors import RuleError
from engine.store.db import DatabaseURLError
from engine.sweeps.runner import SweepError
from engine.two_person import ChangeError
from engine.users import UserError
from engine.workflow.forms import FormError
from engine.workflow.runtime import CaseError, StepRefused
from webapp.config import ConfigError

USAGE_ERROR = 2
EXPECTED: tuple[type[Exception], ...] = (
    LedgerError, BillingError, PaymentError, DepositError, CashError, CityError, UserError, ChangeError, TokenError,
    CaseError, FormError, NoticeDataError, RuleError, RuleStoreError, SweepError, PdfRenderError,
    DatabaseURLError, ConfigError, OperationalError, OSError, LookupError,  # OSError: any file named, any way
)
# The engine says "no license with id 7" with a plain LookupError; a KeyError or IndexError is a slip in the code.
SLIPS: tuple[type[Exception], ...] = (KeyError, IndexError)
USAGE: tuple[type[Exception], ...] = (DatabaseURLError, ConfigError)


class Failure(click.ClickException):
    """What a command could not do: the message, the exit code, and the label it is printed under."""

    def __init__(self, message: str, code: int = 1, label: str | None = None) -> None:
        """A failure; without a label, the group that catches it gives it its own."""
        super().__init__(message)
        self.exit_code = code
        self.label = label

    def show(self, file: IO[Any] | None = None) -> None:
        """Print `LABEL: MESSAGE` on stderr."""
        click.echo(f"{self.label or 'Error'}: {self.format_message()}", file=file, err=file is None)


def _refused(error: StepRefused) -> str:
    """A refused step with each reason on a line of its own."""
    return f"{error.step} refused:\n" + "\n".join(f"  {reason}" for reason in error.reasons)


def _unreachable(error: OperationalError) -> str:
    """The database could not be opened or used, in the driver's own words."""
    return f"cannot open the database: {error.orig}"


def _unreadable(error: OSError) -> str:
    """A file named on the command line that cannot be read or written."""
    return f"{error.filename}: {error.strerror}" if error.filename else str(error)


MESSAGES: dict[type[Exception], Callable[[Any], str]] = {
    StepRefused: _refused, OperationalError: _unreachable, OSError: _unreadable,
}


def message_of(error: Exception) -> str:
    """The sentence a city IT person reads for an expected error."""
    for kind in type(error).__mro__:
        if kind in MESSAGES:
            return MESSAGES[kind](error)
    return str(error)


def failure_of(error: Exception, label: str | None = None) -> Failure:
    """An expected error as a Failure: exit 2 for a bad setting, 1 for the rest."""
    return Failure(message_of(error), USAGE_ERROR if isinstance(error, USAGE) else 1, label)


class CityGroup(click.Group):
    """A group of commands whose expected failures print `LABEL: MESSAGE` on stderr and exit 1 (2 for usage)."""

    def __init__(self, *args: Any, error_label: str = "Error", **kwargs: Any) -> None:
        """A click group; `error_label` starts each failure's line (rules keep their lowercase `error`)."""
        super().__init__(*args, **kwargs)
        self.error_label = error_label

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an expected error, or a Failure not yet labelled, leaves with this group's label."""
        try:
            return super().invoke(ctx)
        except Failure as failure:
            failure.label = failure.label or self.error_label
            raise
        except EXPECTED as error:
            if isinstance(error, SLIPS):
                raise
            raise failure_of(error, self.error_label) from error
