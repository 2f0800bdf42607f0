"""The refund of a credit left when service stops: a case of the one workflow whose cases are refunds.

The workflow is found by its subject (`subject: refund`, the kind of case the program knows),
never by its id. engine.accounts.service_stop asks for it through its `Refunds` protocol
(the accounts package does not reach the workflow package; the workflow package reads
accounts' facts).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from engine.accounts.service_stop import StopError
from engine.money import money_text
from engine.workflow import services
from engine.workflow.runtime import CaseError

REFUND_SUBJECT = "refund"  # the subject of refund cases (engine.workflow.facts.SUBJECT_FACTS)


class MoveOutRefunds:
    """Opens refund cases of the one workflow of refund subjects in a catalog."""

    def __init__(self, catalog: services.Catalog) -> None:
        """Open cases of this catalog's workflows."""
        self.catalog = catalog

    def workflow_id(self, on: date) -> str:
        """The id of the one workflow whose cases are refunds; a StopError when there is none or several."""
        found = sorted({w.id for w in self.catalog.workflows if w.subject == REFUND_SUBJECT})
        if len(found) != 1:
            raise StopError(f"refund: one workflow has refund cases, not {len(found)} ({', '.join(found) or 'none'})")
        return found[0]

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
