"""The refund of a credit left when service stops: a case of the one workflow tagged `credit_refunds`.

engine.accounts.service_stop asks for it through its `Refunds` protocol (the accounts package
does not reach the workflow package; the workflow package reads accounts' facts).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from engine.accounts.service_stop import StopError
from engine.money import money_text
from engine.workflow import services
from engine.workflow.model import CREDIT_REFUNDS
from engine.workflow.runtime import CaseError


class CreditRefunds:
    """Opens refund cases of the workflow tagged `credit_refunds` in a catalog."""

    def __init__(self, catalog: services.Catalog) -> None:
        """Open cases of this catalog's workflows."""
        self.catalog = catalog

    def workflow_id(self, on: date) -> str:
        """The id of the one workflow tagged `credit_refunds` in force on the day; a StopError when none or several."""
        try:
            return self.catalog.workflows.the_one_tagged(CREDIT_REFUNDS, on).id
        except LookupError as missing:
            raise StopError(f"refund: {missing}") from None

    def check(self, on: date) -> None:
        """A StopError when no refund case could be opened on the day."""
        self.workflow_id(on)

    def open_refund(self, session: Session, account_id: int, amount: Decimal, source: str, *, on: date,
                    now: datetime, actor: str) -> int:
        """Open the refund case for `amount` of the account's credit; its id."""
        try:
            case = services.open_case(session, self.catalog, self.workflow_id(on), account_id, actor=actor, on=on,
                                      now=now, fields={"amount": money_text(amount), "source": source})
        except CaseError as refused:
            raise StopError(f"refund: {refused}") from None
        return case.id
